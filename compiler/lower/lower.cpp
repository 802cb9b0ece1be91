#include "compiler/lower/lower.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "compiler/sema/builtins.h"

namespace journey::lower {
namespace {

using rt::Index;
using rt::kNone;
using rt::Op;

rt::ValueType valueType(ast::TypeKind kind) {
  switch (kind) {
    case ast::TypeKind::Duration:
      return rt::ValueType::Duration;
    case ast::TypeKind::Money:
      return rt::ValueType::Money;
    case ast::TypeKind::Bool:
      return rt::ValueType::Bool;
    case ast::TypeKind::String:
      return rt::ValueType::String;
    case ast::TypeKind::Persona:
      return rt::ValueType::Persona;
    default:
      return rt::ValueType::Number;
  }
}

/// An expression on its way down: a constant, or code whose jumps are still relative (`a` is
/// the distance from the jump to its target) so that pieces can be concatenated.
struct Lowered {
  bool constant = true;
  double value = 0;
  std::vector<rt::Instr> code;

  static Lowered of(double value) { return Lowered{true, value, {}}; }
  void materialize() {
    if (constant) {
      code = {rt::Instr{Op::Const, 0, value}};
      constant = false;
    }
  }
  void append(Lowered&& other) {
    materialize();
    other.materialize();
    code.insert(code.end(), other.code.begin(), other.code.end());
  }
};

std::optional<double> foldBinary(ast::BinaryOp op, double a, double b) {
  switch (op) {
    case ast::BinaryOp::Add:
      return a + b;
    case ast::BinaryOp::Sub:
      return a - b;
    case ast::BinaryOp::Mul:
      return a * b;
    case ast::BinaryOp::Div:
      if (b == 0) return std::nullopt;  // fails at run time, with its place
      return a / b;
    case ast::BinaryOp::Lt:
      return a < b ? 1 : 0;
    case ast::BinaryOp::Le:
      return a <= b ? 1 : 0;
    case ast::BinaryOp::Gt:
      return a > b ? 1 : 0;
    case ast::BinaryOp::Ge:
      return a >= b ? 1 : 0;
    case ast::BinaryOp::Eq:
      return a == b ? 1 : 0;
    case ast::BinaryOp::Ne:
      return a != b ? 1 : 0;
    default:
      return std::nullopt;
  }
}

Op binaryOp(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::Add:
      return Op::Add;
    case ast::BinaryOp::Sub:
      return Op::Sub;
    case ast::BinaryOp::Mul:
      return Op::Mul;
    case ast::BinaryOp::Div:
      return Op::Div;
    case ast::BinaryOp::Lt:
      return Op::Lt;
    case ast::BinaryOp::Le:
      return Op::Le;
    case ast::BinaryOp::Gt:
      return Op::Gt;
    case ast::BinaryOp::Ge:
      return Op::Ge;
    case ast::BinaryOp::Eq:
      return Op::Eq;
    case ast::BinaryOp::Ne:
      return Op::Ne;
    default:
      return Op::Add;
  }
}

/// The same arithmetic the runtime does, so that folding changes no result.
std::optional<double> foldCall(sema::Builtin id, const std::vector<double>& v) {
  switch (id) {
    case sema::Builtin::Min:
      return v[1] < v[0] ? v[1] : v[0];
    case sema::Builtin::Max:
      return v[0] < v[1] ? v[1] : v[0];
    case sema::Builtin::Clamp: {
      double x = v[0] < v[1] ? v[1] : v[0];
      return v[2] < x ? v[2] : x;
    }
    case sema::Builtin::Abs:
      return std::fabs(v[0]);
    case sema::Builtin::Round:
      return std::round(v[0]);
    case sema::Builtin::Floor:
      return std::floor(v[0]);
    case sema::Builtin::Ceil:
      return std::ceil(v[0]);
    case sema::Builtin::Fixed:
      return v[0];
    default:
      return std::nullopt;
  }
}

Op callOp(sema::Builtin id) {
  switch (id) {
    case sema::Builtin::Min:
      return Op::Min;
    case sema::Builtin::Max:
      return Op::Max;
    case sema::Builtin::Clamp:
      return Op::Clamp;
    case sema::Builtin::Abs:
      return Op::Abs;
    case sema::Builtin::Round:
      return Op::Round;
    case sema::Builtin::Floor:
      return Op::Floor;
    case sema::Builtin::Ceil:
      return Op::Ceil;
    case sema::Builtin::Uniform:
      return Op::Uniform;
    case sema::Builtin::Normal:
      return Op::Normal;
    case sema::Builtin::Lognormal:
      return Op::Lognormal;
    case sema::Builtin::Exponential:
      return Op::Exponential;
    case sema::Builtin::Gamma:
      return Op::Gamma;
    case sema::Builtin::Weibull:
      return Op::Weibull;
    case sema::Builtin::Bernoulli:
      return Op::Bernoulli;
    default:
      return Op::Const;
  }
}

class Lowerer {
 public:
  Lowerer(const sema::CheckedJourney& journey, const SourceManager& sources,
          const LowerOptions& options)
      : j_(journey), sources_(sources), options_(options) {}

  rt::Machine run() {
    index();
    header();
    personas();
    vars();
    channels();
    events();
    touchpoints();
    stages();
    rules();
    m_.entry = j_.entry != nullptr ? target(j_.entry->target) : kNone;
    return std::move(m_);
  }

 private:
  // Names to indices ---------------------------------------------------------------------------

  template <typename T>
  static void number(std::unordered_map<const ast::Decl*, Index>& into,
                     const std::vector<T*>& decls) {
    for (std::size_t i = 0; i < decls.size(); ++i)
      into[decls[i]] = static_cast<Index>(i);
  }

  void index() {
    number(personaIndex_, j_.personas);
    number(stageIndex_, j_.stages);
    number(touchpointIndex_, j_.touchpoints);
    number(eventIndex_, j_.events);
    number(ruleIndex_, j_.rules);
    number(varIndex_, j_.vars);
    for (std::size_t i = 0; i < j_.channels.size(); ++i)
      channelIndex_[j_.channels[i].name] = static_cast<Index>(i);
    for (std::size_t i = 0; i < j_.attributes.size(); ++i)
      attributeIndex_[j_.attributes[i].name] = static_cast<Index>(i);
  }

  Index lookup(const std::unordered_map<const ast::Decl*, Index>& map,
               const ast::Decl* decl) const {
    auto it = map.find(decl);
    return it == map.end() ? kNone : it->second;
  }
  Index stageNamed(std::string_view name) const { return lookup(stageIndex_, j_.stage(name)); }
  Index declNamed(const std::unordered_map<const ast::Decl*, Index>& map,
                  std::string_view name) const {
    auto it = j_.declarations.find(name);
    return it == j_.declarations.end() ? kNone : lookup(map, it->second);
  }
  Index personaNamed(std::string_view name) const { return declNamed(personaIndex_, name); }
  Index channelNamed(std::string_view name) const {
    auto it = channelIndex_.find(std::string(name));
    return it == channelIndex_.end() ? kNone : it->second;
  }

  Index place(SourceRange range) {
    if (!range.valid()) return kNone;
    const SourceFile& file = sources_.file(range.file);
    LineColumn at = file.lineColumn(range.begin);
    std::string text = fmt::format("{}:{}:{}", file.path(), at.line, at.column);
    auto [it, added] = places_.emplace(text, static_cast<Index>(m_.places.size()));
    if (added) m_.places.push_back(std::move(text));
    return it->second;
  }

  double intern(const std::string& text) {
    auto [it, added] = strings_.emplace(text, static_cast<double>(m_.strings.size()));
    if (added) m_.strings.push_back(text);
    return it->second;
  }

  // Expressions --------------------------------------------------------------------------------

  Lowered expr(const ast::Expr& e) {
    switch (e.kind) {
      case ast::ExprKind::Literal: {
        const auto& literal = ast::as<ast::LiteralExpr>(e);
        if (literal.literal == ast::LiteralKind::String)
          return Lowered::of(intern(literal.stringValue));
        return Lowered::of(literal.value);
      }
      case ast::ExprKind::Name:
        return name(ast::as<ast::NameExpr>(e));
      case ast::ExprKind::Member: {
        const auto& member = ast::as<ast::MemberExpr>(e);
        Index field = 0;
        if (member.declaration != nullptr) {
          const auto& event = ast::as<ast::EventDecl>(*member.declaration);
          Index i = 0;
          for (const auto& item : event.items) {
            if (item.kind != ast::EventItemKind::Payload) continue;
            if (item.name.text == member.member.text) field = i;
            ++i;
          }
        }
        return code({Op::Payload, field, 0});
      }
      case ast::ExprKind::Call:
        return call(ast::as<ast::CallExpr>(e));
      case ast::ExprKind::Discrete: {
        const auto& discrete = ast::as<ast::DiscreteExpr>(e);
        Lowered out;
        out.constant = false;
        for (const auto& entry : discrete.entries) {
          out.append(expr(*entry.value));
          out.append(expr(*entry.probability));
        }
        out.code.push_back({Op::Discrete, static_cast<Index>(discrete.entries.size()), 0});
        return out;
      }
      case ast::ExprKind::Unary: {
        const auto& unary = ast::as<ast::UnaryExpr>(e);
        Lowered operand = expr(*unary.operand);
        if (unary.op == ast::UnaryOp::Plus) return operand;
        if (operand.constant) {
          return Lowered::of(unary.op == ast::UnaryOp::Negate ? -operand.value
                                                              : (operand.value == 0 ? 1 : 0));
        }
        operand.code.push_back({unary.op == ast::UnaryOp::Negate ? Op::Neg : Op::Not, 0, 0});
        return operand;
      }
      case ast::ExprKind::Binary:
        return binary(ast::as<ast::BinaryExpr>(e));
      case ast::ExprKind::Error:
        return Lowered::of(0);
    }
    return Lowered::of(0);
  }

  static Lowered code(rt::Instr instr) { return Lowered{false, 0, {instr}}; }

  Lowered name(const ast::NameExpr& e) {
    switch (e.symbol) {
      case ast::SymbolKind::Param:
        return Lowered::of(paramValue(e.declaration));
      case ast::SymbolKind::Var:
        return code({Op::Var, lookup(varIndex_, e.declaration), 0});
      case ast::SymbolKind::Attribute: {
        auto it = attributeIndex_.find(e.name.text);
        return code({Op::Attribute, it == attributeIndex_.end() ? 0 : it->second, 0});
      }
      case ast::SymbolKind::Persona:
        return Lowered::of(lookup(personaIndex_, e.declaration));
      case ast::SymbolKind::Builtin: {
        const std::string& n = e.name.text;
        if (n == "emotion") return code({Op::Emotion, 0, 0});
        if (n == "cost") return code({Op::Cost, 0, 0});
        if (n == "time") return code({Op::Time, 0, 0});
        if (n == "time_in_stage") return code({Op::TimeInStage, 0, 0});
        if (n == "persona") return code({Op::Persona, 0, 0});
        return Lowered::of(0);
      }
      default:
        return Lowered::of(0);
    }
  }

  /// A param's value after overrides; strings are interned.
  double paramValue(const ast::Decl* decl) {
    if (decl == nullptr) return 0;
    if (auto it = params_.find(decl); it != params_.end()) return it->second;
    const auto& param = ast::as<ast::ValueDecl>(*decl);
    double value = 0;
    bool isString = param.value && param.value->type.kind == ast::TypeKind::String;
    if (const ParamOverride* override = overrideOf(param.name.text)) {
      value = isString ? intern(override->stringValue) : override->value;
    } else if (param.value) {
      Lowered lowered = expr(*param.value);
      value = lowered.constant ? lowered.value : 0;
    }
    params_[decl] = value;
    return value;
  }

  const ParamOverride* overrideOf(std::string_view name) const {
    for (const auto& override : options_.overrides)
      if (override.name == name) return &override;
    return nullptr;
  }

  Lowered call(const ast::CallExpr& e) {
    const sema::FunctionInfo* info = sema::findFunction(e.callee.text);
    if (info == nullptr) return Lowered::of(0);
    // Arguments in parameter order, named or positional.
    std::vector<const ast::Expr*> args(info->parameters.size(), nullptr);
    std::size_t position = 0;
    for (const auto& argument : e.arguments) {
      std::size_t slot = position++;
      if (argument.name) {
        auto it = std::find(info->parameters.begin(), info->parameters.end(), argument.name->text);
        if (it != info->parameters.end())
          slot = static_cast<std::size_t>(it - info->parameters.begin());
      }
      if (slot < args.size()) args[slot] = argument.value.get();
    }
    for (const ast::Expr* arg : args)
      if (arg == nullptr) return Lowered::of(0);
    switch (info->id) {
      case sema::Builtin::Visits:
      case sema::Builtin::InStage:
      case sema::Builtin::Received: {
        const ast::Expr& arg = *args[0];
        if (arg.kind != ast::ExprKind::Name) return Lowered::of(0);
        const auto& n = ast::as<ast::NameExpr>(arg);
        if (info->id == sema::Builtin::Visits)
          return code({Op::Visits, stageNamed(n.name.text), 0});
        if (info->id == sema::Builtin::InStage)
          return code({Op::InStage, stageNamed(n.name.text), 0});
        if (n.symbol == ast::SymbolKind::Channel)
          return code({Op::ReceivedChannel, channelNamed(n.name.text), 0});
        return code({Op::Received, lookup(touchpointIndex_, n.declaration), 0});
      }
      default:
        break;
    }
    std::vector<Lowered> lowered;
    bool allConstant = true;
    for (const ast::Expr* arg : args) {
      lowered.push_back(expr(*arg));
      allConstant = allConstant && lowered.back().constant;
    }
    if (allConstant) {
      std::vector<double> values;
      for (const auto& l : lowered)
        values.push_back(l.value);
      if (auto folded = foldCall(info->id, values)) return Lowered::of(*folded);
    }
    if (info->id == sema::Builtin::Fixed) return std::move(lowered[0]);
    Lowered out;
    out.constant = false;
    for (auto& l : lowered)
      out.append(std::move(l));
    out.code.push_back({callOp(info->id), 0, 0});
    return out;
  }

  Lowered binary(const ast::BinaryExpr& e) {
    Lowered lhs = expr(*e.lhs);
    Lowered rhs = expr(*e.rhs);
    if (e.op == ast::BinaryOp::And || e.op == ast::BinaryOp::Or) {
      bool isAnd = e.op == ast::BinaryOp::And;
      if (lhs.constant) {
        bool truth = lhs.value != 0;
        // `false and x` is false, `true and x` is x; `true or x` is true, `false or x` is x.
        if (truth != isAnd) return Lowered::of(truth ? 1 : 0);
        return rhs;
      }
      rhs.materialize();
      Lowered out = std::move(lhs);
      out.code.push_back(
          {isAnd ? Op::JumpIfFalse : Op::JumpIfTrue, static_cast<Index>(rhs.code.size() + 1), 0});
      out.append(std::move(rhs));
      return out;
    }
    if (lhs.constant && rhs.constant) {
      if (auto folded = foldBinary(e.op, lhs.value, rhs.value)) return Lowered::of(*folded);
    }
    Lowered out = std::move(lhs);
    out.append(std::move(rhs));
    out.code.push_back({binaryOp(e.op), 0, 0});
    return out;
  }

  /// Adds an expression to the machine.
  rt::ExprId add(const ast::Expr* e) {
    if (e == nullptr) return kNone;
    Lowered lowered = expr(*e);
    return add(std::move(lowered), valueType(e->type.kind), e->type.sampled, place(e->range));
  }

  rt::ExprId add(Lowered lowered, rt::ValueType type, bool sampled, Index where) {
    rt::Expr out;
    out.type = type;
    out.place = where;
    out.constant = lowered.constant;
    out.value = lowered.value;
    out.sampled = sampled && !lowered.constant;
    lowered.materialize();
    out.begin = static_cast<std::uint32_t>(m_.code.size());
    out.size = static_cast<std::uint32_t>(lowered.code.size());
    for (std::size_t pc = 0; pc < lowered.code.size(); ++pc) {
      rt::Instr instr = lowered.code[pc];
      if (instr.op == Op::JumpIfFalse || instr.op == Op::JumpIfTrue)
        instr.a += static_cast<Index>(pc);
      m_.code.push_back(instr);
    }
    m_.exprs.push_back(out);
    return static_cast<rt::ExprId>(m_.exprs.size() - 1);
  }

  double constant(const ast::Expr* e) {
    if (e == nullptr) return 0;
    Lowered lowered = expr(*e);
    return lowered.constant ? lowered.value : 0;
  }

  // Targets ------------------------------------------------------------------------------------

  Index stageTarget(std::string_view stage, SourceRange range) {
    Index id = static_cast<Index>(m_.targets.size());
    rt::Target t;
    t.kind = rt::TargetKind::Stage;
    t.stage = stageNamed(stage);
    t.place = place(range);
    m_.targets.push_back(t);
    return id;
  }

  Index target(const ast::Target& t) {
    if (!t.isBlock) return stageTarget(t.stage.text, t.range);
    Index id = static_cast<Index>(m_.targets.size());
    m_.targets.emplace_back();
    bool chance = !t.branches.empty() && (t.branches.front().kind == ast::BranchKind::Chance ||
                                          t.branches.front().kind == ast::BranchKind::Otherwise);
    auto first = static_cast<std::uint32_t>(m_.branches.size());
    m_.branches.resize(m_.branches.size() + t.branches.size());
    for (std::size_t i = 0; i < t.branches.size(); ++i) {
      const ast::Branch& branch = t.branches[i];
      rt::Branch out;
      switch (branch.kind) {
        case ast::BranchKind::Chance:
          out.kind = rt::BranchKind::Chance;
          out.value = add(branch.value.get());
          out.target = stageTarget(branch.stage.text, branch.range);
          break;
        case ast::BranchKind::Otherwise:
          out.kind = rt::BranchKind::Otherwise;
          out.target = stageTarget(branch.stage.text, branch.range);
          break;
        case ast::BranchKind::If:
          out.kind = rt::BranchKind::If;
          out.value = add(branch.value.get());
          out.target = branch.target ? target(*branch.target) : stageTarget("", branch.range);
          break;
        case ast::BranchKind::Else:
          out.kind = rt::BranchKind::Else;
          out.target = branch.target ? target(*branch.target) : stageTarget("", branch.range);
          break;
      }
      m_.branches[first + i] = out;
    }
    rt::Target& block = m_.targets[id];
    block.kind = chance ? rt::TargetKind::Chance : rt::TargetKind::Condition;
    block.firstBranch = first;
    block.branchCount = static_cast<std::uint32_t>(t.branches.size());
    block.place = place(t.range);
    return id;
  }

  // Declarations -------------------------------------------------------------------------------

  void header() {
    if (j_.journey != nullptr) {
      m_.name = j_.journey->name.text;
      if (j_.journey->display) m_.display = j_.journey->display->value;
      if (j_.journey->range.valid()) m_.source = sources_.file(j_.journey->range.file).path();
    }
    m_.currency = j_.currency;
    m_.horizon = j_.horizon != nullptr ? constant(j_.horizon->value.get()) : 0;
    for (const ast::ValueDecl* param : j_.params) {
      rt::Param out;
      out.name = param->name.text;
      out.type = param->value ? valueType(param->value->type.kind) : rt::ValueType::Number;
      double value = paramValue(param);
      out.value = value;
      if (const ParamOverride* override = overrideOf(out.name)) {
        out.overridden = true;
        out.text = override->text;
      } else if (param->value) {
        const SourceFile& file = sources_.file(param->value->range.file);
        out.text = file.text().substr(param->value->range.begin,
                                      param->value->range.end - param->value->range.begin);
      }
      m_.params.push_back(std::move(out));
    }
  }

  void personas() {
    std::size_t attributes = j_.attributes.size();
    for (const auto& attribute : j_.attributes)
      m_.attributes.push_back({attribute.name, valueType(attribute.type.kind)});
    m_.personaAttributes.assign(j_.personas.size() * attributes, kNone);
    for (std::size_t p = 0; p < j_.personas.size(); ++p) {
      const ast::PersonaDecl* persona = j_.personas[p];
      rt::Persona out;
      out.name = persona->name.text;
      if (persona->display) out.display = persona->display->value;
      for (const auto& item : persona->items) {
        if (item.kind == ast::PersonaItemKind::Share) {
          out.share = constant(item.value.get());
        } else if (auto it = attributeIndex_.find(item.name.text); it != attributeIndex_.end()) {
          m_.personaAttributes[p * attributes + static_cast<std::size_t>(it->second)] =
              add(item.value.get());
        }
      }
      m_.personas.push_back(std::move(out));
    }
    // Shares add up to 1 within rounding (sema checked); make them exact for drawing.
    double sum = 0;
    for (const auto& persona : m_.personas)
      sum += persona.share;
    if (sum > 0 && std::fabs(sum - 1) < 1e-6 && std::fabs(sum - 1) > 1e-12) {
      for (auto& persona : m_.personas)
        persona.share /= sum;
    }
  }

  void vars() {
    for (const ast::ValueDecl* var : j_.vars) {
      rt::Var out;
      out.name = var->name.text;
      out.type = var->value ? valueType(var->value->type.kind) : rt::ValueType::Number;
      out.initial = var->value ? add(var->value.get())
                               : add(Lowered::of(0), out.type, false, place(var->name.range));
      m_.vars.push_back(std::move(out));
    }
  }

  void channels() {
    for (const auto& channel : j_.channels) {
      rt::Channel out;
      out.name = channel.name;
      if (channel.declaration != nullptr) {
        for (const auto& item : channel.declaration->items) {
          auto policy = item.policy.value_or(ast::CapPolicy::Drop) == ast::CapPolicy::Defer
                            ? rt::CapPolicy::Defer
                            : rt::CapPolicy::Drop;
          switch (item.kind) {
            case ast::ChannelItemKind::Cost:
              out.cost = constant(item.first.get());
              break;
            case ast::ChannelItemKind::Cap:
              out.capCount = static_cast<std::uint32_t>(std::max(0.0, constant(item.first.get())));
              out.capWindow = constant(item.second.get());
              out.capPolicy = policy;
              break;
            case ast::ChannelItemKind::Quiet:
              out.hasQuiet = true;
              out.quietStart = constant(item.first.get());
              out.quietEnd = constant(item.second.get());
              out.quietPolicy = policy;
              break;
          }
        }
      }
      m_.channels.push_back(std::move(out));
    }
  }

  /// For each persona, the item whose `for` names it, else the plain one (semantics 10.1).
  template <typename Item, typename Personas>
  std::vector<const Item*> perPersona(const std::vector<const Item*>& items, Personas personasOf) {
    std::vector<const Item*> out(j_.personas.size(), nullptr);
    for (const Item* item : items) {
      const auto& names = personasOf(*item);
      if (!names.empty()) continue;
      for (auto& slot : out)
        slot = item;
    }
    for (const Item* item : items) {
      for (const auto& name : personasOf(*item)) {
        Index p = personaNamed(name.text);
        if (p != kNone) out[static_cast<std::size_t>(p)] = item;
      }
    }
    return out;
  }

  void events() {
    std::size_t p = j_.personas.size(), s = j_.stages.size();
    m_.eventMeans.assign(j_.events.size() * p, kNone);
    m_.eventInStage.assign(j_.events.size() * s, 0);
    for (std::size_t e = 0; e < j_.events.size(); ++e) {
      const ast::EventDecl* event = j_.events[e];
      rt::Event out;
      out.name = event->name.text;
      if (event->display) out.display = event->display->value;
      out.firstField = static_cast<std::uint32_t>(m_.payloadFields.size());
      bool hasIn = false;
      std::vector<const ast::EventItem*> every;
      for (const auto& item : event->items) {
        switch (item.kind) {
          case ast::EventItemKind::In:
            hasIn = true;
            for (const auto& stage : item.names) {
              Index index = stageNamed(stage.text);
              if (index != kNone) m_.eventInStage[e * s + static_cast<std::size_t>(index)] = 1;
            }
            break;
          case ast::EventItemKind::Every:
            every.push_back(&item);
            break;
          case ast::EventItemKind::Payload:
            m_.payloadFields.push_back(
                {item.name.text,
                 item.value ? valueType(item.value->type.kind) : rt::ValueType::Number,
                 add(item.value.get())});
            ++out.fieldCount;
            break;
        }
      }
      if (!hasIn) std::fill_n(m_.eventInStage.begin() + static_cast<std::ptrdiff_t>(e * s), s, 1);
      auto chosen = perPersona(
          every, [](const ast::EventItem& item) -> const auto& { return item.names; });
      std::map<const ast::EventItem*, rt::ExprId> means;
      for (std::size_t q = 0; q < p; ++q) {
        const ast::EventItem* item = chosen[q];
        if (item == nullptr) continue;
        auto [it, added] = means.emplace(item, kNone);
        if (added) it->second = add(item->value.get());
        m_.eventMeans[e * p + q] = it->second;
      }
      m_.events.push_back(std::move(out));
    }
  }

  void touchpoints() {
    for (const ast::TouchpointDecl* tp : j_.touchpoints) {
      rt::Touchpoint out;
      out.name = tp->name.text;
      if (tp->display) out.display = tp->display->value;
      out.stage = tp->stage != nullptr ? lookup(stageIndex_, tp->stage) : kNone;
      for (const auto& item : tp->items) {
        switch (item.kind) {
          case ast::TouchpointItemKind::Via:
            out.channel = channelNamed(item.name.text);
            break;
          case ast::TouchpointItemKind::Cost:
            out.cost = add(item.value.get());
            break;
          case ast::TouchpointItemKind::Emotion:
            out.emotion = add(item.value.get());
            break;
          case ast::TouchpointItemKind::Duration:
            out.duration = add(item.value.get());
            break;
          case ast::TouchpointItemKind::Response:
            out.responseProbability = add(item.value.get());
            out.responseEvent = declNamed(eventIndex_, item.name.text);
            out.responseDelay = add(item.delay.get());
            break;
        }
      }
      m_.touchpoints.push_back(std::move(out));
    }
  }

  void stages() {
    std::size_t p = j_.personas.size();
    m_.afters.assign(j_.stages.size() * p, rt::Transition{});
    for (std::size_t s = 0; s < j_.stages.size(); ++s) {
      const ast::StageDecl* stage = j_.stages[s];
      rt::Stage out;
      out.name = stage->name.text;
      if (stage->display) out.display = stage->display->value;
      out.kind = stage->stageKind == ast::StageKind::Goal   ? rt::StageKind::Goal
                 : stage->stageKind == ast::StageKind::Exit ? rt::StageKind::Exit
                                                            : rt::StageKind::Ordinary;
      out.firstTouchpoint = static_cast<std::uint32_t>(m_.stageTouchpoints.size());
      std::vector<const ast::StageItem*> afters;
      std::vector<std::pair<std::string, std::vector<const ast::StageItem*>>> ons;
      for (const auto& item : stage->items) {
        switch (item.kind) {
          case ast::StageItemKind::Touchpoint:
            m_.stageTouchpoints.push_back(lookup(touchpointIndex_, item.touchpoint.get()));
            ++out.touchpointCount;
            break;
          case ast::StageItemKind::After:
            afters.push_back(&item);
            break;
          case ast::StageItemKind::On: {
            auto it = std::find_if(ons.begin(), ons.end(),
                                   [&](const auto& on) { return on.first == item.event.text; });
            if (it == ons.end()) {
              ons.emplace_back(item.event.text, std::vector<const ast::StageItem*>{});
              it = ons.end() - 1;
            }
            it->second.push_back(&item);
            break;
          }
          case ast::StageItemKind::Value:
            out.value = add(item.value.get());
            break;
        }
      }
      if (out.kind == rt::StageKind::Ordinary) {
        auto personasOf = [](const ast::StageItem& item) -> const auto& {
          return item.personas;
        };
        auto chosen = perPersona(afters, personasOf);
        std::map<const ast::StageItem*, rt::Transition> lowered;
        for (std::size_t q = 0; q < p; ++q) {
          const ast::StageItem* item = chosen[q];
          if (item == nullptr || !item->target) continue;
          auto [it, added] = lowered.emplace(item, rt::Transition{});
          if (added) it->second = rt::Transition{add(item->value.get()), target(*item->target)};
          m_.afters[s * p + q] = it->second;
        }
        out.firstEventTransition = static_cast<std::uint32_t>(m_.eventTransitions.size());
        for (const auto& [event, items] : ons) {
          rt::EventTransition transition;
          transition.event = declNamed(eventIndex_, event);
          transition.firstTarget = static_cast<std::uint32_t>(m_.eventTargets.size());
          auto chosenOn = perPersona(items, personasOf);
          std::map<const ast::StageItem*, Index> targets;
          std::vector<Index> perPersonaTargets(p, kNone);
          for (std::size_t q = 0; q < p; ++q) {
            const ast::StageItem* item = chosenOn[q];
            if (item == nullptr || !item->target) continue;
            auto [it, added] = targets.emplace(item, kNone);
            if (added) it->second = target(*item->target);
            perPersonaTargets[q] = it->second;
          }
          m_.eventTargets.insert(m_.eventTargets.end(), perPersonaTargets.begin(),
                                 perPersonaTargets.end());
          m_.eventTransitions.push_back(transition);
          ++out.eventTransitionCount;
        }
      }
      m_.stages.push_back(std::move(out));
    }
    // The events that can happen in each stage and have a rate for someone: their clocks start
    // on entry (semantics 6.1).
    for (std::size_t s = 0; s < m_.stages.size(); ++s) {
      rt::Stage& stage = m_.stages[s];
      stage.firstEvent = static_cast<std::uint32_t>(m_.stageEvents.size());
      if (stage.kind != rt::StageKind::Ordinary) continue;
      for (std::size_t e = 0; e < m_.events.size(); ++e) {
        if (!m_.eventInStage[e * m_.stages.size() + s]) continue;
        bool hasRate = false;
        for (std::size_t q = 0; q < p && !hasRate; ++q)
          hasRate = m_.eventMeans[e * p + q] != kNone;
        if (!hasRate) continue;
        m_.stageEvents.push_back(static_cast<Index>(e));
        ++stage.eventCount;
      }
    }
  }

  void rules() {
    for (const ast::RuleDecl* rule : j_.rules) {
      rt::Rule out;
      out.name = rule->name.text;
      if (rule->display) out.display = rule->display->value;
      out.firstStage = static_cast<std::uint32_t>(m_.ruleStages.size());
      out.firstPersona = static_cast<std::uint32_t>(m_.rulePersonas.size());
      out.firstAction = static_cast<std::uint32_t>(m_.actions.size());
      bool hasTrigger = false;
      std::vector<const ast::Expr*> conditions;
      for (const auto& item : rule->items) {
        switch (item.kind) {
          case ast::RuleItemKind::On:
            if (!hasTrigger && item.trigger) {
              hasTrigger = true;
              trigger(*item.trigger, out);
            }
            break;
          case ast::RuleItemKind::In:
            for (const auto& stage : item.names) {
              Index index = stageNamed(stage.text);
              if (index == kNone) continue;
              auto first = m_.ruleStages.begin() + out.firstStage;
              if (std::find(first, m_.ruleStages.end(), index) != m_.ruleStages.end()) continue;
              m_.ruleStages.push_back(index);
              ++out.stageCount;
            }
            break;
          case ast::RuleItemKind::For:
            for (const auto& persona : item.names) {
              Index index = personaNamed(persona.text);
              if (index == kNone) continue;
              auto first = m_.rulePersonas.begin() + out.firstPersona;
              if (std::find(first, m_.rulePersonas.end(), index) != m_.rulePersonas.end()) continue;
              m_.rulePersonas.push_back(index);
              ++out.personaCount;
            }
            break;
          case ast::RuleItemKind::If:
            conditions.push_back(item.value.get());
            break;
          case ast::RuleItemKind::Priority:
            out.priority = constant(item.value.get());
            break;
          case ast::RuleItemKind::Cap:
            out.capCount = static_cast<std::uint32_t>(std::max(0.0, constant(item.value.get())));
            out.capWindow = item.second ? constant(item.second.get()) : 0;
            break;
          case ast::RuleItemKind::Send:
            m_.actions.push_back(
                {rt::ActionKind::Send, declNamed(touchpointIndex_, item.name.text), kNone});
            break;
          case ast::RuleItemKind::Set:
            m_.actions.push_back(
                {rt::ActionKind::Set, declNamed(varIndex_, item.name.text), add(item.value.get())});
            break;
          case ast::RuleItemKind::Move:
            m_.actions.push_back(
                {rt::ActionKind::Move, item.target ? target(*item.target) : kNone, kNone});
            break;
          case ast::RuleItemKind::WaitFor:
            m_.actions.push_back({rt::ActionKind::WaitFor, declNamed(eventIndex_, item.name.text),
                                  add(item.value.get())});
            break;
          case ast::RuleItemKind::Wait:
            m_.actions.push_back({rt::ActionKind::Wait, kNone, add(item.value.get())});
            break;
          case ast::RuleItemKind::Stop:
            m_.actions.push_back({rt::ActionKind::Stop, kNone, kNone});
            break;
        }
      }
      out.actionCount = static_cast<std::uint32_t>(m_.actions.size() - out.firstAction);
      if (!conditions.empty()) out.condition = conjunction(conditions);
      m_.rules.push_back(std::move(out));
    }
  }

  /// Several `if` clauses: all must hold, evaluated in order.
  rt::ExprId conjunction(const std::vector<const ast::Expr*>& conditions) {
    if (conditions.size() == 1) return add(conditions.front());
    Lowered out = expr(*conditions.front());
    for (std::size_t i = 1; i < conditions.size(); ++i) {
      Lowered next = expr(*conditions[i]);
      if (out.constant) {
        out = out.value != 0 ? std::move(next) : Lowered::of(0);
        continue;
      }
      next.materialize();
      out.code.push_back({Op::JumpIfFalse, static_cast<Index>(next.code.size() + 1), 0});
      out.append(std::move(next));
    }
    return add(std::move(out), rt::ValueType::Bool, false, place(conditions.front()->range));
  }

  void trigger(const ast::Trigger& t, rt::Rule& out) {
    switch (t.kind) {
      case ast::TriggerKind::Enter:
        out.trigger = rt::TriggerKind::Enter;
        out.triggerIndex = stageNamed(t.stage.text);
        break;
      case ast::TriggerKind::Leave:
        out.trigger = rt::TriggerKind::Leave;
        out.triggerIndex = stageNamed(t.stage.text);
        break;
      case ast::TriggerKind::After:
        out.trigger = rt::TriggerKind::After;
        out.triggerValue = add(t.value.get());
        break;
      case ast::TriggerKind::Inactive:
        out.trigger = rt::TriggerKind::Inactive;
        out.triggerValue = add(t.value.get());
        break;
      case ast::TriggerKind::Expr:
        if (t.value && t.value->kind == ast::ExprKind::Name &&
            ast::as<ast::NameExpr>(*t.value).symbol == ast::SymbolKind::Event) {
          out.trigger = rt::TriggerKind::Event;
          out.triggerIndex = lookup(eventIndex_, ast::as<ast::NameExpr>(*t.value).declaration);
          out.payloadEvent = out.triggerIndex;
        } else {
          out.trigger = rt::TriggerKind::Condition;
          out.triggerValue = add(t.value.get());
        }
        break;
    }
  }

  const sema::CheckedJourney& j_;
  const SourceManager& sources_;
  const LowerOptions& options_;
  rt::Machine m_;
  std::unordered_map<const ast::Decl*, Index> personaIndex_, stageIndex_, touchpointIndex_,
      eventIndex_, ruleIndex_, varIndex_;
  std::unordered_map<std::string, Index> channelIndex_, attributeIndex_;
  std::unordered_map<const ast::Decl*, double> params_;
  std::unordered_map<std::string, Index> places_;
  std::unordered_map<std::string, double> strings_;
};

}  // namespace

rt::Machine lower(const sema::CheckedJourney& journey, const SourceManager& sources,
                  const LowerOptions& options) {
  return Lowerer(journey, sources, options).run();
}

}  // namespace journey::lower

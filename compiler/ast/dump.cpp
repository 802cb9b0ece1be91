// `journey dump --stage=ast`. One node per line, children indented by two:
//
//   StageDecl Research (12:3)
//     After (13:5)
//       delay: Call exponential (13:11)
//         mean: Literal duration 7d = 604800s (13:23)
//       target: Target Evaluate (13:30)
//
// A line is `[field: ]Kind key-fields (line:col)`, plus `: type` once semantic analysis has
// typed an expression. The tree may come from a file with syntax errors: missing parts print
// as `<missing>`.
#include "compiler/ast/dump.h"

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace journey::ast {
namespace {

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string name(const Identifier& id) {
  return id.text.empty() ? "<missing>" : id.text;
}

std::string names(const std::vector<Identifier>& ids) {
  std::string out;
  for (const auto& id : ids) {
    if (!out.empty()) out += ", ";
    out += name(id);
  }
  return out;
}

const char* symbolName(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::Unresolved:
      return "unresolved";
    case SymbolKind::Param:
      return "param";
    case SymbolKind::Var:
      return "var";
    case SymbolKind::Attribute:
      return "attribute";
    case SymbolKind::Persona:
      return "persona";
    case SymbolKind::Stage:
      return "stage";
    case SymbolKind::Touchpoint:
      return "touchpoint";
    case SymbolKind::Channel:
      return "channel";
    case SymbolKind::Event:
      return "event";
    case SymbolKind::Builtin:
      return "builtin";
    case SymbolKind::Kpi:
      return "kpi";
  }
  return "?";
}

const char* declName(DeclKind kind) {
  switch (kind) {
    case DeclKind::Horizon:
      return "HorizonDecl";
    case DeclKind::Entry:
      return "EntryDecl";
    case DeclKind::Param:
      return "ParamDecl";
    case DeclKind::Var:
      return "VarDecl";
    case DeclKind::Channel:
      return "ChannelDecl";
    case DeclKind::Persona:
      return "PersonaDecl";
    case DeclKind::Stage:
      return "StageDecl";
    case DeclKind::Touchpoint:
      return "TouchpointDecl";
    case DeclKind::Event:
      return "EventDecl";
    case DeclKind::Rule:
      return "RuleDecl";
    case DeclKind::Kpi:
      return "KpiDecl";
    case DeclKind::Discount:
      return "DiscountDecl";
  }
  return "Decl";
}

const char* literalName(LiteralKind kind) {
  switch (kind) {
    case LiteralKind::Number:
      return "number";
    case LiteralKind::Percent:
      return "percent";
    case LiteralKind::Duration:
      return "duration";
    case LiteralKind::Money:
      return "money";
    case LiteralKind::String:
      return "string";
    case LiteralKind::Bool:
      return "bool";
  }
  return "?";
}

class Dumper {
 public:
  Dumper(std::ostream& out, const SourceManager& sources) : out_(out), sources_(sources) {}

  void module(const Module& module) {
    std::string path =
        module.file < sources_.size() ? sources_.file(module.file).path() : "<unknown file>";
    line("", fmt::format("Module {}{}", path, module.hasSyntaxErrors ? " syntax-errors" : ""), {});
    Indent in(*this);
    for (const auto& use : module.uses)
      line("", "Use " + use.path.text, use.range);
    for (const auto& item : module.items) {
      if (item.journey) journey(*item.journey);
      if (item.decl) decl("", *item.decl);
    }
    for (const auto& comment : module.comments)
      line("", "Comment " + quote(comment.text), comment.range);
  }

 private:
  // Indents the lines written while it lives.
  struct Indent {
    explicit Indent(Dumper& dumper) : dumper(dumper) { ++dumper.depth_; }
    ~Indent() { --dumper.depth_; }
    Indent(const Indent&) = delete;
    Indent& operator=(const Indent&) = delete;
    Dumper& dumper;
  };

  std::string location(SourceRange range) const {
    if (!range.valid() || range.file >= sources_.size()) return "";
    LineColumn at = sources_.file(range.file).lineColumn(range.begin);
    return fmt::format(" ({}:{})", at.line, at.column);
  }

  void line(std::string_view field, std::string_view text, SourceRange range,
            std::string_view extra = {}) {
    out_ << std::string(static_cast<std::size_t>(depth_) * 2, ' ');
    if (!field.empty()) out_ << field << ": ";
    out_ << text << location(range) << extra << '\n';
  }

  void missing(std::string_view field) { line(field, "<missing>", {}); }

  static std::string header(const NamedDecl& decl) {
    std::string text = fmt::format("{} {}", declName(decl.kind), name(decl.name));
    if (decl.display) text += " " + decl.display->text;
    return text;
  }

  void doc(const Decl& decl) {
    if (!decl.doc.empty()) line("doc", quote(decl.doc), {});
  }

  void journey(const JourneyBlock& block) {
    std::string text = "JourneyBlock " + name(block.name);
    if (block.display) text += " " + block.display->text;
    line("", text, block.range);
    Indent in(*this);
    if (!block.doc.empty()) line("doc", quote(block.doc), {});
    for (const auto& decl : block.decls) {
      if (decl) this->decl("", *decl);
    }
  }

  void decl(std::string_view field, const Decl& decl) {
    switch (decl.kind) {
      case DeclKind::Horizon: {
        line(field, declName(decl.kind), decl.range);
        Indent in(*this);
        doc(decl);
        expr("value", as<HorizonDecl>(decl).value.get());
        break;
      }
      case DeclKind::Entry: {
        line(field, declName(decl.kind), decl.range);
        Indent in(*this);
        doc(decl);
        target("target", &as<EntryDecl>(decl).target);
        break;
      }
      case DeclKind::Discount: {
        line(field, declName(decl.kind), decl.range);
        Indent in(*this);
        doc(decl);
        expr("rate", as<DiscountDecl>(decl).rate.get());
        expr("period", as<DiscountDecl>(decl).period.get());
        break;
      }
      case DeclKind::Kpi: {
        const auto& kpi = as<KpiDecl>(decl);
        line(field, header(kpi) + (kpi.primary ? " primary" : ""), decl.range);
        Indent in(*this);
        doc(decl);
        expr("value", kpi.value.get());
        break;
      }
      case DeclKind::Param:
      case DeclKind::Var: {
        const auto& value = as<ValueDecl>(decl);
        line(field, header(value), decl.range);
        Indent in(*this);
        doc(decl);
        expr("value", value.value.get());
        break;
      }
      case DeclKind::Channel:
        channel(field, as<ChannelDecl>(decl));
        break;
      case DeclKind::Persona:
        persona(field, as<PersonaDecl>(decl));
        break;
      case DeclKind::Stage:
        stage(field, as<StageDecl>(decl));
        break;
      case DeclKind::Touchpoint:
        touchpoint(field, as<TouchpointDecl>(decl));
        break;
      case DeclKind::Event:
        event(field, as<EventDecl>(decl));
        break;
      case DeclKind::Rule:
        rule(field, as<RuleDecl>(decl));
        break;
    }
  }

  void channel(std::string_view field, const ChannelDecl& decl) {
    line(field, header(decl) + (decl.hasBody ? "" : " no-body"), decl.range);
    Indent in(*this);
    doc(decl);
    for (const auto& item : decl.items) {
      std::string policy;
      if (item.policy) policy = *item.policy == CapPolicy::Drop ? " drop" : " defer";
      switch (item.kind) {
        case ChannelItemKind::Cost: {
          line("", "Cost", item.range);
          Indent inner(*this);
          expr("value", item.first.get());
          break;
        }
        case ChannelItemKind::Cap: {
          line("", "Cap" + policy, item.range);
          Indent inner(*this);
          expr("count", item.first.get());
          expr("window", item.second.get());
          break;
        }
        case ChannelItemKind::Quiet: {
          line("", "Quiet" + policy, item.range);
          Indent inner(*this);
          expr("from", item.first.get());
          expr("until", item.second.get());
          break;
        }
      }
    }
  }

  void persona(std::string_view field, const PersonaDecl& decl) {
    line(field, header(decl), decl.range);
    Indent in(*this);
    doc(decl);
    for (const auto& item : decl.items) {
      line("", item.kind == PersonaItemKind::Share ? "Share" : "Attribute " + name(item.name),
           item.range);
      Indent inner(*this);
      expr("value", item.value.get());
    }
  }

  static std::string scope(const std::vector<Identifier>& personas) {
    return personas.empty() ? "" : " for " + names(personas);
  }

  void stage(std::string_view field, const StageDecl& decl) {
    std::string text = header(decl);
    if (decl.stageKind == StageKind::Goal) text += " goal";
    if (decl.stageKind == StageKind::Exit) text += " exit";
    if (decl.milestone) text += " milestone";
    if (!decl.hasBody) text += " no-body";
    line(field, text, decl.range);
    Indent in(*this);
    doc(decl);
    for (const auto& item : decl.items) {
      switch (item.kind) {
        case StageItemKind::Touchpoint:
          if (item.touchpoint) {
            touchpoint("", *item.touchpoint);
          } else {
            line("", "Touchpoint <missing>", item.range);
          }
          break;
        case StageItemKind::After: {
          line("", "After" + scope(item.personas), item.range);
          Indent inner(*this);
          expr("delay", item.value.get());
          target("target", item.target.get());
          break;
        }
        case StageItemKind::On: {
          line("", "On " + name(item.event) + scope(item.personas), item.range);
          Indent inner(*this);
          target("target", item.target.get());
          break;
        }
        case StageItemKind::Value: {
          line("", "Value", item.range);
          Indent inner(*this);
          expr("value", item.value.get());
          if (item.period) expr("per", item.period.get());
          break;
        }
      }
    }
  }

  void touchpoint(std::string_view field, const TouchpointDecl& decl) {
    std::string text = header(decl);
    if (decl.stage != nullptr) text += " in-stage " + name(decl.stage->name);
    line(field, text, decl.range);
    Indent in(*this);
    doc(decl);
    for (const auto& item : decl.items) {
      switch (item.kind) {
        case TouchpointItemKind::Via:
          line("", "Via " + name(item.name), item.range);
          break;
        case TouchpointItemKind::Cost:
        case TouchpointItemKind::Emotion:
        case TouchpointItemKind::Duration: {
          const char* kind = item.kind == TouchpointItemKind::Cost      ? "Cost"
                             : item.kind == TouchpointItemKind::Emotion ? "Emotion"
                                                                        : "Duration";
          line("", kind, item.range);
          Indent inner(*this);
          expr("value", item.value.get());
          break;
        }
        case TouchpointItemKind::Nps: {
          line("", "Nps", item.range);
          Indent inner(*this);
          expr("answer", item.value.get());
          break;
        }
        case TouchpointItemKind::Response: {
          line("", "Response emits " + name(item.name), item.range);
          Indent inner(*this);
          expr("probability", item.value.get());
          if (item.delay) expr("delay", item.delay.get());
          break;
        }
      }
    }
  }

  void event(std::string_view field, const EventDecl& decl) {
    line(field, header(decl) + (decl.hasBody ? "" : " no-body"), decl.range);
    Indent in(*this);
    doc(decl);
    for (const auto& item : decl.items) {
      switch (item.kind) {
        case EventItemKind::In:
          line("", "In " + names(item.names), item.range);
          break;
        case EventItemKind::Every: {
          line("", "Every" + scope(item.names), item.range);
          Indent inner(*this);
          expr("mean", item.value.get());
          break;
        }
        case EventItemKind::Payload: {
          line("", "Payload " + name(item.name), item.range);
          Indent inner(*this);
          expr("value", item.value.get());
          break;
        }
        case EventItemKind::Value: {
          line("", "Value", item.range);
          Indent inner(*this);
          expr("value", item.value.get());
          break;
        }
      }
    }
  }

  void trigger(const Trigger& trigger) {
    switch (trigger.kind) {
      case TriggerKind::Enter:
        line("trigger", "Enter " + name(trigger.stage), trigger.range);
        break;
      case TriggerKind::Leave:
        line("trigger", "Leave " + name(trigger.stage), trigger.range);
        break;
      case TriggerKind::After:
      case TriggerKind::Inactive: {
        line("trigger", trigger.kind == TriggerKind::After ? "After" : "Inactive", trigger.range);
        Indent in(*this);
        expr("duration", trigger.value.get());
        break;
      }
      case TriggerKind::Expr: {
        line("trigger", "Condition", trigger.range);
        Indent in(*this);
        expr("value", trigger.value.get());
        break;
      }
    }
  }

  void rule(std::string_view field, const RuleDecl& decl) {
    line(field, header(decl), decl.range);
    Indent in(*this);
    doc(decl);
    for (const auto& item : decl.items) {
      switch (item.kind) {
        case RuleItemKind::On: {
          line("", "On", item.range);
          Indent inner(*this);
          if (item.trigger) {
            trigger(*item.trigger);
          } else {
            missing("trigger");
          }
          break;
        }
        case RuleItemKind::In:
          line("", "In " + names(item.names), item.range);
          break;
        case RuleItemKind::For:
          line("", "For " + names(item.names), item.range);
          break;
        case RuleItemKind::If: {
          line("", "If", item.range);
          Indent inner(*this);
          expr("condition", item.value.get());
          break;
        }
        case RuleItemKind::Priority: {
          line("", "Priority", item.range);
          Indent inner(*this);
          expr("value", item.value.get());
          break;
        }
        case RuleItemKind::Cap: {
          line("", "Cap", item.range);
          Indent inner(*this);
          expr("count", item.value.get());
          if (item.second) expr("window", item.second.get());
          break;
        }
        case RuleItemKind::Send:
          line("", "Send " + name(item.name), item.range);
          break;
        case RuleItemKind::Move: {
          line("", "Move", item.range);
          Indent inner(*this);
          target("target", item.target.get());
          break;
        }
        case RuleItemKind::Set: {
          line("", "Set " + name(item.name), item.range);
          Indent inner(*this);
          expr("value", item.value.get());
          break;
        }
        case RuleItemKind::WaitFor: {
          line("", "WaitFor " + name(item.name), item.range);
          Indent inner(*this);
          if (item.value) expr("within", item.value.get());
          break;
        }
        case RuleItemKind::Wait: {
          line("", "Wait", item.range);
          Indent inner(*this);
          expr("duration", item.value.get());
          break;
        }
        case RuleItemKind::Stop:
          line("", "Stop", item.range);
          break;
      }
    }
  }

  void target(std::string_view field, const Target* target) {
    if (target == nullptr) return missing(field);
    if (!target->isBlock) return line(field, "Target " + name(target->stage), target->range);
    line(field, "Branches", target->range);
    Indent in(*this);
    for (const auto& branch : target->branches) {
      switch (branch.kind) {
        case BranchKind::Chance: {
          line("", "Chance " + name(branch.stage), branch.range);
          Indent inner(*this);
          expr("probability", branch.value.get());
          break;
        }
        case BranchKind::Otherwise:
          line("", "Otherwise " + name(branch.stage), branch.range);
          break;
        case BranchKind::If: {
          line("", "If", branch.range);
          Indent inner(*this);
          expr("condition", branch.value.get());
          this->target("target", branch.target.get());
          break;
        }
        case BranchKind::Else: {
          line("", "Else", branch.range);
          Indent inner(*this);
          this->target("target", branch.target.get());
          break;
        }
      }
    }
  }

  std::string typeSuffix(const Expr& expr) const {
    if (expr.type.kind == TypeKind::Unknown) return "";
    return fmt::format(" : {}{}", expr.type.sampled ? "sampled " : "", typeName(expr.type.kind));
  }

  std::string declaration(const Decl* decl) const {
    if (decl == nullptr) return "";
    std::string text = fmt::format(" -> {}", declName(decl->kind));
    if (isNamed(decl->kind)) {
      text += " " + name(static_cast<const NamedDecl*>(decl)->name);
    }
    return text + location(decl->range);
  }

  static std::string literal(const LiteralExpr& literal) {
    std::string text = fmt::format("Literal {} {}", literalName(literal.literal), literal.text);
    switch (literal.literal) {
      case LiteralKind::Number: {
        std::string value = fmt::format("{}", literal.value);
        return value == literal.text ? text : text + " = " + value;
      }
      case LiteralKind::Percent:
        return text + fmt::format(" = {}", literal.value);
      case LiteralKind::Duration:
        return text + fmt::format(" = {}s", literal.value);
      case LiteralKind::Money:
        return text + fmt::format(" = {} {}", literal.value, literal.currency);
      case LiteralKind::String:
        return text + " = " + quote(literal.stringValue);
      case LiteralKind::Bool:
        return text;
    }
    return text;
  }

  void expr(std::string_view field, const Expr* expr) {
    if (expr == nullptr) return missing(field);
    std::string type = typeSuffix(*expr);
    switch (expr->kind) {
      case ExprKind::Literal:
        line(field, literal(as<LiteralExpr>(*expr)), expr->range, type);
        break;
      case ExprKind::Name: {
        const auto& ref = as<NameExpr>(*expr);
        std::string text = "Name " + name(ref.name);
        if (ref.symbol != SymbolKind::Unresolved)
          text += fmt::format(" [{}]", symbolName(ref.symbol));
        line(field, text, expr->range, type + declaration(ref.declaration));
        break;
      }
      case ExprKind::Member: {
        const auto& member = as<MemberExpr>(*expr);
        line(field, fmt::format("Member {}.{}", name(member.object), name(member.member)),
             expr->range, type + declaration(member.declaration));
        break;
      }
      case ExprKind::Call: {
        const auto& call = as<CallExpr>(*expr);
        line(field, "Call " + name(call.callee), expr->range, type);
        Indent in(*this);
        for (std::size_t i = 0; i < call.arguments.size(); ++i) {
          const Argument& argument = call.arguments[i];
          std::string label = argument.name ? name(*argument.name) : fmt::format("[{}]", i);
          this->expr(label, argument.value.get());
        }
        break;
      }
      case ExprKind::Discrete: {
        const auto& table = as<DiscreteExpr>(*expr);
        line(field, fmt::format("Discrete {} entries", table.entries.size()), expr->range, type);
        Indent in(*this);
        for (std::size_t i = 0; i < table.entries.size(); ++i) {
          const DiscreteEntry& entry = table.entries[i];
          line("", fmt::format("Entry [{}]", i), entry.value ? entry.value->range : SourceRange{});
          Indent inner(*this);
          this->expr("value", entry.value.get());
          this->expr("probability", entry.probability.get());
        }
        break;
      }
      case ExprKind::Unary: {
        const auto& unary = as<UnaryExpr>(*expr);
        line(field, fmt::format("Unary {}", spelling(unary.op)), expr->range, type);
        Indent in(*this);
        this->expr("operand", unary.operand.get());
        break;
      }
      case ExprKind::Binary: {
        const auto& binary = as<BinaryExpr>(*expr);
        line(field, fmt::format("Binary {}", spelling(binary.op)), expr->range, type);
        Indent in(*this);
        this->expr("lhs", binary.lhs.get());
        this->expr("rhs", binary.rhs.get());
        break;
      }
      case ExprKind::Error:
        line(field, "Error", expr->range, type);
        break;
    }
  }

  std::ostream& out_;
  const SourceManager& sources_;
  int depth_ = 0;
};

}  // namespace

void dump(std::ostream& out, const Module& module, const SourceManager& sources) {
  Dumper(out, sources).module(module);
}

}  // namespace journey::ast

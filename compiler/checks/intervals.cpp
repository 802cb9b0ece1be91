// Evaluation: the values an expression can take where it is evaluated, and the values of one
// value for which a condition holds.
#include "compiler/checks/intervals.h"

#include <cmath>
#include <limits>

#include "compiler/checks/set_arithmetic.h"

namespace journey::checks {
namespace {

// Deep enough for any written expression; guards against params that read each other.
constexpr int kMaxDepth = 64;

const ast::Expr* argument(const ast::CallExpr& call, std::size_t index, std::string_view name) {
  for (const auto& arg : call.arguments) {
    if (arg.name && arg.name->text == name) return arg.value.get();
  }
  std::size_t positional = 0;
  for (const auto& arg : call.arguments) {
    if (arg.name) continue;
    if (positional++ == index) return arg.value.get();
  }
  return nullptr;
}

std::string callKey(const ast::CallExpr& call) {
  if ((call.callee.text != "visits" && call.callee.text != "received") ||
      call.arguments.size() != 1 || !call.arguments[0].value ||
      call.arguments[0].value->kind != ast::ExprKind::Name) {
    return {};
  }
  return call.callee.text + "(" + ast::as<ast::NameExpr>(*call.arguments[0].value).name.text + ")";
}

// Whether `expr` has the same value for every customer: literals, params, persona names and
// arithmetic on them.
bool isConstant(const ast::Expr& expr) {
  switch (expr.kind) {
    case ast::ExprKind::Literal:
      return true;
    case ast::ExprKind::Name: {
      auto symbol = ast::as<ast::NameExpr>(expr).symbol;
      return symbol == ast::SymbolKind::Param || symbol == ast::SymbolKind::Persona;
    }
    case ast::ExprKind::Unary:
      return ast::as<ast::UnaryExpr>(expr).operand &&
             isConstant(*ast::as<ast::UnaryExpr>(expr).operand);
    case ast::ExprKind::Binary: {
      const auto& binary = ast::as<ast::BinaryExpr>(expr);
      return binary.lhs && binary.rhs && isConstant(*binary.lhs) && isConstant(*binary.rhs);
    }
    default:
      return false;
  }
}

}  // namespace

std::optional<std::string> valueKey(const ast::Expr& expr) {
  switch (expr.kind) {
    case ast::ExprKind::Name: {
      const auto& name = ast::as<ast::NameExpr>(expr);
      switch (name.symbol) {
        case ast::SymbolKind::Param:
        case ast::SymbolKind::Var:
        case ast::SymbolKind::Attribute:
        case ast::SymbolKind::Builtin:
          return name.name.text;
        default:
          return std::nullopt;
      }
    }
    case ast::ExprKind::Member: {
      const auto& member = ast::as<ast::MemberExpr>(expr);
      return member.object.text + "." + member.member.text;
    }
    case ast::ExprKind::Call: {
      std::string key = callKey(ast::as<ast::CallExpr>(expr));
      if (key.empty()) return std::nullopt;
      return key;
    }
    default:
      return std::nullopt;
  }
}

Evaluator::Evaluator(const sema::CheckedJourney& journey) : journey_(journey) {
  computeVarRanges();
}

void Evaluator::computeVarRanges() {
  EvalContext initial;
  initial.atEntry = true;
  for (const auto* var : journey_.vars) {
    vars_[var->name.text] = var->value ? evaluateAt(*var->value, initial, 0) : ValueSet::all();
  }
  for (const auto* rule : journey_.rules) {
    for (const auto& item : rule->items) {
      if (item.kind == ast::RuleItemKind::Set && item.value && vars_.count(item.name.text) > 0) {
        varSets_[item.name.text].push_back(item.value.get());
      }
    }
  }
  if (varSets_.empty()) return;
  // Every value a `set` can give, until nothing changes; after a few exact rounds, a bound that
  // still moves goes to infinity (widening), so this ends after at most two more rounds per var.
  std::size_t rounds = 4 + 2 * varSets_.size();
  for (std::size_t round = 0; round < rounds; ++round) {
    bool changed = false;
    for (const auto& [name, sets] : varSets_) {
      ValueSet before = vars_[name];
      ValueSet after = before;
      for (const auto* expr : sets) {
        for (std::size_t p = 0; p < journey_.personas.size(); ++p) {
          EvalContext context;
          context.persona = p;
          after = unite(after, evaluateAt(*expr, context, 0));
        }
      }
      if (sameSet(before, after)) continue;
      changed = true;
      if (round >= 3 && !after.isString && !before.empty() && !after.empty()) {
        Interval hull = hullOf(after);
        if (hull.lo < inf(before)) hull.lo = -kInf;
        if (hull.hi > sup(before)) hull.hi = kInf;
        after = numbers({hull}, after.integral);
      }
      if (round + 1 == rounds) after = after.isString ? ValueSet::anyString() : ValueSet::all();
      vars_[name] = after;
    }
    if (!changed) break;
  }
}

ValueSet Evaluator::evaluate(const ast::Expr& expr, const EvalContext& context) const {
  return evaluateAt(expr, context, 0);
}

ValueSet Evaluator::valueOf(const ast::Expr& keyExpr, const EvalContext& context) const {
  return evaluateAt(keyExpr, context, 0);
}

ValueSet Evaluator::evaluateAt(const ast::Expr& expr, const EvalContext& context, int depth) const {
  ValueSet value = evaluateUnconstrained(expr, context, depth + 1);
  if (!context.constraints.empty()) {
    if (auto key = valueKey(expr)) {
      if (auto it = context.constraints.find(*key); it != context.constraints.end()) {
        value = intersect(value, it->second);
      }
    }
  }
  return value;
}

ValueSet Evaluator::attribute(const std::string& name, const EvalContext& context,
                              int depth) const {
  if (context.persona >= journey_.personas.size()) return ValueSet::all();
  for (const auto& item : journey_.personas[context.persona]->items) {
    if (item.kind == ast::PersonaItemKind::Attribute && item.name.text == name && item.value) {
      EvalContext plain;
      plain.persona = context.persona;
      return evaluateAt(*item.value, plain, depth);
    }
  }
  return ValueSet::none();
}

ValueSet Evaluator::evaluateUnconstrained(const ast::Expr& expr, const EvalContext& context,
                                          int depth) const {
  bool isString = expr.type.kind == ast::TypeKind::String;
  ValueSet unknown = isString ? ValueSet::anyString() : ValueSet::all();
  if (depth > kMaxDepth) return unknown;
  if (auto folded = journey_.constant(&expr); folded && !isString) return ValueSet::point(*folded);
  switch (expr.kind) {
    case ast::ExprKind::Literal: {
      const auto& literal = ast::as<ast::LiteralExpr>(expr);
      if (literal.literal == ast::LiteralKind::String) return ValueSet::string(literal.stringValue);
      return ValueSet::point(literal.value);
    }
    case ast::ExprKind::Name: {
      const auto& name = ast::as<ast::NameExpr>(expr);
      switch (name.symbol) {
        case ast::SymbolKind::Param: {
          const auto* decl = static_cast<const ast::ValueDecl*>(name.declaration);
          if (decl == nullptr || !decl->value) return unknown;
          if (auto value = journey_.constant(decl->value.get()); value && !isString)
            return ValueSet::point(*value);
          EvalContext plain;
          plain.persona = context.persona;
          return evaluateAt(*decl->value, plain, depth);
        }
        case ast::SymbolKind::Var: {
          if (context.atEntry) {
            const auto* decl = static_cast<const ast::ValueDecl*>(name.declaration);
            if (decl != nullptr && decl->value)
              return evaluateAt(*decl->value, EvalContext{}, depth);
          }
          auto it = vars_.find(name.name.text);
          return it == vars_.end() ? unknown : it->second;
        }
        case ast::SymbolKind::Attribute:
          return attribute(name.name.text, context, depth);
        case ast::SymbolKind::Persona:
          for (std::size_t i = 0; i < journey_.personas.size(); ++i) {
            if (journey_.personas[i] == name.declaration)
              return ValueSet::point(static_cast<double>(i));
          }
          return unknown;
        case ast::SymbolKind::Builtin: {
          const std::string& builtin = name.name.text;
          if (builtin == "persona") return ValueSet::point(static_cast<double>(context.persona));
          if (context.atEntry) return ValueSet::point(0);
          if (builtin == "cost" || builtin == "time" || builtin == "time_in_stage")
            return ValueSet::range(0, kInf);
          return unknown;
        }
        default:
          return unknown;
      }
    }
    case ast::ExprKind::Member: {
      const auto& member = ast::as<ast::MemberExpr>(expr);
      if (member.declaration == nullptr || member.declaration->kind != ast::DeclKind::Event)
        return unknown;
      for (const auto& item : ast::as<ast::EventDecl>(*member.declaration).items) {
        if (item.kind == ast::EventItemKind::Payload && item.name.text == member.member.text &&
            item.value) {
          EvalContext plain;
          plain.persona = context.persona;
          return evaluateAt(*item.value, plain, depth);
        }
      }
      return unknown;
    }
    case ast::ExprKind::Call:
      return evaluateCall(ast::as<ast::CallExpr>(expr), context, depth);
    case ast::ExprKind::Discrete: {
      ValueSet result = ValueSet::none();
      for (const auto& entry : ast::as<ast::DiscreteExpr>(expr).entries) {
        if (!entry.value) return unknown;
        if (auto p = journey_.constant(entry.probability.get()); p && *p <= 0) continue;
        result = unite(result, evaluateAt(*entry.value, context, depth));
      }
      return result;
    }
    case ast::ExprKind::Unary: {
      const auto& unary = ast::as<ast::UnaryExpr>(expr);
      if (!unary.operand) return unknown;
      ValueSet operand = evaluateAt(*unary.operand, context, depth);
      switch (unary.op) {
        case ast::UnaryOp::Plus:
          return operand;
        case ast::UnaryOp::Negate:
          return eachPiece(operand, operand.integral, [](const Interval& p) {
            return Interval{-p.hi, -p.lo, p.hiOpen, p.loOpen};
          });
        case ast::UnaryOp::Not:
          if (operand.empty()) return operand;
          return ValueSet::boolean(operand.canBeFalse(), operand.canBeTrue());
      }
      return unknown;
    }
    case ast::ExprKind::Binary: {
      const auto& binary = ast::as<ast::BinaryExpr>(expr);
      if (!binary.lhs || !binary.rhs) return unknown;
      ValueSet lhs = evaluateAt(*binary.lhs, context, depth);
      ValueSet rhs = evaluateAt(*binary.rhs, context, depth);
      if (lhs.empty() || rhs.empty()) return ValueSet::none();
      bool integral = lhs.integral && rhs.integral;
      switch (binary.op) {
        case ast::BinaryOp::Add:
          return pairwise(lhs, rhs, integral, [](const Interval& a, const Interval& b) {
            return Interval{a.lo + b.lo, a.hi + b.hi, a.loOpen || b.loOpen, a.hiOpen || b.hiOpen};
          });
        case ast::BinaryOp::Sub:
          return pairwise(lhs, rhs, integral, [](const Interval& a, const Interval& b) {
            return Interval{a.lo - b.hi, a.hi - b.lo, a.loOpen || b.hiOpen, a.hiOpen || b.loOpen};
          });
        case ast::BinaryOp::Mul:
          return pairwise(lhs, rhs, integral, multiply);
        case ast::BinaryOp::Div: {
          for (const auto& p : rhs.pieces) {
            bool holdsZero =
                (p.lo < 0 || (p.lo == 0 && !p.loOpen)) && (p.hi > 0 || (p.hi == 0 && !p.hiOpen));
            if (holdsZero || p.lo == 0 || p.hi == 0) return unknown;
          }
          ValueSet reciprocal = eachPiece(rhs, false, [](const Interval& p) {
            return Interval{std::isinf(p.hi) ? 0.0 : 1 / p.hi, std::isinf(p.lo) ? 0.0 : 1 / p.lo,
                            p.hiOpen || std::isinf(p.hi), p.loOpen || std::isinf(p.lo)};
          });
          return pairwise(lhs, reciprocal, false, multiply);
        }
        case ast::BinaryOp::And:
          return ValueSet::boolean(lhs.canBeTrue() && rhs.canBeTrue(),
                                   lhs.canBeFalse() || rhs.canBeFalse());
        case ast::BinaryOp::Or:
          return ValueSet::boolean(lhs.canBeTrue() || rhs.canBeTrue(),
                                   lhs.canBeFalse() && rhs.canBeFalse());
        default:
          return compare(binary.op, lhs, rhs);
      }
    }
    case ast::ExprKind::Error:
      return unknown;
  }
  return unknown;
}

ValueSet Evaluator::evaluateCall(const ast::CallExpr& call, const EvalContext& context,
                                 int depth) const {
  const std::string& name = call.callee.text;
  auto arg = [&](std::size_t index, std::string_view argName) -> std::optional<ValueSet> {
    const ast::Expr* value = argument(call, index, argName);
    if (value == nullptr) return std::nullopt;
    return evaluateAt(*value, context, depth);
  };
  auto minMax = [](const ValueSet& a, const ValueSet& b, bool isMin) {
    return pairwise(a, b, a.integral && b.integral, [isMin](const Interval& x, const Interval& y) {
      if (isMin) {
        bool xl = x.lo < y.lo || (x.lo == y.lo && !x.loOpen);
        bool xh = x.hi < y.hi || (x.hi == y.hi && x.hiOpen);
        return Interval{xl ? x.lo : y.lo, xh ? x.hi : y.hi, xl ? x.loOpen : y.loOpen,
                        xh ? x.hiOpen : y.hiOpen};
      }
      bool xl = x.lo > y.lo || (x.lo == y.lo && x.loOpen);
      bool xh = x.hi > y.hi || (x.hi == y.hi && !x.hiOpen);
      return Interval{xl ? x.lo : y.lo, xh ? x.hi : y.hi, xl ? x.loOpen : y.loOpen,
                      xh ? x.hiOpen : y.hiOpen};
    });
  };
  auto positive = ValueSet::range(0, kInf, true, true);
  if (name == "visits" || name == "received") {
    if (context.atEntry) return ValueSet::point(0);
    ValueSet counts = ValueSet::range(0, kInf);
    counts.integral = true;
    return counts;
  }
  if (name == "in_stage") {
    if (context.stages == nullptr || call.arguments.size() != 1 || !call.arguments[0].value ||
        call.arguments[0].value->kind != ast::ExprKind::Name) {
      return ValueSet::boolean(true, true);
    }
    const std::string& stage = ast::as<ast::NameExpr>(*call.arguments[0].value).name.text;
    bool listed = false;
    for (const auto& id : *context.stages)
      listed |= id.text == stage;
    return ValueSet::boolean(listed, !listed || context.stages->size() > 1);
  }
  if (name == "normal") return ValueSet::all();
  if (name == "lognormal" || name == "exponential" || name == "gamma" || name == "weibull")
    return positive;
  if (name == "bernoulli") {
    auto p = arg(0, "p");
    if (p && p->single()) return ValueSet::boolean(*p->single() > 0, *p->single() < 1);
    return ValueSet::boolean(true, true);
  }
  if (name == "fixed") {
    auto v = arg(0, "value");
    return v ? *v : ValueSet::all();
  }
  if (name == "uniform") {
    auto lo = arg(0, "min");
    auto hi = arg(1, "max");
    if (!lo || !hi || lo->empty() || hi->empty() || lo->isString || hi->isString)
      return ValueSet::all();
    return ValueSet::range(inf(*lo), sup(*hi), false, false);
  }
  if (name == "min" || name == "max") {
    auto a = arg(0, "a");
    auto b = arg(1, "b");
    if (!a || !b) return ValueSet::all();
    if (a->empty() || b->empty()) return ValueSet::none();
    return minMax(*a, *b, name == "min");
  }
  if (name == "clamp") {
    auto x = arg(0, "x");
    auto lo = arg(1, "lo");
    auto hi = arg(2, "hi");
    if (!x || !lo || !hi) return ValueSet::all();
    if (x->empty() || lo->empty() || hi->empty()) return ValueSet::none();
    return minMax(minMax(*x, *hi, true), *lo, false);
  }
  auto x = arg(0, "x");
  if (!x) return ValueSet::all();
  if (name == "abs") {
    return eachPiece(*x, x->integral, [](const Interval& p) {
      if (p.lo >= 0) return p;
      if (p.hi <= 0) return Interval{-p.hi, -p.lo, p.hiOpen, p.loOpen};
      bool hiFromLo = -p.lo > p.hi;
      return Interval{0, hiFromLo ? -p.lo : p.hi, false, hiFromLo ? p.loOpen : p.hiOpen};
    });
  }
  double (*fn)(double) = nullptr;
  if (name == "round") fn = [](double v) { return std::round(v); };
  if (name == "floor") fn = [](double v) { return std::floor(v); };
  if (name == "ceil") fn = [](double v) { return std::ceil(v); };
  if (fn == nullptr) return ValueSet::all();
  return eachPiece(*x, true, [fn](const Interval& p) {
    return Interval{std::isinf(p.lo) ? p.lo : fn(p.lo), std::isinf(p.hi) ? p.hi : fn(p.hi),
                    std::isinf(p.lo), std::isinf(p.hi)};
  });
}

std::optional<std::pair<std::string, ValueSet>> Evaluator::conditionSet(
    const ast::Expr& condition, const EvalContext& context) const {
  using Result = std::optional<std::pair<std::string, ValueSet>>;
  switch (condition.kind) {
    case ast::ExprKind::Unary: {
      const auto& unary = ast::as<ast::UnaryExpr>(condition);
      if (unary.op != ast::UnaryOp::Not || !unary.operand) return std::nullopt;
      Result inner = conditionSet(*unary.operand, context);
      if (!inner) return std::nullopt;
      return std::make_pair(inner->first, complement(inner->second));
    }
    case ast::ExprKind::Binary: {
      const auto& binary = ast::as<ast::BinaryExpr>(condition);
      if (!binary.lhs || !binary.rhs) return std::nullopt;
      if (binary.op == ast::BinaryOp::And || binary.op == ast::BinaryOp::Or) {
        Result lhs = conditionSet(*binary.lhs, context);
        Result rhs = conditionSet(*binary.rhs, context);
        if (!lhs || !rhs || lhs->first != rhs->first) return std::nullopt;
        return std::make_pair(lhs->first, binary.op == ast::BinaryOp::And
                                              ? intersect(lhs->second, rhs->second)
                                              : unite(lhs->second, rhs->second));
      }
      ast::BinaryOp op = binary.op;
      const ast::Expr* keyed = binary.lhs.get();
      const ast::Expr* other = binary.rhs.get();
      auto key = valueKey(*keyed);
      if (!key) {
        std::swap(keyed, other);
        key = valueKey(*keyed);
        switch (op) {
          case ast::BinaryOp::Lt:
            op = ast::BinaryOp::Gt;
            break;
          case ast::BinaryOp::Le:
            op = ast::BinaryOp::Ge;
            break;
          case ast::BinaryOp::Gt:
            op = ast::BinaryOp::Lt;
            break;
          case ast::BinaryOp::Ge:
            op = ast::BinaryOp::Le;
            break;
          default:
            break;
        }
      }
      if (!key) return std::nullopt;
      // The other side must be one constant, the same for every customer.
      if (!isConstant(*other)) return std::nullopt;
      ValueSet constant = evaluate(*other, EvalContext{});
      if (constant.isString) {
        if (constant.complemented || constant.strings.size() != 1) return std::nullopt;
        if (op == ast::BinaryOp::Eq) return std::make_pair(*key, constant);
        if (op == ast::BinaryOp::Ne) return std::make_pair(*key, complement(constant));
        return std::nullopt;
      }
      auto c = constant.single();
      if (!c) return std::nullopt;
      constexpr double inf = std::numeric_limits<double>::infinity();
      switch (op) {
        case ast::BinaryOp::Lt:
          return std::make_pair(*key, ValueSet::range(-inf, *c, true, true));
        case ast::BinaryOp::Le:
          return std::make_pair(*key, ValueSet::range(-inf, *c, true, false));
        case ast::BinaryOp::Gt:
          return std::make_pair(*key, ValueSet::range(*c, inf, true, true));
        case ast::BinaryOp::Ge:
          return std::make_pair(*key, ValueSet::range(*c, inf, false, true));
        case ast::BinaryOp::Eq:
          return std::make_pair(*key, ValueSet::point(*c));
        case ast::BinaryOp::Ne:
          return std::make_pair(*key, complement(ValueSet::point(*c)));
        default:
          return std::nullopt;
      }
    }
    default: {
      if (condition.type.kind != ast::TypeKind::Bool) return std::nullopt;
      auto key = valueKey(condition);
      if (!key) return std::nullopt;
      return std::make_pair(*key, ValueSet::boolean(true, false));
    }
  }
}

}  // namespace journey::checks

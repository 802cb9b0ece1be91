#include "compiler/checks/intervals.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "compiler/sema/types.h"

namespace journey::checks {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Beyond this many pieces a set is replaced by its hull: keeps every operation cheap.
constexpr std::size_t kMaxPieces = 32;
// Deep enough for any written expression; guards against params that read each other.
constexpr int kMaxDepth = 64;

bool pieceEmpty(const Interval& i) {
  if (std::isnan(i.lo) || std::isnan(i.hi)) return false;
  return i.lo > i.hi || (i.lo == i.hi && (i.loOpen || i.hiOpen || std::isinf(i.lo)));
}

bool isWhole(double v) {
  return std::isfinite(v) && v == std::floor(v);
}

void normalize(ValueSet& set) {
  if (set.isString) return;
  std::vector<Interval> pieces;
  for (auto p : set.pieces) {
    if (std::isnan(p.lo) || std::isnan(p.hi)) {
      set.pieces = {Interval{-kInf, kInf, true, true}};
      set.integral = false;
      return;
    }
    if (std::isinf(p.lo)) p.loOpen = true;
    if (std::isinf(p.hi)) p.hiOpen = true;
    if (set.integral) {
      if (std::isfinite(p.lo)) {
        double lo = std::ceil(p.lo);
        if (p.loOpen && lo == p.lo) lo += 1;
        p.lo = lo;
        p.loOpen = false;
      }
      if (std::isfinite(p.hi)) {
        double hi = std::floor(p.hi);
        if (p.hiOpen && hi == p.hi) hi -= 1;
        p.hi = hi;
        p.hiOpen = false;
      }
    }
    if (!pieceEmpty(p)) pieces.push_back(p);
  }
  std::sort(pieces.begin(), pieces.end(), [](const Interval& a, const Interval& b) {
    return a.lo < b.lo || (a.lo == b.lo && !a.loOpen && b.loOpen);
  });
  std::vector<Interval> merged;
  for (const auto& p : pieces) {
    if (!merged.empty()) {
      Interval& last = merged.back();
      bool touches = p.lo < last.hi || (p.lo == last.hi && !(last.hiOpen && p.loOpen));
      if (touches) {
        if (p.hi > last.hi || (p.hi == last.hi && !p.hiOpen)) {
          last.hi = p.hi;
          last.hiOpen = p.hiOpen;
        }
        continue;
      }
    }
    merged.push_back(p);
  }
  if (merged.size() > kMaxPieces) {
    Interval hull{merged.front().lo, merged.back().hi, merged.front().loOpen, merged.back().hiOpen};
    merged = {hull};
  }
  set.pieces = std::move(merged);
}

ValueSet numbers(std::vector<Interval> pieces, bool integral) {
  ValueSet set;
  set.pieces = std::move(pieces);
  set.integral = integral;
  normalize(set);
  return set;
}

// A bound of a product or quotient, with whether it is reached.
struct Bound {
  double value;
  bool open;
};

Bound product(Bound a, Bound b) {
  if ((a.value == 0 && !a.open) || (b.value == 0 && !b.open)) return {0, false};
  if (a.value == 0 || b.value == 0) return {0, true};
  return {a.value * b.value, a.open || b.open};
}

Interval multiply(const Interval& a, const Interval& b) {
  Bound candidates[] = {
      product({a.lo, a.loOpen}, {b.lo, b.loOpen}), product({a.lo, a.loOpen}, {b.hi, b.hiOpen}),
      product({a.hi, a.hiOpen}, {b.lo, b.loOpen}), product({a.hi, a.hiOpen}, {b.hi, b.hiOpen})};
  Interval result{kInf, -kInf, true, true};
  for (const auto& c : candidates) {
    if (c.value < result.lo || (c.value == result.lo && !c.open)) {
      result.loOpen = c.value == result.lo ? (result.loOpen && c.open) : c.open;
      result.lo = c.value;
    }
    if (c.value > result.hi || (c.value == result.hi && !c.open)) {
      result.hiOpen = c.value == result.hi ? (result.hiOpen && c.open) : c.open;
      result.hi = c.value;
    }
  }
  return result;
}

Interval hullOf(const ValueSet& set) {
  if (set.pieces.empty()) return {kInf, -kInf, true, true};
  return {set.pieces.front().lo, set.pieces.back().hi, set.pieces.front().loOpen,
          set.pieces.back().hiOpen};
}

template <typename Op>
ValueSet pairwise(const ValueSet& a, const ValueSet& b, bool integral, Op op) {
  if (a.isString || b.isString) return ValueSet::all();
  std::vector<Interval> left = a.pieces;
  std::vector<Interval> right = b.pieces;
  if (left.size() * right.size() > kMaxPieces * 2) {
    left = {hullOf(a)};
    right = {hullOf(b)};
  }
  std::vector<Interval> pieces;
  for (const auto& l : left) {
    for (const auto& r : right)
      pieces.push_back(op(l, r));
  }
  return numbers(std::move(pieces), integral);
}

template <typename Op>
ValueSet eachPiece(const ValueSet& a, bool integral, Op op) {
  if (a.isString) return ValueSet::all();
  std::vector<Interval> pieces;
  for (const auto& p : a.pieces)
    pieces.push_back(op(p));
  return numbers(std::move(pieces), integral);
}

bool infAttained(const ValueSet& s) {
  return !s.pieces.front().loOpen;
}
bool supAttained(const ValueSet& s) {
  return !s.pieces.back().hiOpen;
}
double inf(const ValueSet& s) {
  return s.pieces.front().lo;
}
double sup(const ValueSet& s) {
  return s.pieces.back().hi;
}

// Whether some a in A and b in B have a < b (strict) or a <= b.
bool canBeLess(const ValueSet& a, const ValueSet& b, bool orEqual) {
  if (inf(a) < sup(b)) return true;
  return orEqual && inf(a) == sup(b) && infAttained(a) && supAttained(b);
}

ValueSet compare(ast::BinaryOp op, const ValueSet& a, const ValueSet& b) {
  if (a.empty() || b.empty()) return ValueSet::none();
  if (a.isString != b.isString) return ValueSet::boolean(true, true);
  if (op == ast::BinaryOp::Eq || op == ast::BinaryOp::Ne) {
    bool meet = !intersect(a, b).empty();
    bool same = false;
    if (a.isString) {
      same = !a.complemented && !b.complemented && a.strings.size() == 1 && b.strings.size() == 1 &&
             a.strings[0] == b.strings[0];
    } else {
      auto x = a.single();
      auto y = b.single();
      same = x && y && *x == *y;
    }
    bool differ = !same;
    return op == ast::BinaryOp::Eq ? ValueSet::boolean(meet, differ)
                                   : ValueSet::boolean(differ, meet);
  }
  if (a.isString) return ValueSet::boolean(true, true);
  switch (op) {
    case ast::BinaryOp::Lt:
      return ValueSet::boolean(canBeLess(a, b, false), canBeLess(b, a, true));
    case ast::BinaryOp::Le:
      return ValueSet::boolean(canBeLess(a, b, true), canBeLess(b, a, false));
    case ast::BinaryOp::Gt:
      return ValueSet::boolean(canBeLess(b, a, false), canBeLess(a, b, true));
    case ast::BinaryOp::Ge:
      return ValueSet::boolean(canBeLess(b, a, true), canBeLess(a, b, false));
    default:
      return ValueSet::boolean(true, true);
  }
}

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

bool sameSet(const ValueSet& a, const ValueSet& b) {
  if (a.isString != b.isString || a.integral != b.integral || a.pieces.size() != b.pieces.size() ||
      a.strings != b.strings || a.complemented != b.complemented) {
    return false;
  }
  for (std::size_t i = 0; i < a.pieces.size(); ++i) {
    const auto& x = a.pieces[i];
    const auto& y = b.pieces[i];
    if (x.lo != y.lo || x.hi != y.hi || x.loOpen != y.loOpen || x.hiOpen != y.hiOpen) return false;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Sets

ValueSet ValueSet::all() {
  return numbers({Interval{-kInf, kInf, true, true}}, false);
}
ValueSet ValueSet::none() {
  return ValueSet{};
}
ValueSet ValueSet::point(double value) {
  return numbers({Interval{value, value}}, isWhole(value));
}
ValueSet ValueSet::range(double lo, double hi, bool loOpen, bool hiOpen) {
  return numbers({Interval{lo, hi, loOpen, hiOpen}}, false);
}
ValueSet ValueSet::boolean(bool canTrue, bool canFalse) {
  std::vector<Interval> pieces;
  if (canFalse) pieces.push_back({0, 0});
  if (canTrue) pieces.push_back({1, 1});
  return numbers(std::move(pieces), true);
}
ValueSet ValueSet::anyString() {
  ValueSet set;
  set.isString = true;
  set.complemented = true;
  return set;
}
ValueSet ValueSet::string(std::string value) {
  ValueSet set;
  set.isString = true;
  set.strings.push_back(std::move(value));
  return set;
}

bool ValueSet::empty() const {
  if (isString) return !complemented && strings.empty();
  return pieces.empty();
}

bool ValueSet::canBeTrue() const {
  if (isString) return !empty();
  for (const auto& p : pieces) {
    if (!(p.lo == 0 && p.hi == 0)) return true;
  }
  return false;
}

bool ValueSet::canBeFalse() const {
  if (isString) return !empty();
  for (const auto& p : pieces) {
    if ((p.lo < 0 || (p.lo == 0 && !p.loOpen)) && (p.hi > 0 || (p.hi == 0 && !p.hiOpen)))
      return true;
  }
  return false;
}

std::optional<double> ValueSet::single() const {
  if (isString || pieces.size() != 1 || pieces[0].lo != pieces[0].hi) return std::nullopt;
  return pieces[0].lo;
}

std::optional<double> ValueSet::example() const {
  if (isString || pieces.empty()) return std::nullopt;
  const Interval& p = pieces.front();
  if (std::isfinite(p.lo)) {
    if (!p.loOpen) return p.lo;
    if (std::isfinite(p.hi)) return integral ? p.lo + 1 : (p.lo + p.hi) / 2;
    return integral ? p.lo + 1 : p.lo + 1;
  }
  if (std::isfinite(p.hi)) return p.hiOpen ? p.hi - 1 : p.hi;
  return 0.0;
}

ValueSet unite(const ValueSet& a, const ValueSet& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  if (a.isString != b.isString) return a.isString ? ValueSet::anyString() : ValueSet::all();
  if (a.isString) {
    auto has = [](const ValueSet& s, const std::string& v) {
      return std::find(s.strings.begin(), s.strings.end(), v) != s.strings.end();
    };
    ValueSet result;
    result.isString = true;
    if (!a.complemented && !b.complemented) {
      result.strings = a.strings;
      for (const auto& s : b.strings) {
        if (!has(result, s)) result.strings.push_back(s);
      }
    } else if (a.complemented && b.complemented) {
      result.complemented = true;
      for (const auto& s : a.strings) {
        if (has(b, s)) result.strings.push_back(s);
      }
    } else {
      const ValueSet& comp = a.complemented ? a : b;
      const ValueSet& plain = a.complemented ? b : a;
      result.complemented = true;
      for (const auto& s : comp.strings) {
        if (!has(plain, s)) result.strings.push_back(s);
      }
    }
    return result;
  }
  std::vector<Interval> pieces = a.pieces;
  pieces.insert(pieces.end(), b.pieces.begin(), b.pieces.end());
  return numbers(std::move(pieces), a.integral && b.integral);
}

ValueSet intersect(const ValueSet& a, const ValueSet& b) {
  if (a.isString != b.isString) return ValueSet::none();
  if (a.isString) {
    auto has = [](const ValueSet& s, const std::string& v) {
      return std::find(s.strings.begin(), s.strings.end(), v) != s.strings.end();
    };
    ValueSet result;
    result.isString = true;
    if (!a.complemented && !b.complemented) {
      for (const auto& s : a.strings) {
        if (has(b, s)) result.strings.push_back(s);
      }
    } else if (a.complemented && b.complemented) {
      result.complemented = true;
      result.strings = a.strings;
      for (const auto& s : b.strings) {
        if (!has(result, s)) result.strings.push_back(s);
      }
    } else {
      const ValueSet& comp = a.complemented ? a : b;
      const ValueSet& plain = a.complemented ? b : a;
      for (const auto& s : plain.strings) {
        if (!has(comp, s)) result.strings.push_back(s);
      }
    }
    return result;
  }
  std::vector<Interval> pieces;
  for (const auto& x : a.pieces) {
    for (const auto& y : b.pieces) {
      Interval p;
      if (x.lo > y.lo || (x.lo == y.lo && x.loOpen)) {
        p.lo = x.lo;
        p.loOpen = x.loOpen;
      } else {
        p.lo = y.lo;
        p.loOpen = y.loOpen;
      }
      if (x.hi < y.hi || (x.hi == y.hi && x.hiOpen)) {
        p.hi = x.hi;
        p.hiOpen = x.hiOpen;
      } else {
        p.hi = y.hi;
        p.hiOpen = y.hiOpen;
      }
      if (!pieceEmpty(p)) pieces.push_back(p);
    }
  }
  return numbers(std::move(pieces), a.integral || b.integral);
}

ValueSet complement(const ValueSet& a) {
  if (a.isString) {
    ValueSet result = a;
    result.complemented = !a.complemented;
    return result;
  }
  std::vector<Interval> pieces;
  double lo = -kInf;
  bool loOpen = true;
  for (const auto& p : a.pieces) {
    pieces.push_back({lo, p.lo, loOpen, !p.loOpen});
    lo = p.hi;
    loOpen = !p.hiOpen;
  }
  pieces.push_back({lo, kInf, loOpen, true});
  return numbers(std::move(pieces), false);
}

bool subset(const ValueSet& a, const ValueSet& b) {
  return intersect(a, complement(b)).empty();
}

std::string describeValue(double value, ast::TypeKind type, const sema::CheckedJourney& journey) {
  if (type == ast::TypeKind::Persona) {
    auto index = static_cast<std::size_t>(value);
    if (value >= 0 && index < journey.personas.size())
      return "`" + journey.personas[index]->name.text + "`";
  }
  if (type == ast::TypeKind::Bool) return value != 0 ? "`true`" : "`false`";
  return sema::formatValue(type, value, journey.currency);
}

std::string describe(const ValueSet& set, ast::TypeKind type, const sema::CheckedJourney& journey) {
  auto join = [](const std::vector<std::string>& items, const char* last) {
    std::string text;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) text += i + 1 == items.size() ? last : ", ";
      text += items[i];
    }
    return text;
  };
  if (set.empty()) return "no value";
  if (set.isString) {
    std::vector<std::string> quoted;
    for (const auto& s : set.strings)
      quoted.push_back("\"" + s + "\"");
    if (set.complemented)
      return quoted.empty() ? "any string" : "any string but " + join(quoted, " or ");
    return quoted.size() == 1 ? "always " + quoted[0] : "one of " + join(quoted, " and ");
  }
  bool points = set.pieces.size() <= 8;
  for (const auto& p : set.pieces)
    points = points && p.lo == p.hi;
  if (points) {
    std::vector<std::string> values;
    for (const auto& p : set.pieces)
      values.push_back(describeValue(p.lo, type, journey));
    if (values.size() == 1) return "always " + values[0];
    return (type == ast::TypeKind::Bool ? "" : "one of ") +
           join(values, type == ast::TypeKind::Bool ? " or " : " and ");
  }
  std::vector<std::string> parts;
  for (const auto& p : set.pieces) {
    std::string lo = describeValue(p.lo, type, journey);
    std::string hi = describeValue(p.hi, type, journey);
    if (std::isinf(p.lo) && std::isinf(p.hi)) {
      parts.push_back("any value");
    } else if (std::isinf(p.hi)) {
      parts.push_back((p.loOpen ? "above " : "at least ") + lo);
    } else if (std::isinf(p.lo)) {
      parts.push_back((p.hiOpen ? "below " : "at most ") + hi);
    } else if (p.lo == p.hi) {
      parts.push_back(lo);
    } else {
      parts.push_back(fmt::format("from {}{} to {}{}", lo, p.loOpen ? " (excluded)" : "", hi,
                                  p.hiOpen ? " (excluded)" : ""));
    }
  }
  return join(parts, " or ");
}

// ---------------------------------------------------------------------------------------------
// Evaluation

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

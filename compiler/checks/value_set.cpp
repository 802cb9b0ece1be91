// Sets of values: their normal form, arithmetic and algebra, and how a set reads in a message.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "compiler/checks/set_arithmetic.h"
#include "compiler/sema/types.h"

namespace journey::checks {
namespace {

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

// Whether a string set lists `value` (in or out, by `complemented`).
bool has(const ValueSet& set, const std::string& value) {
  return std::find(set.strings.begin(), set.strings.end(), value) != set.strings.end();
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

// Whether some a in A and b in B have a < b (strict) or a <= b.
bool canBeLess(const ValueSet& a, const ValueSet& b, bool orEqual) {
  if (inf(a) < sup(b)) return true;
  return orEqual && inf(a) == sup(b) && infAttained(a) && supAttained(b);
}

}  // namespace

ValueSet numbers(std::vector<Interval> pieces, bool integral) {
  ValueSet set;
  set.pieces = std::move(pieces);
  set.integral = integral;
  normalize(set);
  return set;
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
    return p.lo + 1;  // above an open bound, whole or not
  }
  if (std::isfinite(p.hi)) return p.hiOpen ? p.hi - 1 : p.hi;
  return 0.0;
}

ValueSet unite(const ValueSet& a, const ValueSet& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  if (a.isString != b.isString) return a.isString ? ValueSet::anyString() : ValueSet::all();
  if (a.isString) {
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

}  // namespace journey::checks

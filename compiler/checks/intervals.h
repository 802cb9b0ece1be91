// Interval reasoning over the values an expression can take: attributes from their
// distributions' supports, params as constants, customer state from what it can be (`cost` and
// `time` are never negative, `emotion` is unbounded), vars from their initial value and every
// `set`. Sound for "never": when an analysis says a condition never holds, no customer can make
// it hold. Used by the rule checks (compiler/checks/rules.cpp).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/sema/sema.h"

namespace journey::checks {

struct Interval {
  double lo;
  double hi;
  bool loOpen = false;
  bool hiOpen = false;
};

/// A set of values: numbers (durations in seconds, money in the journey's currency, bools 0 and
/// 1, personas by index) as sorted disjoint intervals, or strings.
struct ValueSet {
  std::vector<Interval> pieces;
  /// Only whole numbers (counts, rounded values, discrete tables of whole numbers).
  bool integral = false;
  bool isString = false;
  /// Strings: the listed ones, or (when `complemented`) every string but them.
  std::vector<std::string> strings;
  bool complemented = false;

  static ValueSet all();
  static ValueSet none();
  static ValueSet point(double value);
  static ValueSet range(double lo, double hi, bool loOpen = false, bool hiOpen = false);
  static ValueSet boolean(bool canTrue, bool canFalse);
  static ValueSet anyString();
  static ValueSet string(std::string value);

  bool empty() const;
  bool canBeTrue() const;
  bool canBeFalse() const;
  /// The one value of a set with exactly one number, if it is one.
  std::optional<double> single() const;
  /// A value in the set, for examples ("a customer with `seats` = 25").
  std::optional<double> example() const;
};

ValueSet unite(const ValueSet& a, const ValueSet& b);
ValueSet intersect(const ValueSet& a, const ValueSet& b);
ValueSet complement(const ValueSet& a);
/// Whether every value of `a` is in `b`.
bool subset(const ValueSet& a, const ValueSet& b);

/// "between 1 and 20", "at least 0", "one of 3, 5, 10 and 20", "`true` or `false`".
std::string describe(const ValueSet& set, ast::TypeKind type, const sema::CheckedJourney& journey);
/// One value as a reader would write it: "25", "3d", "12 USD", "`Enterprise`", "\"mobile\"".
std::string describeValue(double value, ast::TypeKind type, const sema::CheckedJourney& journey);

/// What is known where an expression is evaluated.
struct EvalContext {
  /// The customer's persona (index into CheckedJourney::personas).
  std::size_t persona = 0;
  /// The stages the customer can be in (a rule's `in`); null when any.
  const std::vector<ast::Identifier>* stages = nullptr;
  /// At the entry, at time 0: state is at its initial values.
  bool atEntry = false;
  /// Narrower sets for some values (keyed as by `valueKey`): what earlier conditions established.
  std::map<std::string, ValueSet> constraints;
};

/// A single value read by conditions: a param, var, attribute, state, `persona`, payload field,
/// `visits(S)` or `received(T)`. Its key, or nullopt for anything else.
std::optional<std::string> valueKey(const ast::Expr& expr);

class Evaluator {
 public:
  explicit Evaluator(const sema::CheckedJourney& journey);

  ValueSet evaluate(const ast::Expr& expr, const EvalContext& context) const;

  /// When `condition` is made of comparisons of one value with constants, joined by `and`,
  /// `or` and `not` (or is that value itself, a bool), the value's key and the set of its values
  /// for which the condition holds.
  std::optional<std::pair<std::string, ValueSet>> conditionSet(const ast::Expr& condition,
                                                               const EvalContext& context) const;

  /// The value a key names, for `persona` in `context` (constraints applied).
  ValueSet valueOf(const ast::Expr& keyExpr, const EvalContext& context) const;

  const sema::CheckedJourney& journey() const { return journey_; }

 private:
  ValueSet evaluateUnconstrained(const ast::Expr& expr, const EvalContext& context,
                                 int depth) const;
  ValueSet evaluateAt(const ast::Expr& expr, const EvalContext& context, int depth) const;
  ValueSet evaluateCall(const ast::CallExpr& call, const EvalContext& context, int depth) const;
  ValueSet attribute(const std::string& name, const EvalContext& context, int depth) const;
  void computeVarRanges();

  const sema::CheckedJourney& journey_;
  std::unordered_map<std::string, ValueSet> vars_;
  std::unordered_map<std::string, std::vector<const ast::Expr*>> varSets_;
};

}  // namespace journey::checks

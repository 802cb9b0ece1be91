// KPI gates for CI: `--fail-if 'conversion < 12%'` on simulate, `--fail-if
// 'delta(conversion) < -1pt'` on compare. The grammar (docs/planning.md):
//
//   gate    := subject OP number [unit]
//   subject := metric | (delta | old | new) '(' metric ')' [ '[' persona ']' ]
//   metric  := NAME [ '(' item ')' ] [ '[' persona ']' ]
//   OP      := < | <= | > | >=
//   unit    := % | pt | s m h d w mo y (durations) | a currency code
//
// Metric names are those of the CSV reports (simulator/kpis.h); `goal(X)` and `exit(X)` are
// `outcome(X)` for a goal or an exit. A value gate fails when the estimate meets the condition.
// A `delta(...)` gate fails only when the whole 95% interval of the difference meets it: the
// change is significantly on the failing side of the threshold.
//
// A gate is parsed, then resolved against the journey before the run (so that a typo does not
// cost a simulation), then judged on the results.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runtime/machine.h"
#include "simulator/compare.h"
#include "simulator/kpis.h"
#include "simulator/simulate.h"
#include "simulator/stats.h"

namespace journey::sim {

enum class GateScope : std::uint8_t { Value, Delta, Old, New };
enum class GateOp : std::uint8_t { Less, LessOrEqual, Greater, GreaterOrEqual };

struct Gate {
  /// As written.
  std::string text;
  GateScope scope = GateScope::Value;
  std::string metric;
  std::string item;
  /// "all" or a persona.
  std::string group = "all";
  /// `goal(X)` or `exit(X)`: the kind the stage must have ("" for any).
  std::string stageKind;
  KpiUnit unit = KpiUnit::Number;
  GateOp op = GateOp::Less;
  /// In the metric's unit: shares as fractions, days, hours, money, numbers.
  double threshold = 0;
  /// As written, for messages (`12%`, `-1pt`).
  std::string thresholdText;
  /// A currency code written after the number (checked against the journey's).
  std::string currency;
  /// 1-based columns of the metric and the number, for messages.
  std::size_t metricColumn = 1, numberColumn = 1;
};

struct GateError {
  std::string message;
  /// 1-based column in the gate text.
  std::size_t column = 1;
};

/// Parses a gate; `compare` allows delta(), old() and new() (and requires one of them).
/// `declared`: the KPIs the journeys declare, which gates may name too.
std::variant<Gate, GateError> parseGate(std::string_view text, bool compare,
                                        const std::vector<DeclaredMetric>& declared = {});

/// A parse error as `error: --fail-if 'TEXT': message`, the text, and a caret under the column.
std::string describeGateError(std::string_view text, const GateError& error);

struct GateVerdict {
  bool failed = false;
  /// `conversion is 10.31% [95% CI 9.92%, 10.71%]: below 12%`.
  std::string message;
};

/// Judges a value gate (or old()/new()) on an estimate.
GateVerdict judgeValue(const Gate& gate, const Interval& value);
/// Judges a delta() gate on the 95% interval of the difference.
GateVerdict judgeDelta(const Gate& gate, const Interval& delta);

/// What a simulate gate reads: a KPI of everyone or of one persona.
struct GateTarget {
  KpiDef kpi;
  /// -1: everyone; otherwise the persona.
  rt::Index persona = -1;
};

/// Resolves a simulate gate against a machine; nullopt with `error` when the machine has no such
/// persona, KPI or item, its money is in another currency, or `goal(X)` or `exit(X)` names a
/// stage of another kind.
std::optional<GateTarget> resolveGate(const Gate& gate, const rt::Machine& machine,
                                      std::string& error);

/// Judges simulate gates on a run's results; `targets` are resolveGate's, one per gate.
std::vector<GateVerdict> judgeGates(const std::vector<Gate>& gates,
                                    const std::vector<GateTarget>& targets,
                                    const rt::Machine& machine, const Results& results);

/// The KPI a compare gate reads in `comparison` (the group of its persona, the version of its
/// scope), or null with `error`, as resolveGate's, naming the version.
const ComparedKpi* resolveCompareGate(const Gate& gate, const Comparison& comparison,
                                      const rt::Machine& oldMachine, const rt::Machine& newMachine,
                                      std::string& error);

/// Judges compare gates: delta() on the interval of the difference, old() and new() on that
/// version's estimate. Every gate must have resolved on a comparison of the same versions.
std::vector<GateVerdict> judgeCompareGates(const std::vector<Gate>& gates,
                                           const Comparison& comparison,
                                           const rt::Machine& oldMachine,
                                           const rt::Machine& newMachine);

/// The gate's subject as written in messages: `conversion[Enterprise]`, `delta(outcome(Lost))`.
std::string gateSubject(const Gate& gate);

}  // namespace journey::sim

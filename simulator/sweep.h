// `journey sweep FILE --set NAME=FROM..TO:STEP [--set NAME2=FROM..TO:STEP]`: the KPIs at every
// value (or pair of values) of one or two params.
//
// The values of a swept param are written in the language's literals (`10%..30%:5%`,
// `1d..7d:1d`, `20 USD..30 USD:2.5 USD`). They are computed in decimal, so that `0.1..0.3:0.1`
// gives 0.1, 0.2 and 0.3 exactly, and each is passed on as the text of a `--set NAME=VALUE`
// override, which the compiler checks and folds into the machine of that point (the caller
// builds the machines: the simulator never sees the compiler). Every point simulates the same
// customers (same seed, same count), so the differences between points are not blurred by
// sampling noise as much as the intervals of each point suggest.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/machine.h"
#include "simulator/kpis.h"
#include "simulator/simulate.h"

namespace journey::sim {

inline constexpr std::size_t kMaxSweepPoints = 1000;

struct SweepRange {
  std::string name;
  /// The values as override texts (`10%`, `15%`, ...), FROM first.
  std::vector<std::string> values;
  /// Set when TO is not on the grid: the last value falls short of it.
  std::string note;
};

/// Whether a `--set` argument is a range (`NAME=FROM..TO:STEP`) rather than a value.
bool isSweepRange(const std::string& argument);

/// Parses `NAME=FROM..TO:STEP`; nullopt with `error` (naming the argument) when malformed:
/// no step, a zero step, a step away from TO, different units, or more than kMaxSweepPoints.
std::optional<SweepRange> parseSweepRange(const std::string& argument, std::string& error);

/// The points of a sweep: every value of one range, or every pair of values of two.
struct SweepGrid {
  std::vector<SweepRange> ranges;
  /// The `NAME=VALUE` arguments that are not ranges: set at every point.
  std::vector<std::string> fixed;

  /// Points in order, the last range's values varying fastest.
  std::size_t size() const;
  /// The values of point `k`, one per range.
  std::vector<std::string> values(std::size_t k) const;
  /// The overrides of point `k`: the fixed ones, then `NAME=VALUE` for each range.
  std::vector<std::string> overrides(std::size_t k) const;
};

/// Splits `--set` arguments into ranges and fixed values. nullopt with `error` when a range is
/// malformed or swept twice, or there is no range, more than two, or more than kMaxSweepPoints
/// points. `notes` receives each range's note (TO not on the grid) as it is read, also those
/// read before an error.
std::optional<SweepGrid> parseSweepGrid(const std::vector<std::string>& arguments,
                                        std::vector<std::string>& notes, std::string& error);

/// A column of the sweep's text table: `conversion`, `outcome(Renewed)`, `roi[Enterprise]`.
struct SweepColumn {
  /// As written.
  std::string text;
  std::string metric, item, group = "all";
};

/// Parses `--kpi`; `goal(X)` and `exit(X)` are `outcome(X)`. nullopt with `error` when a bracket
/// is not closed or the metric is unknown.
std::optional<SweepColumn> parseSweepColumn(const std::string& text, std::string& error);

/// A KPI of one group at one point: the rows of the JSON and CSV reports.
struct SweepRow {
  std::string group;
  const KpiDef* def;
  Interval value;
};

/// Every group ("all", then each persona), every KPI of `defs`, in that order.
std::vector<SweepRow> sweepRows(const rt::Machine& machine, const Results& results,
                                const std::vector<KpiDef>& defs);

/// A column of the text table resolved against a machine: its label and its index into
/// sweepRows (with the machine's KPI definitions).
struct SweepTableColumn {
  std::string label;
  std::size_t row = 0;
};

/// The text table's columns: `columns`, or the headline KPIs when it is empty. nullopt with
/// `error` for a column the machine has no KPI for.
std::optional<std::vector<SweepTableColumn>> resolveSweepColumns(const rt::Machine& machine,
                                                                 std::vector<SweepColumn> columns,
                                                                 std::string& error);

struct SweepPoint {
  /// One per range.
  std::vector<std::string> values;
  rt::Machine machine;
  /// Set by runSweep.
  std::unique_ptr<Results> results;
};

/// A machine's expressions as the caller's backend runs them: the table `rt::Program` takes
/// (empty for the interpreter), owning whatever keeps it valid.
using CompiledExprs = std::shared_ptr<const rt::CompiledExpr>;

struct SweepOptions {
  /// Customers, seed, threads and step limit of every point; `stop` stops the sweep; `progress`
  /// counts the customers of all the points.
  Options run;
  /// Compiles a point's machine for the backend; nullopt (with the reason reported) stops the
  /// sweep.
  std::function<std::optional<CompiledExprs>(const rt::Machine&)> compile;
};

enum class SweepOutcome : std::uint8_t { Done, Interrupted, NotCompiled };

/// Simulates every point in order, each on the same customers. Returns at the first point that
/// does not compile or is interrupted; the points before it keep their results.
SweepOutcome runSweep(std::vector<SweepPoint>& points, const SweepOptions& options);

/// What the reports say about the run.
struct SweepInfo {
  std::string file;
  std::string backend;
  std::uint64_t seed = 1;
  std::uint64_t customers = 0;
};

/// The `journey-sweep/1` JSON document, as text.
std::string sweepJson(const SweepGrid& grid, const std::vector<SweepPoint>& points,
                      const SweepInfo& info);
/// One line per point, group and KPI.
std::string sweepCsv(const SweepGrid& grid, const std::vector<SweepPoint>& points);
/// The table: a row per point, a column per swept param and per KPI of `columns`.
std::string sweepText(const SweepGrid& grid, const std::vector<SweepPoint>& points,
                      const std::vector<SweepTableColumn>& columns, const SweepInfo& info);

}  // namespace journey::sim

// What a simulation measured, as KPIs with intervals, and its renderings: a text report with
// aligned tables, JSON (schema in docs/simulate.md) and CSV.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "simulator/simulate.h"
#include "simulator/stats.h"

namespace journey::sim {

/// `{"value", "low", "high"}`, and a number, with null where they are not finite.
nlohmann::json intervalJson(const Interval& interval);
nlohmann::json orNull(double value);

/// Stages in journey order: ordinary stages as declared, then goals, then exits.
std::vector<rt::Index> journeyOrder(const rt::Machine& machine);

struct OutcomeRow {
  std::string label;  // stage name, or "unrouted at entry", ...
  std::string kind;   // goal, exit, in_progress, unrouted_at_entry, looping, failed, step_limit
  rt::Index stage = rt::kNone;
  std::uint64_t count = 0;
  Interval share;
};

struct StageRow {
  rt::Index stage = rt::kNone;
  std::uint64_t count = 0;
  Interval reached;
  /// Ordinary stages: reached / reached of the previous ordinary stage (NaN for the first).
  double stepConversion = NAN;
  double visitsPerCustomer = NAN;  // per customer who reached it
  double daysPerVisit = NAN;
  Interval endedHere;  // in progress here at the horizon (ordinary) or finished here
  double emotionOnEntry = NAN;
  /// Ordinary stages: the customers whose last ordinary stage it was, by where they went:
  /// straight to a goal, to an exit, or nowhere (still there at the horizon).
  std::uint64_t leftForGoal = 0, leftForExit = 0, stillThere = 0;
  std::uint64_t lastStageOf() const { return leftForGoal + leftForExit + stillThere; }
};

struct ChannelRow {
  rt::Index channel = rt::kNone;
  std::uint64_t delivered = 0, dropped = 0, deferred = 0;
  /// Of the dropped and deferred, those the cap held back (the rest: quiet hours).
  std::uint64_t capped = 0;
  double cost = 0;
};

struct Summary {
  std::string name;
  std::uint64_t customers = 0;
  /// The persona's share of all simulated customers (1 for everyone).
  Interval share;
  Interval conversion;
  /// With a primary KPI: its name (what `conversion` means then), and the share who reached a
  /// goal.
  std::string conversionLabel;
  Interval goalConversion;
  std::vector<OutcomeRow> outcomes;
  Interval daysToGoal;
  double medianDaysToGoal = NAN, p90DaysToGoal = NAN;
  std::vector<StageRow> funnel;
  std::vector<ChannelRow> channels;
  Interval costPerCustomer, costPerConversion, valuePerCustomer, roi, finalEmotion;
  double effortHoursPerCustomer = NAN;
  std::uint64_t steps = 0;
};

Summary summarize(const rt::Machine& machine, const Tally& tally, std::uint64_t allCustomers,
                  std::string name);

struct RunInfo {
  std::string backend;
  std::uint64_t seed = 0;
  unsigned threads = 0;
};

std::string textReport(const rt::Machine& machine, const Results& results, const RunInfo& info);
nlohmann::json jsonReport(const rt::Machine& machine, const Results& results, const RunInfo& info);
std::string csvReport(const rt::Machine& machine, const Results& results, const RunInfo& info);

}  // namespace journey::sim

// The lifetime parts of a simulation report: declared KPIs, milestones, retention and lifetime
// value, for journeys that use them (`rt::Machine::lifetime`), in text, JSON and CSV.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "simulator/simulate.h"
#include "simulator/stats.h"

namespace journey::sim {

struct MilestoneRow {
  rt::Index stage = rt::kNone;
  std::uint64_t count = 0;
  Interval reached;
  Interval days;
  double medianDays = NAN, p90Days = NAN;
  /// Visits per customer who reached it.
  double visitsPerCustomer = NAN;
  /// Of those who reached it: the shares who did so 1, 2, 3, 4, 5 or more times.
  std::vector<double> repeatShares;
};

struct KpiRow {
  rt::Index kpi = rt::kNone;
  Interval value;
  /// The customers it could be evaluated for.
  std::uint64_t customers = 0;
};

struct RetentionPoint {
  double days = 0;
  /// Not ended at an exit by then.
  Interval active;
  /// Of those active at the start of the period, the share who exited during it.
  double hazard = NAN;
};

/// The net promoter score of the answers given in one stage (or everywhere: stage kNone).
struct NpsRow {
  rt::Index stage = rt::kNone;
  std::uint64_t answers = 0;
  Interval score;
  double promoters = NAN, detractors = NAN;
};

struct LifetimeSummary {
  std::vector<KpiRow> kpis;
  std::vector<MilestoneRow> milestones;
  std::vector<RetentionPoint> retention;
  Interval lifetimeValue;
  double medianLifetimeValue = NAN, p90LifetimeValue = NAN;
  bool discounted = false;
  /// Everywhere first, then each stage where someone answered (empty without surveys).
  std::vector<NpsRow> nps;
};

LifetimeSummary summarizeLifetime(const rt::Machine& machine, const Tally& tally);

std::string textLifetime(const rt::Machine& machine, const Results& results);
nlohmann::json lifetimeJson(const rt::Machine& machine, const Tally& tally);
/// CSV rows `group,metric,item,value,low,high` for one group.
std::string csvLifetime(const rt::Machine& machine, const Tally& tally, const std::string& group);

}  // namespace journey::sim

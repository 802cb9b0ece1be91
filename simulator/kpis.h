// The KPI catalogue: every figure a simulation reports that can be compared, swept and gated,
// named as in the CSV report (`group,metric,item`). One definition per (metric, item), with its
// unit and how a single customer contributes to it, so that the same list drives
// `journey simulate --fail-if`, `journey compare` (paired differences) and `journey sweep`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/engine.h"
#include "simulator/simulate.h"
#include "simulator/stats.h"

namespace journey::sim {

/// What a KPI's number means, for formatting and for the units a gate may use.
enum class KpiUnit : std::uint8_t {
  Share,   // a fraction of customers: printed as a percentage; differences in points
  Days,    // a duration in days
  Hours,   // a duration in hours
  Money,   // units of the journey's currency
  Number,  // a plain number (emotion, deliveries per customer)
  Ratio,   // ROI: (value - cost) / cost
};

const char* kpiUnitName(KpiUnit unit);

/// What the KPI's item names.
enum class KpiItem : std::uint8_t { None, Stage, Touchpoint, Channel, Rule, Outcome };

/// How one customer contributes: the KPI is sum(y) / sum(x) over the customers (x = 1 for a
/// share or a mean per customer; x = converted for a mean over converted customers).
enum class KpiSource : std::uint8_t {
  Converted,
  Outcome,     // index: goal or exit stage
  InProgress,  // at the horizon
  Unrouted,    // unrouted at entry
  Looping,
  Failed,
  StepLimit,
  Reached,     // index: stage
  TimeToGoal,  // y: days to the goal, x: converted
  Cost,
  CostPerConversion,  // y: cost, x: converted
  Value,
  Roi,  // y: value, x: cost; the KPI is the ratio minus 1
  Emotion,
  Effort,      // hours
  Touchpoint,  // index: touchpoint
  ChannelDelivered,
  ChannelCost,
  RuleRuns,
  Declared,         // index: the machine's KPI
  DaysToMilestone,  // index: stage; y: days to first reach, x: reached it
  MilestoneVisits,  // index: stage; per customer who reached it
  LifetimeValue,    // value minus cost, discounted when the spec says so
  Retention,        // not ended at an exit by the horizon
  Nps,              // y: 100 (promoters - detractors), x: answers
};

struct KpiDef {
  std::string metric;
  /// A stage, touchpoint, channel or rule name; an outcome kind (`in_progress`); or empty.
  std::string item;
  KpiItem itemKind = KpiItem::None;
  KpiUnit unit = KpiUnit::Number;
  KpiSource source = KpiSource::Converted;
  rt::Index index = rt::kNone;
};

/// `metric`, `metric(item)`, with `[group]` appended for a persona (group "all" has none).
std::string kpiName(std::string_view metric, std::string_view item, std::string_view group = "all");

/// Every KPI of a machine, in report order: conversion, outcomes, time to goal, funnel, money,
/// emotion, effort, touchpoints, channels, rules.
std::vector<KpiDef> kpiDefinitions(const rt::Machine& machine);

/// The machine's primary KPI, or kNone: what `conversion` means when the spec declares one.
rt::Index primaryKpi(const rt::Machine& machine);
/// The unit a declared KPI reports in, from its expression's type.
KpiUnit declaredUnit(const rt::Machine& machine, const rt::Kpi& kpi);

/// A KPI name only some journeys have (declared in the spec), with its unit, for gates.
struct DeclaredMetric {
  std::string name;
  KpiUnit unit = KpiUnit::Number;
};
std::vector<DeclaredMetric> declaredMetrics(const rt::Machine& machine);

/// The KPI's value over the customers of `tally` (one persona or all), with its 95% interval
/// where the simulation report gives one (NaN bounds otherwise). `allCustomers` is unused today
/// but keeps the signature of `summarize`.
Interval kpiValue(const rt::Machine& machine, const Tally& tally, const KpiDef& kpi);

/// A declared KPI's value over the customers of `tally`: a share with its Wilson interval for a
/// bool KPI, else the mean per customer (days for durations).
Interval declaredValue(const rt::Machine& machine, const Tally& tally, rt::Index kpi);

/// One customer's contribution (y, x) to the KPI.
void kpiContribution(const rt::Customer& customer, const KpiDef& kpi, double& y, double& x);

/// The unit of a metric by name, or nullopt for a name that is not a metric.
std::optional<KpiUnit> metricUnit(std::string_view metric);
/// The same, also looking among a journey's declared KPIs.
std::optional<KpiUnit> metricUnit(std::string_view metric,
                                  const std::vector<DeclaredMetric>& declared);
/// Whether the metric takes an item (`outcome(Lost)`), and what kind.
KpiItem metricItem(std::string_view metric);
/// Every metric name, for messages and docs.
const std::vector<std::string>& metricNames();

}  // namespace journey::sim

namespace journey::sim {

/// A KPI value for tables and messages: `32.10%`, `45.2`, `12.34`.
std::string formatKpi(double value, KpiUnit unit);
/// A difference: `+2.40 pt`, `-1.5`, `+0.12`.
std::string formatDelta(double value, KpiUnit unit);
/// `[9.92%, 10.71%]`, or `[+1.90, +2.90]` for a difference (points for shares); empty when
/// there is no interval.
std::string formatInterval(const Interval& interval, KpiUnit unit, bool difference);

}  // namespace journey::sim

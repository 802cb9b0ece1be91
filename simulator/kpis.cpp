#include "simulator/kpis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "simulator/report.h"

namespace journey::sim {
namespace {

constexpr double kDay = 86400;

struct MetricInfo {
  const char* name;
  KpiUnit unit;
  KpiItem item;
};

const MetricInfo kMetrics[] = {
    {"conversion", KpiUnit::Share, KpiItem::None},
    {"outcome", KpiUnit::Share, KpiItem::Outcome},
    {"days_to_goal_mean", KpiUnit::Days, KpiItem::None},
    {"reached", KpiUnit::Share, KpiItem::Stage},
    {"cost_per_customer", KpiUnit::Money, KpiItem::None},
    {"cost_per_conversion", KpiUnit::Money, KpiItem::None},
    {"value_per_customer", KpiUnit::Money, KpiItem::None},
    {"roi", KpiUnit::Ratio, KpiItem::None},
    {"final_emotion", KpiUnit::Number, KpiItem::None},
    {"effort_hours_per_customer", KpiUnit::Hours, KpiItem::None},
    {"touchpoint_delivered_per_customer", KpiUnit::Number, KpiItem::Touchpoint},
    {"channel_delivered_per_customer", KpiUnit::Number, KpiItem::Channel},
    {"channel_cost_per_customer", KpiUnit::Money, KpiItem::Channel},
    {"rule_runs_per_customer", KpiUnit::Number, KpiItem::Rule},
    {"goal_conversion", KpiUnit::Share, KpiItem::None},
    {"milestone", KpiUnit::Share, KpiItem::Stage},
    {"days_to_milestone_mean", KpiUnit::Days, KpiItem::Stage},
    {"visits_per_customer", KpiUnit::Number, KpiItem::Stage},
    {"clv_per_customer", KpiUnit::Money, KpiItem::None},
    {"retention", KpiUnit::Share, KpiItem::None},
    {"nps", KpiUnit::Number, KpiItem::None},
};

const MetricInfo* findMetric(std::string_view name) {
  for (const auto& m : kMetrics)
    if (name == m.name) return &m;
  return nullptr;
}

double ratio(double y, double x) {
  return x == 0 ? NAN : y / x;
}

}  // namespace

Interval declaredValue(const rt::Machine& m, const Tally& t, rt::Index k) {
  const LifetimeTally& l = t.lifetime;
  if (l.empty() || static_cast<std::size_t>(k) >= l.kpiSums.size()) return {NAN, NAN, NAN};
  auto i = static_cast<std::size_t>(k);
  KpiUnit unit = declaredUnit(m, m.kpis[i]);
  if (unit == KpiUnit::Share)
    return wilson(static_cast<std::uint64_t>(l.kpiSums[i]), l.kpiCustomers[i]);
  Interval mean = meanInterval(l.kpiSums[i], l.kpiSquares[i], l.kpiCustomers[i]);
  if (unit != KpiUnit::Days) return mean;
  return {mean.value / kDay, mean.low / kDay, mean.high / kDay};
}

const char* kpiUnitName(KpiUnit unit) {
  switch (unit) {
    case KpiUnit::Share:
      return "share";
    case KpiUnit::Days:
      return "days";
    case KpiUnit::Hours:
      return "hours";
    case KpiUnit::Money:
      return "money";
    case KpiUnit::Number:
      return "number";
    case KpiUnit::Ratio:
      return "ratio";
  }
  return "number";
}

std::string kpiName(std::string_view metric, std::string_view item, std::string_view group) {
  std::string name(metric);
  if (!item.empty()) name += fmt::format("({})", item);
  if (!group.empty() && group != "all") name += fmt::format("[{}]", group);
  return name;
}

std::optional<KpiUnit> metricUnit(std::string_view metric) {
  const MetricInfo* info = findMetric(metric);
  if (info == nullptr) return std::nullopt;
  return info->unit;
}

std::optional<KpiUnit> metricUnit(std::string_view metric,
                                  const std::vector<DeclaredMetric>& declared) {
  if (auto unit = metricUnit(metric)) return unit;
  for (const auto& d : declared)
    if (d.name == metric) return d.unit;
  return std::nullopt;
}

rt::Index primaryKpi(const rt::Machine& m) {
  for (std::size_t k = 0; k < m.kpis.size(); ++k)
    if (m.kpis[k].primary) return static_cast<rt::Index>(k);
  return rt::kNone;
}

KpiUnit declaredUnit(const rt::Machine& m, const rt::Kpi& kpi) {
  switch (m.exprs[static_cast<std::size_t>(kpi.value)].type) {
    case rt::ValueType::Bool:
      return KpiUnit::Share;
    case rt::ValueType::Duration:
      return KpiUnit::Days;
    case rt::ValueType::Money:
      return KpiUnit::Money;
    default:
      return KpiUnit::Number;
  }
}

std::vector<DeclaredMetric> declaredMetrics(const rt::Machine& m) {
  std::vector<DeclaredMetric> out;
  for (const auto& kpi : m.kpis)
    out.push_back({kpi.name, declaredUnit(m, kpi)});
  return out;
}

KpiItem metricItem(std::string_view metric) {
  const MetricInfo* info = findMetric(metric);
  return info == nullptr ? KpiItem::None : info->item;
}

const std::vector<std::string>& metricNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& m : kMetrics)
      out.emplace_back(m.name);
    return out;
  }();
  return names;
}

std::vector<KpiDef> kpiDefinitions(const rt::Machine& m) {
  std::vector<KpiDef> defs;
  auto add = [&](const char* metric, std::string item, KpiSource source,
                 rt::Index index = rt::kNone, KpiItem itemKind = KpiItem::None) {
    const MetricInfo* info = findMetric(metric);
    if (itemKind == KpiItem::None) itemKind = info->item;
    defs.push_back({metric, std::move(item), itemKind, info->unit, source, index});
  };
  auto order = journeyOrder(m);
  rt::Index primary = primaryKpi(m);
  if (primary != rt::kNone) {
    defs.push_back({"conversion", "", KpiItem::None, KpiUnit::Share, KpiSource::Declared, primary});
    add("goal_conversion", "", KpiSource::Converted);
  } else {
    add("conversion", "", KpiSource::Converted);
  }
  for (rt::Index s : order) {
    if (m.stages[s].kind == rt::StageKind::Ordinary) continue;
    add("outcome", m.stages[s].name, KpiSource::Outcome, s, KpiItem::Stage);
  }
  add("outcome", "in_progress", KpiSource::InProgress);
  add("outcome", "unrouted_at_entry", KpiSource::Unrouted);
  add("outcome", "looping", KpiSource::Looping);
  add("outcome", "failed", KpiSource::Failed);
  add("outcome", "step_limit", KpiSource::StepLimit);
  add("days_to_goal_mean", "", KpiSource::TimeToGoal);
  for (rt::Index s : order)
    add("reached", m.stages[s].name, KpiSource::Reached, s);
  add("cost_per_customer", "", KpiSource::Cost);
  add("cost_per_conversion", "", KpiSource::CostPerConversion);
  add("value_per_customer", "", KpiSource::Value);
  add("roi", "", KpiSource::Roi);
  add("final_emotion", "", KpiSource::Emotion);
  add("effort_hours_per_customer", "", KpiSource::Effort);
  for (std::size_t t = 0; t < m.touchpoints.size(); ++t)
    add("touchpoint_delivered_per_customer", m.touchpoints[t].name, KpiSource::Touchpoint,
        static_cast<rt::Index>(t));
  for (std::size_t c = 0; c < m.channels.size(); ++c)
    add("channel_delivered_per_customer", m.channels[c].name, KpiSource::ChannelDelivered,
        static_cast<rt::Index>(c));
  for (std::size_t c = 0; c < m.channels.size(); ++c)
    add("channel_cost_per_customer", m.channels[c].name, KpiSource::ChannelCost,
        static_cast<rt::Index>(c));
  for (std::size_t r = 0; r < m.rules.size(); ++r)
    add("rule_runs_per_customer", m.rules[r].name, KpiSource::RuleRuns, static_cast<rt::Index>(r));
  if (!m.lifetime) return defs;
  // Lifetime journeys: milestones, declared KPIs, retention and lifetime value.
  for (std::size_t s = 0; s < m.stages.size(); ++s) {
    if (!m.stages[s].milestone) continue;
    auto stage = static_cast<rt::Index>(s);
    add("milestone", m.stages[s].name, KpiSource::Reached, stage);
    add("days_to_milestone_mean", m.stages[s].name, KpiSource::DaysToMilestone, stage);
    add("visits_per_customer", m.stages[s].name, KpiSource::MilestoneVisits, stage);
  }
  for (std::size_t k = 0; k < m.kpis.size(); ++k)
    defs.push_back({m.kpis[k].name, "", KpiItem::None, declaredUnit(m, m.kpis[k]),
                    KpiSource::Declared, static_cast<rt::Index>(k)});
  add("retention", "", KpiSource::Retention);
  add("clv_per_customer", "", KpiSource::LifetimeValue);
  if (m.hasSurveys()) add("nps", "", KpiSource::Nps);
  return defs;
}

Interval kpiValue(const rt::Machine& m, const Tally& t, const KpiDef& kpi) {
  auto n = static_cast<double>(t.customers);
  auto perCustomer = [&](double sum) { return Interval{ratio(sum, n), NAN, NAN}; };
  auto scaled = [](Interval i, double by) {
    return Interval{i.value * by, i.low * by, i.high * by};
  };
  switch (kpi.source) {
    case KpiSource::Converted:
      return wilson(t.converted, t.customers);
    case KpiSource::Outcome:
      return wilson(t.endedAt[kpi.index], t.customers);
    case KpiSource::InProgress: {
      std::uint64_t inProgress = 0;
      for (std::size_t s = 0; s < m.stages.size(); ++s)
        if (m.stages[s].kind == rt::StageKind::Ordinary) inProgress += t.endedAt[s];
      return wilson(inProgress, t.customers);
    }
    case KpiSource::Unrouted:
      return wilson(t.unroutedAtEntry, t.customers);
    case KpiSource::Looping:
      return wilson(t.looping, t.customers);
    case KpiSource::Failed:
      return wilson(t.failed, t.customers);
    case KpiSource::StepLimit:
      return wilson(t.stepLimit, t.customers);
    case KpiSource::Reached:
      return wilson(t.reached[kpi.index], t.customers);
    case KpiSource::TimeToGoal:
      return scaled(meanInterval(t.timeToGoal, t.timeToGoalSquares, t.converted), 1 / kDay);
    case KpiSource::Cost:
      return meanInterval(t.cost, t.costSquares, t.customers);
    case KpiSource::CostPerConversion:
      return ratioInterval(t.cost, static_cast<double>(t.converted), t.costSquares,
                           static_cast<double>(t.converted), t.costOfConverted, t.customers);
    case KpiSource::Value:
      return meanInterval(t.value, t.valueSquares, t.customers);
    case KpiSource::Roi: {
      Interval r = ratioInterval(t.value, t.cost, t.valueSquares, t.costSquares, t.costTimesValue,
                                 t.customers);
      return {r.value - 1, r.low - 1, r.high - 1};
    }
    case KpiSource::Emotion:
      return meanInterval(t.emotion, t.emotionSquares, t.customers);
    case KpiSource::Effort:
      return perCustomer(t.effort / 3600);
    case KpiSource::Touchpoint:
      return perCustomer(static_cast<double>(t.received[kpi.index]));
    case KpiSource::ChannelDelivered:
      return perCustomer(static_cast<double>(t.channelDelivered[kpi.index]));
    case KpiSource::ChannelCost:
      return perCustomer(t.channelCost[kpi.index]);
    case KpiSource::RuleRuns:
      return perCustomer(static_cast<double>(t.ruleRuns[kpi.index]));
    case KpiSource::Declared:
      return declaredValue(m, t, kpi.index);
    case KpiSource::DaysToMilestone:
    case KpiSource::MilestoneVisits: {
      const LifetimeTally& l = t.lifetime;
      auto at = std::find(l.milestones.begin(), l.milestones.end(), kpi.index);
      if (at == l.milestones.end()) return {NAN, NAN, NAN};
      auto i = static_cast<std::size_t>(at - l.milestones.begin());
      std::uint64_t reached = t.reached[kpi.index];
      if (kpi.source == KpiSource::DaysToMilestone)
        return scaled(meanInterval(l.firstTime[i], l.firstTimeSquares[i], reached), 1 / kDay);
      return Interval{ratio(static_cast<double>(t.visits[kpi.index]), static_cast<double>(reached)),
                      NAN, NAN};
    }
    case KpiSource::LifetimeValue:
      return meanInterval(t.lifetime.lifetimeValue, t.lifetime.lifetimeValueSquares, t.customers);
    case KpiSource::Nps: {
      std::uint64_t answers = 0;
      return netPromoterScore(t.lifetime.npsAnswers, 0, 3, answers);
    }
    case KpiSource::Retention: {
      std::uint64_t exited = 0;
      for (std::size_t s = 0; s < m.stages.size(); ++s)
        if (m.stages[s].kind == rt::StageKind::Exit) exited += t.endedAt[s];
      return wilson(t.customers - exited, t.customers);
    }
  }
  return {NAN, NAN, NAN};
}

void kpiContribution(const rt::Customer& c, const KpiDef& kpi, double& y, double& x) {
  x = 1;
  bool converted = c.outcome() == rt::Outcome::Goal;
  switch (kpi.source) {
    case KpiSource::Converted:
      y = converted;
      return;
    case KpiSource::Outcome:
      y = (c.outcome() == rt::Outcome::Goal || c.outcome() == rt::Outcome::Exit) &&
          c.outcomeStage() == kpi.index;
      return;
    case KpiSource::InProgress:
      y = c.outcome() == rt::Outcome::InProgress && c.outcomeStage() != rt::kNone;
      return;
    case KpiSource::Unrouted:
      y = c.outcome() == rt::Outcome::UnroutedAtEntry;
      return;
    case KpiSource::Looping:
      y = c.outcome() == rt::Outcome::Looping;
      return;
    case KpiSource::Failed:
      y = c.outcome() == rt::Outcome::Failed;
      return;
    case KpiSource::StepLimit:
      y = c.outcome() == rt::Outcome::StepLimit;
      return;
    case KpiSource::Reached:
      y = c.visits()[kpi.index] > 0;
      return;
    case KpiSource::TimeToGoal:
      y = converted ? c.outcomeTime() / kDay : 0;
      x = converted;
      return;
    case KpiSource::Cost:
      y = c.cost();
      return;
    case KpiSource::CostPerConversion:
      y = c.cost();
      x = converted;
      return;
    case KpiSource::Value:
      y = c.value();
      return;
    case KpiSource::Roi:
      y = c.value();
      x = c.cost();
      return;
    case KpiSource::Emotion:
      y = c.emotion();
      return;
    case KpiSource::Effort:
      y = c.effort() / 3600;
      return;
    case KpiSource::Touchpoint:
      y = c.received()[kpi.index];
      return;
    case KpiSource::ChannelDelivered:
      y = c.receivedChannel()[kpi.index];
      return;
    case KpiSource::ChannelCost:
      y = c.channelCost()[kpi.index];
      return;
    case KpiSource::RuleRuns:
      y = c.ruleRuns()[kpi.index];
      return;
    case KpiSource::Declared: {
      const rt::Machine& m = c.machine();
      y = c.evaluate(m.kpis[kpi.index].value);
      if (declaredUnit(m, m.kpis[kpi.index]) == KpiUnit::Days) y /= kDay;
      if (std::isnan(y)) y = x = 0;
      return;
    }
    case KpiSource::DaysToMilestone:
      x = c.visits()[kpi.index] > 0;
      y = x != 0 ? c.firstEntry()[kpi.index] / kDay : 0;
      return;
    case KpiSource::MilestoneVisits:
      x = c.visits()[kpi.index] > 0;
      y = c.visits()[kpi.index];
      return;
    case KpiSource::LifetimeValue:
      y = c.lifetimeValue();
      return;
    case KpiSource::Retention:
      y = c.outcome() != rt::Outcome::Exit;
      return;
    case KpiSource::Nps: {
      auto answers = c.npsAnswers();
      double promoters = 0, detractors = 0, all = 0;
      for (std::size_t i = 0; i + 2 < answers.size(); i += 3) {
        promoters += answers[i];
        detractors += answers[i + 2];
        all += answers[i] + answers[i + 1] + answers[i + 2];
      }
      y = 100 * (promoters - detractors);
      x = all;
      return;
    }
  }
  y = 0;
}

}  // namespace journey::sim

namespace journey::sim {
namespace {

int digitsOf(KpiUnit unit) {
  switch (unit) {
    case KpiUnit::Share:
    case KpiUnit::Money:
      return 2;
    case KpiUnit::Days:
      return 1;
    default:
      return 3;
  }
}

}  // namespace

std::string formatKpi(double value, KpiUnit unit) {
  if (!std::isfinite(value)) return "-";
  if (unit == KpiUnit::Share) return fmt::format("{:.2f}%", value * 100);
  return fmt::format("{:.{}f}", value, digitsOf(unit));
}

std::string formatDelta(double value, KpiUnit unit) {
  if (!std::isfinite(value)) return "-";
  if (value == 0) value = 0;  // no "-0.00"
  if (unit == KpiUnit::Share) return fmt::format("{:+.2f} pt", value * 100);
  return fmt::format("{:+.{}f}", value, unit == KpiUnit::Days ? 2 : digitsOf(unit));
}

std::string formatInterval(const Interval& i, KpiUnit unit, bool difference) {
  if (!std::isfinite(i.low) || !std::isfinite(i.high)) return "";
  if (!difference) return fmt::format("[{}, {}]", formatKpi(i.low, unit), formatKpi(i.high, unit));
  auto bound = [&](double v) {
    if (v == 0) v = 0;
    if (unit == KpiUnit::Share) return fmt::format("{:+.2f}", v * 100);
    return fmt::format("{:+.{}f}", v, unit == KpiUnit::Days ? 2 : digitsOf(unit));
  };
  return fmt::format("[{}, {}]", bound(i.low), bound(i.high));
}

}  // namespace journey::sim

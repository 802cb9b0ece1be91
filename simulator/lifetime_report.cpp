#include "simulator/lifetime_report.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "simulator/kpis.h"
#include "simulator/report.h"
#include "simulator/text_table.h"

namespace journey::sim {
namespace {

constexpr double kDay = 86400;

std::string shown(const Interval& i, KpiUnit unit) {
  return formatKpi(i.value, unit);
}

std::string csvField(double v) {
  return std::isfinite(v) ? fmt::format("{}", v) : std::string();
}

}  // namespace

LifetimeSummary summarizeLifetime(const rt::Machine& m, const Tally& t) {
  LifetimeSummary s;
  const LifetimeTally& l = t.lifetime;
  if (l.empty()) return s;
  for (std::size_t k = 0; k < m.kpis.size(); ++k)
    s.kpis.push_back({static_cast<rt::Index>(k), declaredValue(m, t, static_cast<rt::Index>(k)),
                      l.kpiCustomers[k]});
  for (std::size_t i = 0; i < l.milestones.size(); ++i) {
    rt::Index stage = l.milestones[i];
    MilestoneRow row;
    row.stage = stage;
    row.count = t.reached[stage];
    row.reached = wilson(row.count, t.customers);
    Interval seconds = meanInterval(l.firstTime[i], l.firstTimeSquares[i], row.count);
    row.days = {seconds.value / kDay, seconds.low / kDay, seconds.high / kDay};
    row.medianDays = firstTimeQuantile(l, i, row.count, 0.5);
    row.p90Days = firstTimeQuantile(l, i, row.count, 0.9);
    if (row.count > 0) {
      row.visitsPerCustomer = static_cast<double>(t.visits[stage]) / static_cast<double>(row.count);
      for (int b = 0; b < LifetimeTally::kRepeatBuckets; ++b)
        row.repeatShares.push_back(
            static_cast<double>(
                l.repeats[i * LifetimeTally::kRepeatBuckets + static_cast<std::size_t>(b)]) /
            static_cast<double>(row.count));
    }
    s.milestones.push_back(std::move(row));
  }
  std::uint64_t exited = 0;
  for (std::size_t k = 0; k < l.grid.size(); ++k) {
    std::uint64_t activeBefore = t.customers - exited;
    exited += l.exitsByPeriod[k];
    RetentionPoint point;
    point.days = l.grid[k] / kDay;
    point.active = wilson(t.customers - exited, t.customers);
    if (activeBefore > 0)
      point.hazard = static_cast<double>(l.exitsByPeriod[k]) / static_cast<double>(activeBefore);
    s.retention.push_back(point);
  }
  s.lifetimeValue = meanInterval(l.lifetimeValue, l.lifetimeValueSquares, t.customers);
  s.medianLifetimeValue = lifetimeValueQuantile(l, t.customers, 0.5);
  s.p90LifetimeValue = lifetimeValueQuantile(l, t.customers, 0.9);
  s.discounted = m.discountPeriod > 0 && m.discountRate > 0;
  if (!l.npsAnswers.empty()) {
    auto row = [&](rt::Index stage, std::size_t first, std::size_t step) {
      NpsRow r;
      r.stage = stage;
      r.score = netPromoterScore(l.npsAnswers, first, step, r.answers);
      if (r.answers > 0) {
        std::uint64_t promoters = 0, detractors = 0;
        for (std::size_t i = first; i + 2 < l.npsAnswers.size(); i += step) {
          promoters += l.npsAnswers[i];
          detractors += l.npsAnswers[i + 2];
        }
        r.promoters = static_cast<double>(promoters) / static_cast<double>(r.answers);
        r.detractors = static_cast<double>(detractors) / static_cast<double>(r.answers);
      }
      return r;
    };
    s.nps.push_back(row(rt::kNone, 0, 3));
    for (std::size_t stage = 0; stage < m.stages.size(); ++stage) {
      NpsRow r = row(static_cast<rt::Index>(stage), 3 * stage, l.npsAnswers.size());
      if (r.answers > 0) s.nps.push_back(r);
    }
  }
  return s;
}

namespace {

std::string textKpis(const rt::Machine& m, const LifetimeSummary& s) {
  if (s.kpis.empty()) return "";
  std::string out = "\nKPIs declared in the spec                   (95% confidence intervals)\n";
  TextTable table({"kpi", "value", "95% CI", ""});
  for (const auto& row : s.kpis) {
    const rt::Kpi& kpi = m.kpis[static_cast<std::size_t>(row.kpi)];
    KpiUnit unit = declaredUnit(m, kpi);
    std::string note = kpi.display;
    if (kpi.primary) note += note.empty() ? "(primary)" : " (primary)";
    table.add({kpi.name, shown(row.value, unit), formatInterval(row.value, unit, false), note});
  }
  return out + table.render();
}

std::string textMilestones(const rt::Machine& m, const LifetimeSummary& s) {
  if (s.milestones.empty()) return "";
  std::string out = "\nMilestones                                  (reached by the horizon)\n";
  TextTable table(
      {"milestone", "reached", "95% CI", "days to reach", "median", "p90", "visits", "2+ times"});
  for (const auto& row : s.milestones) {
    double twice = row.repeatShares.empty() ? NAN : 1 - row.repeatShares.front();
    table.add({m.stages[static_cast<std::size_t>(row.stage)].name,
               formatKpi(row.reached.value, KpiUnit::Share),
               formatInterval(row.reached, KpiUnit::Share, false),
               formatKpi(row.days.value, KpiUnit::Days), formatKpi(row.medianDays, KpiUnit::Days),
               formatKpi(row.p90Days, KpiUnit::Days),
               formatKpi(row.visitsPerCustomer, KpiUnit::Number),
               formatKpi(twice, KpiUnit::Share)});
  }
  out += table.render();
  out +=
      "  (days to reach: mean time to the first visit, of those who reached it; visits: per\n"
      "   customer who reached it; 2+ times: the share of those who reached it again)\n";
  return out;
}

std::string textRetention(const rt::Machine& m, const LifetimeSummary& s,
                          const std::vector<LifetimeSummary>& personas) {
  std::string out = "\nRetention: customers who have not left at an exit\n";
  std::vector<std::string> header{"day", "all", "95% CI", "churn in period"};
  for (const auto& p : m.personas)
    header.push_back(p.name);
  TextTable table(header);
  for (std::size_t k = 0; k < s.retention.size(); ++k) {
    const auto& point = s.retention[k];
    std::vector<std::string> cells{fmt::format("{:g}", point.days),
                                   formatKpi(point.active.value, KpiUnit::Share),
                                   formatInterval(point.active, KpiUnit::Share, false),
                                   formatKpi(point.hazard, KpiUnit::Share)};
    for (const auto& persona : personas)
      cells.push_back(formatKpi(persona.retention[k].active.value, KpiUnit::Share));
    table.add(cells);
  }
  return out + table.render();
}

std::string textLifetimeValue(const rt::Machine& m, const LifetimeSummary& s) {
  std::string currency = m.currency.empty() ? "" : fmt::format(" ({})", m.currency);
  std::string out =
      fmt::format("\nCustomer lifetime value{}: value minus cost to serve{}\n", currency,
                  s.discounted ? fmt::format(", discounted {:g}% per {:g} days",
                                             m.discountRate * 100, m.discountPeriod / kDay)
                               : "");
  TextTable table({"", "value", "95% CI"});
  table.add({"mean per customer", formatKpi(s.lifetimeValue.value, KpiUnit::Money),
             formatInterval(s.lifetimeValue, KpiUnit::Money, false)});
  table.add({"median", formatKpi(s.medianLifetimeValue, KpiUnit::Money), ""});
  table.add({"90th percentile", formatKpi(s.p90LifetimeValue, KpiUnit::Money), ""});
  return out + table.render();
}

std::string textNps(const rt::Machine& m, const LifetimeSummary& s,
                    const std::vector<LifetimeSummary>& personas) {
  if (s.nps.empty()) return "";
  std::string out =
      "\nNet promoter score: % promoters (9-10) minus % detractors (0-6) of the answers\n";
  TextTable table({"", "answers", "NPS", "95% CI", "promoters", "detractors"});
  auto add = [&](const std::string& label, const NpsRow& r) {
    auto points = [](double v) { return std::isfinite(v) ? fmt::format("{:+.1f}", v) : "-"; };
    std::string interval = std::isfinite(r.score.low)
                               ? fmt::format("[{}, {}]", points(r.score.low), points(r.score.high))
                               : "";
    table.add({label, fmt::format("{}", r.answers), points(r.score.value), interval,
               formatKpi(r.promoters, KpiUnit::Share), formatKpi(r.detractors, KpiUnit::Share)});
  };
  add("everyone", s.nps.front());
  for (std::size_t p = 0; p < m.personas.size(); ++p)
    if (!personas[p].nps.empty()) add(m.personas[p].name, personas[p].nps.front());
  for (std::size_t i = 1; i < s.nps.size(); ++i)
    add(fmt::format("in {}", m.stages[static_cast<std::size_t>(s.nps[i].stage)].name), s.nps[i]);
  return out + table.render();
}

}  // namespace

std::string textLifetime(const rt::Machine& m, const Results& results) {
  if (!m.lifetime) return "";
  Tally all = results.overall();
  LifetimeSummary s = summarizeLifetime(m, all);
  std::vector<LifetimeSummary> personas;
  for (const Tally& persona : results.personas)
    personas.push_back(summarizeLifetime(m, persona));
  return textKpis(m, s) + textMilestones(m, s) + textRetention(m, s, personas) +
         textLifetimeValue(m, s) + textNps(m, s, personas);
}

nlohmann::json lifetimeJson(const rt::Machine& m, const Tally& t) {
  LifetimeSummary s = summarizeLifetime(m, t);
  nlohmann::json j;
  auto& kpis = j["kpis"] = nlohmann::json::array();
  for (const auto& row : s.kpis) {
    const rt::Kpi& kpi = m.kpis[static_cast<std::size_t>(row.kpi)];
    kpis.push_back({{"name", kpi.name},
                    {"display", kpi.display},
                    {"unit", kpiUnitName(declaredUnit(m, kpi))},
                    {"primary", kpi.primary},
                    {"value", intervalJson(row.value)},
                    {"customers", row.customers}});
  }
  auto& milestones = j["milestones"] = nlohmann::json::array();
  for (const auto& row : s.milestones) {
    milestones.push_back({{"stage", m.stages[static_cast<std::size_t>(row.stage)].name},
                          {"reached", intervalJson(row.reached)},
                          {"reached_count", row.count},
                          {"days_to_reach",
                           {{"mean", intervalJson(row.days)},
                            {"median", orNull(row.medianDays)},
                            {"p90", orNull(row.p90Days)}}},
                          {"visits_per_customer", orNull(row.visitsPerCustomer)},
                          {"repeat_shares", row.repeatShares}});
  }
  auto& retention = j["retention"] = nlohmann::json::array();
  for (const auto& point : s.retention)
    retention.push_back({{"day", point.days},
                         {"active", intervalJson(point.active)},
                         {"hazard", orNull(point.hazard)}});
  j["lifetime_value"] = {{"mean", intervalJson(s.lifetimeValue)},
                         {"median", orNull(s.medianLifetimeValue)},
                         {"p90", orNull(s.p90LifetimeValue)},
                         {"discounted", s.discounted}};
  if (!s.nps.empty()) {
    auto row = [&](const NpsRow& r) {
      nlohmann::json out{{"answers", r.answers},
                         {"score", intervalJson(r.score)},
                         {"promoters", orNull(r.promoters)},
                         {"detractors", orNull(r.detractors)}};
      if (r.stage != rt::kNone) out["stage"] = m.stages[static_cast<std::size_t>(r.stage)].name;
      return out;
    };
    nlohmann::json nps = row(s.nps.front());
    nlohmann::json stages = nlohmann::json::array();
    for (std::size_t i = 1; i < s.nps.size(); ++i)
      stages.push_back(row(s.nps[i]));
    nps["by_stage"] = std::move(stages);
    j["nps"] = std::move(nps);
  }
  return j;
}

std::string csvLifetime(const rt::Machine& m, const Tally& t, const std::string& group) {
  LifetimeSummary s = summarizeLifetime(m, t);
  std::string out;
  auto row = [&](const std::string& metric, const std::string& item, const Interval& i) {
    out += fmt::format("{},{},{},{},{},{}\n", group, metric, item, csvField(i.value),
                       csvField(i.low), csvField(i.high));
  };
  auto plain = [&](const std::string& metric, const std::string& item, double v) {
    out += fmt::format("{},{},{},{},,\n", group, metric, item, csvField(v));
  };
  for (const auto& k : s.kpis)
    row("kpi", m.kpis[static_cast<std::size_t>(k.kpi)].name, k.value);
  for (const auto& r : s.milestones) {
    const std::string& name = m.stages[static_cast<std::size_t>(r.stage)].name;
    row("milestone", name, r.reached);
    row("days_to_milestone_mean", name, r.days);
    plain("days_to_milestone_median", name, r.medianDays);
    plain("days_to_milestone_p90", name, r.p90Days);
    plain("milestone_visits_per_customer", name, r.visitsPerCustomer);
  }
  for (const auto& p : s.retention) {
    row("retention", fmt::format("{:g}", p.days), p.active);
    plain("churn_hazard", fmt::format("{:g}", p.days), p.hazard);
  }
  row("clv_per_customer", "", s.lifetimeValue);
  plain("clv_median", "", s.medianLifetimeValue);
  plain("clv_p90", "", s.p90LifetimeValue);
  for (const auto& r : s.nps) {
    row("nps", r.stage == rt::kNone ? "" : m.stages[static_cast<std::size_t>(r.stage)].name,
        r.score);
  }
  return out;
}

}  // namespace journey::sim

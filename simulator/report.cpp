#include "simulator/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "simulator/kpis.h"
#include "simulator/lifetime_report.h"
#include "simulator/text_table.h"

namespace journey::sim {
namespace {

constexpr double kDay = 86400;

const char* stageKindName(rt::StageKind kind) {
  switch (kind) {
    case rt::StageKind::Goal:
      return "goal";
    case rt::StageKind::Exit:
      return "exit";
    default:
      return "stage";
  }
}

Interval scaled(Interval i, double by) {
  return {i.value * by, i.low * by, i.high * by};
}

/// The value below which `fraction` of the binned times fall (bin midpoint), in days.
double quantileDays(const Tally& t, double horizon, double fraction) {
  if (t.converted == 0) return NAN;
  auto rank = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(t.converted)));
  std::uint64_t seen = 0;
  for (int b = 0; b < Tally::kTimeBins; ++b) {
    seen += t.timeToGoalBins[b];
    if (seen >= std::max<std::uint64_t>(rank, 1))
      return (b + 0.5) * horizon / Tally::kTimeBins / kDay;
  }
  return horizon / kDay;
}

// Text tables ---------------------------------------------------------------------------------

std::string percent(double value) {
  if (std::isnan(value)) return "-";
  return fmt::format("{:.1f}%", value * 100);
}
std::string percentInterval(const Interval& i) {
  if (std::isnan(i.low)) return "";
  return fmt::format("[{:.1f}, {:.1f}]", i.low * 100, i.high * 100);
}
std::string number(double value, int digits = 2) {
  if (std::isnan(value)) return "-";
  return fmt::format("{:.{}f}", value, digits);
}
std::string interval(const Interval& i, int digits = 2) {
  if (std::isnan(i.low)) return "";
  return fmt::format("[{:.{}f}, {:.{}f}]", i.low, digits, i.high, digits);
}

std::string display(const std::string& name, const std::string& text) {
  return text.empty() ? name : fmt::format("{} \"{}\"", name, text);
}

}  // namespace

nlohmann::json intervalJson(const Interval& i) {
  auto finite = [](double v) -> nlohmann::json {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
  };
  return {{"value", finite(i.value)}, {"low", finite(i.low)}, {"high", finite(i.high)}};
}

nlohmann::json orNull(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

std::vector<rt::Index> journeyOrder(const rt::Machine& m) {
  // Authors declare stages in the order customers meet them; goals, then exits, close it.
  std::vector<rt::Index> order;
  for (rt::StageKind kind : {rt::StageKind::Ordinary, rt::StageKind::Goal, rt::StageKind::Exit}) {
    for (std::size_t s = 0; s < m.stages.size(); ++s)
      if (m.stages[s].kind == kind) order.push_back(static_cast<rt::Index>(s));
  }
  return order;
}

Summary summarize(const rt::Machine& m, const Tally& t, std::uint64_t allCustomers,
                  std::string name) {
  Summary s;
  s.name = std::move(name);
  s.customers = t.customers;
  s.steps = t.steps;
  s.share = wilson(t.customers, allCustomers);
  s.conversion = wilson(t.converted, t.customers);
  // A primary KPI is what `conversion` means; reaching a goal is then `goal_conversion`.
  rt::Index primary = primaryKpi(m);
  if (primary != rt::kNone) {
    s.goalConversion = s.conversion;
    s.conversion = declaredValue(m, t, primary);
    s.conversionLabel = m.kpis[static_cast<std::size_t>(primary)].name;
  }
  auto order = journeyOrder(m);
  for (rt::Index stage : order) {
    const rt::Stage& st = m.stages[stage];
    if (st.kind == rt::StageKind::Ordinary) continue;
    s.outcomes.push_back({st.name, stageKindName(st.kind), stage, t.endedAt[stage],
                          wilson(t.endedAt[stage], t.customers)});
  }
  std::uint64_t inProgress = 0;
  for (rt::Index stage : order)
    if (m.stages[stage].kind == rt::StageKind::Ordinary) inProgress += t.endedAt[stage];
  s.outcomes.push_back({"in progress at the horizon", "in_progress", rt::kNone, inProgress,
                        wilson(inProgress, t.customers)});
  auto other = [&](const char* label, const char* kind, std::uint64_t n) {
    if (n > 0) s.outcomes.push_back({label, kind, rt::kNone, n, wilson(n, t.customers)});
  };
  other("unrouted at entry", "unrouted_at_entry", t.unroutedAtEntry);
  other("looping", "looping", t.looping);
  other("failed", "failed", t.failed);
  other("step limit", "step_limit", t.stepLimit);

  s.daysToGoal = scaled(meanInterval(t.timeToGoal, t.timeToGoalSquares, t.converted), 1 / kDay);
  s.medianDaysToGoal = quantileDays(t, m.horizon, 0.5);
  s.p90DaysToGoal = quantileDays(t, m.horizon, 0.9);

  double previous = NAN;
  for (rt::Index stage : order) {
    StageRow row;
    row.stage = stage;
    row.count = t.reached[stage];
    row.reached = wilson(t.reached[stage], t.customers);
    bool ordinaryStage = m.stages[stage].kind == rt::StageKind::Ordinary;
    if (ordinaryStage && !std::isnan(previous) && previous > 0)
      row.stepConversion = static_cast<double>(t.reached[stage]) / previous;
    if (m.stages[stage].kind == rt::StageKind::Ordinary)
      previous = static_cast<double>(t.reached[stage]);
    if (t.reached[stage] > 0)
      row.visitsPerCustomer =
          static_cast<double>(t.visits[stage]) / static_cast<double>(t.reached[stage]);
    if (t.visits[stage] > 0) {
      double visits = static_cast<double>(t.visits[stage]);
      row.daysPerVisit = t.timeInStage[stage] / visits / kDay;
      row.emotionOnEntry = t.emotionOnEntry[stage] / visits;
    }
    row.endedHere = wilson(t.endedAt[stage], t.customers);
    if (ordinaryStage) {
      row.leftForGoal = t.leftForGoal[stage];
      row.leftForExit = t.leftForExit[stage];
      row.stillThere = t.endedAt[stage];
    }
    s.funnel.push_back(row);
  }
  for (std::size_t c = 0; c < m.channels.size(); ++c) {
    s.channels.push_back({static_cast<rt::Index>(c), t.channelDelivered[c], t.channelDropped[c],
                          t.channelDeferred[c], t.channelCapped[c], t.channelCost[c]});
  }
  s.costPerCustomer = meanInterval(t.cost, t.costSquares, t.customers);
  s.costPerConversion =
      ratioInterval(t.cost, static_cast<double>(t.converted), t.costSquares,
                    static_cast<double>(t.converted), t.costOfConverted, t.customers);
  s.valuePerCustomer = meanInterval(t.value, t.valueSquares, t.customers);
  Interval valuePerCost =
      ratioInterval(t.value, t.cost, t.valueSquares, t.costSquares, t.costTimesValue, t.customers);
  s.roi = {valuePerCost.value - 1, valuePerCost.low - 1, valuePerCost.high - 1};
  s.finalEmotion = meanInterval(t.emotion, t.emotionSquares, t.customers);
  if (t.customers > 0)
    s.effortHoursPerCustomer = t.effort / static_cast<double>(t.customers) / 3600;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Text

namespace {

/// The spec, the run and how it went.
std::string textHeading(const rt::Machine& m, const Results& results, const RunInfo& info) {
  std::string out;
  out += fmt::format("{}: {} customers, seed {}, horizon {} days\n", display(m.name, m.display),
                     groupThousands(results.customers), info.seed, number(m.horizon / kDay, 0));
  out +=
      fmt::format("({} backend, {} thread{}, {:.2f} s, {} customers/s)\n", info.backend,
                  info.threads, info.threads == 1 ? "" : "s", results.seconds,
                  groupThousands(static_cast<std::uint64_t>(static_cast<double>(results.customers) /
                                                            std::max(results.seconds, 1e-9))));
  if (results.interrupted)
    out += "Interrupted: these results cover the customers simulated so far.\n";
  if (results.precisionCapped)
    out += "The precision asked for was not reached within the customer limit.\n";
  bool overridden =
      std::any_of(m.params.begin(), m.params.end(), [](const auto& p) { return p.overridden; });
  if (overridden) {
    std::vector<std::string> sets;
    for (const auto& p : m.params)
      if (p.overridden) sets.push_back(fmt::format("{} = {}", p.name, p.text));
    out += fmt::format("Params set: {}\n", fmt::join(sets, ", "));
  }
  return out;
}

std::string textOutcomes(const Summary& s, const Tally& all) {
  std::string out = "\nOutcomes                                    (95% confidence intervals)\n";
  TextTable outcomes({"", "share", "95% CI", "customers"});
  if (s.conversionLabel.empty()) {
    outcomes.add({"converted (any goal)", percent(s.conversion.value),
                  percentInterval(s.conversion), groupThousands(all.converted)});
  } else {
    auto count = static_cast<std::uint64_t>(std::llround(s.conversion.value * double(s.customers)));
    outcomes.add({fmt::format("converted: {} (primary KPI)", s.conversionLabel),
                  percent(s.conversion.value), percentInterval(s.conversion),
                  groupThousands(count)});
    bool goals = std::any_of(s.outcomes.begin(), s.outcomes.end(),
                             [](const OutcomeRow& o) { return o.kind == "goal"; });
    if (goals) {
      outcomes.add({"reached a goal", percent(s.goalConversion.value),
                    percentInterval(s.goalConversion), groupThousands(all.converted)});
    }
  }
  for (const auto& o : s.outcomes) {
    std::string label = o.stage == rt::kNone ? o.label : fmt::format("{} ({})", o.label, o.kind);
    outcomes.add(
        {label, percent(o.share.value), percentInterval(o.share), groupThousands(o.count)});
  }
  return out + outcomes.render();
}

/// The main KPIs side by side for each persona (only with several).
std::string textByPersona(const rt::Machine& m, const Results& results, const Summary& s,
                          const std::string& currency) {
  if (m.personas.size() <= 1) return "";
  std::string out = "\nBy persona\n";
  std::vector<std::string> header{""};
  std::vector<Summary> personas;
  for (std::size_t p = 0; p < m.personas.size(); ++p) {
    personas.push_back(summarize(m, results.personas[p], results.customers, m.personas[p].name));
    header.push_back(m.personas[p].name);
  }
  TextTable table(header);
  auto row = [&](std::string label, auto cell) {
    std::vector<std::string> cells{std::move(label)};
    for (const auto& persona : personas)
      cells.push_back(cell(persona));
    table.add(cells);
  };
  row("customers", [](const Summary& p) {
    return fmt::format("{} ({})", groupThousands(p.customers), percent(p.share.value));
  });
  row("converted", [](const Summary& p) {
    return fmt::format("{} ±{:.1f}", percent(p.conversion.value), p.conversion.halfWidth() * 100);
  });
  for (std::size_t o = 0; o < s.outcomes.size(); ++o) {
    if (s.outcomes[o].stage == rt::kNone && s.outcomes[o].kind != "in_progress") continue;
    row(s.outcomes[o].label, [&](const Summary& p) {
      for (const auto& po : p.outcomes)
        if (po.label == s.outcomes[o].label) return percent(po.share.value);
      return std::string("-");
    });
  }
  row("days to goal (mean)", [](const Summary& p) { return number(p.daysToGoal.value, 1); });
  row(fmt::format("cost per customer{}", currency),
      [](const Summary& p) { return number(p.costPerCustomer.value); });
  row(fmt::format("value per customer{}", currency),
      [](const Summary& p) { return number(p.valuePerCustomer.value); });
  row("final emotion (mean)", [](const Summary& p) { return number(p.finalEmotion.value); });
  return out + table.render();
}

std::string textTimeToGoal(const Summary& s) {
  std::string out = "\nTime to goal (days, converted customers)\n";
  TextTable time({"", "value", "95% CI"});
  time.add({"mean", number(s.daysToGoal.value, 1), interval(s.daysToGoal, 1)});
  time.add({"median", number(s.medianDaysToGoal, 1), ""});
  time.add({"90th percentile", number(s.p90DaysToGoal, 1), ""});
  return out + time.render();
}

std::string textFunnel(const rt::Machine& m, const Summary& s) {
  std::string out = "\nFunnel, in journey order\n";
  TextTable funnel(
      {"stage", "reached", "95% CI", "step", "visits", "days/visit", "ended here", "emotion in"});
  for (const auto& row : s.funnel) {
    const rt::Stage& stage = m.stages[row.stage];
    std::string label = stage.kind == rt::StageKind::Ordinary
                            ? stage.name
                            : fmt::format("{} ({})", stage.name, stageKindName(stage.kind));
    bool ordinary = stage.kind == rt::StageKind::Ordinary;
    funnel.add({label, percent(row.reached.value), percentInterval(row.reached),
                percent(row.stepConversion), number(row.visitsPerCustomer),
                ordinary ? number(row.daysPerVisit, 1) : "", percent(row.endedHere.value),
                number(row.emotionOnEntry)});
  }
  out += funnel.render();
  out +=
      "  (step: reached over the previous stage's reached; visits: per customer who reached it;\n"
      "   ended here: finished there, or still there at the horizon)\n";
  return out;
}

/// Where customers left the journey: for each ordinary stage, the customers whose last stage
/// it was and where they went from it, and the stage that lost the most customers.
std::string textDropOff(const rt::Machine& m, const Summary& s) {
  std::string out = "\nDrop-off, by each customer's last stage      (shares of all customers)\n";
  TextTable dropOff({"stage", "last stage of", "to a goal", "to an exit", "still there"});
  auto share = [&](std::uint64_t n) { return percent(wilson(n, s.customers).value); };
  auto lost = [](const StageRow& row) { return row.leftForExit + row.stillThere; };
  const StageRow* most = nullptr;
  for (const auto& row : s.funnel) {
    if (m.stages[row.stage].kind != rt::StageKind::Ordinary) continue;
    dropOff.add({m.stages[row.stage].name, share(row.lastStageOf()), share(row.leftForGoal),
                 share(row.leftForExit), share(row.stillThere)});
    if (lost(row) > 0 && (most == nullptr || lost(row) > lost(*most))) most = &row;
  }
  out += dropOff.render();
  out +=
      "  (last stage of: the customers whose last stage before the end it was; to a goal, to an\n"
      "   exit: went there straight from it; still there: at the horizon)\n";
  if (most != nullptr) {
    out +=
        fmt::format("  Biggest drop-off: {} ({} of all customers: {} to an exit, {} still there)\n",
                    m.stages[most->stage].name, share(lost(*most)), share(most->leftForExit),
                    share(most->stillThere));
  }
  return out;
}

/// The channels that carried anything, then the rules (when there are any).
std::string textChannelsAndRules(const rt::Machine& m, const Summary& s, const Tally& all,
                                 const std::string& currency) {
  std::string out =
      fmt::format("\nChannels{}\n", currency.empty() ? "" : fmt::format(" (cost in{})", currency));
  TextTable channels(
      {"channel", "delivered", "per customer", "cost", "dropped", "deferred", "by the cap"});
  double customers = std::max<double>(1, static_cast<double>(all.customers));
  for (const auto& c : s.channels) {
    if (c.delivered == 0 && c.dropped == 0 && c.deferred == 0) continue;
    channels.add({m.channels[c.channel].name, groupThousands(c.delivered),
                  number(static_cast<double>(c.delivered) / customers), number(c.cost),
                  groupThousands(c.dropped), groupThousands(c.deferred), groupThousands(c.capped)});
  }
  out += channels.render();

  if (!m.rules.empty()) {
    out += "\nRules\n";
    TextTable rules({"rule", "runs", "per customer", "skipped by cap"});
    for (std::size_t r = 0; r < m.rules.size(); ++r) {
      rules.add({m.rules[r].name, groupThousands(all.ruleRuns[r]),
                 number(static_cast<double>(all.ruleRuns[r]) / customers),
                 groupThousands(all.ruleCapped[r])});
    }
    out += rules.render();
  }
  return out;
}

/// Cost and value, then emotion: at the end and on entering each stage.
std::string textMoneyAndEmotion(const rt::Machine& m, const Summary& s, const Tally& all,
                                const std::string& currency) {
  std::string out =
      fmt::format("\nCost and value{}\n", currency.empty() ? "" : fmt::format(" ({})", m.currency));
  TextTable money({"", "value", "95% CI"});
  money.add(
      {"cost to serve per customer", number(s.costPerCustomer.value), interval(s.costPerCustomer)});
  money.add(
      {"cost per conversion", number(s.costPerConversion.value), interval(s.costPerConversion)});
  money.add({"value per customer", number(s.valuePerCustomer.value), interval(s.valuePerCustomer)});
  if (all.cost > 0) money.add({"ROI (value - cost) / cost", number(s.roi.value), interval(s.roi)});
  money.add({"effort per customer (hours)", number(s.effortHoursPerCustomer), ""});
  out += money.render();

  out += "\nEmotion\n";
  TextTable emotion({"", "value", "95% CI"});
  emotion.add({"final emotion (mean)", number(s.finalEmotion.value), interval(s.finalEmotion)});
  out += emotion.render();
  std::vector<std::string> curve;
  for (const auto& row : s.funnel)
    if (!std::isnan(row.emotionOnEntry))
      curve.push_back(fmt::format("{} {:+.2f}", m.stages[row.stage].name, row.emotionOnEntry));
  out += fmt::format("  on entering each stage: {}\n", fmt::join(curve, " > "));
  return out;
}

/// What went wrong at run time, by place (empty when nothing did).
std::string textWarnings(const rt::Machine& m, const Results& results, const Tally& all) {
  std::vector<std::string> warnings;
  for (std::size_t t = 0; t < results.counters.unrouted.size(); ++t) {
    if (results.counters.unrouted[t] > 0)
      warnings.push_back(
          fmt::format("{}: no branch taken {} times (the customer stayed where they were)",
                      m.place(m.targets[t].place), groupThousands(results.counters.unrouted[t])));
  }
  for (std::size_t e = 0; e < m.exprs.size(); ++e) {
    const auto& c = results.counters;
    if (c.negativeDurations[e] > 0)
      warnings.push_back(fmt::format("{}: a negative duration was taken as 0, {} times",
                                     m.place(m.exprs[e].place),
                                     groupThousands(c.negativeDurations[e])));
    if (c.clampedProbabilities[e] > 0)
      warnings.push_back(fmt::format("{}: a probability outside [0, 1] was clamped, {} times",
                                     m.place(m.exprs[e].place),
                                     groupThousands(c.clampedProbabilities[e])));
    if (c.failures[e] > 0)
      warnings.push_back(
          fmt::format("{}: could not be evaluated (division by zero or invalid distribution), {} "
                      "customers failed",
                      m.place(m.exprs[e].place), groupThousands(c.failures[e])));
  }
  if (all.looping > 0) {
    std::string where;
    for (std::size_t s = 0; s < all.loopingIn.size(); ++s) {
      if (all.loopingIn[s] == 0) continue;
      where += fmt::format("{}{} ({})", where.empty() ? "; stopped in " : ", ", m.stages[s].name,
                           groupThousands(all.loopingIn[s]));
    }
    for (std::size_t e = 0; e < all.loopingOn.size(); ++e) {
      if (all.loopingOn[e] == 0) continue;
      where += fmt::format("{}event {} ({})", where.empty() ? "; on " : ", on ", m.events[e].name,
                           groupThousands(all.loopingOn[e]));
    }
    warnings.push_back(fmt::format(
        "{} customers looped (over 1,000 stage entries, condition rounds or events at one "
        "instant){}: a cycle that takes no time (semantics 4.12)",
        groupThousands(all.looping), where));
  }
  if (all.stepLimit > 0)
    warnings.push_back(fmt::format(
        "{} customers hit the step limit and were stopped: raise it with --max-steps if their "
        "journeys are that long",
        groupThousands(all.stepLimit)));
  if (warnings.empty()) return "";
  std::string out = "\nRun-time warnings\n";
  for (const auto& w : warnings)
    out += "  " + w + "\n";
  return out;
}

}  // namespace

std::string textReport(const rt::Machine& m, const Results& results, const RunInfo& info) {
  Tally all = results.overall();
  Summary s = summarize(m, all, results.customers, "all customers");
  std::string currency = m.currency.empty() ? "" : " " + m.currency;
  std::string out = textHeading(m, results, info);
  out += textOutcomes(s, all);
  out += textByPersona(m, results, s, currency);
  out += textTimeToGoal(s);
  out += textFunnel(m, s);
  out += textDropOff(m, s);
  out += textChannelsAndRules(m, s, all, currency);
  out += textMoneyAndEmotion(m, s, all, currency);
  out += textLifetime(m, results);
  out += textWarnings(m, results, all);
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON

namespace {

/// Time to goal in at most 40 bars from the first to the last of the 2,000 bins used, merged.
nlohmann::json histogramJson(const Tally& t, double horizon) {
  int first = Tally::kTimeBins, used = 0;
  for (int b = 0; b < Tally::kTimeBins; ++b) {
    if (t.timeToGoalBins[b] == 0) continue;
    first = std::min(first, b);
    used = b + 1;
  }
  if (used == 0) first = 0;
  constexpr int kBars = 40;
  int merged = std::max(1, (used - first + kBars - 1) / kBars);
  std::vector<std::uint64_t> counts(static_cast<std::size_t>((used - first + merged - 1) / merged));
  for (int b = first; b < used; ++b)
    counts[static_cast<std::size_t>((b - first) / merged)] += t.timeToGoalBins[b];
  double binDays = horizon / Tally::kTimeBins / kDay;
  return {{"start_days", first * binDays}, {"bin_days", merged * binDays}, {"counts", counts}};
}

/// The flows in journey order: from the entry first, endings after the stages.
nlohmann::json flowsJson(const rt::Machine& m, const Tally& t) {
  auto order = journeyOrder(m);
  std::vector<std::size_t> position(m.stages.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    position[order[i]] = i;
  auto rank = [&](std::uint32_t place) -> std::uint64_t {
    if (place == kFromEntry) return 0;
    if (place >= kEnded) return m.stages.size() + 1 + (place - kEnded);
    return position[place] + 1;
  };
  auto flows = t.sortedFlows();
  std::stable_sort(flows.begin(), flows.end(), [&](const Flow& a, const Flow& b) {
    return std::pair(rank(a.from), rank(a.to)) < std::pair(rank(b.from), rank(b.to));
  });
  auto out = nlohmann::json::array();
  for (const Flow& f : flows) {
    nlohmann::json row;
    row["from"] =
        f.from == kFromEntry ? nlohmann::json(nullptr) : nlohmann::json(m.stages[f.from].name);
    if (f.to >= kEnded) {
      std::string kind = rt::outcomeName(static_cast<rt::Outcome>(f.to - kEnded));
      std::replace(kind.begin(), kind.end(), ' ', '_');
      row["ended"] = kind;
    } else {
      row["to"] = m.stages[f.to].name;
    }
    row["count"] = f.count;
    out.push_back(row);
  }
  return out;
}

nlohmann::json summaryJson(const rt::Machine& m, const Summary& s, const Tally& t, bool flows) {
  nlohmann::json j;
  j["customers"] = s.customers;
  j["share"] = intervalJson(s.share);
  j["conversion"] = intervalJson(s.conversion);
  if (!s.conversionLabel.empty()) {
    j["conversion_kpi"] = s.conversionLabel;
    j["goal_conversion"] = intervalJson(s.goalConversion);
  }
  j["converted"] = t.converted;
  auto& outcomes = j["outcomes"] = nlohmann::json::array();
  for (const auto& o : s.outcomes) {
    nlohmann::json row{{"kind", o.kind}, {"count", o.count}, {"share", intervalJson(o.share)}};
    if (o.stage != rt::kNone) row["stage"] = o.label;
    outcomes.push_back(row);
  }
  nlohmann::json inProgress = nlohmann::json::array();
  for (const auto& row : s.funnel) {
    if (m.stages[row.stage].kind == rt::StageKind::Ordinary && t.endedAt[row.stage] > 0)
      inProgress.push_back({{"stage", m.stages[row.stage].name}, {"count", t.endedAt[row.stage]}});
  }
  j["in_progress_by_stage"] = inProgress;
  j["days_to_goal"] = {{"mean", intervalJson(s.daysToGoal)},
                       {"median", orNull(s.medianDaysToGoal)},
                       {"p90", orNull(s.p90DaysToGoal)}};
  j["time_to_goal_histogram"] = histogramJson(t, m.horizon);
  auto& funnel = j["funnel"] = nlohmann::json::array();
  for (const auto& row : s.funnel) {
    const rt::Stage& stage = m.stages[row.stage];
    funnel.push_back({{"stage", stage.name},
                      {"kind", stageKindName(stage.kind)},
                      {"reached", intervalJson(row.reached)},
                      {"reached_count", row.count},
                      {"step_conversion", orNull(row.stepConversion)},
                      {"visits_per_customer", orNull(row.visitsPerCustomer)},
                      {"days_per_visit", orNull(row.daysPerVisit)},
                      {"ended_here", intervalJson(row.endedHere)},
                      {"emotion_on_entry", orNull(row.emotionOnEntry)}});
    if (stage.kind == rt::StageKind::Ordinary) {
      auto part = [&](std::uint64_t n) {
        return nlohmann::json{{"count", n}, {"share", intervalJson(wilson(n, s.customers))}};
      };
      funnel.back()["drop_off"] = {{"last_stage", part(row.lastStageOf())},
                                   {"to_goal", part(row.leftForGoal)},
                                   {"to_exit", part(row.leftForExit)},
                                   {"at_horizon", part(row.stillThere)}};
    }
  }
  auto& channels = j["channels"] = nlohmann::json::array();
  for (const auto& c : s.channels) {
    channels.push_back({{"channel", m.channels[c.channel].name},
                        {"delivered", c.delivered},
                        {"cost", c.cost},
                        {"dropped", c.dropped},
                        {"deferred", c.deferred},
                        {"capped", c.capped}});
  }
  auto& touchpoints = j["touchpoints"] = nlohmann::json::array();
  for (std::size_t i = 0; i < m.touchpoints.size(); ++i)
    touchpoints.push_back({{"touchpoint", m.touchpoints[i].name}, {"delivered", t.received[i]}});
  auto& rules = j["rules"] = nlohmann::json::array();
  for (std::size_t r = 0; r < m.rules.size(); ++r)
    rules.push_back(
        {{"rule", m.rules[r].name}, {"runs", t.ruleRuns[r]}, {"skipped_by_cap", t.ruleCapped[r]}});
  j["cost_per_customer"] = intervalJson(s.costPerCustomer);
  j["cost_per_conversion"] = intervalJson(s.costPerConversion);
  j["value_per_customer"] = intervalJson(s.valuePerCustomer);
  j["roi"] = t.cost > 0 ? intervalJson(s.roi) : nlohmann::json(nullptr);
  j["final_emotion"] = intervalJson(s.finalEmotion);
  j["effort_hours_per_customer"] = orNull(s.effortHoursPerCustomer);
  j["steps"] = s.steps;
  if (flows) j["flows"] = flowsJson(m, t);
  if (m.lifetime) j["lifetime"] = lifetimeJson(m, t);
  return j;
}

}  // namespace

nlohmann::json jsonReport(const rt::Machine& m, const Results& results, const RunInfo& info) {
  Tally all = results.overall();
  nlohmann::json j;
  j["schema"] = "journey-simulation/1";
  j["journey"] = m.name;
  j["display"] = m.display;
  j["source"] = m.source;
  j["seed"] = info.seed;
  j["customers"] = results.customers;
  j["horizon_days"] = m.horizon / kDay;
  j["currency"] = m.currency;
  j["interrupted"] = results.interrupted;
  auto& params = j["params"] = nlohmann::json::array();
  for (const auto& p : m.params)
    params.push_back({{"name", p.name}, {"value", p.text}, {"overridden", p.overridden}});
  j["overall"] = summaryJson(m, summarize(m, all, results.customers, "all"), all, results.flows);
  auto& personas = j["personas"] = nlohmann::json::array();
  for (std::size_t p = 0; p < m.personas.size(); ++p) {
    nlohmann::json persona =
        summaryJson(m, summarize(m, results.personas[p], results.customers, m.personas[p].name),
                    results.personas[p], results.flows);
    persona["persona"] = m.personas[p].name;
    personas.push_back(persona);
  }
  auto& warnings = j["warnings"] = nlohmann::json::array();
  const auto& c = results.counters;
  for (std::size_t t = 0; t < c.unrouted.size(); ++t)
    if (c.unrouted[t] > 0)
      warnings.push_back(
          {{"kind", "unrouted"}, {"place", m.place(m.targets[t].place)}, {"count", c.unrouted[t]}});
  for (std::size_t e = 0; e < m.exprs.size(); ++e) {
    std::string place(m.place(m.exprs[e].place));
    if (c.negativeDurations[e] > 0)
      warnings.push_back(
          {{"kind", "negative_duration"}, {"place", place}, {"count", c.negativeDurations[e]}});
    if (c.clampedProbabilities[e] > 0)
      warnings.push_back({{"kind", "clamped_probability"},
                          {"place", place},
                          {"count", c.clampedProbabilities[e]}});
    if (c.failures[e] > 0)
      warnings.push_back({{"kind", "failed"}, {"place", place}, {"count", c.failures[e]}});
  }
  for (std::size_t s = 0; s < all.loopingIn.size(); ++s)
    if (all.loopingIn[s] > 0)
      warnings.push_back(
          {{"kind", "looping"}, {"stage", m.stages[s].name}, {"count", all.loopingIn[s]}});
  for (std::size_t e = 0; e < all.loopingOn.size(); ++e)
    if (all.loopingOn[e] > 0)
      warnings.push_back(
          {{"kind", "looping"}, {"event", m.events[e].name}, {"count", all.loopingOn[e]}});
  if (all.stepLimit > 0) warnings.push_back({{"kind", "step_limit"}, {"count", all.stepLimit}});
  return j;
}

// ---------------------------------------------------------------------------------------------
// CSV: one row per metric and group, long format, for spreadsheets and scripts.

std::string csvReport(const rt::Machine& m, const Results& results, const RunInfo&) {
  std::string out = "group,metric,item,value,low,high\n";
  auto field = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); };
  auto quote = [](const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string q = "\"";
    for (char c : text)
      q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  auto emit = [&](const Summary& s, const Tally& t) {
    auto row = [&](const std::string& metric, const std::string& item, const Interval& i) {
      out += fmt::format("{},{},{},{},{},{}\n", quote(s.name), metric, quote(item), field(i.value),
                         field(i.low), field(i.high));
    };
    auto plain = [&](const std::string& metric, const std::string& item, double v) {
      out += fmt::format("{},{},{},{},,\n", quote(s.name), metric, quote(item), field(v));
    };
    plain("customers", "", static_cast<double>(s.customers));
    row("conversion", "", s.conversion);
    for (const auto& o : s.outcomes)
      row("outcome", o.stage == rt::kNone ? o.kind : o.label, o.share);
    row("days_to_goal_mean", "", s.daysToGoal);
    plain("days_to_goal_median", "", s.medianDaysToGoal);
    plain("days_to_goal_p90", "", s.p90DaysToGoal);
    for (const auto& f : s.funnel) {
      const std::string& name = m.stages[f.stage].name;
      row("reached", name, f.reached);
      plain("step_conversion", name, f.stepConversion);
      plain("visits_per_customer", name, f.visitsPerCustomer);
      plain("days_per_visit", name, f.daysPerVisit);
      row("ended_here", name, f.endedHere);
      plain("emotion_on_entry", name, f.emotionOnEntry);
    }
    for (const auto& c : s.channels) {
      const std::string& name = m.channels[c.channel].name;
      plain("channel_delivered", name, static_cast<double>(c.delivered));
      plain("channel_cost", name, c.cost);
      plain("channel_dropped", name, static_cast<double>(c.dropped));
      plain("channel_deferred", name, static_cast<double>(c.deferred));
      plain("channel_capped", name, static_cast<double>(c.capped));
    }
    for (std::size_t i = 0; i < m.touchpoints.size(); ++i)
      plain("touchpoint_delivered", m.touchpoints[i].name, static_cast<double>(t.received[i]));
    for (std::size_t r = 0; r < m.rules.size(); ++r) {
      plain("rule_runs", m.rules[r].name, static_cast<double>(t.ruleRuns[r]));
      plain("rule_runs_per_customer", m.rules[r].name,
            t.customers > 0 ? static_cast<double>(t.ruleRuns[r]) / static_cast<double>(t.customers)
                            : NAN);
    }
    row("cost_per_customer", "", s.costPerCustomer);
    row("cost_per_conversion", "", s.costPerConversion);
    row("value_per_customer", "", s.valuePerCustomer);
    if (t.cost > 0) row("roi", "", s.roi);
    row("final_emotion", "", s.finalEmotion);
    plain("effort_hours_per_customer", "", s.effortHoursPerCustomer);
    if (m.lifetime) out += csvLifetime(m, t, quote(s.name));
  };
  Tally all = results.overall();
  emit(summarize(m, all, results.customers, "all"), all);
  for (std::size_t p = 0; p < m.personas.size(); ++p)
    emit(summarize(m, results.personas[p], results.customers, m.personas[p].name),
         results.personas[p]);
  return out;
}

}  // namespace journey::sim

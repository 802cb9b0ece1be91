#include "simulator/compare_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "simulator/text_table.h"

namespace journey::sim {
namespace {

std::string title(const rt::Machine& m) {
  return m.display.empty() ? m.name : fmt::format("{} \"{}\"", m.name, m.display);
}

std::string paramsSet(const rt::Machine& m) {
  std::vector<std::string> sets;
  for (const auto& p : m.params)
    if (p.overridden) sets.push_back(fmt::format("{} = {}", p.name, p.text));
  return sets.empty() ? "" : fmt::format(" ({})", fmt::join(sets, ", "));
}

bool specialOutcome(const ComparedKpi& k) {
  return k.metric == "outcome" && (k.item == "unrouted_at_entry" || k.item == "looping" ||
                                   k.item == "failed" || k.item == "step_limit");
}

bool headline(const ComparedKpi& k) {
  static const char* names[] = {
      "conversion",         "outcome", "days_to_goal_mean", "cost_per_customer",
      "value_per_customer", "roi",     "final_emotion"};
  return std::any_of(std::begin(names), std::end(names),
                     [&](const char* n) { return k.metric == n; });
}

bool hidden(const ComparedKpi& k) {
  bool zero = !(k.inOld && k.oldValue.value != 0) && !(k.inNew && k.newValue.value != 0);
  // Unrouted, looping, failed and step-limit outcomes only when they happened, and channels
  // only when the journey uses them (every built-in channel is in the machine).
  bool channel = k.metric.rfind("channel_", 0) == 0;
  return (specialOutcome(k) || channel) && zero;
}

std::string label(const ComparedKpi& k) {
  std::string item = k.item;
  if (k.inOld && k.inNew && k.oldItem != k.newItem)
    item = fmt::format("{} ← {}", k.newItem, k.oldItem);
  return kpiName(k.metric, item);
}

std::string groupTable(const ComparedGroup& g, bool onlyHeadline) {
  // The KPI and the interval are left-aligned; numbers right-aligned.
  TextTable table({"KPI", "old", "new", "difference", "95% CI", ""}, {0, 4});
  for (const auto& k : g.kpis) {
    if (hidden(k) || (onlyHeadline && !headline(k))) continue;
    std::vector<std::string> row{label(k), k.inOld ? formatKpi(k.oldValue.value, k.unit) : "-",
                                 k.inNew ? formatKpi(k.newValue.value, k.unit) : "-"};
    if (!k.inOld) {
      row.insert(row.end(), {"(added)", "", ""});
    } else if (!k.inNew) {
      row.insert(row.end(), {"(removed)", "", ""});
    } else {
      bool same = g.paired && k.differing == 0;
      row.push_back(formatDelta(k.delta.value, k.unit));
      row.push_back(same ? "" : formatInterval(k.delta, k.unit, true));
      row.push_back(k.significant ? "*" : same ? "=" : "");
    }
    table.add(std::move(row));
  }
  return table.render();
}

nlohmann::json sideJson(const rt::Machine& m, const std::string& file) {
  nlohmann::json params = nlohmann::json::array();
  for (const auto& p : m.params)
    params.push_back({{"name", p.name}, {"value", p.text}, {"overridden", p.overridden}});
  return {{"file", file},
          {"journey", m.name},
          {"display", m.display},
          {"currency", m.currency},
          {"horizon_days", m.horizon / 86400},
          {"params", params}};
}

}  // namespace

std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string q = "\"";
  for (char c : text)
    q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string compareText(const rt::Machine& mo, const rt::Machine& mn, const Matching& matching,
                        const Comparison& c, const CompareInfo& info) {
  std::string out;
  out += mo.name == mn.name ? fmt::format("Comparing two versions of {}\n", title(mn))
                            : fmt::format("Comparing {} with {}\n", title(mo), title(mn));
  out += fmt::format("  old: {}{}\n  new: {}{}\n", info.oldFile, paramsSet(mo), info.newFile,
                     paramsSet(mn));
  out += fmt::format(
      "{} customers on common random numbers (seed {}): both versions meet the same customers.\n"
      "({} backend, {} thread{}, {:.2f} s)\n",
      groupThousands(c.customers), info.seed, info.backend, info.threads,
      info.threads == 1 ? "" : "s", c.seconds);
  if (c.interrupted) out += "Interrupted: these results cover the customers simulated so far.\n";
  if (mo.horizon != mn.horizon)
    out += fmt::format("The horizons differ: {} days (old), {} days (new).\n", mo.horizon / 86400,
                       mn.horizon / 86400);

  out += "\nMatched\n";
  std::size_t byName = 0;
  std::string lines;
  for (const auto& m : matching.matches) {
    const char* kind = matchKindName(m.kind);
    switch (m.how) {
      case MatchHow::Name:
        ++byName;
        break;
      case MatchHow::Option:
        lines += fmt::format("  {} {} (old) is {} (new): --rename\n", kind, m.oldName, m.newName);
        break;
      case MatchHow::Guessed:
        lines += fmt::format("  {} {} (old) is {} (new): a likely rename: {}\n", kind, m.oldName,
                             m.newName, fmt::join(m.reasons, "; "));
        break;
      case MatchHow::Added:
        lines += fmt::format("  {} {}: added (only in new)\n", kind, m.newName);
        break;
      case MatchHow::Removed:
        lines += fmt::format("  {} {}: removed (only in old)\n", kind, m.oldName);
        break;
    }
  }
  out += lines;
  out += lines.empty()
             ? fmt::format("  all {} personas, stages, touchpoints, channels and rules by name\n",
                           byName)
             : fmt::format("  the other {} by name\n", byName);
  if (!lines.empty())
    out += "  (`--rename [KIND:]OLD=NEW` pairs two names; `--exact-names` turns guessing off)\n";

  const ComparedGroup& all = c.groups.front();
  double share =
      c.customers > 0 ? static_cast<double>(all.diverged) / static_cast<double>(c.customers) : 0;
  out += fmt::format(
      "\nCustomers whose KPIs differ between the versions: {} ({:.2f}%); the others had the same\n"
      "outcome, costs and deliveries in both.\n",
      groupThousands(all.diverged), 100 * share);
  if (c.personaMismatches > 0)
    out += fmt::format(
        "{} customers drew a different persona in the two versions (their personas or shares\n"
        "differ): the persona sections compare independent samples.\n",
        groupThousands(c.personaMismatches));

  out += "\nAll customers\n";
  out += groupTable(all, false);
  out +=
      "  (* significant at 95%: the interval excludes 0;  = the same for every customer;\n"
      "   differences of shares in percentage points)\n";
  for (std::size_t g = 1; g < c.groups.size(); ++g) {
    const ComparedGroup& group = c.groups[g];
    out += fmt::format("\n{} ({} customers{})\n", group.name, groupThousands(group.newCustomers),
                       group.paired ? "" : ", independent samples");
    out += groupTable(group, true);
  }
  if (c.groups.size() > 1)
    out += "  (personas: headline KPIs; every KPI in `--format json` or `--format csv`)\n";
  return out;
}

nlohmann::json compareJson(const rt::Machine& mo, const rt::Machine& mn, const Matching& matching,
                           const Comparison& c, const CompareInfo& info) {
  nlohmann::json j;
  j["schema"] = "journey-comparison/1";
  j["confidence"] = 0.95;
  j["old"] = sideJson(mo, info.oldFile);
  j["new"] = sideJson(mn, info.newFile);
  j["customers"] = c.customers;
  j["seed"] = info.seed;
  j["backend"] = info.backend;
  j["interrupted"] = c.interrupted;
  j["persona_mismatches"] = c.personaMismatches;
  auto& matches = j["matching"] = nlohmann::json::array();
  for (const auto& m : matching.matches) {
    nlohmann::json row{
        {"kind", matchKindName(m.kind)},
        {"how", matchHowName(m.how)},
        {"old", m.oldIndex == rt::kNone ? nlohmann::json(nullptr) : nlohmann::json(m.oldName)},
        {"new", m.newIndex == rt::kNone ? nlohmann::json(nullptr) : nlohmann::json(m.newName)}};
    if (!m.reasons.empty()) row["reasons"] = m.reasons;
    matches.push_back(std::move(row));
  }
  auto& groups = j["groups"] = nlohmann::json::array();
  for (const auto& g : c.groups) {
    nlohmann::json group{{"group", g.name},
                         {"paired", g.paired},
                         {"old_customers", g.oldCustomers},
                         {"new_customers", g.newCustomers},
                         {"diverged", g.diverged}};
    auto& kpis = group["kpis"] = nlohmann::json::array();
    for (const auto& k : g.kpis) {
      kpis.push_back(
          {{"name", kpiName(k.metric, k.item)},
           {"metric", k.metric},
           {"item", k.item},
           {"old_item", k.inOld ? nlohmann::json(k.oldItem) : nlohmann::json(nullptr)},
           {"new_item", k.inNew ? nlohmann::json(k.newItem) : nlohmann::json(nullptr)},
           {"unit", kpiUnitName(k.unit)},
           {"old", k.inOld ? intervalJson(k.oldValue) : nlohmann::json(nullptr)},
           {"new", k.inNew ? intervalJson(k.newValue) : nlohmann::json(nullptr)},
           {"delta", k.inOld && k.inNew ? intervalJson(k.delta) : nlohmann::json(nullptr)},
           {"significant", k.significant},
           {"differing_customers", k.differing}});
    }
    groups.push_back(std::move(group));
  }
  RunInfo run{info.backend, info.seed, info.threads};
  j["reports"] = {{"old", jsonReport(mo, c.oldResults, run)},
                  {"new", jsonReport(mn, c.newResults, run)}};
  return j;
}

std::string compareCsv(const Comparison& c) {
  std::string out =
      "group,metric,item,old_item,unit,old,old_low,old_high,new,new_low,new_high,delta,low,high,"
      "significant,differing_customers\n";
  auto field = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); };
  auto interval = [&](bool present, const Interval& i) {
    if (!present) return std::string(",,");
    return fmt::format("{},{},{}", field(i.value), field(i.low), field(i.high));
  };
  for (const auto& g : c.groups) {
    for (const auto& k : g.kpis) {
      bool both = k.inOld && k.inNew;
      out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csvField(g.name), k.metric,
                         csvField(k.item), csvField(k.inOld ? k.oldItem : ""), kpiUnitName(k.unit),
                         interval(k.inOld, k.oldValue), interval(k.inNew, k.newValue),
                         interval(both, k.delta), both ? (k.significant ? "true" : "false") : "",
                         both ? std::to_string(k.differing) : "");
    }
  }
  return out;
}

}  // namespace journey::sim

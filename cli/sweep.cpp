// `journey sweep FILE --set NAME=FROM..TO:STEP [--set NAME2=FROM..TO:STEP]`: the KPIs at every
// value (or pair of values) of one or two params. Every point simulates the same customers
// (same seed, same count), so the differences between points are not blurred by sampling noise
// as much as the intervals of each point suggest.
#include "simulator/sweep.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/run.h"
#include "compiler/driver/machine.h"
#include "runtime/file.h"
#include "runtime/verify.h"
#include "simulator/compare_report.h"
#include "simulator/kpis.h"
#include "simulator/report.h"
#include "simulator/text_table.h"

namespace journey::cli {
namespace {

/// A KPI column: `conversion`, `outcome(Renewed)`, `roi[Enterprise]`.
struct Column {
  std::string text;
  std::string metric, item, group = "all";
};

std::optional<Column> parseColumn(const std::string& text, std::string& error) {
  Column c;
  c.text = text;
  std::string rest = text;
  auto bracket = rest.find('[');
  if (bracket != std::string::npos) {
    if (rest.back() != ']') {
      error = fmt::format("`--kpi {}`: missing `]`", text);
      return std::nullopt;
    }
    c.group = rest.substr(bracket + 1, rest.size() - bracket - 2);
    rest = rest.substr(0, bracket);
  }
  auto paren = rest.find('(');
  if (paren != std::string::npos) {
    if (rest.back() != ')') {
      error = fmt::format("`--kpi {}`: missing `)`", text);
      return std::nullopt;
    }
    c.item = rest.substr(paren + 1, rest.size() - paren - 2);
    rest = rest.substr(0, paren);
  }
  c.metric = rest == "goal" || rest == "exit" ? "outcome" : rest;
  if (!sim::metricUnit(c.metric)) {
    error = fmt::format("`--kpi {}`: unknown KPI `{}`; the KPIs are {}", text, c.metric,
                        fmt::join(sim::metricNames(), ", "));
    return std::nullopt;
  }
  return c;
}

struct Point {
  std::vector<std::string> values;  // one per swept param
  std::unique_ptr<rt::Machine> machine;
  std::unique_ptr<sim::Results> results;
};

/// The KPI rows of one point: every group, every KPI.
struct Row {
  std::string group;
  const sim::KpiDef* def;
  sim::Interval value;
};

std::vector<Row> rowsOf(const rt::Machine& m, const sim::Results& r,
                        const std::vector<sim::KpiDef>& defs) {
  std::vector<Row> rows;
  sim::Tally all = r.overall();
  for (const auto& d : defs)
    rows.push_back({"all", &d, sim::kpiValue(m, all, d)});
  for (std::size_t p = 0; p < m.personas.size(); ++p)
    for (const auto& d : defs)
      rows.push_back({m.personas[p].name, &d, sim::kpiValue(m, r.personas[p], d)});
  return rows;
}

std::string cell(const sim::Interval& i, sim::KpiUnit unit) {
  std::string value = sim::formatKpi(i.value, unit);
  if (!std::isfinite(i.low) || !std::isfinite(i.high)) return value;
  double half = (i.high - i.low) / 2;
  if (unit == sim::KpiUnit::Share) return fmt::format("{} ±{:.2f}", value, half * 100);
  return fmt::format("{} ±{}", value, sim::formatKpi(half, unit));
}

}  // namespace

int runSweep(const SweepOptions& options) {
  std::vector<sim::SweepRange> ranges;
  std::vector<std::string> fixed;
  for (const auto& text : options.overrides) {
    if (!sim::isSweepRange(text)) {
      fixed.push_back(text);
      continue;
    }
    std::string error;
    auto range = sim::parseSweepRange(text, error);
    if (!range) {
      std::cerr << "error: " << error << "\n";
      return kExitUsage;
    }
    for (const auto& other : ranges) {
      if (other.name == range->name) {
        std::cerr << fmt::format("error: `--set {}`: `{}` is swept twice\n", text, range->name);
        return kExitUsage;
      }
    }
    if (!range->note.empty()) std::cerr << "note: " << range->note << "\n";
    ranges.push_back(std::move(*range));
  }
  if (ranges.empty()) {
    std::cerr << "error: sweep needs a range: `--set NAME=FROM..TO:STEP`, e.g. `--set "
                 "renewal_discount=5%..20%:5%`\n";
    return kExitUsage;
  }
  if (ranges.size() > 2) {
    std::cerr << fmt::format("error: sweep takes one or two ranges, not {}\n", ranges.size());
    return kExitUsage;
  }
  std::size_t total = 1;
  for (const auto& r : ranges)
    total *= r.values.size();
  if (total > sim::kMaxSweepPoints) {
    std::cerr << fmt::format(
        "error: the grid has {} points ({} x {}), more than the {} a sweep may have: use larger "
        "steps\n",
        total, ranges[0].values.size(), ranges[1].values.size(), sim::kMaxSweepPoints);
    return kExitUsage;
  }
  std::vector<Column> columns;
  for (const auto& text : options.kpis) {
    std::string error;
    auto column = parseColumn(text, error);
    if (!column) {
      std::cerr << "error: " << error << "\n";
      return kExitUsage;
    }
    columns.push_back(*column);
  }

  // Compile once; each point lowers with its own overrides.
  DiskFileReader disk;
  std::string readError;
  auto bytes = disk.read(options.file, readError);
  if (bytes && rt::looksLikeMachine(*bytes)) {
    std::cerr << fmt::format(
        "error: {}: sweep needs the spec: a `.jm` file has its params folded in already\n",
        options.file);
    return kExitUsage;
  }
  auto compilation = compile(options.file, disk);
  if (compilation->rootUnreadable) {
    printDiagnostics(*compilation, options.color);
    return kExitUsage;
  }
  std::vector<Point> points;
  for (std::size_t k = 0; k < total; ++k) {
    Point point;
    std::vector<std::string> overrides = fixed;
    std::size_t rest = k;
    std::vector<std::size_t> at(ranges.size());
    for (std::size_t r = ranges.size(); r-- > 0;) {
      at[r] = rest % ranges[r].values.size();
      rest /= ranges[r].values.size();
    }
    for (std::size_t r = 0; r < ranges.size(); ++r) {
      point.values.push_back(ranges[r].values[at[r]]);
      overrides.push_back(fmt::format("{}={}", ranges[r].name, ranges[r].values[at[r]]));
    }
    auto machine = buildMachine(*compilation, overrides);
    if (!machine) {
      printDiagnostics(*compilation, options.color);
      if (compilation->diagnostics.hasErrors() && k == 0)
        std::cerr << fmt::format("error: {} cannot be swept: fix the errors above\n", options.file);
      return kExitProblems;
    }
    auto problems = rt::verify(*machine);
    if (!problems.empty()) {
      std::cerr << fmt::format("internal error: the compiled machine is malformed: {}\n",
                               problems.front());
      return kExitProblems;
    }
    point.machine = std::make_unique<rt::Machine>(std::move(*machine));
    points.push_back(std::move(point));
  }
  printDiagnostics(*compilation, options.color);
  const rt::Machine& first = *points.front().machine;
  std::vector<sim::KpiDef> defs = sim::kpiDefinitions(first);

  // The table's columns: as asked, or the headline KPIs.
  std::vector<std::pair<std::string, std::size_t>> shown;  // label, index into rowsOf()
  auto indexOf = [&](const Column& c) -> std::optional<std::size_t> {
    std::size_t group = 0;
    if (c.group != "all") {
      group = first.personas.size() + 1;
      for (std::size_t p = 0; p < first.personas.size(); ++p)
        if (first.personas[p].name == c.group) group = p + 1;
      if (group > first.personas.size()) return std::nullopt;
    }
    for (std::size_t d = 0; d < defs.size(); ++d)
      if (defs[d].metric == c.metric && defs[d].item == c.item) return group * defs.size() + d;
    return std::nullopt;
  };
  if (columns.empty()) {
    for (const char* name : {"conversion"})
      columns.push_back({name, name, "", "all"});
    for (const auto& d : defs)
      if (d.metric == "outcome" && d.itemKind == sim::KpiItem::Stage)
        columns.push_back({sim::kpiName(d.metric, d.item), d.metric, d.item, "all"});
    for (const char* name : {"days_to_goal_mean", "cost_per_customer", "value_per_customer", "roi"})
      columns.push_back({name, name, "", "all"});
  }
  for (const auto& c : columns) {
    auto index = indexOf(c);
    if (!index) {
      std::cerr << fmt::format("error: `--kpi {}`: this journey has no such KPI\n", c.text);
      return kExitUsage;
    }
    shown.emplace_back(c.text, *index);
  }

  ProgressBar progress(options.progress && isatty(STDERR_FILENO) != 0);
  std::optional<InterruptScope> catchInterrupt(std::in_place);
  bool stopped = false;
  double seconds = 0;
  for (std::size_t k = 0; k < points.size() && !stopped; ++k) {
    Point& point = points[k];
    std::unique_ptr<rt::jit::JitBackend> jit;
    if (options.backend == "jit") {
      jit = compileJit(*point.machine, false);
      if (!jit) return kExitProblems;
    }
    rt::Program program(*point.machine, jit ? jit->functions() : nullptr);
    sim::Options run;
    run.customers = options.customers;
    run.seed = options.seed;
    run.threads = options.threads;
    run.maxSteps = options.maxSteps;
    run.stop = &interrupted;
    std::uint64_t before = k * options.customers, all = points.size() * options.customers;
    run.progress = [&](std::uint64_t done, std::uint64_t) { progress.update(before + done, all); };
    point.results = std::make_unique<sim::Results>(sim::simulate(program, run));
    seconds += point.results->seconds;
    stopped = point.results->interrupted;
  }
  catchInterrupt.reset();
  progress.clear();
  if (stopped) {
    std::cerr << "interrupted: no report\n";
    return 130;
  }

  std::string report;
  if (options.format == "json") {
    nlohmann::json j;
    j["schema"] = "journey-sweep/1";
    j["journey"] = first.name;
    j["display"] = first.display;
    j["file"] = options.file;
    j["seed"] = options.seed;
    j["customers"] = options.customers;
    j["currency"] = first.currency;
    j["fixed"] = fixed;
    auto& params = j["params"] = nlohmann::json::array();
    for (const auto& r : ranges)
      params.push_back({{"name", r.name}, {"values", r.values}});
    auto& list = j["points"] = nlohmann::json::array();
    for (const auto& point : points) {
      nlohmann::json values = nlohmann::json::object();
      for (std::size_t r = 0; r < ranges.size(); ++r)
        values[ranges[r].name] = point.values[r];
      nlohmann::json kpis = nlohmann::json::array();
      for (const auto& row : rowsOf(*point.machine, *point.results, defs)) {
        auto finite = [](double v) {
          return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
        };
        kpis.push_back({{"group", row.group},
                        {"name", sim::kpiName(row.def->metric, row.def->item)},
                        {"metric", row.def->metric},
                        {"item", row.def->item},
                        {"unit", sim::kpiUnitName(row.def->unit)},
                        {"value", finite(row.value.value)},
                        {"low", finite(row.value.low)},
                        {"high", finite(row.value.high)}});
      }
      list.push_back({{"values", values}, {"kpis", kpis}});
    }
    report = j.dump(2) + "\n";
  } else if (options.format == "csv") {
    report = "point";
    for (const auto& r : ranges)
      report += "," + sim::csvField(r.name);
    report += ",group,metric,item,unit,value,low,high\n";
    auto field = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); };
    for (std::size_t k = 0; k < points.size(); ++k) {
      std::string prefix = std::to_string(k + 1);
      for (const auto& v : points[k].values)
        prefix += "," + sim::csvField(v);
      for (const auto& row : rowsOf(*points[k].machine, *points[k].results, defs)) {
        report += fmt::format("{},{},{},{},{},{},{},{}\n", prefix, sim::csvField(row.group),
                              row.def->metric, sim::csvField(row.def->item),
                              sim::kpiUnitName(row.def->unit), field(row.value.value),
                              field(row.value.low), field(row.value.high));
      }
    }
  } else {
    std::vector<std::string> swept;
    for (const auto& r : ranges)
      swept.push_back(fmt::format("{} from {} to {} ({} values)", r.name, r.values.front(),
                                  r.values.back(), r.values.size()));
    report += fmt::format("Sweep of {}{}: {}\n", first.name,
                          first.display.empty() ? "" : fmt::format(" \"{}\"", first.display),
                          fmt::join(swept, " by "));
    std::string digits = std::to_string(options.customers), customers;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) customers += ',';
      customers += digits[i];
    }
    report += fmt::format(
        "{} customers at every point, seed {}: the same customers at every value (common random\n"
        "numbers). ({} backend, {:.2f} s)\n",
        customers, options.seed, options.backend, seconds);
    if (!fixed.empty()) report += fmt::format("Params set: {}\n", fmt::join(fixed, ", "));
    report += "\n";
    std::vector<std::string> header;
    for (const auto& r : ranges)
      header.push_back(r.name);
    for (const auto& [label, index] : shown)
      header.push_back(label);
    sim::TextTable table(header, {});
    for (const auto& point : points) {
      auto rows = rowsOf(*point.machine, *point.results, defs);
      std::vector<std::string> line = point.values;
      for (const auto& [label, index] : shown)
        line.push_back(cell(rows[index].value, rows[index].def->unit));
      table.add(line);
    }
    report += table.render("   ");
    report +=
        "  (± the 95% half-width of each point; days_to_goal_mean over converted customers;\n"
        "   `journey compare` tests the difference between two values on paired customers)\n";
  }
  if (!writeReport(options.output, report)) return kExitUsage;
  return kExitOk;
}

}  // namespace journey::cli

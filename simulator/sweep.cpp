#include "simulator/sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "simulator/compare_report.h"
#include "simulator/text_table.h"

namespace journey::sim {
namespace {

/// A decimal literal with a unit: digits * 10^-scale, then the unit as written.
struct Decimal {
  std::int64_t digits = 0;
  int scale = 0;
  std::string unit;
  std::string spacing;  // between the number and the unit ("" or " ")
};

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b])) != 0)
    ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])) != 0)
    --e;
  return s.substr(b, e - b);
}

std::optional<Decimal> parseDecimal(const std::string& raw) {
  std::string text = trim(raw);
  Decimal d;
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  bool any = false, point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      if (d.digits > (INT64_MAX - 9) / 10) return std::nullopt;
      d.digits = d.digits * 10 + (c - '0');
      if (point) ++d.scale;
      any = true;
    } else if (c == '_' && any) {
      continue;
    } else if (c == '.' && !point && any) {
      point = true;
    } else {
      break;
    }
  }
  if (!any || d.scale > 9) return std::nullopt;
  std::size_t unitStart = i;
  while (i < text.size() && text[i] == ' ')
    ++i;
  d.spacing = text.substr(unitStart, i - unitStart);
  d.unit = text.substr(i);
  for (char c : d.unit)
    if (std::isalpha(static_cast<unsigned char>(c)) == 0 && c != '%') return std::nullopt;
  if (negative) d.digits = -d.digits;
  return d;
}

std::int64_t rescale(const Decimal& d, int scale) {
  std::int64_t v = d.digits;
  for (int s = d.scale; s < scale; ++s)
    v *= 10;
  return v;
}

std::string show(std::int64_t v, int scale, const std::string& spacing, const std::string& unit) {
  bool negative = v < 0;
  std::string digits = std::to_string(negative ? -v : v);
  if (scale > 0) {
    if (digits.size() <= static_cast<std::size_t>(scale))
      digits = std::string(static_cast<std::size_t>(scale) + 1 - digits.size(), '0') + digits;
    std::size_t whole = digits.size() - static_cast<std::size_t>(scale);
    digits = digits.substr(0, whole) + "." + digits.substr(whole);
    while (digits.back() == '0')
      digits.pop_back();
    if (digits.back() == '.') digits.pop_back();
  }
  return (negative ? "-" : "") + digits + spacing + unit;
}

}  // namespace

bool isSweepRange(const std::string& argument) {
  auto equals = argument.find('=');
  return equals != std::string::npos && argument.find("..", equals) != std::string::npos;
}

std::optional<SweepRange> parseSweepRange(const std::string& argument, std::string& error) {
  auto fail = [&](std::string message) -> std::optional<SweepRange> {
    error = fmt::format("`--set {}`: {}", argument, message);
    return std::nullopt;
  };
  auto equals = argument.find('=');
  if (equals == std::string::npos || equals == 0)
    return fail("needs the form NAME=FROM..TO:STEP, e.g. `renewal_discount=5%..20%:5%`");
  SweepRange range;
  range.name = argument.substr(0, equals);
  std::string rest = argument.substr(equals + 1);
  auto dots = rest.find("..");
  auto colon = rest.rfind(':');
  if (dots == std::string::npos || colon == std::string::npos || colon < dots)
    return fail("needs a step: NAME=FROM..TO:STEP, e.g. `renewal_discount=5%..20%:5%`");
  std::string fromText = rest.substr(0, dots), toText = rest.substr(dots + 2, colon - dots - 2),
              stepText = rest.substr(colon + 1);
  auto from = parseDecimal(fromText), to = parseDecimal(toText), step = parseDecimal(stepText);
  if (!from) return fail(fmt::format("FROM `{}` is not a number with a unit", trim(fromText)));
  if (!to) return fail(fmt::format("TO `{}` is not a number with a unit", trim(toText)));
  if (!step) return fail(fmt::format("STEP `{}` is not a number with a unit", trim(stepText)));
  if (from->unit != to->unit || from->unit != step->unit) {
    return fail(
        fmt::format("FROM, TO and STEP must be written in the same unit (here `{}`, `{}` "
                    "and `{}`)",
                    from->unit, to->unit, step->unit));
  }
  int scale = std::max({from->scale, to->scale, step->scale});
  std::int64_t a = rescale(*from, scale), b = rescale(*to, scale), s = rescale(*step, scale);
  if (s == 0) return fail("the step is 0");
  if ((b - a) != 0 && ((b - a) > 0) != (s > 0)) {
    return fail(fmt::format("the step {} goes away from TO ({} to {}); use {}", trim(stepText),
                            trim(fromText), trim(toText),
                            show(-s, scale, step->spacing, step->unit)));
  }
  std::int64_t count = (b - a) / s + 1;
  if (count > static_cast<std::int64_t>(kMaxSweepPoints)) {
    return fail(fmt::format("{} values, more than the {} a sweep may have: use a larger step",
                            count, kMaxSweepPoints));
  }
  for (std::int64_t k = 0; k < count; ++k)
    range.values.push_back(show(a + k * s, scale, from->spacing, from->unit));
  if ((b - a) % s != 0) {
    range.note = fmt::format("`--set {}`: TO is not on the grid; the last value is {}", argument,
                             range.values.back());
  }
  return range;
}

std::size_t SweepGrid::size() const {
  std::size_t total = 1;
  for (const auto& r : ranges)
    total *= r.values.size();
  return total;
}

std::vector<std::string> SweepGrid::values(std::size_t k) const {
  std::vector<std::string> values(ranges.size());
  std::size_t rest = k;
  for (std::size_t r = ranges.size(); r-- > 0;) {
    values[r] = ranges[r].values[rest % ranges[r].values.size()];
    rest /= ranges[r].values.size();
  }
  return values;
}

std::vector<std::string> SweepGrid::overrides(std::size_t k) const {
  std::vector<std::string> overrides = fixed;
  std::vector<std::string> at = values(k);
  for (std::size_t r = 0; r < ranges.size(); ++r)
    overrides.push_back(fmt::format("{}={}", ranges[r].name, at[r]));
  return overrides;
}

std::optional<SweepGrid> parseSweepGrid(const std::vector<std::string>& arguments,
                                        std::vector<std::string>& notes, std::string& error) {
  SweepGrid grid;
  for (const auto& text : arguments) {
    if (!isSweepRange(text)) {
      grid.fixed.push_back(text);
      continue;
    }
    auto range = parseSweepRange(text, error);
    if (!range) return std::nullopt;
    for (const auto& other : grid.ranges) {
      if (other.name == range->name) {
        error = fmt::format("`--set {}`: `{}` is swept twice", text, range->name);
        return std::nullopt;
      }
    }
    if (!range->note.empty()) notes.push_back(range->note);
    grid.ranges.push_back(std::move(*range));
  }
  if (grid.ranges.empty()) {
    error =
        "sweep needs a range: `--set NAME=FROM..TO:STEP`, e.g. `--set "
        "renewal_discount=5%..20%:5%`";
    return std::nullopt;
  }
  if (grid.ranges.size() > 2) {
    error = fmt::format("sweep takes one or two ranges, not {}", grid.ranges.size());
    return std::nullopt;
  }
  // One range is held to kMaxSweepPoints by parseSweepRange; two may multiply past it.
  if (grid.size() > kMaxSweepPoints) {
    error = fmt::format(
        "the grid has {} points ({} x {}), more than the {} a sweep may have: use larger steps",
        grid.size(), grid.ranges[0].values.size(), grid.ranges[1].values.size(), kMaxSweepPoints);
    return std::nullopt;
  }
  return grid;
}

std::optional<SweepColumn> parseSweepColumn(const std::string& text, std::string& error) {
  SweepColumn c;
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
  if (!metricUnit(c.metric)) {
    error = fmt::format("`--kpi {}`: unknown KPI `{}`; the KPIs are {}", text, c.metric,
                        fmt::join(metricNames(), ", "));
    return std::nullopt;
  }
  return c;
}

std::vector<SweepRow> sweepRows(const rt::Machine& machine, const Results& results,
                                const std::vector<KpiDef>& defs) {
  std::vector<SweepRow> rows;
  rows.reserve(defs.size() * (machine.personas.size() + 1));
  Tally all = results.overall();
  for (const auto& d : defs)
    rows.push_back({"all", &d, kpiValue(machine, all, d)});
  for (std::size_t p = 0; p < machine.personas.size(); ++p)
    for (const auto& d : defs)
      rows.push_back({machine.personas[p].name, &d, kpiValue(machine, results.personas[p], d)});
  return rows;
}

std::optional<std::vector<SweepTableColumn>> resolveSweepColumns(const rt::Machine& machine,
                                                                 std::vector<SweepColumn> columns,
                                                                 std::string& error) {
  std::vector<KpiDef> defs = kpiDefinitions(machine);
  auto rowOf = [&](const SweepColumn& c) -> std::optional<std::size_t> {
    std::size_t group = 0;
    if (c.group != "all") {
      group = machine.personas.size() + 1;
      for (std::size_t p = 0; p < machine.personas.size(); ++p)
        if (machine.personas[p].name == c.group) group = p + 1;
      if (group > machine.personas.size()) return std::nullopt;
    }
    for (std::size_t d = 0; d < defs.size(); ++d)
      if (defs[d].metric == c.metric && defs[d].item == c.item) return group * defs.size() + d;
    return std::nullopt;
  };
  if (columns.empty()) {
    columns.push_back({"conversion", "conversion", "", "all"});
    for (const auto& d : defs)
      if (d.metric == "outcome" && d.itemKind == KpiItem::Stage)
        columns.push_back({kpiName(d.metric, d.item), d.metric, d.item, "all"});
    for (const char* name : {"days_to_goal_mean", "cost_per_customer", "value_per_customer", "roi"})
      columns.push_back({name, name, "", "all"});
  }
  std::vector<SweepTableColumn> resolved;
  for (const auto& c : columns) {
    auto row = rowOf(c);
    if (!row) {
      error = fmt::format("`--kpi {}`: this journey has no such KPI", c.text);
      return std::nullopt;
    }
    resolved.push_back({c.text, *row});
  }
  return resolved;
}

SweepOutcome runSweep(std::vector<SweepPoint>& points, const SweepOptions& options) {
  std::uint64_t all = points.size() * options.run.customers;
  for (std::size_t k = 0; k < points.size(); ++k) {
    SweepPoint& point = points[k];
    auto compiled = options.compile(point.machine);
    if (!compiled) return SweepOutcome::NotCompiled;
    rt::Program program(point.machine, compiled->get());
    Options run = options.run;
    std::uint64_t before = k * options.run.customers;
    run.progress = [&](std::uint64_t done, std::uint64_t) {
      if (options.run.progress) options.run.progress(before + done, all);
    };
    point.results = std::make_unique<Results>(simulate(program, run));
    if (point.results->interrupted) return SweepOutcome::Interrupted;
  }
  return SweepOutcome::Done;
}

namespace {

// The KPIs of every point are listed by the first point's definitions: the points differ only
// in param values, which change no declaration.
std::vector<KpiDef> firstPointDefinitions(const std::vector<SweepPoint>& points) {
  return kpiDefinitions(points.front().machine);
}

// `12.30% ±0.45` (points for shares), `3.2 ±0.1`; the value alone without an interval.
std::string tableCell(const Interval& i, KpiUnit unit) {
  std::string value = formatKpi(i.value, unit);
  if (!std::isfinite(i.low) || !std::isfinite(i.high)) return value;
  double half = (i.high - i.low) / 2;
  if (unit == KpiUnit::Share) return fmt::format("{} ±{:.2f}", value, half * 100);
  return fmt::format("{} ±{}", value, formatKpi(half, unit));
}

}  // namespace

std::string sweepJson(const SweepGrid& grid, const std::vector<SweepPoint>& points,
                      const SweepInfo& info) {
  const rt::Machine& first = points.front().machine;
  std::vector<KpiDef> defs = firstPointDefinitions(points);
  nlohmann::json j;
  j["schema"] = "journey-sweep/1";
  j["journey"] = first.name;
  j["display"] = first.display;
  j["file"] = info.file;
  j["seed"] = info.seed;
  j["customers"] = info.customers;
  j["currency"] = first.currency;
  j["fixed"] = grid.fixed;
  auto& params = j["params"] = nlohmann::json::array();
  for (const auto& r : grid.ranges)
    params.push_back({{"name", r.name}, {"values", r.values}});
  auto finite = [](double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
  };
  auto& list = j["points"] = nlohmann::json::array();
  for (const auto& point : points) {
    nlohmann::json values = nlohmann::json::object();
    for (std::size_t r = 0; r < grid.ranges.size(); ++r)
      values[grid.ranges[r].name] = point.values[r];
    nlohmann::json kpis = nlohmann::json::array();
    for (const auto& row : sweepRows(point.machine, *point.results, defs)) {
      kpis.push_back({{"group", row.group},
                      {"name", kpiName(row.def->metric, row.def->item)},
                      {"metric", row.def->metric},
                      {"item", row.def->item},
                      {"unit", kpiUnitName(row.def->unit)},
                      {"value", finite(row.value.value)},
                      {"low", finite(row.value.low)},
                      {"high", finite(row.value.high)}});
    }
    list.push_back({{"values", values}, {"kpis", kpis}});
  }
  return j.dump(2) + "\n";
}

std::string sweepCsv(const SweepGrid& grid, const std::vector<SweepPoint>& points) {
  std::vector<KpiDef> defs = firstPointDefinitions(points);
  std::string csv = "point";
  for (const auto& r : grid.ranges)
    csv += "," + csvField(r.name);
  csv += ",group,metric,item,unit,value,low,high\n";
  auto field = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); };
  for (std::size_t k = 0; k < points.size(); ++k) {
    std::string prefix = std::to_string(k + 1);
    for (const auto& v : points[k].values)
      prefix += "," + csvField(v);
    for (const auto& row : sweepRows(points[k].machine, *points[k].results, defs)) {
      csv += fmt::format("{},{},{},{},{},{},{},{}\n", prefix, csvField(row.group), row.def->metric,
                         csvField(row.def->item), kpiUnitName(row.def->unit),
                         field(row.value.value), field(row.value.low), field(row.value.high));
    }
  }
  return csv;
}

std::string sweepText(const SweepGrid& grid, const std::vector<SweepPoint>& points,
                      const std::vector<SweepTableColumn>& columns, const SweepInfo& info) {
  const rt::Machine& first = points.front().machine;
  std::vector<KpiDef> defs = firstPointDefinitions(points);
  double seconds = 0;
  for (const auto& point : points)
    seconds += point.results->seconds;
  std::vector<std::string> swept;
  for (const auto& r : grid.ranges)
    swept.push_back(fmt::format("{} from {} to {} ({} values)", r.name, r.values.front(),
                                r.values.back(), r.values.size()));
  std::string text = fmt::format("Sweep of {}{}: {}\n", first.name,
                                 first.display.empty() ? "" : fmt::format(" \"{}\"", first.display),
                                 fmt::join(swept, " by "));
  text += fmt::format(
      "{} customers at every point, seed {}: the same customers at every value (common random\n"
      "numbers). ({} backend, {:.2f} s)\n",
      groupThousands(info.customers), info.seed, info.backend, seconds);
  if (!grid.fixed.empty()) text += fmt::format("Params set: {}\n", fmt::join(grid.fixed, ", "));
  text += "\n";
  std::vector<std::string> header;
  for (const auto& r : grid.ranges)
    header.push_back(r.name);
  for (const auto& column : columns)
    header.push_back(column.label);
  TextTable table(header, {});
  for (const auto& point : points) {
    auto rows = sweepRows(point.machine, *point.results, defs);
    std::vector<std::string> line = point.values;
    for (const auto& column : columns)
      line.push_back(tableCell(rows[column.row].value, rows[column.row].def->unit));
    table.add(line);
  }
  text += table.render("   ");
  text +=
      "  (± the 95% half-width of each point; days_to_goal_mean over converted customers;\n"
      "   `journey compare` tests the difference between two values on paired customers)\n";
  return text;
}

}  // namespace journey::sim

// `journey analyze`: exact answers for journeys that are continuous-time Markov chains, or the
// constructs that prevent them (simulator/markov.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/load.h"
#include "compiler/driver/machine.h"
#include "runtime/file.h"
#include "runtime/verify.h"
#include "simulator/markov.h"

namespace journey::cli {
namespace {

/// `file:line:column` of the declaration `kind name` (`rule Nurture`) in the compiled sources.
std::string findDeclaration(const Compilation& compilation, const std::string& subject) {
  auto space = subject.find(' ');
  if (space == std::string::npos) return "";
  std::string kind = subject.substr(0, space), name = subject.substr(space + 1);
  ast::DeclKind wanted;
  if (kind == "rule") {
    wanted = ast::DeclKind::Rule;
  } else if (kind == "stage") {
    wanted = ast::DeclKind::Stage;
  } else if (kind == "channel") {
    wanted = ast::DeclKind::Channel;
  } else if (kind == "event") {
    wanted = ast::DeclKind::Event;
  } else {
    return "";
  }
  auto placeOf = [&](const ast::Decl& decl) -> std::string {
    if (decl.kind != wanted) return "";
    const auto& named = static_cast<const ast::NamedDecl&>(decl);
    if (named.name.text != name || !named.name.range.valid()) return "";
    const SourceFile& file = compilation.sources.file(named.name.range.file);
    LineColumn at = file.lineColumn(named.name.range.begin);
    return fmt::format("{}:{}:{}", file.path(), at.line, at.column);
  };
  for (const auto& module : compilation.modules) {
    for (const auto& item : module->items) {
      if (item.decl) {
        if (auto place = placeOf(*item.decl); !place.empty()) return place;
      }
      if (!item.journey) continue;
      for (const auto& decl : item.journey->decls) {
        if (auto place = placeOf(*decl); !place.empty()) return place;
      }
    }
  }
  return "";
}

std::string duration(double seconds) {
  if (std::isinf(seconds)) return "never";
  if (seconds >= 86400) return fmt::format("{:.2f}d", seconds / 86400);
  if (seconds >= 3600) return fmt::format("{:.2f}h", seconds / 3600);
  if (seconds >= 60) return fmt::format("{:.2f}m", seconds / 60);
  return fmt::format("{:.2f}s", seconds);
}

std::string percent(double p) {
  return fmt::format("{:.2f}%", 100 * p);
}

std::string number(double x) {
  if (std::isinf(x)) return "infinite";
  return fmt::format("{:.4f}", x);
}

/// Pads columns: the first left-aligned, the others right-aligned.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = "  ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i == 0) {
        line += fmt::format("{:<{}}", row[i], widths[i]);
      } else {
        line += fmt::format("  {:>{}}", row[i], widths[i]);
      }
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line + "\n";
  }
  return out;
}

/// Milestones by the horizon and retention on the simulation report's grid.
std::string textLifetime(const rt::Machine& m, const sim::MarkovAnswers& a) {
  std::string out;
  std::vector<std::vector<std::string>> milestones{
      {"Milestone", "reached by horizon", "first reached (mean)", "visits by horizon"}};
  for (std::size_t s = 0; s < m.stages.size(); ++s) {
    if (!m.stages[s].milestone || s >= a.milestoneByHorizon.size()) continue;
    milestones.push_back({m.stages[s].name, percent(a.milestoneByHorizon[s]),
                          std::isnan(a.milestoneSecondsByHorizon[s])
                              ? std::string("-")
                              : duration(a.milestoneSecondsByHorizon[s]),
                          number(a.visitsByHorizon[s])});
  }
  if (milestones.size() > 1) out += "\n" + table(milestones);
  std::vector<std::vector<std::string>> retention{{"Retention (not exited)", "share"}};
  for (std::size_t k = 0; k < a.retention.size(); ++k)
    retention.push_back(
        {fmt::format("day {:g}", a.retentionGrid[k] / 86400), percent(a.retention[k])});
  if (retention.size() > 1) out += "\n" + table(retention);
  return out;
}

std::string textAnswers(const rt::Machine& m, const sim::MarkovAnswers& a) {
  std::string currency = m.currency.empty() ? "" : " " + m.currency;
  std::string out;
  std::vector<std::vector<std::string>> rows{{"Outcome", "by horizon", "eventually"}};
  for (std::size_t s = 0; s < m.stages.size(); ++s) {
    const rt::Stage& stage = m.stages[s];
    if (stage.kind == rt::StageKind::Ordinary) continue;
    rows.push_back(
        {fmt::format("{} ({})", stage.name, stage.kind == rt::StageKind::Goal ? "goal" : "exit"),
         percent(a.endedAtHorizon[s]), percent(a.endedEventually[s])});
  }
  for (std::size_t s = 0; s < m.stages.size(); ++s) {
    const rt::Stage& stage = m.stages[s];
    if (stage.kind != rt::StageKind::Ordinary || a.endedAtHorizon[s] <= 1e-9) continue;
    rows.push_back(
        {fmt::format("in progress in {}", stage.name), percent(a.endedAtHorizon[s]), "-"});
  }
  if (a.neverFinishes > 0) rows.push_back({"never finishes", "-", percent(a.neverFinishes)});
  if (a.unroutedAtEntry > 0)
    rows.push_back({"unrouted at entry", percent(a.unroutedAtEntry), percent(a.unroutedAtEntry)});
  rows.push_back(
      {"conversion (any goal)", percent(a.conversionByHorizon), percent(a.conversionEventually)});
  rows.push_back(
      {"time in journey (mean)", duration(a.timeInJourneyByHorizon), duration(a.timeToFinish)});
  auto optional = [](const std::optional<double>& x) {
    return x ? (std::isinf(*x) ? std::string("infinite") : fmt::format("{:.2f}", *x))
             : std::string("n/a");
  };
  rows.push_back({fmt::format("cost per customer{}", currency), optional(a.costByHorizon),
                  optional(a.costEventually)});
  rows.push_back(
      {"emotion at the end (mean)", optional(a.emotionByHorizon), optional(a.emotionEventually)});
  bool values = m.lifetime;
  for (const auto& stage : m.stages)
    values = values || stage.value != rt::kNone;
  if (values) {
    rows.push_back({fmt::format("value per customer{}", currency), optional(a.valueByHorizon),
                    optional(a.valueEventually)});
  }
  if (m.lifetime) {
    rows.push_back({fmt::format("lifetime value per customer{}", currency),
                    optional(a.lifetimeValueByHorizon), "-"});
  }
  out += table(rows);
  for (const auto& reason : a.notExact)
    out += fmt::format("  n/a: {}\n", reason);

  std::vector<std::vector<std::string>> stages{
      {"Stage", "visits by horizon", "eventually", "time by horizon", "eventually"}};
  for (std::size_t s = 0; s < m.stages.size(); ++s) {
    const rt::Stage& stage = m.stages[s];
    bool ordinary = stage.kind == rt::StageKind::Ordinary;
    stages.push_back({stage.name, number(a.visitsByHorizon[s]), number(a.visitsEventually[s]),
                      ordinary ? duration(a.timeInStageByHorizon[s]) : "-",
                      ordinary ? duration(a.timeInStageEventually[s]) : "-"});
  }
  out += "\n" + table(stages);
  if (m.lifetime) out += textLifetime(m, a);
  return out;
}

nlohmann::json jsonNumber(double x) {
  if (std::isinf(x)) return nullptr;  // infinite: see the schema note in docs/analyze.md
  return x;
}

nlohmann::json jsonAnswers(const rt::Machine& m, const sim::MarkovAnswers& a) {
  nlohmann::json j;
  if (!a.persona.empty()) {
    j["persona"] = a.persona;
    j["share"] = a.share;
  }
  j["unrouted_at_entry"] = a.unroutedAtEntry;
  j["conversion"] = {{"by_horizon", a.conversionByHorizon}, {"eventually", a.conversionEventually}};
  j["never_finishes"] = a.neverFinishes;
  j["time_to_finish_seconds"] = jsonNumber(a.timeToFinish);
  j["time_in_journey_by_horizon_seconds"] = a.timeInJourneyByHorizon;
  auto optional = [](const std::optional<double>& x) -> nlohmann::json {
    if (!x) return nullptr;
    return jsonNumber(*x);
  };
  j["cost"] = {{"by_horizon", optional(a.costByHorizon)},
               {"eventually", optional(a.costEventually)}};
  j["emotion"] = {{"by_horizon", optional(a.emotionByHorizon)},
                  {"eventually", optional(a.emotionEventually)}};
  j["value"] = {{"by_horizon", optional(a.valueByHorizon)},
                {"eventually", optional(a.valueEventually)}};
  j["not_exact"] = a.notExact;
  if (m.lifetime) {
    j["lifetime_value"] = {{"by_horizon", optional(a.lifetimeValueByHorizon)}};
    nlohmann::json milestones = nlohmann::json::array();
    for (std::size_t s = 0; s < m.stages.size() && s < a.milestoneByHorizon.size(); ++s) {
      if (!m.stages[s].milestone) continue;
      double seconds = a.milestoneSecondsByHorizon[s];
      milestones.push_back(
          {{"stage", m.stages[s].name},
           {"reached_by_horizon", a.milestoneByHorizon[s]},
           {"first_reached_seconds",
            std::isnan(seconds) ? nlohmann::json(nullptr) : nlohmann::json(seconds)}});
    }
    j["milestones"] = std::move(milestones);
    nlohmann::json retention = nlohmann::json::array();
    for (std::size_t k = 0; k < a.retention.size(); ++k)
      retention.push_back({{"seconds", a.retentionGrid[k]}, {"active", a.retention[k]}});
    j["retention"] = std::move(retention);
  }
  nlohmann::json stages = nlohmann::json::array();
  for (std::size_t s = 0; s < m.stages.size(); ++s) {
    const rt::Stage& stage = m.stages[s];
    const char* kind = stage.kind == rt::StageKind::Goal   ? "goal"
                       : stage.kind == rt::StageKind::Exit ? "exit"
                                                           : "stage";
    nlohmann::json row{{"name", stage.name},
                       {"kind", kind},
                       {"visits",
                        {{"by_horizon", jsonNumber(a.visitsByHorizon[s])},
                         {"eventually", jsonNumber(a.visitsEventually[s])}}}};
    if (stage.kind == rt::StageKind::Ordinary) {
      row["in_progress_at_horizon"] = a.endedAtHorizon[s];
      row["time_in_stage_seconds"] = {{"by_horizon", a.timeInStageByHorizon[s]},
                                      {"eventually", jsonNumber(a.timeInStageEventually[s])}};
    } else {
      row["finished_here"] = {{"by_horizon", a.endedAtHorizon[s]},
                              {"eventually", a.endedEventually[s]}};
    }
    stages.push_back(std::move(row));
  }
  j["stages"] = std::move(stages);
  return j;
}

}  // namespace

int runAnalyze(const AnalyzeOptions& options) {
  std::unique_ptr<Compilation> compilation;
  LoadOptions load;
  load.overrides = options.overrides;
  load.color = options.color;
  load.purpose = "be analysed";
  load.compilation = &compilation;
  int exitCode = kExitOk;
  std::optional<rt::Machine> machine = loadMachine(options.file, load, exitCode);
  if (!machine) return exitCode;

  sim::MarkovAnalysis analysis = sim::analyzeMarkov(*machine);
  for (auto& obstacle : analysis.obstacles) {
    if (obstacle.place.empty() && compilation)
      obstacle.place = findDeclaration(*compilation, obstacle.subject);
  }
  // In source order; obstacles without a place last.
  auto key = [](const std::string& place) {
    auto last = place.rfind(':');
    auto middle = last == std::string::npos ? last : place.rfind(':', last - 1);
    if (middle == std::string::npos) return std::make_tuple(place.empty() ? 1 : 0, place, 0, 0);
    return std::make_tuple(0, place.substr(0, middle),
                           std::atoi(place.substr(middle + 1, last - middle - 1).c_str()),
                           std::atoi(place.substr(last + 1).c_str()));
  };
  std::stable_sort(analysis.obstacles.begin(), analysis.obstacles.end(),
                   [&](const sim::MarkovObstacle& a, const sim::MarkovObstacle& b) {
                     return key(a.place) < key(b.place);
                   });
  const rt::Machine& m = *machine;
  std::string title = m.display.empty() ? m.name : fmt::format("{} \"{}\"", m.name, m.display);

  if (options.format == "json") {
    nlohmann::json j;
    j["journey"] = m.name;
    j["horizon_seconds"] = m.horizon;
    j["exact"] = analysis.exact();
    if (!analysis.exact()) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& o : analysis.obstacles) {
        list.push_back({{"code", o.code},
                        {"message", o.message},
                        {"place", o.place},
                        {"subject", o.subject},
                        {"personas", o.personas}});
      }
      j["obstacles"] = std::move(list);
      j["suggestion"] = fmt::format("journey simulate {}", options.file);
    } else {
      j["overall"] = jsonAnswers(m, analysis.overall);
      nlohmann::json personas = nlohmann::json::array();
      for (const auto& a : analysis.personas)
        personas.push_back(jsonAnswers(m, a));
      j["personas"] = std::move(personas);
    }
    std::cout << j.dump(2) << "\n";
    return analysis.exact() ? kExitOk : kExitProblems;
  }

  if (!analysis.exact()) {
    std::cout << fmt::format(
        "{} is not a continuous-time Markov chain: no exact answer. What prevents it:\n", title);
    for (const auto& o : analysis.obstacles) {
      std::string personas;
      if (!o.personas.empty() && o.personas.size() < m.personas.size())
        personas = fmt::format(" (for {})", fmt::join(o.personas, ", "));
      std::cout << fmt::format("  {}: {}: {}{}\n", o.place.empty() ? o.subject : o.place, o.code,
                               o.message, personas);
    }
    std::cout << fmt::format(
        "Estimate it instead, with confidence intervals: journey simulate {}\n", options.file);
    return kExitProblems;
  }

  std::cout << fmt::format(
      "{}: a continuous-time Markov chain. Exact answers per customer, by "
      "the horizon ({}) and eventually.\n\n",
      title, duration(m.horizon));
  if (m.personas.size() > 1) std::cout << "All personas\n";
  std::cout << textAnswers(m, analysis.overall);
  if (m.personas.size() > 1) {
    for (const auto& a : analysis.personas) {
      std::cout << fmt::format("\nPersona {} ({} of customers)\n", a.persona, percent(a.share));
      std::cout << textAnswers(m, a);
    }
  }
  return kExitOk;
}

}  // namespace journey::cli

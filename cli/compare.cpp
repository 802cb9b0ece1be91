// `journey compare OLD NEW`: two versions of a journey on the same synthetic customers, with
// the difference of every KPI, its 95% interval from the paired customers, and KPI gates.
#include "simulator/compare.h"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/load.h"
#include "cli/report.h"
#include "cli/run.h"
#include "simulator/compare_report.h"

namespace journey::cli {
namespace {

// `--rename` into the matching options; false with the problem on stderr.
bool readRenames(const CompareOptions& options, sim::MatchOptions& matchOptions) {
  matchOptions.guessRenames = !options.exactNames;
  for (const auto& text : options.renames) {
    std::string error;
    auto rename = sim::parseRename(text, error);
    if (!rename) {
      std::cerr << "error: " << error << "\n";
      return false;
    }
    matchOptions.renames.push_back(*rename);
  }
  return true;
}

// One version: `--set`, then its own `--old-set` or `--new-set`. The compilation is kept for
// the page's map.
std::optional<rt::Machine> loadVersion(const std::string& file, const RunOptions& run,
                                       const std::vector<std::string>& ownOverrides,
                                       std::unique_ptr<Compilation>& compilation, int& exitCode) {
  LoadOptions load;
  load.overrides = run.overrides;
  load.overrides.insert(load.overrides.end(), ownOverrides.begin(), ownOverrides.end());
  load.color = run.color;
  if (run.format == "html") load.compilation = &compilation;
  return loadMachine(file, load, exitCode);
}

}  // namespace

int runCompare(const CompareOptions& options) {
  const RunOptions& run = options.run;
  // Gates and renames are checked first: a typo must not cost a simulation.
  if (run.format == "html" && !htmlDestinationOk(run.output)) return kExitUsage;
  sim::MatchOptions matchOptions;
  if (!readRenames(options, matchOptions)) return kExitUsage;

  int exitCode = kExitOk;
  std::unique_ptr<Compilation> oldCompilation, newCompilation;
  auto oldMachine =
      loadVersion(options.oldFile, run, options.oldOverrides, oldCompilation, exitCode);
  if (!oldMachine) return exitCode;
  auto newMachine =
      loadVersion(options.newFile, run, options.newOverrides, newCompilation, exitCode);
  if (!newMachine) return exitCode;
  // Gates may name the KPIs either version declares: read once both are loaded.
  std::vector<sim::DeclaredMetric> declared = sim::declaredMetrics(*oldMachine);
  for (auto& metric : sim::declaredMetrics(*newMachine))
    declared.push_back(std::move(metric));
  std::vector<sim::Gate> gates;
  if (!parseGates(run.failIf, true, gates, declared)) return kExitUsage;

  std::string error;
  auto matching = sim::matchMachines(*oldMachine, *newMachine, matchOptions, error);
  if (!matching) {
    std::cerr << "error: " << error << "\n";
    return kExitUsage;
  }

  auto oldBackend = buildBackend(run.backend, *oldMachine);
  if (!oldBackend) return kExitProblems;
  auto newBackend = buildBackend(run.backend, *newMachine);
  if (!newBackend) return kExitProblems;
  rt::Program oldProgram(*oldMachine, oldBackend->get());
  rt::Program newProgram(*newMachine, newBackend->get());

  if (!gates.empty()) {
    // One customer gives the comparison's shape: the gates' KPIs must be in it.
    sim::CompareOptions shapeRun;
    shapeRun.customers = 1;
    shapeRun.threads = 1;
    shapeRun.seed = run.seed;
    shapeRun.maxSteps = run.maxSteps;
    sim::Comparison shape = sim::compare(oldProgram, newProgram, *matching, shapeRun);
    for (const auto& gate : gates) {
      if (sim::resolveCompareGate(gate, shape, *oldMachine, *newMachine, error) == nullptr) {
        reportUnresolvedGate(gate, error);
        return kExitUsage;
      }
    }
  }

  ProgressBar progress(run.progress);
  sim::CompareOptions comparisonRun = comparisonOptions(run, progress);
  std::optional<InterruptScope> catchInterrupt(std::in_place);
  sim::Comparison comparison = sim::compare(oldProgram, newProgram, *matching, comparisonRun);
  catchInterrupt.reset();
  progress.clear();

  sim::CompareInfo info;
  info.oldFile = options.oldFile;
  info.newFile = options.newFile;
  info.backend = run.backend;
  info.seed = run.seed;
  info.threads = threadCount(run.threads);
  std::string report;
  if (run.format == "json") {
    report = sim::compareJson(*oldMachine, *newMachine, *matching, comparison, info).dump(2) + "\n";
  } else if (run.format == "html") {
    report = htmlComparisonPage(
        {options.oldFile, *oldMachine, oldCompilation.get()},
        {options.newFile, *newMachine, newCompilation.get()},
        sim::compareJson(*oldMachine, *newMachine, *matching, comparison, info).dump(2) + "\n");
  } else if (run.format == "csv") {
    report = sim::compareCsv(comparison);
  } else {
    report = sim::compareText(*oldMachine, *newMachine, *matching, comparison, info);
  }
  if (!writeReport(run.output, report)) return kExitUsage;
  if (comparison.interrupted) {
    std::cerr << "interrupted: the report covers the customers simulated so far\n";
    return kExitInterrupted;
  }
  return reportVerdicts(gates, sim::judgeCompareGates(gates, comparison, *oldMachine, *newMachine))
             ? kExitOk
             : kExitProblems;
}

}  // namespace journey::cli

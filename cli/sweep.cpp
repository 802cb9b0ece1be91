// `journey sweep FILE --set NAME=FROM..TO:STEP [--set NAME2=FROM..TO:STEP]`: the grid and the
// KPI columns read (simulator/sweep.h), the spec compiled once and lowered at every point, the
// points run by the simulator on the same customers, the report written.
#include "simulator/sweep.h"

#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/load.h"
#include "cli/run.h"
#include "compiler/driver/machine.h"
#include "runtime/file.h"

namespace journey::cli {
namespace {

// The `--kpi` columns; nullopt with the problem on stderr.
std::optional<std::vector<sim::SweepColumn>> readColumns(const std::vector<std::string>& kpis) {
  std::vector<sim::SweepColumn> columns;
  for (const auto& text : kpis) {
    std::string error;
    auto column = sim::parseSweepColumn(text, error);
    if (!column) {
      std::cerr << "error: " << error << "\n";
      return std::nullopt;
    }
    columns.push_back(*column);
  }
  return columns;
}

// The machine of every point, from one compilation of the spec; nullopt with the problems on
// stderr and `exitCode` set.
std::optional<std::vector<sim::SweepPoint>> lowerPoints(const SweepOptions& options,
                                                        const sim::SweepGrid& grid, int& exitCode) {
  DiskFileReader disk;
  std::string readError;
  auto bytes = disk.read(options.file, readError);
  if (bytes && rt::looksLikeMachine(*bytes)) {
    std::cerr << fmt::format(
        "error: {}: sweep needs the spec: a `.jm` file has its params folded in already\n",
        options.file);
    exitCode = kExitUsage;
    return std::nullopt;
  }
  auto compilation = compile(options.file, disk);
  if (compilation->rootUnreadable) {
    printDiagnostics(*compilation, options.run.color);
    exitCode = kExitUsage;
    return std::nullopt;
  }
  exitCode = kExitProblems;
  std::vector<sim::SweepPoint> points;
  for (std::size_t k = 0; k < grid.size(); ++k) {
    auto machine = buildMachine(*compilation, grid.overrides(k));
    if (!machine) {
      printDiagnostics(*compilation, options.run.color);
      if (compilation->diagnostics.hasErrors() && k == 0)
        std::cerr << fmt::format("error: {} cannot be swept: fix the errors above\n", options.file);
      return std::nullopt;
    }
    if (!compiledMachineIsWellFormed(*machine)) return std::nullopt;
    points.push_back({grid.values(k), std::move(*machine), nullptr});
  }
  printDiagnostics(*compilation, options.run.color);
  exitCode = kExitOk;
  return points;
}

}  // namespace

int runSweep(const SweepOptions& options) {
  const RunOptions& run = options.run;
  std::vector<std::string> notes;
  std::string error;
  auto grid = sim::parseSweepGrid(run.overrides, notes, error);
  for (const auto& note : notes)
    std::cerr << "note: " << note << "\n";
  if (!grid) {
    std::cerr << "error: " << error << "\n";
    return kExitUsage;
  }
  auto columns = readColumns(options.kpis);
  if (!columns) return kExitUsage;

  int exitCode = kExitOk;
  auto points = lowerPoints(options, *grid, exitCode);
  if (!points) return exitCode;
  auto table = sim::resolveSweepColumns(points->front().machine, *columns, error);
  if (!table) {
    std::cerr << "error: " << error << "\n";
    return kExitUsage;
  }

  ProgressBar progress(run.progress);
  sim::SweepOptions sweep;
  sweep.run = simulationOptions(run, progress);
  sweep.compile = [&run](const rt::Machine& machine) { return buildBackend(run.backend, machine); };
  std::optional<InterruptScope> catchInterrupt(std::in_place);
  sim::SweepOutcome outcome = sim::runSweep(*points, sweep);
  catchInterrupt.reset();
  progress.clear();
  if (outcome == sim::SweepOutcome::NotCompiled) return kExitProblems;
  if (outcome == sim::SweepOutcome::Interrupted) {
    std::cerr << "interrupted: no report\n";
    return kExitInterrupted;
  }

  sim::SweepInfo info{options.file, run.backend, run.seed, run.customers};
  std::string report;
  if (run.format == "json") {
    report = sim::sweepJson(*grid, *points, info);
  } else if (run.format == "csv") {
    report = sim::sweepCsv(*grid, *points);
  } else {
    report = sim::sweepText(*grid, *points, *table, info);
  }
  if (!writeReport(run.output, report)) return kExitUsage;
  return kExitOk;
}

}  // namespace journey::cli

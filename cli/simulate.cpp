// `journey simulate`: a spec (or a `.jm` file) to a machine, the machine through the simulator,
// the results to a report and the gates' verdicts to the exit code.
#include "simulator/simulate.h"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "cli/load.h"
#include "cli/report.h"
#include "cli/run.h"
#include "simulator/report.h"

namespace journey::cli {

int runSimulate(const SimulateOptions& options) {
  const RunOptions& run = options.run;
  if (run.format == "html" && !htmlDestinationOk(run.output)) return kExitUsage;
  int exitCode = kExitOk;
  std::unique_ptr<Compilation> compilation;
  LoadOptions load;
  load.overrides = run.overrides;
  load.color = run.color;
  // The page draws the map from the compilation the machine came from.
  if (run.format == "html") load.compilation = &compilation;
  auto machine = loadMachine(options.file, load, exitCode);
  if (!machine) return exitCode;
  // Gates may name the KPIs the journey declares: read once it is loaded.
  std::vector<sim::Gate> gates;
  if (!parseGates(run.failIf, false, gates, sim::declaredMetrics(*machine))) return kExitUsage;
  auto backend = buildBackend(run.backend, *machine);
  if (!backend) return kExitProblems;
  rt::Program program(*machine, backend->get());
  // Gates are checked before the run, so that a typo does not cost a simulation.
  std::vector<sim::GateTarget> gateTargets;
  for (const auto& gate : gates) {
    std::string error;
    auto target = sim::resolveGate(gate, *machine, error);
    if (!target) {
      reportUnresolvedGate(gate, error);
      return kExitUsage;
    }
    gateTargets.push_back(*target);
  }

  ProgressBar progress(run.progress);
  sim::Options simulation = simulationOptions(run, progress);
  simulation.untilPrecision = options.untilPrecision;
  simulation.maxCustomers = options.maxCustomers;
  // The page's Sankey diagram needs the moves between stages; JSON has them when asked for, as
  // counting them costs run time.
  simulation.flows = options.flows || run.format == "html";
  std::optional<InterruptScope> catchInterrupt(std::in_place);
  sim::Results results = sim::simulate(program, simulation);
  catchInterrupt.reset();
  progress.clear();

  sim::RunInfo info;
  info.backend = run.backend;
  info.seed = run.seed;
  info.threads = threadCount(run.threads);
  std::string report;
  if (run.format == "json") {
    report = sim::jsonReport(*machine, results, info).dump(2) + "\n";
  } else if (run.format == "html") {
    report = htmlSimulationPage({options.file, *machine, compilation.get()},
                                sim::jsonReport(*machine, results, info).dump(2) + "\n");
  } else if (run.format == "csv") {
    report = sim::csvReport(*machine, results, info);
  } else {
    report = sim::textReport(*machine, results, info);
  }
  if (!writeReport(run.output, report)) return kExitUsage;
  if (results.interrupted) {
    std::cerr << "interrupted: the report covers the customers simulated so far\n";
    return kExitInterrupted;
  }
  return reportVerdicts(gates, sim::judgeGates(gates, gateTargets, *machine, results))
             ? kExitOk
             : kExitProblems;
}

}  // namespace journey::cli

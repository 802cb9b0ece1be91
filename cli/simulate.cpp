// `journey build`, `journey simulate` and `journey dump --stage=machine|llvm`: from a spec (or a
// `.jm` file) to a machine, and from a machine to a report.
#include "simulator/simulate.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/load.h"
#include "cli/report.h"
#include "cli/run.h"
#include "compiler/driver/machine.h"
#include "runtime/file.h"
#include "runtime/jit/jit.h"
#include "runtime/print.h"
#include "runtime/verify.h"
#include "simulator/report.h"

namespace journey::cli {

int runBuild(const BuildOptions& options) {
  int exitCode = kExitOk;
  auto machine = loadMachine(options.file, options.overrides, options.color, exitCode);
  if (!machine) return exitCode;
  std::string output = options.output;
  if (output.empty()) {
    output = options.file;
    auto dot = output.rfind(".journey");
    if (dot != std::string::npos && dot + 8 == output.size()) output.resize(dot);
    output += ".jm";
  }
  std::string error;
  if (!writeFileAtomically(output, rt::serialize(*machine), error)) {
    std::cerr << fmt::format("error: {}: cannot write: {}\n", output, error);
    return kExitUsage;
  }
  return kExitOk;
}

int runDumpMachine(const DumpOptions& options) {
  int exitCode = kExitOk;
  auto machine = loadMachine(options.file, options.overrides, options.color, exitCode);
  if (!machine) return exitCode;
  std::cout << rt::print(*machine);
  return kExitOk;
}

int runDumpLlvm(const DumpOptions& options) {
  int exitCode = kExitOk;
  auto machine = loadMachine(options.file, options.overrides, options.color, exitCode);
  if (!machine) return exitCode;
  auto backend = compileJit(*machine, true);
  if (!backend) return kExitProblems;
  std::cout << backend->ir();
  return kExitOk;
}

int runSimulate(const SimulateOptions& options) {
  std::vector<sim::Gate> gates;
  if (!parseGates(options.failIf, false, gates)) return kExitUsage;
  if (options.format == "html" && !htmlDestinationOk(options.output)) return kExitUsage;
  int exitCode = kExitOk;
  auto machine = loadMachine(options.file, options.overrides, options.color, exitCode);
  if (!machine) return exitCode;
  std::unique_ptr<rt::jit::JitBackend> jit;
  if (options.backend == "jit") {
    jit = compileJit(*machine, false);
    if (!jit) return kExitProblems;
  } else if (options.backend != "interpreter") {
    std::cerr << fmt::format("error: there is no `{}` backend\n", options.backend);
    return kExitUsage;
  }
  rt::Program program(*machine, jit ? jit->functions() : nullptr);
  // Gates are checked before the run, so that a typo does not cost a simulation.
  std::vector<GateTarget> gateTargets;
  for (const auto& gate : gates) {
    std::string error;
    auto target = resolveGate(gate, *machine, error);
    if (!target) {
      std::cerr << fmt::format("error: --fail-if '{}': {}\n", gate.text, error);
      return kExitUsage;
    }
    gateTargets.push_back(*target);
  }

  sim::Options run;
  run.customers = options.customers;
  run.seed = options.seed;
  run.threads = options.threads;
  run.untilPrecision = options.untilPrecision;
  run.maxCustomers = options.maxCustomers;
  run.maxSteps = options.maxSteps;
  run.stop = &interrupted;
  // The page's Sankey diagram needs the moves between stages; JSON has them when asked for, as
  // counting them costs run time.
  run.flows = options.flows || options.format == "html";
  ProgressBar progress(options.progress && isatty(STDERR_FILENO) != 0);
  run.progress = [&progress](std::uint64_t done, std::uint64_t target) {
    progress.update(done, target);
  };

  std::optional<InterruptScope> catchInterrupt(std::in_place);
  sim::Results results = sim::simulate(program, run);
  catchInterrupt.reset();
  progress.clear();

  sim::RunInfo info;
  info.backend = options.backend;
  info.seed = options.seed;
  info.threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::string report;
  if (options.format == "json") {
    report = sim::jsonReport(*machine, results, info).dump(2) + "\n";
  } else if (options.format == "html") {
    report = htmlSimulationPage(options, *machine,
                                sim::jsonReport(*machine, results, info).dump(2) + "\n");
  } else if (options.format == "csv") {
    report = sim::csvReport(*machine, results, info);
  } else {
    report = sim::textReport(*machine, results, info);
  }
  if (options.output.empty()) {
    std::cout << report << std::flush;
  } else {
    std::string error;
    if (!writeFileAtomically(options.output, report, error)) {
      std::cerr << fmt::format("error: {}: cannot write: {}\n", options.output, error);
      return kExitUsage;
    }
  }
  if (results.interrupted)
    std::cerr << "interrupted: the report covers the customers simulated so far\n";
  if (results.interrupted) return 130;
  std::vector<sim::GateVerdict> verdicts;
  for (std::size_t g = 0; g < gates.size(); ++g) {
    const GateTarget& target = gateTargets[g];
    sim::Tally tally = target.persona < 0
                           ? results.overall()
                           : results.personas[static_cast<std::size_t>(target.persona)];
    verdicts.push_back(sim::judgeValue(gates[g], sim::kpiValue(*machine, tally, target.kpi)));
  }
  return reportVerdicts(gates, verdicts) ? kExitOk : kExitProblems;
}

}  // namespace journey::cli

// `journey compare OLD NEW`: two versions of a journey on the same synthetic customers, with
// the difference of every KPI, its 95% interval from the paired customers, and KPI gates.
#include "simulator/compare.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/load.h"
#include "cli/report.h"
#include "cli/run.h"
#include "simulator/compare_report.h"

namespace journey::cli {
namespace {

/// The KPI a compare gate reads, or a message.
const sim::ComparedKpi* findGateKpi(const sim::Gate& gate, const sim::Comparison& comparison,
                                    const rt::Machine& oldMachine, const rt::Machine& newMachine,
                                    std::string& error) {
  const sim::ComparedGroup* group = nullptr;
  std::vector<std::string> groups;
  for (const auto& g : comparison.groups) {
    groups.push_back(g.name);
    if (g.name == gate.group) group = &g;
  }
  if (group == nullptr) {
    error = fmt::format("there is no persona `{}` in both versions (groups: {})", gate.group,
                        fmt::join(groups, ", "));
    return nullptr;
  }
  bool readsOld = gate.scope == sim::GateScope::Old;
  const rt::Machine& machine = readsOld ? oldMachine : newMachine;
  if (!gate.currency.empty() && gate.currency != machine.currency) {
    error = fmt::format("the journey's money is in {}, not {}",
                        machine.currency.empty() ? "no currency" : machine.currency, gate.currency);
    return nullptr;
  }
  std::vector<std::string> items;
  for (const auto& k : group->kpis) {
    if (k.metric != gate.metric) continue;
    const std::string& item = readsOld ? k.oldItem : k.newItem;
    bool present = readsOld ? k.inOld : k.inNew;
    if (present) items.push_back(item);
    if (!(present && item == gate.item) &&
        !(gate.scope == sim::GateScope::Delta && k.item == gate.item))
      continue;
    if (!gate.stageKind.empty()) {
      bool found = false;
      for (const auto& stage : machine.stages) {
        if (stage.name != gate.item) continue;
        found = (gate.stageKind == "goal" && stage.kind == rt::StageKind::Goal) ||
                (gate.stageKind == "exit" && stage.kind == rt::StageKind::Exit);
      }
      if (!found) {
        error = fmt::format("`{}` is not {} {}", gate.item, gate.stageKind == "goal" ? "a" : "an",
                            gate.stageKind);
        return nullptr;
      }
    }
    if (gate.scope == sim::GateScope::Delta && !(k.inOld && k.inNew)) {
      error = fmt::format(
          "`{}` is only in the {} version, so it has no difference; `{}({})` reads "
          "it",
          sim::kpiName(k.metric, k.item), k.inOld ? "old" : "new", k.inOld ? "old" : "new",
          sim::kpiName(k.metric, k.item));
      return nullptr;
    }
    return &k;
  }
  if (items.empty()) {
    error = fmt::format("the {} version has no `{}`", readsOld ? "old" : "new", gate.metric);
  } else {
    error = fmt::format("there is no `{}({})` in the {} version; its items are {}", gate.metric,
                        gate.item, readsOld ? "old" : "new", fmt::join(items, ", "));
  }
  return nullptr;
}

}  // namespace

int runCompare(const CompareOptions& options) {
  // Gates and renames are checked first: a typo must not cost a simulation.
  std::vector<sim::Gate> gates;
  if (!parseGates(options.failIf, true, gates)) return kExitUsage;
  if (options.format == "html" && !htmlDestinationOk(options.output)) return kExitUsage;
  sim::MatchOptions matchOptions;
  matchOptions.guessRenames = !options.exactNames;
  for (const auto& text : options.renames) {
    std::string error;
    auto rename = sim::parseRename(text, error);
    if (!rename) {
      std::cerr << "error: " << error << "\n";
      return kExitUsage;
    }
    matchOptions.renames.push_back(*rename);
  }

  int exitCode = kExitOk;
  std::vector<std::string> oldOverrides = options.overrides, newOverrides = options.overrides;
  oldOverrides.insert(oldOverrides.end(), options.oldOverrides.begin(), options.oldOverrides.end());
  newOverrides.insert(newOverrides.end(), options.newOverrides.begin(), options.newOverrides.end());
  auto oldMachine = loadMachine(options.oldFile, oldOverrides, options.color, exitCode);
  if (!oldMachine) return exitCode;
  auto newMachine = loadMachine(options.newFile, newOverrides, options.color, exitCode);
  if (!newMachine) return exitCode;

  std::string error;
  auto matching = sim::matchMachines(*oldMachine, *newMachine, matchOptions, error);
  if (!matching) {
    std::cerr << "error: " << error << "\n";
    return kExitUsage;
  }

  std::unique_ptr<rt::jit::JitBackend> oldJit, newJit;
  if (options.backend == "jit") {
    oldJit = compileJit(*oldMachine, false);
    if (!oldJit) return kExitProblems;
    newJit = compileJit(*newMachine, false);
    if (!newJit) return kExitProblems;
  } else if (options.backend != "interpreter") {
    std::cerr << fmt::format("error: there is no `{}` backend\n", options.backend);
    return kExitUsage;
  }
  rt::Program oldProgram(*oldMachine, oldJit ? oldJit->functions() : nullptr);
  rt::Program newProgram(*newMachine, newJit ? newJit->functions() : nullptr);

  sim::CompareOptions run;
  run.seed = options.seed;
  run.maxSteps = options.maxSteps;
  if (!gates.empty()) {
    // One customer gives the comparison's shape: the gates' KPIs must be in it.
    run.customers = 1;
    run.threads = 1;
    sim::Comparison shape = sim::compare(oldProgram, newProgram, *matching, run);
    for (const auto& gate : gates) {
      if (findGateKpi(gate, shape, *oldMachine, *newMachine, error) == nullptr) {
        std::cerr << fmt::format("error: --fail-if '{}': {}\n", gate.text, error);
        return kExitUsage;
      }
    }
  }

  run.customers = options.customers;
  run.threads = options.threads;
  run.stop = &interrupted;
  ProgressBar progress(options.progress && isatty(STDERR_FILENO) != 0);
  run.progress = [&progress](std::uint64_t done, std::uint64_t target) {
    progress.update(done, target);
  };
  std::optional<InterruptScope> catchInterrupt(std::in_place);
  sim::Comparison comparison = sim::compare(oldProgram, newProgram, *matching, run);
  catchInterrupt.reset();
  progress.clear();

  sim::CompareInfo info;
  info.oldFile = options.oldFile;
  info.newFile = options.newFile;
  info.backend = options.backend;
  info.seed = options.seed;
  info.threads = threadCount(options.threads);
  std::string report;
  if (options.format == "json") {
    report = sim::compareJson(*oldMachine, *newMachine, *matching, comparison, info).dump(2) + "\n";
  } else if (options.format == "html") {
    report = htmlComparisonPage(
        options, *oldMachine, *newMachine,
        sim::compareJson(*oldMachine, *newMachine, *matching, comparison, info).dump(2) + "\n");
  } else if (options.format == "csv") {
    report = sim::compareCsv(comparison);
  } else {
    report = sim::compareText(*oldMachine, *newMachine, *matching, comparison, info);
  }
  if (!writeReport(options.output, report)) return kExitUsage;
  if (comparison.interrupted) {
    std::cerr << "interrupted: the report covers the customers simulated so far\n";
    return 130;
  }

  std::vector<sim::GateVerdict> verdicts;
  for (const auto& gate : gates) {
    const sim::ComparedKpi* kpi = findGateKpi(gate, comparison, *oldMachine, *newMachine, error);
    switch (gate.scope) {
      case sim::GateScope::Delta:
        verdicts.push_back(sim::judgeDelta(gate, kpi->delta));
        break;
      case sim::GateScope::Old:
        verdicts.push_back(sim::judgeValue(gate, kpi->oldValue));
        break;
      default:
        verdicts.push_back(sim::judgeValue(gate, kpi->newValue));
        break;
    }
  }
  return reportVerdicts(gates, verdicts) ? kExitOk : kExitProblems;
}

}  // namespace journey::cli

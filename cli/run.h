// What the commands that run simulations share (simulate, compare, sweep): the backend, the
// simulator's options, the progress bar, Ctrl-C, and printing gates' problems and verdicts.
#pragma once

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "runtime/jit/jit.h"
#include "runtime/machine.h"
#include "simulator/compare.h"
#include "simulator/gates.h"
#include "simulator/kpis.h"
#include "simulator/simulate.h"
#include "simulator/sweep.h"

namespace journey::cli {

/// The JIT-compiled expressions of `machine`, or null with the reason on stderr.
std::unique_ptr<rt::jit::JitBackend> compileJit(const rt::Machine& machine, bool keepIr);

/// `--backend` for one machine: the expressions compiled by the JIT, or none for the
/// interpreter. nullopt when the JIT cannot compile them (the reason on stderr).
std::optional<sim::CompiledExprs> buildBackend(const std::string& backend,
                                               const rt::Machine& machine);

/// Set by SIGINT while an `InterruptScope` is alive.
extern std::atomic<bool> interrupted;

/// Catches Ctrl-C for its lifetime: the run stops after the chunks in progress.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  void (*previous_)(int);
};

/// A progress line on stderr: bar, customers, rate and time left.
class ProgressBar {
 public:
  /// Shown only when `wanted` and stderr is a terminal.
  explicit ProgressBar(bool wanted);
  void update(std::uint64_t done, std::uint64_t target);
  void clear();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool shown_ = false;
  Clock::time_point started_, last_;
};

/// The simulator's options from the run options: customers, seed, threads, step limit, Ctrl-C
/// (`interrupted`) and `progress`.
sim::Options simulationOptions(const RunOptions& run, ProgressBar& progress);
/// The same for a comparison.
sim::CompareOptions comparisonOptions(const RunOptions& run, ProgressBar& progress);

/// Threads to use: the option, or one per core.
unsigned threadCount(unsigned option);

/// The report to stdout, or atomically to `output`; false (with a message) when it cannot.
bool writeReport(const std::string& output, const std::string& report);

/// Parses every `--fail-if`; on a malformed one, prints where and returns false.
/// `declared`: the KPIs the journeys declare (known once they are loaded).
bool parseGates(const std::vector<std::string>& texts, bool compare, std::vector<sim::Gate>& gates,
                const std::vector<sim::DeclaredMetric>& declared = {});

/// Prints `error: --fail-if 'GATE': ERROR` for a gate that does not resolve.
void reportUnresolvedGate(const sim::Gate& gate, const std::string& error);

/// Prints each verdict on stderr (`gate passed: ...`, `gate failed: ...`); true when all pass.
bool reportVerdicts(const std::vector<sim::Gate>& gates,
                    const std::vector<sim::GateVerdict>& verdicts);

}  // namespace journey::cli

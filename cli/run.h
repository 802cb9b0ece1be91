// What the commands that run simulations share (simulate, compare, sweep): the JIT, the
// progress bar, Ctrl-C, writing the report, and KPI gates (`--fail-if`).
#pragma once

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "runtime/jit/jit.h"
#include "runtime/machine.h"
#include "simulator/gates.h"
#include "simulator/simulate.h"

namespace journey::cli {

/// The JIT-compiled expressions of `machine`, or null with the reason on stderr.
std::unique_ptr<rt::jit::JitBackend> compileJit(const rt::Machine& machine, bool keepIr);

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
  explicit ProgressBar(bool enabled);
  void update(std::uint64_t done, std::uint64_t target);
  void clear();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool shown_ = false;
  Clock::time_point started_, last_;
};

/// Threads to use: the option, or one per core.
unsigned threadCount(unsigned option);

/// The report to stdout, or atomically to `output`; false (with a message) when it cannot.
bool writeReport(const std::string& output, const std::string& report);

/// Parses every `--fail-if`; on a malformed one, prints where and returns false.
bool parseGates(const std::vector<std::string>& texts, bool compare, std::vector<sim::Gate>& gates);

/// Prints each verdict on stderr (`gate passed: ...`, `gate failed: ...`); true when all pass.
bool reportVerdicts(const std::vector<sim::Gate>& gates,
                    const std::vector<sim::GateVerdict>& verdicts);

/// Resolves a simulate gate against a machine: the KPI and group it reads, or a message.
struct GateTarget {
  sim::KpiDef kpi;
  /// -1: everyone; otherwise the persona.
  rt::Index persona = -1;
};
std::optional<GateTarget> resolveGate(const sim::Gate& gate, const rt::Machine& machine,
                                      std::string& error);

}  // namespace journey::cli

#include "cli/run.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/common.h"

namespace journey::cli {

std::unique_ptr<rt::jit::JitBackend> compileJit(const rt::Machine& machine, bool keepIr) {
  rt::jit::JitOptions options;
  options.keepIr = keepIr;
  auto compiled = rt::jit::JitBackend::compile(machine, options);
  if (auto* error = std::get_if<std::string>(&compiled)) {
    std::cerr << fmt::format(
        "error: the jit backend cannot compile this journey: {}\n"
        "note: `--backend interpreter` runs it without the JIT\n",
        *error);
    return nullptr;
  }
  return std::move(std::get<std::unique_ptr<rt::jit::JitBackend>>(compiled));
}

std::optional<sim::CompiledExprs> buildBackend(const std::string& backend,
                                               const rt::Machine& machine) {
  if (backend == "interpreter") return sim::CompiledExprs();
  std::shared_ptr<const rt::jit::JitBackend> jit = compileJit(machine, false);
  if (!jit) return std::nullopt;
  // The table lives as long as the backend that owns it.
  return sim::CompiledExprs(jit, jit->functions());
}

std::atomic<bool> interrupted{false};

namespace {
extern "C" void onInterrupt(int) {
  interrupted.store(true);
}
}  // namespace

InterruptScope::InterruptScope() {
  interrupted.store(false);
  previous_ = std::signal(SIGINT, onInterrupt);
}

InterruptScope::~InterruptScope() {
  std::signal(SIGINT, previous_);
}

ProgressBar::ProgressBar(bool wanted)
    : enabled_(wanted && isatty(STDERR_FILENO) != 0), started_(Clock::now()), last_(started_) {}

void ProgressBar::update(std::uint64_t done, std::uint64_t target) {
  if (!enabled_) return;
  auto now = Clock::now();
  if (now - last_ < std::chrono::milliseconds(100) && done < target) return;
  last_ = now;
  double seconds = std::chrono::duration<double>(now - started_).count();
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  double fraction = target > 0 ? static_cast<double>(done) / static_cast<double>(target) : 1;
  int filled = static_cast<int>(fraction * 30);
  std::string bar = std::string(static_cast<std::size_t>(filled), '#') +
                    std::string(static_cast<std::size_t>(30 - filled), '.');
  double left = rate > 0 ? static_cast<double>(target - done) / rate : 0;
  std::cerr << fmt::format("\r[{}] {:3.0f}%  {} customers  {:.2f} M/s  ETA {:.0f} s ", bar,
                           fraction * 100, done, rate / 1e6, left)
            << std::flush;
  shown_ = true;
}

void ProgressBar::clear() {
  if (shown_) std::cerr << "\r" << std::string(79, ' ') << "\r" << std::flush;
  shown_ = false;
}

sim::Options simulationOptions(const RunOptions& run, ProgressBar& progress) {
  sim::Options options;
  options.customers = run.customers;
  options.seed = run.seed;
  options.threads = run.threads;
  options.maxSteps = run.maxSteps;
  options.stop = &interrupted;
  options.progress = [&progress](std::uint64_t done, std::uint64_t target) {
    progress.update(done, target);
  };
  return options;
}

sim::CompareOptions comparisonOptions(const RunOptions& run, ProgressBar& progress) {
  sim::Options simulation = simulationOptions(run, progress);
  sim::CompareOptions options;
  options.customers = simulation.customers;
  options.seed = simulation.seed;
  options.threads = simulation.threads;
  options.maxSteps = simulation.maxSteps;
  options.stop = simulation.stop;
  options.progress = std::move(simulation.progress);
  return options;
}

unsigned threadCount(unsigned option) {
  return option != 0 ? option : std::max(1u, std::thread::hardware_concurrency());
}

bool writeReport(const std::string& output, const std::string& report) {
  if (output.empty()) {
    std::cout << report << std::flush;
    return true;
  }
  std::string error;
  if (!writeFileAtomically(output, report, error)) {
    std::cerr << fmt::format("error: {}: cannot write: {}\n", output, error);
    return false;
  }
  return true;
}

bool parseGates(const std::vector<std::string>& texts, bool compare, std::vector<sim::Gate>& gates,
                const std::vector<sim::DeclaredMetric>& declared) {
  bool ok = true;
  for (const auto& text : texts) {
    auto parsed = sim::parseGate(text, compare, declared);
    if (auto* problem = std::get_if<sim::GateError>(&parsed)) {
      std::cerr << sim::describeGateError(text, *problem);
      ok = false;
      continue;
    }
    gates.push_back(std::get<sim::Gate>(std::move(parsed)));
  }
  return ok;
}

void reportUnresolvedGate(const sim::Gate& gate, const std::string& error) {
  std::cerr << fmt::format("error: --fail-if '{}': {}\n", gate.text, error);
}

bool reportVerdicts(const std::vector<sim::Gate>& gates,
                    const std::vector<sim::GateVerdict>& verdicts) {
  bool allPass = true;
  for (std::size_t i = 0; i < gates.size(); ++i) {
    std::cerr << fmt::format("gate {}: `{}`: {}\n", verdicts[i].failed ? "failed" : "passed",
                             gates[i].text, verdicts[i].message);
    allPass &= !verdicts[i].failed;
  }
  return allPass;
}

}  // namespace journey::cli

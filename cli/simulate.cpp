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
#include "cli/report.h"
#include "compiler/driver/machine.h"
#include "runtime/file.h"
#include "runtime/jit/jit.h"
#include "runtime/print.h"
#include "runtime/verify.h"
#include "simulator/report.h"

namespace journey::cli {
namespace {

/// A machine from a spec (compiled, checked, lowered with overrides) or from a `.jm` file.
/// On failure, the problems are on stderr and `exitCode` says why.
std::optional<rt::Machine> loadMachine(const std::string& path,
                                       const std::vector<std::string>& overrides, ColorMode color,
                                       int& exitCode) {
  DiskFileReader disk;
  std::string error;
  std::optional<std::string> bytes = disk.read(path, error);
  if (bytes && rt::looksLikeMachine(*bytes)) {
    if (!overrides.empty()) {
      std::cerr << fmt::format(
          "error: {}: `--set` needs the spec: a `.jm` file has its params folded in already\n",
          path);
      exitCode = kExitUsage;
      return std::nullopt;
    }
    auto loaded = rt::deserialize(*bytes);
    if (auto* problem = std::get_if<rt::LoadError>(&loaded)) {
      std::cerr << fmt::format("error: {}: {}\n", path, problem->message);
      exitCode = kExitProblems;
      return std::nullopt;
    }
    return std::get<rt::Machine>(std::move(loaded));
  }
  auto compilation = compile(path, disk);
  if (compilation->rootUnreadable) {
    printDiagnostics(*compilation, color);
    exitCode = kExitUsage;
    return std::nullopt;
  }
  auto machine = buildMachine(*compilation, overrides);
  printDiagnostics(*compilation, color);
  if (!machine) {
    if (compilation->diagnostics.hasErrors()) {
      std::cerr << fmt::format(
          "error: {} has errors: fix them before it can run (see `journey check {}`)\n", path,
          path);
    }
    exitCode = kExitProblems;
    return std::nullopt;
  }
  // The compiler's output must be well-formed; a failure here is a bug in the compiler.
  auto problems = rt::verify(*machine);
  if (!problems.empty()) {
    std::cerr << fmt::format("internal error: the compiled machine is malformed: {}\n",
                             problems.front());
    exitCode = kExitProblems;
    return std::nullopt;
  }
  return machine;
}

/// The JIT-compiled expressions of `machine`, or null with the reason on stderr.
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

std::atomic<bool> interrupted{false};

extern "C" void onInterrupt(int) {
  interrupted.store(true);
}

/// A progress line on stderr: bar, customers, rate and time left.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), started_(Clock::now()), last_(started_) {}

  void update(std::uint64_t done, std::uint64_t target) {
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
  void clear() {
    if (shown_) std::cerr << "\r" << std::string(79, ' ') << "\r" << std::flush;
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool shown_ = false;
  Clock::time_point started_, last_;
};

}  // namespace

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
  if (options.format == "html" && !htmlDestinationOk(options)) return kExitUsage;
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

  interrupted.store(false);
  auto previous = std::signal(SIGINT, onInterrupt);
  sim::Results results = sim::simulate(program, run);
  std::signal(SIGINT, previous);
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
  return results.interrupted ? 130 : kExitOk;
}

}  // namespace journey::cli

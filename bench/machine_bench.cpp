// The engine's benchmark: the business-phone example through the engine with the interpreter
// and with the JIT, against the hand-written baseline (bench/baseline.cpp), one thread, same seed.
// Then the JIT's compile time on a generated 1,000-stage spec.
//
//   machine_bench [--customers N] [--repeat R] [--stages S] [--seed X] [--spec FILE]
//
// Prints steps (processed items: transitions, events, timers) per second and customers per
// second, medians of R interleaved repeats, by wall time and by process CPU time (the machine
// is shared: CPU time is the steadier figure), and the ratios to the baseline. Exits 1 if the
// baseline's outcome shares disagree with the engine's beyond sampling error, or if the two
// backends disagree at all.
//
// Both sides gather the same sums (baseline::Totals: outcomes, visits, time in stage, cost,
// emotion, value): this compares the machine with hand-written code, not the simulator's
// reports. `journey simulate`, with its full tally, is measured by run_simulate.sh.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "bench/baseline.h"
#include "bench/spec_generator.h"
#include "compiler/driver/driver.h"
#include "compiler/driver/machine.h"
#include "runtime/engine.h"
#include "runtime/jit/jit.h"
#include "runtime/verify.h"

namespace {

using journey::bench::baseline::Totals;
namespace rt = journey::rt;

double cpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double wallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

struct Timing {
  std::vector<double> wall, cpu;
  std::uint64_t steps = 0;
};

std::optional<rt::Machine> load(const std::string& path, journey::FileReader& reader) {
  auto compilation = journey::compile(path, reader);
  auto machine = journey::buildMachine(*compilation, {});
  if (!machine) {
    std::fprintf(stderr, "machine_bench: %s does not compile\n", path.c_str());
    return std::nullopt;
  }
  auto problems = rt::verify(*machine);
  if (!problems.empty()) {
    std::fprintf(stderr, "machine_bench: %s: %s\n", path.c_str(), problems.front().c_str());
    return std::nullopt;
  }
  return machine;
}

/// What the engine's customers add up to: the baseline's sums, by the machine's stage order.
struct EngineTotals {
  std::uint64_t customers = 0, converted = 0, steps = 0;
  std::vector<std::uint64_t> endedAt, visits;
  std::vector<double> timeInStage;
  double timeToGoal = 0, cost = 0, costSquares = 0, emotion = 0, emotionSquares = 0, value = 0;
  bool operator==(const EngineTotals&) const = default;
};

/// Customers [0, customers) of `seed` through `program`: the loop `journey simulate` runs, with
/// the sums the baseline keeps.
EngineTotals runEngine(const rt::Program& program, std::uint64_t seed, std::uint64_t customers) {
  const rt::Machine& machine = program.machine();
  std::size_t stages = machine.stages.size();
  EngineTotals totals;
  totals.endedAt.resize(stages);
  totals.visits.resize(stages);
  totals.timeInStage.resize(stages);
  rt::Customer customer(program);
  for (std::uint64_t i = 0; i < customers; ++i) {
    customer.start(seed, i);
    customer.advanceTo(machine.horizon);
    customer.stopAtHorizon();
    ++totals.customers;
    totals.steps += customer.steps();
    if (customer.outcomeStage() != rt::kNone) ++totals.endedAt[customer.outcomeStage()];
    auto visits = customer.visits();
    auto timeInStage = customer.timeInStage();
    for (std::size_t s = 0; s < stages; ++s) {
      totals.visits[s] += visits[s];
      totals.timeInStage[s] += timeInStage[s];
    }
    double cost = customer.cost(), emotion = customer.emotion();
    totals.cost += cost;
    totals.costSquares += cost * cost;
    totals.emotion += emotion;
    totals.emotionSquares += emotion * emotion;
    totals.value += customer.value();
    if (customer.outcome() == rt::Outcome::Goal) {
      ++totals.converted;
      totals.timeToGoal += customer.outcomeTime();
    }
  }
  return totals;
}

/// |z| of the difference of two proportions.
double proportionZ(double a, double n, double b, double m) {
  double p = (a + b) / (n + m);
  double se = std::sqrt(p * (1 - p) * (1 / n + 1 / m));
  return se > 0 ? std::fabs(a / n - b / m) / se : 0;
}

/// |z| of the difference of two means from sums and sums of squares.
double meanZ(double sumA, double squaresA, double n, double sumB, double squaresB, double m) {
  double meanA = sumA / n, meanB = sumB / m;
  double varA = squaresA / n - meanA * meanA, varB = squaresB / m - meanB * meanB;
  double se = std::sqrt(varA / n + varB / m);
  return se > 0 ? std::fabs(meanA - meanB) / se : 0;
}

struct BenchOptions {
  std::uint64_t customers = 200'000;
  int repeat = 5;
  std::size_t stages = 1000;
  std::uint64_t seed = 1;
  std::string spec = std::string(JOURNEY_SOURCE_DIR) + "/examples/business_phone.journey";
  std::string only;  // profiling: run one of interpreter, jit, baseline
};

/// The options, or nothing after printing what is wrong with them.
std::optional<BenchOptions> parseOptions(int argc, char** argv) {
  BenchOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "machine_bench: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--customers") {
      options.customers = std::strtoull(next(), nullptr, 10);
    } else if (arg == "--repeat") {
      options.repeat = std::max(1, std::atoi(next()));
    } else if (arg == "--stages") {
      options.stages = std::strtoull(next(), nullptr, 10);
    } else if (arg == "--seed") {
      options.seed = std::strtoull(next(), nullptr, 10);
    } else if (arg == "--spec") {
      options.spec = next();
    } else if (arg == "--only") {
      options.only = next();
      if (options.only != "interpreter" && options.only != "jit" && options.only != "baseline") {
        std::fprintf(stderr, "machine_bench: --only takes interpreter, jit or baseline\n");
        return std::nullopt;
      }
      options.stages = 0;
    } else {
      std::fprintf(stderr,
                   "usage: machine_bench [--customers N] [--repeat R] [--stages S] [--seed X] "
                   "[--spec FILE] [--only interpreter|jit|baseline]\n");
      return std::nullopt;
    }
  }
  return options;
}

/// Profiling one side: times it alone, without the comparison.
void profileOne(const BenchOptions& options, const rt::Program& interpreted,
                const rt::Program& native) {
  double cpu = cpuSeconds();
  std::uint64_t steps = 0;
  if (options.only == "baseline") {
    Totals totals{};
    journey::bench::baseline::simulate(options.seed, 0, options.customers, totals);
    steps = totals.steps;
  } else {
    steps = runEngine(options.only == "jit" ? native : interpreted, options.seed, options.customers)
                .steps;
  }
  std::printf("%s: %.3f s CPU, %llu steps\n", options.only.c_str(), cpuSeconds() - cpu,
              static_cast<unsigned long long>(steps));
}

/// Whether the backends agree exactly and the baseline agrees statistically, with the table.
bool agree(const rt::Machine& machine, const EngineTotals& a, const EngineTotals& b,
           const Totals& totals) {
  bool ok = true;
  if (!(a == b)) {
    std::printf("FAIL: the interpreter and the JIT disagree\n");
    ok = false;
  }
  auto n = static_cast<double>(a.customers), m = static_cast<double>(totals.customers);
  std::printf("\n%-22s %10s %10s %8s\n", "outcome share", "engine", "baseline", "|z|");
  for (std::size_t s = 0; s < machine.stages.size(); ++s) {
    if (machine.stages[s].kind == rt::StageKind::Ordinary && a.endedAt[s] == 0 &&
        totals.endedAt[s] == 0)
      continue;
    double z = proportionZ(static_cast<double>(a.endedAt[s]), n,
                           static_cast<double>(totals.endedAt[s]), m);
    std::printf("%-22s %9.3f%% %9.3f%% %8.2f\n", machine.stages[s].name.c_str(),
                100.0 * static_cast<double>(a.endedAt[s]) / n,
                100.0 * static_cast<double>(totals.endedAt[s]) / m, z);
    if (z > 4.5) ok = false;
  }
  double costZ = meanZ(a.cost, a.costSquares, n, totals.cost, totals.costSquares, m);
  double emotionZ = meanZ(a.emotion, a.emotionSquares, n, totals.emotion, totals.emotionSquares, m);
  std::printf("%-22s %10.3f %10.3f %8.2f\n", "cost per customer", a.cost / n, totals.cost / m,
              costZ);
  std::printf("%-22s %10.4f %10.4f %8.2f\n", "final emotion (mean)", a.emotion / n,
              totals.emotion / m, emotionZ);
  std::printf("%-22s %10.3f %10.3f\n", "steps per customer", static_cast<double>(a.steps) / n,
              static_cast<double>(totals.steps) / m);
  if (costZ > 4.5 || emotionZ > 4.5) ok = false;
  if (!ok) std::printf("FAIL: the baseline does not agree with the engine\n");
  return ok;
}

void printThroughput(std::uint64_t customers, const Timing& interpreter, const Timing& jit,
                     const Timing& baseline) {
  std::printf("\n%-12s %14s %14s %14s %14s %8s %8s\n", "", "steps/s wall", "steps/s cpu",
              "cust/s wall", "cust/s cpu", "vs base", "(wall)");
  auto row = [&](const char* name, const Timing& t) {
    double wall = median(t.wall), cpu = median(t.cpu);
    double baseWall = median(baseline.wall), baseCpu = median(baseline.cpu);
    auto c = static_cast<double>(customers);
    // Ratios of throughput in customers: both sides do the same customers.
    std::printf("%-12s %14.0f %14.0f %14.0f %14.0f %7.2fx %7.2fx\n", name,
                static_cast<double>(t.steps) / wall, static_cast<double>(t.steps) / cpu, c / wall,
                c / cpu, baseCpu / cpu, baseWall / wall);
  };
  row("interpreter", interpreter);
  row("jit", jit);
  row("baseline", baseline);
}

/// The JIT's compile time on a generated spec of `stages` stages, with and without sharing
/// equal code; false when it does not compile.
bool timeCompiles(std::size_t stages, int repeat) {
  journey::MemoryFileReader memory;
  std::string path = "generated_" + std::to_string(stages) + ".journey";
  memory.set(path, journey::bench::generateSpec(stages));
  auto big = load(path, memory);
  if (!big) return false;
  for (bool share : {true, false}) {
    std::vector<double> seconds, optimize, codegen;
    std::size_t functions = 0;
    rt::jit::JitOptions jitOptions;
    jitOptions.shareEqualCode = share;
    for (int r = 0; r < repeat; ++r) {
      auto result = rt::jit::JitBackend::compile(*big, jitOptions);
      if (auto* error = std::get_if<std::string>(&result)) {
        std::fprintf(stderr, "machine_bench: the JIT failed on %s: %s\n", path.c_str(),
                     error->c_str());
        return false;
      }
      auto& backend = std::get<std::unique_ptr<rt::jit::JitBackend>>(result);
      seconds.push_back(backend->compileSeconds);
      optimize.push_back(backend->optimizeSeconds);
      codegen.push_back(backend->codegenSeconds);
      functions = backend->functionCount();
    }
    std::printf(
        "\nJIT compile time, %zu-stage spec (%zu expressions, %zu functions%s): median "
        "%.3f s (min %.3f, max %.3f; O2 %.3f s, code generation %.3f s)\n",
        stages, big->exprs.size(), functions,
        share ? ", equal code shared" : ", one per non-constant expression", median(seconds),
        *std::min_element(seconds.begin(), seconds.end()),
        *std::max_element(seconds.begin(), seconds.end()), median(optimize), median(codegen));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<BenchOptions> parsed = parseOptions(argc, argv);
  if (!parsed) return 2;
  const BenchOptions& options = *parsed;
  const std::uint64_t customers = options.customers, seed = options.seed;

  journey::DiskFileReader disk;
  auto machine = load(options.spec, disk);
  if (!machine) return 1;
  auto compiled = rt::jit::JitBackend::compile(*machine);
  if (auto* error = std::get_if<std::string>(&compiled)) {
    std::fprintf(stderr, "machine_bench: the JIT failed: %s\n", error->c_str());
    return 1;
  }
  auto& jit = std::get<std::unique_ptr<rt::jit::JitBackend>>(compiled);
  rt::Program interpreted(*machine);
  rt::Program native(*machine, jit->functions());

  std::printf("business phone, %llu customers, seed %llu, 1 thread, %d repeats\n",
              static_cast<unsigned long long>(customers), static_cast<unsigned long long>(seed),
              options.repeat);
  std::printf("JIT compile time: %.3f s (O2 %.3f s, code generation %.3f s)\n", jit->compileSeconds,
              jit->optimizeSeconds, jit->codegenSeconds);
  if (!options.only.empty()) {
    for (int r = 0; r < options.repeat; ++r)
      profileOne(options, interpreted, native);
    return 0;
  }

  Timing interpreterTiming, jitTiming, baselineTiming;
  std::optional<EngineTotals> interpreterResults, jitResults;
  Totals totals;
  auto engine = [&](const rt::Program& program, Timing& timing, std::optional<EngineTotals>& keep) {
    double wall = wallSeconds(), cpu = cpuSeconds();
    EngineTotals results = runEngine(program, seed, customers);
    timing.cpu.push_back(cpuSeconds() - cpu);
    timing.wall.push_back(wallSeconds() - wall);
    timing.steps = results.steps;
    keep.emplace(std::move(results));
  };
  for (int r = 0; r < options.repeat; ++r) {
    engine(interpreted, interpreterTiming, interpreterResults);
    engine(native, jitTiming, jitResults);
    totals = Totals{};
    double wall = wallSeconds(), cpu = cpuSeconds();
    journey::bench::baseline::simulate(seed, 0, customers, totals);
    baselineTiming.cpu.push_back(cpuSeconds() - cpu);
    baselineTiming.wall.push_back(wallSeconds() - wall);
    baselineTiming.steps = totals.steps;
  }

  bool ok = agree(*machine, *interpreterResults, *jitResults, totals);
  printThroughput(customers, interpreterTiming, jitTiming, baselineTiming);
  if (options.stages > 0 && !timeCompiles(options.stages, options.repeat)) return 1;
  return ok ? 0 : 1;
}

// Statistical correctness of the simulator: on memoryless specs
// (tests/markov/*.journey), `sim::simulate` must agree with the exact continuous-time Markov
// chain answer (simulator/markov.h, Eigen) for
//   - the probability of ending at each stage by the horizon (each goal and exit reached, or
//     in progress there), and
//   - the expected visits per stage by the horizon;
// and on the lifetime chain (tests/markov/lifetime.journey) for each milestone's share reached
// and mean days to the first visit, the value and lifetime value per customer, and retention at
// points of the report's grid.
//
// Confidence: each comparison is a two-sided z-test of |simulated - exact| / SE, with SE from
// the exact probability (binomial) or from the sample variance of the visits (customers are
// independent, N = 1,000,000 each, so the mean is normal to well within the margin). The critical
// value is Bonferroni-corrected over the m <= 150 comparisons of the run, for a family-wise
// confidence of 99.9%: z = Phi^-1(1 - 0.001 / (2 m)) = 4.50 standard errors. The seeds are fixed,
// so the outcome is reproducible; with a correct simulator, a seed would fail with probability
// below 0.1%. `DetectsAWrongModel` shows that the same comparison fails when the "exact" answer
// is that of a slightly different chain, so the check has power.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "compiler/driver/machine.h"
#include "runtime/engine.h"
#include "simulator/markov.h"
#include "simulator/simulate.h"

namespace journey {
namespace {

constexpr std::uint64_t kCustomers = 1'000'000;
constexpr double kFamilyConfidence = 0.999;
/// The Bonferroni family: at most `kPerSpec` comparisons for each of the `kSpecs` specs (each
/// test checks that it stays within its share).
constexpr int kSpecs = 5;
constexpr int kPerSpec = 30;
constexpr int kComparisons = kSpecs * kPerSpec;

double criticalZ() {
  boost::math::normal normal;
  return boost::math::quantile(normal, 1 - (1 - kFamilyConfidence) / (2.0 * kComparisons));
}

rt::Machine load(const std::string& name, const std::vector<std::string>& overrides = {}) {
  DiskFileReader disk;
  auto compilation =
      compile(std::string(JOURNEY_SOURCE_DIR) + "/tests/markov/" + name + ".journey", disk);
  auto machine = buildMachine(*compilation, overrides);
  if (!machine || compilation->diagnostics.hasErrors()) {
    ADD_FAILURE() << name << " does not build cleanly";
    return rt::Machine{};
  }
  return *machine;
}

/// One simulation, and the second moment of each stage's visits from the same customers
/// (customer i's draws depend only on (seed, i), so a direct loop replays them).
struct Sample {
  sim::Tally overall;
  std::vector<double> visitSquares;
};

Sample simulate(const rt::Machine& m, std::uint64_t seed) {
  rt::Program program(m);
  sim::Options options;
  options.customers = kCustomers;
  options.seed = seed;
  options.threads = 2;
  sim::Results results = sim::simulate(program, options);
  Sample run{results.overall(), std::vector<double>(m.stages.size(), 0)};
  rt::Customer customer(program);
  std::vector<std::uint64_t> visits(m.stages.size(), 0);
  for (std::uint64_t i = 0; i < kCustomers; ++i) {
    customer.start(seed, i);
    customer.advanceTo(m.horizon);
    customer.stopAtHorizon();
    auto v = customer.visits();
    for (std::size_t s = 0; s < v.size(); ++s) {
      visits[s] += v[s];
      run.visitSquares[s] += static_cast<double>(v[s]) * v[s];
    }
  }
  // The replay must be the simulation's customers.
  for (std::size_t s = 0; s < visits.size(); ++s)
    EXPECT_EQ(visits[s], run.overall.visits[s]) << m.stages[s].name;
  return run;
}

/// The comparisons that fail (empty: all agree), counting them in `made`.
std::vector<std::string> disagreements(const rt::Machine& m, const Sample& run,
                                       const sim::MarkovAnswers& exact, double z, int& made,
                                       double& worst) {
  std::vector<std::string> failures;
  const sim::Tally& t = run.overall;
  auto n = static_cast<double>(t.customers);
  auto check = [&](const std::string& what, double simulated, double expected, double se) {
    ++made;
    if (se > 0) worst = std::max(worst, std::fabs(simulated - expected) / se);
    if (se == 0 ? simulated != expected : std::fabs(simulated - expected) > z * se) {
      failures.push_back(fmt::format("{}: simulated {:.6f}, exact {:.6f}, |diff| = {:.2f} SE", what,
                                     simulated, expected,
                                     se == 0 ? INFINITY : std::fabs(simulated - expected) / se));
    }
  };
  EXPECT_EQ(t.unroutedAtEntry + t.looping + t.failed + t.stepLimit, 0u);
  for (std::size_t s = 0; s < m.stages.size(); ++s) {
    const std::string& name = m.stages[s].name;
    double p = exact.endedAtHorizon[s];
    check(fmt::format("{} {}",
                      m.stages[s].kind == rt::StageKind::Ordinary ? "in progress in" : "ended at",
                      name),
          static_cast<double>(t.endedAt[s]) / n, p, std::sqrt(p * (1 - p) / n));
    double mean = static_cast<double>(t.visits[s]) / n;
    double variance = run.visitSquares[s] / n - mean * mean;
    check(fmt::format("visits to {}", name), mean, exact.visitsByHorizon[s],
          std::sqrt(std::max(variance, 0.0) * n / (n - 1) / n));
  }
  return failures;
}

struct Case {
  const char* spec;
  std::uint64_t seed;
};

class Agreement : public ::testing::TestWithParam<Case> {};

TEST_P(Agreement, SimulationMatchesTheExactChain) {
  const Case& c = GetParam();
  rt::Machine m = load(c.spec);
  auto analysis = sim::analyzeMarkov(m);
  ASSERT_TRUE(analysis.exact()) << c.spec << " is not a chain";
  Sample run = simulate(m, c.seed);
  int made = 0;
  double worst = 0;
  auto failures = disagreements(m, run, analysis.overall, criticalZ(), made, worst);
  std::cout << c.spec << ": largest |simulated - exact| = " << worst << " SE\n";
  for (const auto& failure : failures)
    ADD_FAILURE() << c.spec << ": " << failure << " (critical z = " << criticalZ() << ")";
  // Per persona too, where there are several: the persona's tally against its own chain.
  if (m.personas.size() > 1) {
    rt::Program program(m);
    sim::Options options;
    options.customers = kCustomers;
    options.seed = c.seed;
    options.threads = 2;
    sim::Results results = sim::simulate(program, options);
    for (std::size_t p = 0; p < m.personas.size(); ++p) {
      const sim::Tally& t = results.personas[p];
      const auto& exact = analysis.personas[p];
      auto n = static_cast<double>(t.customers);
      // The share itself, then each ending (visits need the per-customer variance: overall only).
      double share = m.personas[p].share;
      ++made;
      EXPECT_LE(std::fabs(n / kCustomers - share),
                criticalZ() * std::sqrt(share * (1 - share) / kCustomers));
      for (std::size_t s = 0; s < m.stages.size(); ++s) {
        double q = exact.endedAtHorizon[s];
        double simulated = static_cast<double>(t.endedAt[s]) / n;
        ++made;
        EXPECT_LE(std::fabs(simulated - q), criticalZ() * std::sqrt(q * (1 - q) / n) + 1e-15)
            << m.personas[p].name << " " << m.stages[s].name;
      }
    }
  }
  EXPECT_LE(made, kPerSpec) << "more comparisons than the Bonferroni budget allows";
}

INSTANTIATE_TEST_SUITE_P(MemorylessSpecs, Agreement,
                         ::testing::Values(Case{"race", 11}, Case{"loop", 12}, Case{"personas", 13},
                                           Case{"slow", 14}),
                         [](const auto& info) { return std::string(info.param.spec); });

TEST(Agreement, DetectsAWrongModel) {
  // The simulation of loop.journey against the exact answer of a chain whose tickets take
  // 10% longer (1.1 days): the same comparison must find disagreements.
  rt::Machine m = load("loop");
  rt::Machine wrong = load("loop", {"ticket_mean=1.1d"});
  auto analysis = sim::analyzeMarkov(wrong);
  ASSERT_TRUE(analysis.exact());
  Sample run = simulate(m, 12);
  int made = 0;
  double worst = 0;
  auto failures = disagreements(m, run, analysis.overall, criticalZ(), made, worst);
  std::cout << "loop against a 10% slower ticket: largest difference " << worst << " SE\n";
  EXPECT_FALSE(failures.empty()) << "a 10% error in one mean went unnoticed";

  // And the race against its own chain with the horizon 5% short.
  rt::Machine race = load("race");
  auto shortHorizon = sim::analyzeMarkov(race, sim::MarkovOptions{.horizon = race.horizon * 0.95});
  Sample raceRun = simulate(race, 11);
  worst = 0;
  failures = disagreements(race, raceRun, shortHorizon.overall, criticalZ(), made, worst);
  std::cout << "race against a 5% short horizon: largest difference " << worst << " SE\n";
  EXPECT_FALSE(failures.empty()) << "a 5% error in the horizon went unnoticed";
}

TEST(Agreement, CriticalValueIsAsStated) {
  // 150 comparisons at a family-wise 99.9%: 4.50 standard errors each.
  EXPECT_NEAR(criticalZ(), 4.50, 0.01);
}

/// The lifetime answers of `exact` against a simulation's tally: the comparisons that fail.
std::vector<std::string> lifetimeDisagreements(const rt::Machine& m, const sim::Tally& t,
                                               const sim::MarkovAnswers& exact, int& made,
                                               double& worst) {
  std::vector<std::string> failures;
  auto n = static_cast<double>(t.customers);
  double z = criticalZ();
  auto check = [&](const std::string& what, double simulated, double expected, double se) {
    ++made;
    double distance = se > 0 ? std::fabs(simulated - expected) / se : INFINITY;
    worst = std::max(worst, distance);
    if (distance > z)
      failures.push_back(fmt::format("{}: simulated {:.6f}, exact {:.6f}, |diff| = {:.2f} SE", what,
                                     simulated, expected, distance));
  };
  auto meanSe = [](double sum, double squares, double count) {
    double mean = sum / count;
    return std::sqrt(std::max(squares / count - mean * mean, 0.0) / (count - 1));
  };
  const sim::LifetimeTally& l = t.lifetime;
  for (std::size_t i = 0; i < l.milestones.size(); ++i) {
    auto s = static_cast<std::size_t>(l.milestones[i]);
    double p = exact.milestoneByHorizon[s];
    auto reached = static_cast<double>(t.reached[s]);
    check(fmt::format("reached {}", m.stages[s].name), reached / n, p, std::sqrt(p * (1 - p) / n));
    check(fmt::format("days to {}", m.stages[s].name), l.firstTime[i] / reached / 86400,
          exact.milestoneSecondsByHorizon[s] / 86400,
          meanSe(l.firstTime[i], l.firstTimeSquares[i], reached) / 86400);
  }
  check("value per customer", t.value / n, *exact.valueByHorizon,
        meanSe(t.value, t.valueSquares, n));
  check("lifetime value per customer", l.lifetimeValue / n, *exact.lifetimeValueByHorizon,
        meanSe(l.lifetimeValue, l.lifetimeValueSquares, n));
  // Every other point of the grid, and the horizon.
  std::uint64_t exited = 0;
  for (std::size_t k = 0; k < l.grid.size(); ++k) {
    exited += l.exitsByPeriod[k];
    if (k % 2 != 0 && k + 1 != l.grid.size()) continue;
    double p = exact.retention[k];
    check(fmt::format("retention at day {:g}", l.grid[k] / 86400),
          static_cast<double>(t.customers - exited) / n, p, std::sqrt(p * (1 - p) / n));
  }
  return failures;
}

sim::Tally simulateLifetime(const rt::Machine& m, std::uint64_t seed) {
  rt::Program program(m);
  sim::Options options;
  options.customers = kCustomers;
  options.seed = seed;
  options.threads = 2;
  return sim::simulate(program, options).overall();
}

TEST(Agreement, LifetimeMatchesTheExactChain) {
  rt::Machine m = load("lifetime");
  auto analysis = sim::analyzeMarkov(m);
  ASSERT_TRUE(analysis.exact()) << "lifetime.journey is not a chain";
  const sim::MarkovAnswers& exact = analysis.overall;
  ASSERT_TRUE(exact.valueByHorizon && exact.lifetimeValueByHorizon) << "values are not exact";
  sim::Tally t = simulateLifetime(m, 15);
  int made = 0;
  double worst = 0;
  auto failures = lifetimeDisagreements(m, t, exact, made, worst);
  std::cout << "lifetime: largest |simulated - exact| = " << worst << " SE over " << made
            << " comparisons\n";
  for (const auto& failure : failures)
    ADD_FAILURE() << failure << " (critical z = " << criticalZ() << ")";
  EXPECT_LE(made, kPerSpec) << "more comparisons than the Bonferroni budget allows";

  // Power: the exact answers of a discount twice as steep are told apart.
  rt::Machine steep = load("lifetime", {"discount_rate=20%"});
  auto steeper = sim::analyzeMarkov(steep);
  ASSERT_TRUE(steeper.exact());
  int ignored = 0;
  worst = 0;
  lifetimeDisagreements(m, t, steeper.overall, ignored, worst);
  std::cout << "lifetime against a discount twice as steep: largest difference " << worst
            << " SE\n";
  EXPECT_GT(worst, criticalZ()) << "a doubled discount rate went unnoticed";
}

}  // namespace
}  // namespace journey

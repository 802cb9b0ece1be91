// `journey simulate` against `journey analyze` on the business-phone journey: the
// memoryless variant tests/statistical/business_phone_memoryless.journey (exponential delays,
// constant branches, no rules) is a continuous-time Markov chain, so simulator/markov.h gives
// the exact probability of ending at each goal and exit (or in progress in each stage) by the
// horizon, overall and per persona, and conversion.
//
// Confidence: each comparison is a two-sided z-test of |simulated - exact| / SE with the
// binomial SE of the exact probability, N = 500,000 customers (seed 21). The critical value is
// Bonferroni-corrected over at most kComparisons comparisons for a family-wise confidence of
// 99.9%: z = Phi^-1(1 - 0.001 / (2 * 40)) = 4.21 standard errors. With a correct simulator the
// fixed seed would fail with probability below 0.1%; `DetectsAShiftedBranch` shows the check
// has the power to see a 3-point change in one branch.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <iostream>

#include "compiler/driver/driver.h"
#include "compiler/driver/machine.h"
#include "simulator/markov.h"
#include "simulator/simulate.h"

namespace journey {
namespace {

constexpr std::uint64_t kCustomers = 500'000;
constexpr std::uint64_t kSeed = 21;
constexpr double kFamilyConfidence = 0.999;
constexpr int kComparisons = 40;

double criticalZ() {
  boost::math::normal normal;
  return boost::math::quantile(normal, 1 - (1 - kFamilyConfidence) / (2.0 * kComparisons));
}

rt::Machine load(const std::vector<std::string>& overrides = {}) {
  DiskFileReader disk;
  auto compilation = compile(
      std::string(JOURNEY_SOURCE_DIR) + "/tests/statistical/business_phone_memoryless.journey",
      disk);
  auto machine = buildMachine(*compilation, overrides);
  if (!machine || compilation->diagnostics.hasErrors()) {
    ADD_FAILURE() << "business_phone_memoryless.journey does not build cleanly";
    return rt::Machine{};
  }
  return *machine;
}

sim::Results simulate(const rt::Machine& m) {
  rt::Program program(m);
  sim::Options options;
  options.customers = kCustomers;
  options.seed = kSeed;
  options.threads = 2;
  return sim::simulate(program, options);
}

/// The comparisons that fail, counting them in `made`.
std::vector<std::string> disagreements(const rt::Machine& m, const sim::Results& results,
                                       const sim::MarkovAnalysis& exact, int& made, double& worst) {
  std::vector<std::string> failures;
  double z = criticalZ();
  auto check = [&](const std::string& what, std::uint64_t count, std::uint64_t n, double p) {
    ++made;
    double simulated = static_cast<double>(count) / static_cast<double>(n);
    double se = std::sqrt(p * (1 - p) / static_cast<double>(n));
    double distance = se > 0 ? std::fabs(simulated - p) / se : (simulated == p ? 0 : INFINITY);
    worst = std::max(worst, distance);
    if (distance > z)
      failures.push_back(fmt::format("{}: simulated {:.5f}, exact {:.5f}, {:.2f} SE", what,
                                     simulated, p, distance));
  };
  auto compareTally = [&](const std::string& group, const sim::Tally& t,
                          const sim::MarkovAnswers& a) {
    double conversion = 0;
    for (std::size_t s = 0; s < m.stages.size(); ++s) {
      if (m.stages[s].kind == rt::StageKind::Goal) conversion += a.endedAtHorizon[s];
      // In progress in a stage nobody can be in at two years (a zero probability) is exact.
      if (a.endedAtHorizon[s] == 0 && t.endedAt[s] == 0) continue;
      check(fmt::format("{}: ended at {}", group, m.stages[s].name), t.endedAt[s], t.customers,
            a.endedAtHorizon[s]);
    }
    check(fmt::format("{}: conversion", group), t.converted, t.customers, conversion);
  };
  compareTally("all", results.overall(), exact.overall);
  for (std::size_t p = 0; p < m.personas.size(); ++p)
    compareTally(m.personas[p].name, results.personas[p], exact.personas[p]);
  return failures;
}

TEST(PhoneAgreement, SimulateMatchesAnalyze) {
  rt::Machine m = load();
  auto analysis = sim::analyzeMarkov(m);
  ASSERT_TRUE(analysis.exact()) << "the memoryless business phone is not a chain";
  sim::Results results = simulate(m);
  sim::Tally all = results.overall();
  EXPECT_EQ(all.unroutedAtEntry + all.looping + all.failed + all.stepLimit, 0u);
  int made = 0;
  double worst = 0;
  auto failures = disagreements(m, results, analysis, made, worst);
  std::cout << "business phone (memoryless): " << made
            << " comparisons, largest |simulated - exact| = " << worst << " SE (critical "
            << criticalZ() << ")\n";
  for (const auto& failure : failures)
    ADD_FAILURE() << failure;
  EXPECT_LE(made, kComparisons) << "more comparisons than the Bonferroni budget allows";
}

TEST(PhoneAgreement, DetectsAShiftedBranch) {
  // The simulation of the spec against the exact answer of a chain in which renewing
  // customers are 3 points more likely to advocate: the comparison must notice.
  rt::Machine m = load();
  rt::Machine shifted = load({"advocacy=23%"});
  auto analysis = sim::analyzeMarkov(shifted);
  ASSERT_TRUE(analysis.exact());
  sim::Results results = simulate(m);
  int made = 0;
  double worst = 0;
  auto failures = disagreements(m, results, analysis, made, worst);
  std::cout << "against a 3-point shift: largest difference " << worst << " SE\n";
  EXPECT_FALSE(failures.empty()) << "a 3-point shift in one branch went unnoticed";
}

TEST(PhoneAgreement, CriticalValueIsAsStated) {
  EXPECT_NEAR(criticalZ(), 4.21, 0.01);
}

}  // namespace
}  // namespace journey

// Exact CTMC answers (simulator/markov.h) against answers computed by hand on small chains,
// and the obstacles it reports for journeys that are not chains.
#include "simulator/markov.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "compiler/driver/machine.h"

namespace journey {
namespace {

constexpr double kDay = 86400;

/// A machine from spec text; `checks` off lets a test build journeys the checker refuses
/// (dead ends), which the analysis must still handle.
rt::Machine machineOf(const std::string& text, bool checks = true,
                      const std::vector<std::string>& overrides = {}) {
  MemoryFileReader files;
  files.set("main.journey", text);
  auto compilation = compile("main.journey", files, CompileOptions{.runChecks = checks});
  auto machine = buildMachine(*compilation, overrides);
  if (!machine) {
    std::string problems;
    for (const Diagnostic* d : compilation->diagnostics.sorted())
      problems += std::string(d->code()) + " ";
    ADD_FAILURE() << "the spec does not build: " << problems;
    return rt::Machine{};
  }
  return *machine;
}

rt::Index stageNamed(const rt::Machine& m, const std::string& name) {
  for (std::size_t s = 0; s < m.stages.size(); ++s)
    if (m.stages[s].name == name) return static_cast<rt::Index>(s);
  ADD_FAILURE() << "no stage " << name;
  return 0;
}

/// A journey of one persona around the given body.
std::string journey(const std::string& horizon, const std::string& entry, const std::string& body) {
  return "journey T {\n  horizon " + horizon + "\n  entry " + entry +
         "\n  persona P {\n    share 100%\n  }\n" + body + "\n}\n";
}

/// π(t) and ∫_0^t π(s) ds for a small generator by uniformization: an independent check of
/// the matrix exponential (rates and t in days).
struct Transient {
  std::vector<double> at, occupancy;
};
Transient uniformize(const std::vector<std::vector<double>>& q, const std::vector<double>& alpha,
                     double t) {
  std::size_t n = q.size();
  double lambda = 0;
  for (std::size_t i = 0; i < n; ++i)
    lambda = std::max(lambda, -q[i][i]);
  lambda *= 1.05;
  // P = I + Q / lambda; π(t) = Σ_k Poisson(k; λt) α P^k; ∫π = Σ_k P(N > k)/λ α P^k.
  Transient out{std::vector<double>(n, 0), std::vector<double>(n, 0)};
  double weight = std::exp(-lambda * t), cumulative = weight;
  std::vector<double> v = alpha;
  for (int k = 0; k < 2000; ++k) {
    for (std::size_t i = 0; i < n; ++i) {
      out.at[i] += weight * v[i];
      out.occupancy[i] += (1 - cumulative) / lambda * v[i];
    }
    std::vector<double> next(n, 0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        next[j] += v[i] * ((i == j ? 1 : 0) + q[i][j] / lambda);
    v = next;
    weight *= lambda * t / (k + 1);
    cumulative += weight;
  }
  return out;
}

TEST(Markov, SingleExponentialTruncatedByTheHorizon) {
  // P(done by t) = 1 - e^(-t/m), with t = 2d and m = 3d.
  auto m = machineOf(journey("2d", "Waiting", R"(
  stage Waiting {
    after exponential(mean: 3d) -> Done
  }
  goal Done)"));
  auto analysis = sim::analyzeMarkov(m);
  ASSERT_TRUE(analysis.exact());
  const auto& a = analysis.overall;
  rt::Index done = stageNamed(m, "Done"), waiting = stageNamed(m, "Waiting");
  EXPECT_NEAR(a.endedAtHorizon[done], 1 - std::exp(-2.0 / 3), 1e-12);
  EXPECT_NEAR(a.endedAtHorizon[waiting], std::exp(-2.0 / 3), 1e-12);
  EXPECT_NEAR(a.endedEventually[done], 1, 1e-12);
  EXPECT_NEAR(a.conversionByHorizon, 1 - std::exp(-2.0 / 3), 1e-12);
  EXPECT_NEAR(a.timeToFinish, 3 * kDay, 1e-6);
  // E[min(T, t)] = m (1 - e^(-t/m)).
  EXPECT_NEAR(a.timeInJourneyByHorizon, 3 * kDay * (1 - std::exp(-2.0 / 3)), 1e-6);
  EXPECT_NEAR(a.visitsByHorizon[done], 1 - std::exp(-2.0 / 3), 1e-12);
  EXPECT_NEAR(a.visitsByHorizon[waiting], 1, 1e-12);

  // Another horizon, from the options.
  auto later = sim::analyzeMarkov(m, sim::MarkovOptions{.horizon = 9 * kDay});
  EXPECT_NEAR(later.overall.endedAtHorizon[done], 1 - std::exp(-3.0), 1e-12);
}

TEST(Markov, TwoClockRace) {
  // Buying at rate 1/2 per day against leaving at rate 1/4: P(bought) = 2/3 eventually and
  // 2/3 (1 - e^(-0.75 t)) by t.
  auto m = machineOf(journey("2d", "Browsing", R"(
  stage Browsing {
    touchpoint Banner via ads cost 0.5 USD emotion +2
    after exponential(mean: 2d) -> Bought
    on left -> Gone
  }
  goal Bought
  exit Gone
  event left {
    in Browsing
    every 4d
  })"));
  auto analysis = sim::analyzeMarkov(m);
  ASSERT_TRUE(analysis.exact());
  const auto& a = analysis.overall;
  rt::Index bought = stageNamed(m, "Bought"), gone = stageNamed(m, "Gone"),
            browsing = stageNamed(m, "Browsing");
  double leftBy = 1 - std::exp(-0.75 * 2);
  EXPECT_NEAR(a.endedAtHorizon[bought], 2.0 / 3 * leftBy, 1e-12);
  EXPECT_NEAR(a.endedAtHorizon[gone], 1.0 / 3 * leftBy, 1e-12);
  EXPECT_NEAR(a.endedAtHorizon[browsing], 1 - leftBy, 1e-12);
  EXPECT_NEAR(a.endedEventually[bought], 2.0 / 3, 1e-12);
  EXPECT_NEAR(a.endedEventually[gone], 1.0 / 3, 1e-12);
  EXPECT_NEAR(a.timeToFinish, kDay / 0.75, 1e-6);
  EXPECT_NEAR(a.timeInStageByHorizon[browsing], kDay * leftBy / 0.75, 1e-6);
  EXPECT_EQ(a.neverFinishes, 0);
  ASSERT_TRUE(a.costEventually.has_value());
  EXPECT_NEAR(*a.costEventually, 0.5, 1e-12);
  EXPECT_NEAR(*a.emotionByHorizon, 2, 1e-12);
}

TEST(Markov, CompetingExitsSplitByBranches) {
  // One clock, three ends by constant branches under a condition that folds.
  auto m = machineOf(journey("1d", "Deciding", R"(
  stage Deciding {
    after exponential(mean: 1d) -> {
      if persona == P -> { Yes 20%, No 40%, Later otherwise }
      else -> No
    }
  }
  goal Yes
  exit No
  exit Later)"));
  auto analysis = sim::analyzeMarkov(m);
  ASSERT_TRUE(analysis.exact());
  const auto& a = analysis.overall;
  double by = 1 - std::exp(-1.0);
  EXPECT_NEAR(a.endedEventually[stageNamed(m, "Yes")], 0.2, 1e-12);
  EXPECT_NEAR(a.endedEventually[stageNamed(m, "No")], 0.4, 1e-12);
  EXPECT_NEAR(a.endedEventually[stageNamed(m, "Later")], 0.4, 1e-12);
  EXPECT_NEAR(a.endedAtHorizon[stageNamed(m, "Later")], 0.4 * by, 1e-12);
}

TEST(Markov, LoopAgainstUniformization) {
  // Using (mean 5d) -> Ticket (mean 1d) -> half Resolved, half back to Using.
  auto m = machineOf(journey("30d", "Using", R"(
  stage Using {
    after exponential(mean: 5d) -> Ticket
  }
  stage Ticket {
    touchpoint Reply via chat cost 4 USD emotion -1
    after exponential(mean: 1d) -> { Resolved 50%, Using otherwise }
  }
  goal Resolved)"));
  auto analysis = sim::analyzeMarkov(m);
  ASSERT_TRUE(analysis.exact());
  const auto& a = analysis.overall;
  rt::Index inUse = stageNamed(m, "Using"), ticket = stageNamed(m, "Ticket"),
            resolved = stageNamed(m, "Resolved");
  // Eventually, by hand: two tickets on average (geometric), two stays in Using.
  EXPECT_NEAR(a.visitsEventually[ticket], 2, 1e-9);
  EXPECT_NEAR(a.visitsEventually[inUse], 2, 1e-9);
  EXPECT_NEAR(a.endedEventually[resolved], 1, 1e-12);
  EXPECT_NEAR(a.timeToFinish, 12 * kDay, 1e-3);
  EXPECT_NEAR(a.timeInStageEventually[inUse], 10 * kDay, 1e-3);
  EXPECT_NEAR(*a.costEventually, 8, 1e-9);
  EXPECT_NEAR(*a.emotionEventually, -2, 1e-9);

  // By the horizon, against uniformization of the hand-written generator (per day).
  std::vector<std::vector<double>> q{{-0.2, 0.2, 0}, {0.5, -1, 0.5}, {0, 0, 0}};
  Transient t = uniformize(q, {1, 0, 0}, 30);
  EXPECT_NEAR(a.endedAtHorizon[resolved], t.at[2], 1e-9);
  EXPECT_NEAR(a.endedAtHorizon[inUse], t.at[0], 1e-9);
  EXPECT_NEAR(a.timeInStageByHorizon[ticket], t.occupancy[1] * kDay, 1e-3);
  // Entries into Ticket come at rate 0.2 from Using; into Using at 0.5 from Ticket, plus the
  // entry.
  EXPECT_NEAR(a.visitsByHorizon[ticket], 0.2 * t.occupancy[0], 1e-9);
  EXPECT_NEAR(a.visitsByHorizon[inUse], 1 + 0.5 * t.occupancy[1], 1e-9);
  EXPECT_NEAR(*a.costByHorizon, 4 * 0.2 * t.occupancy[0], 1e-9);
}

TEST(Markov, SelfTransitionsAreVisitsButNotMoves) {
  // An event that re-enters its own stage: a new visit (touchpoints again), same chain.
  auto m = machineOf(journey("10d", "Trial", R"(
  stage Trial {
    touchpoint Welcome via email cost 1 USD
    after exponential(mean: 7d) -> { Paid 40%, Churned 35%, Trial otherwise }
    on nudged -> Trial
  }
  goal Paid
  exit Churned
  event nudged {
    in Trial
    every 10d
  })"));
  auto analysis = sim::analyzeMarkov(m);
  ASSERT_TRUE(analysis.exact());
  const auto& a = analysis.overall;
  rt::Index trial = stageNamed(m, "Trial");
  // Leaves at 0.75/7 per day: 28/3 days in Trial; re-entries at 0.25/7 + 1/10 per day.
  double stay = 7 / 0.75;
  EXPECT_NEAR(a.endedEventually[stageNamed(m, "Paid")], 0.4 / 0.75, 1e-12);
  EXPECT_NEAR(a.timeInStageEventually[trial], stay * kDay, 1e-3);
  EXPECT_NEAR(a.visitsEventually[trial], 1 + stay * (0.25 / 7 + 0.1), 1e-9);
  // The email channel costs nothing of its own here.
  EXPECT_NEAR(*a.costEventually, 1 + stay * (0.25 / 7 + 0.1), 1e-9);
  // By the horizon: time in Trial is m' (1 - e^(-t/m')) with m' = 28/3 days.
  EXPECT_NEAR(a.visitsByHorizon[trial], 1 + (0.25 / 7 + 0.1) * stay * (1 - std::exp(-10 / stay)),
              1e-9);
}

TEST(Markov, PersonasFoldBranchesAndMixByShare) {
  auto m = machineOf(R"(
journey T {
  horizon 20d
  entry Triage
  param threshold = 3
  persona Small {
    share 70%
    seats = 2
  }
  persona Large {
    share 30%
    seats = 40
  }
  stage Triage {
    touchpoint Form via web cost 1 USD emotion +1
    after 0d -> {
      if seats > threshold -> { Sales 60%, Trial otherwise }
      else -> Trial
    }
  }
  stage Trial {
    after exponential(mean: 7d) -> { Paid 40%, Churned 35%, Trial otherwise }
    for Large after exponential(mean: 3d) -> { Paid 70%, Sales otherwise }
    on nudged -> Trial
  }
  stage Sales {
    after exponential(mean: 2d) -> {
      if seats > 10 -> { Paid 50%, Churned 50% }
      else -> Churned
    }
    on nudged -> { Paid 20%, Churned 80% }
  }
  goal Paid {
    value seats * 100 USD
  }
  exit Churned
  event nudged {
    in Trial, Sales
    every 10d
    for Large every 5d
  }
}
)");
  auto analysis = sim::analyzeMarkov(m);
  ASSERT_TRUE(analysis.exact());
  ASSERT_EQ(analysis.personas.size(), 2u);
  rt::Index paid = stageNamed(m, "Paid"), triage = stageNamed(m, "Triage"),
            sales = stageNamed(m, "Sales");
  // Small: straight to Trial; paid 0.4 / 0.75 of the time.
  double small = 0.4 / 0.75;
  // Large: Sales leaves at 0.5 (half paid) or 0.2 (a fifth paid) per day.
  double fromSales = (0.5 * 0.5 + 0.2 * 0.2) / 0.7;
  double fromTrial = 0.7 + 0.3 * fromSales;
  double large = 0.6 * fromSales + 0.4 * fromTrial;
  EXPECT_NEAR(analysis.personas[0].endedEventually[paid], small, 1e-12);
  EXPECT_NEAR(analysis.personas[1].endedEventually[paid], large, 1e-12);
  EXPECT_NEAR(analysis.overall.endedEventually[paid], 0.7 * small + 0.3 * large, 1e-12);
  EXPECT_NEAR(*analysis.overall.valueEventually, 0.7 * small * 200 + 0.3 * large * 4000, 1e-6);
  // The zero-delay Triage: one visit, no time.
  EXPECT_NEAR(analysis.overall.visitsEventually[triage], 1, 1e-12);
  EXPECT_NEAR(analysis.overall.timeInStageEventually[triage], 0, 1e-9);
  EXPECT_EQ(analysis.personas[0].visitsEventually[sales], 0);
  EXPECT_NEAR(analysis.personas[1].visitsEventually[sales], 0.6 + 0.4 * 0.3, 1e-12);
  EXPECT_NEAR(*analysis.overall.emotionEventually, 1, 1e-12);
}

TEST(Markov, ParamOverridesReachTheChain) {
  auto spec = journey("5d", "A", R"(
  param mean_wait = 2d
  stage A {
    after exponential(mean: mean_wait) -> Done
  }
  goal Done)");
  auto m = machineOf(spec, true, {"mean_wait=4d"});
  auto analysis = sim::analyzeMarkov(m);
  ASSERT_TRUE(analysis.exact());
  EXPECT_NEAR(analysis.overall.conversionByHorizon, 1 - std::exp(-5.0 / 4), 1e-12);
}

TEST(Markov, StuckCustomersNeverFinish) {
  // `Waiting` has no way out (the checker calls it a dead end; built without checks here).
  auto m = machineOf(journey("3d", "Start", R"(
  stage Start {
    after exponential(mean: 1d) -> { Done 70%, Waiting otherwise }
  }
  stage Waiting {
    touchpoint Parked via web cost 2 USD
  }
  goal Done)"),
                     false);
  auto analysis = sim::analyzeMarkov(m);
  ASSERT_TRUE(analysis.exact());
  const auto& a = analysis.overall;
  rt::Index waiting = stageNamed(m, "Waiting"), done = stageNamed(m, "Done");
  EXPECT_NEAR(a.endedEventually[done], 0.7, 1e-12);
  EXPECT_NEAR(a.neverFinishes, 0.3, 1e-12);
  EXPECT_TRUE(std::isinf(a.timeToFinish));
  EXPECT_TRUE(std::isinf(a.timeInStageEventually[waiting]));
  EXPECT_NEAR(a.visitsEventually[waiting], 0.3, 1e-12);  // entered once, never again
  EXPECT_NEAR(a.endedAtHorizon[waiting], 0.3 * (1 - std::exp(-3.0)), 1e-12);
  EXPECT_NEAR(*a.costEventually, 0.6, 1e-12);
}

TEST(Markov, UnroutedAfterLeavesOnlyTheEvents) {
  // The `after` resolves to no stage (no `else`), and is not retried (semantics 9.5): only
  // the event moves the customer, so the time to finish is the event's mean.
  auto m = machineOf(R"(
journey T {
  horizon 10d
  entry A
  persona P {
    share 100%
    seats = 5
  }
  stage A {
    after exponential(mean: 1d) -> {
      if seats > 10 -> Done
    }
    on poke -> Gone
  }
  goal Done
  exit Gone
  event poke {
    in A
    every 4d
  }
}
)",
                     false);
  auto analysis = sim::analyzeMarkov(m);
  ASSERT_TRUE(analysis.exact());
  const auto& a = analysis.overall;
  EXPECT_NEAR(a.endedEventually[stageNamed(m, "Gone")], 1, 1e-12);
  EXPECT_NEAR(a.timeToFinish, 4 * kDay, 1e-3);
  EXPECT_NEAR(a.endedAtHorizon[stageNamed(m, "Gone")], 1 - std::exp(-10.0 / 4), 1e-12);
  EXPECT_NEAR(a.visitsEventually[stageNamed(m, "A")], 1, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// Obstacles

std::vector<std::string> codesOf(const sim::MarkovAnalysis& analysis) {
  std::vector<std::string> codes;
  for (const auto& o : analysis.obstacles)
    codes.push_back(o.code);
  return codes;
}

bool has(const std::vector<std::string>& codes, const std::string& code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

TEST(Markov, ObstaclesHaveTheirPlaceAndPersonas) {
  auto m = machineOf(R"(
journey T {
  horizon 30d
  entry A
  channel email {
    cap 1 per 7d drop
  }
  persona Fixed {
    share 50%
    budget = 10
  }
  persona Drawn {
    share 50%
    budget = uniform(1, 20)
  }
  var tries = 0
  stage A {
    after lognormal(median: 2d, sigma: 0.5) -> B
  }
  stage B {
    after exponential(mean: 1d) -> {
      if budget > 5 -> C
      else -> Lost
    }
  }
  stage C {
    after exponential(mean: 1d + time_in_stage) -> { Won clamp(emotion / 10, 0, 1), Lost otherwise }
  }
  stage D {
    after 3d -> Lost
  }
  goal Won
  exit Lost
  touchpoint Mail via email
  rule Chase {
    on enter C
    send Mail
    set tries = tries + 1
  }
}
)",
                     false);
  auto analysis = sim::analyzeMarkov(m);
  EXPECT_FALSE(analysis.exact());
  EXPECT_TRUE(analysis.personas.empty());
  auto codes = codesOf(analysis);
  EXPECT_TRUE(has(codes, "non-exponential-delay"));
  EXPECT_TRUE(has(codes, "sampled-attribute"));
  EXPECT_TRUE(has(codes, "state-dependent-delay"));
  EXPECT_TRUE(has(codes, "state-dependent-branch"));
  EXPECT_TRUE(has(codes, "fixed-delay"));
  EXPECT_TRUE(has(codes, "rule"));
  EXPECT_TRUE(has(codes, "channel-cap"));
  for (const auto& o : analysis.obstacles) {
    if (o.code == "rule") {
      EXPECT_NE(o.message.find("sends `Mail`"), std::string::npos) << o.message;
      EXPECT_NE(o.message.find("sets `tries`"), std::string::npos) << o.message;
      EXPECT_EQ(o.subject, "rule Chase");
    }
    if (o.code == "sampled-attribute") {
      // Only the persona whose budget is drawn: for `Fixed` the condition folds.
      EXPECT_EQ(o.personas, std::vector<std::string>{"Drawn"});
      EXPECT_EQ(o.place, "main.journey:22:10");
      EXPECT_NE(o.message.find("`budget`"), std::string::npos);
    }
    if (o.code == "non-exponential-delay") {
      EXPECT_EQ(o.place, "main.journey:18:11");
      EXPECT_NE(o.message.find("lognormal"), std::string::npos);
      EXPECT_EQ(o.personas.size(), 2u);
    }
    if (o.code == "fixed-delay") {
      EXPECT_NE(o.message.find("3d"), std::string::npos);
    }
    if (o.code == "state-dependent-delay") {
      EXPECT_NE(o.message.find("time_in_stage"), std::string::npos);
    }
    if (o.code == "state-dependent-branch") {
      EXPECT_NE(o.message.find("emotion"), std::string::npos);
    }
  }
}

TEST(Markov, RulesForOtherPersonasDoNotCount) {
  auto spec = R"(
journey T {
  horizon 30d
  entry A
  persona Mine {
    share 50%
  }
  persona Theirs {
    share 50%
  }
  stage A {
    after exponential(mean: 1d) -> Done
  }
  goal Done
  touchpoint Note via email
  rule OnlyTheirs {
    on enter A
    for Theirs
    send Note
  }
}
)";
  auto analysis = sim::analyzeMarkov(machineOf(spec));
  ASSERT_EQ(analysis.obstacles.size(), 1u);
  EXPECT_EQ(analysis.obstacles[0].personas, std::vector<std::string>{"Theirs"});
}

TEST(Markov, ZeroTimeLoopsThatCustomersLeaveAreSolved) {
  // A goes round to B and back at once with probability 50% x 30%: 1 / 0.85 visits of A.
  auto m = machineOf(journey("30d", "Start", R"(
  stage Start {
    after exponential(mean: 1d) -> A
  }
  stage A {
    after 0d -> { B 50%, Done otherwise }
  }
  stage B {
    after 0d -> { A 30%, Lost otherwise }
  }
  goal Done
  exit Lost)"));
  auto analysis = sim::analyzeMarkov(m);
  ASSERT_TRUE(analysis.exact());
  const auto& a = analysis.overall;
  EXPECT_NEAR(a.endedEventually[stageNamed(m, "Done")], 0.5 / 0.85, 1e-12);
  EXPECT_NEAR(a.endedEventually[stageNamed(m, "Lost")], 0.35 / 0.85, 1e-12);
  EXPECT_NEAR(a.visitsEventually[stageNamed(m, "A")], 1 / 0.85, 1e-12);
  EXPECT_NEAR(a.visitsEventually[stageNamed(m, "B")], 0.5 / 0.85, 1e-12);
  EXPECT_NEAR(a.timeToFinish, kDay, 1e-6);
  EXPECT_EQ(a.neverFinishes, 0);
}

TEST(Markov, ZeroTimeLoopsThatNobodyLeavesAreRefused) {
  // The checker refuses this journey too; built without checks, the analysis must not loop.
  auto m = machineOf(journey("30d", "A", R"(
  stage A {
    after 0d -> { B 50%, Done otherwise }
  }
  stage B {
    after 0d -> C
  }
  stage C {
    after 0d -> B
  }
  goal Done)"),
                     false);
  auto analysis = sim::analyzeMarkov(m);
  auto codes = codesOf(analysis);
  ASSERT_TRUE(has(codes, "zero-time-cycle"));
  EXPECT_NE(analysis.obstacles[0].message.find("`B`"), std::string::npos);
}

TEST(Markov, ChancesThatAddUpToOneFinish) {
  // 0.3 + 0.6 + 0.1 is 0.9999999999999999 in doubles; in any order nobody is left behind.
  for (const char* chances :
       {"Support 0.3, Renewal 0.6, Churned 0.1", "Renewal 0.6, Support 0.3, Churned 0.1",
        "Support 30%, Renewal 60%, Churned 10%", "Churned 0.1, Support 0.3, Renewal 0.6"}) {
    SCOPED_TRACE(chances);
    auto m = machineOf(journey("30d", "Start",
                               std::string(R"(
  stage Start {
    after exponential(mean: 1d) -> { )") +
                                   chances + R"( }
  }
  stage Support {
    after exponential(mean: 2d) -> Renewal
  }
  goal Renewal
  exit Churned)"));
    auto analysis = sim::analyzeMarkov(m);
    ASSERT_TRUE(analysis.exact());
    const auto& a = analysis.overall;
    EXPECT_NEAR(a.timeToFinish, 1.6 * kDay, 1e-6);
    EXPECT_EQ(a.neverFinishes, 0);
    EXPECT_NEAR(a.endedEventually[stageNamed(m, "Renewal")], 0.9, 1e-12);
  }
}

TEST(Markov, ResponsesMatterOnlyWhenTheirEventMovesSomeone) {
  auto spec = [](const std::string& on) {
    return journey("30d", "A", R"(
  stage A {
    touchpoint Mail via email response 30% emits clicked delay exponential(mean: 1d)
    after exponential(mean: 2d) -> Done
    )" + on + R"(
  }
  goal Done
  exit Gone
  event clicked)");
  };
  auto moves = sim::analyzeMarkov(machineOf(spec("on clicked -> Gone"), false));
  ASSERT_EQ(moves.obstacles.size(), 1u);
  EXPECT_EQ(moves.obstacles[0].code, "response");
  EXPECT_FALSE(moves.obstacles[0].place.empty());
  auto harmless = sim::analyzeMarkov(machineOf(spec(""), false));
  EXPECT_TRUE(harmless.exact());
}

TEST(Markov, TheBusinessPhoneExampleIsNotAChain) {
  MemoryFileReader files;
  DiskFileReader disk;
  std::string path = std::string(JOURNEY_SOURCE_DIR) + "/examples/business_phone.journey";
  auto compilation = compile(path, disk);
  auto machine = buildMachine(*compilation, {});
  ASSERT_TRUE(machine.has_value());
  auto analysis = sim::analyzeMarkov(*machine);
  auto codes = codesOf(analysis);
  for (const char* code :
       {"non-exponential-delay", "fixed-delay", "state-dependent-delay", "state-dependent-branch",
        "sampled-attribute", "rule", "channel-cap", "quiet-hours"})
    EXPECT_TRUE(has(codes, code)) << code;
  for (const auto& o : analysis.obstacles) {
    if (o.code != "rule" && o.code != "channel-cap" && o.code != "quiet-hours") {
      EXPECT_FALSE(o.place.empty()) << o.message;
    }
  }
}

}  // namespace
}  // namespace journey

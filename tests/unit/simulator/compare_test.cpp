// Paired statistics and matching of `journey compare` (simulator/compare.h), and sweep ranges
// (simulator/sweep.h).
#include "simulator/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "simulator/sweep.h"

namespace journey::sim {
namespace {

TEST(PairedSums, IdenticalValuesGiveAZeroWidthInterval) {
  PairedSums s;
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> u(0, 100);
  for (int i = 0; i < 1000; ++i) {
    double y = u(random);
    s.add(y, 1, y, 1);
  }
  EXPECT_EQ(s.differing, 0u);
  Interval d = s.difference(0);
  EXPECT_EQ(d.value, 0);
  EXPECT_EQ(d.low, 0);
  EXPECT_EQ(d.high, 0);
  EXPECT_FALSE(significant(d));
}

TEST(PairedSums, MeanDifferenceMatchesThePairedTTest) {
  // d_i = y_new - y_old; the interval is mean(d) ± 1.96 sd(d) / sqrt(n).
  PairedSums s;
  std::vector<double> d;
  std::mt19937_64 random(11);
  std::normal_distribution<double> noise(0, 1);
  double sumOld = 0, sumNew = 0;
  for (int i = 0; i < 5000; ++i) {
    double old = 10 + 3 * noise(random);
    double young = old + 0.1 + 0.5 * noise(random);
    s.add(old, 1, young, 1);
    d.push_back(young - old);
    sumOld += old;
    sumNew += young;
  }
  double mean = 0;
  for (double x : d)
    mean += x;
  auto n = static_cast<double>(d.size());
  mean /= n;
  double var = 0;
  for (double x : d)
    var += (x - mean) * (x - mean);
  var /= n - 1;
  double half = kZ95 * std::sqrt(var / n);
  double delta = sumNew / 5000 - sumOld / 5000;
  Interval i = s.difference(delta);
  EXPECT_NEAR(i.value, mean, 1e-9);
  EXPECT_NEAR(i.high - i.value, half, 1e-9);
  EXPECT_NEAR(i.value - i.low, half, 1e-9);
  EXPECT_TRUE(significant(i));
}

TEST(PairedSums, RatioDifferenceMatchesTheDeltaMethod) {
  // Cost per conversion: sum(cost) / sum(converted) in each version. The linearised
  // difference z_i = (y_n - R_n x_n)/mean(x_n) - (y_o - R_o x_o)/mean(x_o) has the variance of
  // the estimate; compute it directly and compare.
  std::mt19937_64 random(5);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> yo, xo, yn, xn;
  PairedSums s;
  for (int i = 0; i < 4000; ++i) {
    double converted = u(random) < 0.3 ? 1 : 0;
    double cost = 5 + 10 * u(random);
    double convertedNew = converted == 1 || u(random) < 0.05 ? 1 : 0;
    double costNew = cost + (u(random) < 0.2 ? 2 : 0);
    yo.push_back(cost);
    xo.push_back(converted);
    yn.push_back(costNew);
    xn.push_back(convertedNew);
    s.add(cost, converted, costNew, convertedNew);
  }
  auto sum = [](const std::vector<double>& v) {
    double t = 0;
    for (double x : v)
      t += x;
    return t;
  };
  auto n = static_cast<double>(yo.size());
  double ro = sum(yo) / sum(xo), rn = sum(yn) / sum(xn);
  double mxo = sum(xo) / n, mxn = sum(xn) / n;
  std::vector<double> z;
  for (std::size_t i = 0; i < yo.size(); ++i)
    z.push_back((yn[i] - rn * xn[i]) / mxn - (yo[i] - ro * xo[i]) / mxo);
  double mz = sum(z) / n, vz = 0;
  for (double x : z)
    vz += (x - mz) * (x - mz);
  vz /= n - 1;
  double half = kZ95 * std::sqrt(vz / n);
  Interval i = s.difference(rn - ro);
  EXPECT_NEAR(i.high - i.value, half, 1e-9 * half);
  EXPECT_GT(s.differing, 0u);
}

TEST(PairedSums, MergingChunksEqualsOneRun) {
  PairedSums whole, a, b;
  for (int i = 0; i < 100; ++i) {
    double y = i % 7, x = 1, y2 = (i % 11 == 0) ? y + 1 : y;
    whole.add(y, x, y2, x);
    (i < 60 ? a : b).add(y, x, y2, x);
  }
  a.merge(b);
  EXPECT_EQ(a.n, whole.n);
  EXPECT_EQ(a.differing, whole.differing);
  Interval i = a.difference(0.09), j = whole.difference(0.09);
  EXPECT_NEAR(i.low, j.low, 1e-12);
  EXPECT_NEAR(i.high, j.high, 1e-12);
}

TEST(PairedSums, UndefinedWithoutDenominators) {
  PairedSums s;
  s.add(1, 0, 2, 0);
  s.add(1, 0, 3, 0);
  EXPECT_TRUE(std::isnan(s.difference(NAN).low));
  EXPECT_TRUE(std::isnan(s.difference(1).low));
  PairedSums one;
  one.add(1, 1, 2, 1);
  EXPECT_TRUE(std::isnan(one.difference(1).low));
}

rt::Machine machineWith(const std::vector<std::string>& stages) {
  rt::Machine m;
  m.personas.push_back({"P", "", 1});
  for (const auto& s : stages)
    m.stages.push_back({s, "", rt::StageKind::Ordinary});
  m.afters.assign(m.stages.size(), {});
  return m;
}

TEST(Matching, ByNameRenameOptionAndAddedRemoved) {
  rt::Machine a = machineWith({"Visit", "Trial", "Old"});
  rt::Machine b = machineWith({"Visit", "FreeTrial", "New"});
  std::string error;
  MatchOptions options;
  options.renames.push_back({"stage", "Trial", "FreeTrial"});
  options.guessRenames = false;
  auto matching = matchMachines(a, b, options, error);
  ASSERT_TRUE(matching) << error;
  EXPECT_EQ(matching->toNew(MatchKind::Stage, 0), 0);
  EXPECT_EQ(matching->toNew(MatchKind::Stage, 1), 1);
  EXPECT_EQ(matching->toNew(MatchKind::Stage, 2), rt::kNone);
  std::vector<std::pair<std::string, MatchHow>> stages;
  for (const auto& m : matching->matches)
    if (m.kind == MatchKind::Stage)
      stages.emplace_back(m.how == MatchHow::Removed ? m.oldName : m.newName, m.how);
  std::vector<std::pair<std::string, MatchHow>> expected{{"Visit", MatchHow::Name},
                                                         {"FreeTrial", MatchHow::Option},
                                                         {"New", MatchHow::Added},
                                                         {"Old", MatchHow::Removed}};
  EXPECT_EQ(stages, expected);
}

TEST(Matching, GuessesARenameFromTheDescriptionAndPlace) {
  rt::Machine a = machineWith({"Visit", "Trial"});
  rt::Machine b = machineWith({"Visit", "FreeTrial"});
  a.stages[1].display = b.stages[1].display = "Free trial";
  std::string error;
  auto matching = matchMachines(a, b, MatchOptions{}, error);
  ASSERT_TRUE(matching);
  EXPECT_EQ(matching->toNew(MatchKind::Stage, 1), 1);
  const Match& m = matching->matches[2];
  EXPECT_EQ(m.how, MatchHow::Guessed);
  EXPECT_EQ(m.oldName, "Trial");
  EXPECT_EQ(m.reasons.size(), 2u);
}

TEST(Matching, RenameOfAnUnknownName) {
  rt::Machine a = machineWith({"Visit"});
  std::string error;
  MatchOptions options;
  options.renames.push_back({"", "Vist", "Visit"});
  EXPECT_FALSE(matchMachines(a, a, options, error));
  EXPECT_NE(error.find("the old version has no declaration named `Vist`"), std::string::npos);
  EXPECT_FALSE(parseRename("stag:A=B", error));
  EXPECT_NE(error.find("not a kind"), std::string::npos);
  auto r = parseRename("rule:A=B", error);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, "rule");
  EXPECT_EQ(r->oldName, "A");
  EXPECT_EQ(r->newName, "B");
}

TEST(SweepRange, DecimalValuesWithUnits) {
  std::string error;
  auto r = parseSweepRange("p=10%..30%:5%", error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->name, "p");
  EXPECT_EQ(r->values, (std::vector<std::string>{"10%", "15%", "20%", "25%", "30%"}));
  r = parseSweepRange("d=1d..7d:2d", error);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->values, (std::vector<std::string>{"1d", "3d", "5d", "7d"}));
  EXPECT_EQ(r->note, "");
  r = parseSweepRange("d=1d..8d:2d", error);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->values, (std::vector<std::string>{"1d", "3d", "5d", "7d"}));
  EXPECT_NE(r->note.find("the last value is 7d"), std::string::npos) << r->note;
  r = parseSweepRange("x=0.1..0.3:0.1", error);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->values, (std::vector<std::string>{"0.1", "0.2", "0.3"}));
  r = parseSweepRange("m=20 USD..30 USD:2.5 USD", error);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->values,
            (std::vector<std::string>{"20 USD", "22.5 USD", "25 USD", "27.5 USD", "30 USD"}));
  r = parseSweepRange("x=5..-5:-5", error);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->values, (std::vector<std::string>{"5", "0", "-5"}));
  EXPECT_TRUE(isSweepRange("x=1..2:1"));
  EXPECT_FALSE(isSweepRange("x=1"));
}

TEST(SweepRange, BadRanges) {
  std::string error;
  EXPECT_FALSE(parseSweepRange("p=10%..30%:0%", error));
  EXPECT_NE(error.find("`--set p=10%..30%:0%`: the step is 0"), std::string::npos) << error;
  EXPECT_FALSE(parseSweepRange("p=30%..10%:5%", error));
  EXPECT_NE(error.find("goes away from TO"), std::string::npos);
  EXPECT_NE(error.find("use -5%"), std::string::npos) << error;
  EXPECT_FALSE(parseSweepRange("p=1d..2w:1d", error));
  EXPECT_NE(error.find("same unit"), std::string::npos);
  EXPECT_FALSE(parseSweepRange("p=1..2", error));
  EXPECT_NE(error.find("needs a step"), std::string::npos);
  EXPECT_FALSE(parseSweepRange("p=0..1001:1", error));
  EXPECT_NE(error.find("1002 values"), std::string::npos);
  EXPECT_FALSE(parseSweepRange("p=a..b:1", error));
  EXPECT_NE(error.find("FROM `a`"), std::string::npos);
}

}  // namespace
}  // namespace journey::sim

// KPI gates (simulator/gates.h): parsing, units, errors with columns, resolution against a
// journey, and verdicts.
#include "simulator/gates.h"

#include <gtest/gtest.h>

#include <cmath>

#include "compiler/driver/driver.h"
#include "compiler/driver/machine.h"

namespace journey::sim {
namespace {

Gate parsed(std::string_view text, bool compare = false) {
  auto result = parseGate(text, compare);
  if (auto* error = std::get_if<GateError>(&result)) {
    ADD_FAILURE() << text << ": " << error->message << " at column " << error->column;
    return Gate{};
  }
  return std::get<Gate>(result);
}

GateError failure(std::string_view text, bool compare = false) {
  auto result = parseGate(text, compare);
  if (auto* error = std::get_if<GateError>(&result)) return *error;
  ADD_FAILURE() << text << " parsed";
  return GateError{};
}

TEST(Gates, ParsesAShareInPercent) {
  Gate g = parsed("conversion < 12%");
  EXPECT_EQ(g.scope, GateScope::Value);
  EXPECT_EQ(g.metric, "conversion");
  EXPECT_EQ(g.item, "");
  EXPECT_EQ(g.group, "all");
  EXPECT_EQ(g.op, GateOp::Less);
  EXPECT_DOUBLE_EQ(g.threshold, 0.12);
  EXPECT_EQ(g.thresholdText, "12%");
  EXPECT_EQ(g.unit, KpiUnit::Share);
}

TEST(Gates, ParsesItemsPersonasAndAliases) {
  Gate g = parsed("  goal(Renewed)[Enterprise] >= 0.3");
  EXPECT_EQ(g.metric, "outcome");
  EXPECT_EQ(g.stageKind, "goal");
  EXPECT_EQ(g.item, "Renewed");
  EXPECT_EQ(g.group, "Enterprise");
  EXPECT_EQ(g.op, GateOp::GreaterOrEqual);
  EXPECT_DOUBLE_EQ(g.threshold, 0.3);
  EXPECT_EQ(g.metricColumn, 3u);
  EXPECT_EQ(gateSubject(g), "goal(Renewed)[Enterprise]");
}

TEST(Gates, ConvertsDurationsMoneyAndRatios) {
  EXPECT_DOUBLE_EQ(parsed("days_to_goal_mean > 2w").threshold, 14);
  EXPECT_DOUBLE_EQ(parsed("days_to_goal_mean > 36h").threshold, 1.5);
  EXPECT_DOUBLE_EQ(parsed("days_to_goal_mean > 30").threshold, 30);
  EXPECT_DOUBLE_EQ(parsed("effort_hours_per_customer > 90m").threshold, 1.5);
  Gate money = parsed("cost_per_customer > 1_500.5 USD");
  EXPECT_DOUBLE_EQ(money.threshold, 1500.5);
  EXPECT_EQ(money.currency, "USD");
  EXPECT_DOUBLE_EQ(parsed("roi < 50%").threshold, 0.5);
  EXPECT_DOUBLE_EQ(parsed("final_emotion<=-1.5").threshold, -1.5);
}

TEST(Gates, CompareGatesNeedAScope) {
  Gate delta = parsed("delta(conversion) < -1pt", true);
  EXPECT_EQ(delta.scope, GateScope::Delta);
  EXPECT_DOUBLE_EQ(delta.threshold, -0.01);
  Gate nested = parsed("delta(outcome(Lost)[SmallBiz]) > 0.5pt", true);
  EXPECT_EQ(nested.item, "Lost");
  EXPECT_EQ(nested.group, "SmallBiz");
  EXPECT_DOUBLE_EQ(nested.threshold, 0.005);
  Gate outside = parsed("new(conversion)[Pro] < 10%", true);
  EXPECT_EQ(outside.scope, GateScope::New);
  EXPECT_EQ(outside.group, "Pro");
  EXPECT_EQ(parsed("old(roi) < 0", true).scope, GateScope::Old);
  EXPECT_NE(failure("conversion < 12%", true).message.find("delta(conversion)"), std::string::npos);
  EXPECT_NE(failure("delta(conversion) < 1%", false).message.find("journey compare"),
            std::string::npos);
}

TEST(Gates, ErrorsPointAtTheColumn) {
  GateError op = failure("conversion <> 12%");
  EXPECT_EQ(op.column, 13u);
  EXPECT_NE(op.message.find("expected a number"), std::string::npos);
  GateError missingOp = failure("conversion 12%");
  EXPECT_EQ(missingOp.column, 12u);
  EXPECT_NE(missingOp.message.find("<, <=, > or >="), std::string::npos);
  GateError unknown = failure("convrsion < 12%");
  EXPECT_EQ(unknown.column, 1u);
  EXPECT_NE(unknown.message.find("unknown KPI `convrsion`"), std::string::npos);
  EXPECT_NE(failure("outcome < 1%").message.find("needs an item"), std::string::npos);
  EXPECT_NE(failure("conversion(X) < 1%").message.find("takes no item"), std::string::npos);
  EXPECT_EQ(failure("conversion < 12pt").column, 16u);
  EXPECT_NE(failure("delta(conversion) < -1%", true).message.find("-1pt"), std::string::npos);
  EXPECT_NE(failure("conversion < 12").message.find("12%"), std::string::npos);
  EXPECT_NE(failure("days_to_goal_mean < 3 USD").message.find("duration"), std::string::npos);
  EXPECT_NE(failure("final_emotion < 3d").message.find("no unit"), std::string::npos);
  EXPECT_NE(failure("conversion < 12% and more").message.find("unexpected"), std::string::npos);
  EXPECT_NE(failure("").message.find("expected a KPI"), std::string::npos);
  std::string shown = describeGateError("conversion <> 12%", failure("conversion <> 12%"));
  EXPECT_NE(shown.find("\n  conversion <> 12%\n              ^\n"), std::string::npos) << shown;
}

TEST(Gates, ValueGatesReadTheEstimate) {
  Gate g = parsed("conversion < 12%");
  EXPECT_TRUE(judgeValue(g, {0.10, 0.09, 0.11}).failed);
  EXPECT_FALSE(judgeValue(g, {0.12, 0.11, 0.13}).failed);
  GateVerdict v = judgeValue(g, {0.1031, 0.0992, 0.1071});
  EXPECT_EQ(v.message, "conversion is 10.31% (95% CI [9.92%, 10.71%]): below 12%");
  EXPECT_TRUE(judgeValue(g, {NAN, NAN, NAN}).failed);
}

TEST(Gates, DeltaGatesNeedTheWholeInterval) {
  Gate g = parsed("delta(conversion) < -1pt", true);
  // Estimated 2 points worse, surely more than 1: fails.
  EXPECT_TRUE(judgeDelta(g, {-0.02, -0.025, -0.015}).failed);
  // Estimated 1.2 points worse, but possibly less than 1: passes.
  EXPECT_FALSE(judgeDelta(g, {-0.012, -0.017, -0.007}).failed);
  // Not significant at all: passes.
  EXPECT_FALSE(judgeDelta(g, {-0.02, -0.05, 0.01}).failed);
  // Identical versions: zero-width interval at 0.
  EXPECT_FALSE(judgeDelta(g, {0, 0, 0}).failed);
  Gate up = parsed("delta(cost_per_customer) > 0", true);
  EXPECT_TRUE(judgeDelta(up, {1.5, 0.5, 2.5}).failed);
  EXPECT_FALSE(judgeDelta(up, {1.5, -0.5, 3.5}).failed);
  EXPECT_FALSE(judgeDelta(up, {0, 0, 0}).failed);
  GateVerdict v = judgeDelta(g, {-0.02, -0.025, -0.015});
  EXPECT_EQ(v.message,
            "delta(conversion) is -2.00 pt (95% CI [-2.50, -1.50]): below -1pt at 95% confidence");
  EXPECT_TRUE(judgeDelta(g, {-0.02, NAN, NAN}).failed);
}

constexpr const char* kSplit = R"(journey Split {
  horizon 30d
  entry Start
  persona Everyone {
    share 100%
  }
  stage Start {
    after 1d -> { Won 80%, Lost otherwise }
  }
  goal Won
  exit Lost
})";

rt::Machine splitMachine() {
  MemoryFileReader files;
  files.set("split.journey", kSplit);
  auto compilation = compile("split.journey", files);
  auto machine = buildMachine(*compilation, {});
  if (!machine) {
    ADD_FAILURE() << "the spec does not build";
    return rt::Machine{};
  }
  return *machine;
}

std::string unresolved(const rt::Machine& machine, std::string_view text) {
  std::string error;
  if (resolveGate(parsed(text), machine, error)) ADD_FAILURE() << text << " resolved";
  return error;
}

TEST(Gates, ResolveAgainstTheJourney) {
  rt::Machine machine = splitMachine();
  std::string error;
  auto target = resolveGate(parsed("goal(Won)[Everyone] < 50%"), machine, error);
  ASSERT_TRUE(target) << error;
  EXPECT_EQ(target->kpi.metric, "outcome");
  EXPECT_EQ(target->persona, 0);
  EXPECT_EQ(unresolved(machine, "conversion[Nobody] < 1%"),
            "there is no persona `Nobody` (personas: Everyone)");
  EXPECT_EQ(unresolved(machine, "goal(Lost) < 1%"), "`Lost` is not a goal");
  EXPECT_EQ(unresolved(machine, "exit(Won) < 1%"), "`Won` is not an exit");
  EXPECT_EQ(unresolved(machine, "cost_per_customer > 5 EUR"),
            "the journey's money is in no currency, not EUR");
  EXPECT_NE(unresolved(machine, "outcome(Nowhere) < 1%").find("there is no `outcome(Nowhere)`"),
            std::string::npos);
}

TEST(Gates, JudgedOnTheResults) {
  rt::Machine machine = splitMachine();
  rt::Program program(machine);
  Options options;
  options.customers = 2000;
  options.threads = 1;
  Results results = simulate(program, options);
  std::vector<Gate> gates = {parsed("conversion < 50%"), parsed("conversion > 90%")};
  std::vector<GateTarget> targets;
  targets.reserve(gates.size());
  std::string error;
  for (const auto& gate : gates)
    targets.push_back(*resolveGate(gate, machine, error));
  auto verdicts = judgeGates(gates, targets, machine, results);
  ASSERT_EQ(verdicts.size(), 2u);
  EXPECT_FALSE(verdicts[0].failed) << verdicts[0].message;
  EXPECT_FALSE(verdicts[1].failed) << verdicts[1].message;
}

TEST(Gates, CompareGatesResolveInTheComparison) {
  rt::Machine machine = splitMachine();
  std::string error;
  auto matching = matchMachines(machine, machine, MatchOptions{}, error);
  ASSERT_TRUE(matching) << error;
  rt::Program program(machine);
  CompareOptions options;
  options.customers = 500;
  options.threads = 1;
  Comparison comparison = compare(program, program, *matching, options);
  Gate delta = parsed("delta(conversion) < -1pt", true);
  const ComparedKpi* kpi = resolveCompareGate(delta, comparison, machine, machine, error);
  ASSERT_NE(kpi, nullptr) << error;
  EXPECT_EQ(kpi->metric, "conversion");
  EXPECT_EQ(
      resolveCompareGate(parsed("new(goal(Lost)) < 1%", true), comparison, machine, machine, error),
      nullptr);
  EXPECT_EQ(error, "`Lost` is not a goal");
  EXPECT_EQ(resolveCompareGate(parsed("old(conversion)[Nobody] < 1%", true), comparison, machine,
                               machine, error),
            nullptr);
  EXPECT_EQ(error, "there is no persona `Nobody` in both versions (groups: all, Everyone)");
  auto verdicts = judgeCompareGates({delta}, comparison, machine, machine);
  ASSERT_EQ(verdicts.size(), 1u);
  // The same version twice: no difference, so the gate passes.
  EXPECT_FALSE(verdicts[0].failed) << verdicts[0].message;
}

}  // namespace
}  // namespace journey::sim

// The sweep's engine (simulator/sweep.h): the grid from `--set` arguments, the KPI columns, the
// points run on the same customers, and the reports.
#include "simulator/sweep.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "compiler/driver/machine.h"

namespace journey::sim {
namespace {

constexpr const char* kSplit = R"(journey Split {
  horizon 30d
  entry Start
  param pa = 80%
  persona Everyone {
    share 100%
  }
  stage Start {
    after 1d -> { Won pa, Lost otherwise }
  }
  goal Won
  exit Lost
})";

// The machine of every point of `grid`, lowered from one compilation of kSplit.
std::vector<SweepPoint> lowerPoints(const SweepGrid& grid) {
  MemoryFileReader files;
  files.set("split.journey", kSplit);
  auto compilation = compile("split.journey", files);
  std::vector<SweepPoint> points;
  for (std::size_t k = 0; k < grid.size(); ++k) {
    auto machine = buildMachine(*compilation, grid.overrides(k));
    if (!machine) {
      ADD_FAILURE() << "point " << k << " does not build";
      return {};
    }
    points.push_back({grid.values(k), std::move(*machine), nullptr});
  }
  return points;
}

SweepOptions interpreted(std::uint64_t customers) {
  SweepOptions options;
  options.run.customers = customers;
  options.run.seed = 3;
  options.run.threads = 2;
  options.compile = [](const rt::Machine&) {
    return std::optional<CompiledExprs>(CompiledExprs());
  };
  return options;
}

TEST(SweepGrid, TwoRangesVaryTheLastFastestAfterTheFixedValues) {
  std::vector<std::string> notes;
  std::string error;
  auto grid = parseSweepGrid({"a=1..2:1", "k=5", "b=10%..30%:10%"}, notes, error);
  ASSERT_TRUE(grid) << error;
  EXPECT_TRUE(notes.empty());
  EXPECT_EQ(grid->fixed, std::vector<std::string>{"k=5"});
  ASSERT_EQ(grid->size(), 6u);
  EXPECT_EQ(grid->values(0), (std::vector<std::string>{"1", "10%"}));
  EXPECT_EQ(grid->values(1), (std::vector<std::string>{"1", "20%"}));
  EXPECT_EQ(grid->values(5), (std::vector<std::string>{"2", "30%"}));
  EXPECT_EQ(grid->overrides(4), (std::vector<std::string>{"k=5", "a=2", "b=20%"}));
}

TEST(SweepGrid, RefusesWhatIsNotOneOrTwoDistinctRanges) {
  std::vector<std::string> notes;
  std::string error;
  EXPECT_FALSE(parseSweepGrid({"k=5"}, notes, error));
  EXPECT_NE(error.find("sweep needs a range"), std::string::npos) << error;
  EXPECT_FALSE(parseSweepGrid({"a=1..2:1", "a=3..4:1"}, notes, error));
  EXPECT_EQ(error, "`--set a=3..4:1`: `a` is swept twice");
  EXPECT_FALSE(parseSweepGrid({"a=1..2:1", "b=1..2:1", "c=1..2:1"}, notes, error));
  EXPECT_EQ(error, "sweep takes one or two ranges, not 3");
  EXPECT_FALSE(parseSweepGrid({"a=1..100:1", "b=1..100:1"}, notes, error));
  EXPECT_EQ(error,
            "the grid has 10000 points (100 x 100), more than the 1000 a sweep may have: use "
            "larger steps");
}

TEST(SweepGrid, KeepsTheNotesReadBeforeAnError) {
  std::vector<std::string> notes;
  std::string error;
  EXPECT_FALSE(parseSweepGrid({"a=1..4:2", "b=1..2"}, notes, error));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "`--set a=1..4:2`: TO is not on the grid; the last value is 3");
  EXPECT_NE(error.find("needs a step"), std::string::npos) << error;
}

TEST(SweepColumn, ParsesItemsGroupsAndAliases) {
  std::string error;
  auto column = parseSweepColumn("goal(Won)[Everyone]", error);
  ASSERT_TRUE(column) << error;
  EXPECT_EQ(column->metric, "outcome");
  EXPECT_EQ(column->item, "Won");
  EXPECT_EQ(column->group, "Everyone");
  EXPECT_FALSE(parseSweepColumn("roi[Everyone", error));
  EXPECT_EQ(error, "`--kpi roi[Everyone`: missing `]`");
  EXPECT_FALSE(parseSweepColumn("speed", error));
  EXPECT_NE(error.find("unknown KPI `speed`"), std::string::npos) << error;
}

TEST(SweepColumns, HeadlineByDefaultAndOnlyWhatTheJourneyHas) {
  std::vector<std::string> notes;
  std::string error;
  auto grid = parseSweepGrid({"pa=50%..60%:10%"}, notes, error);
  ASSERT_TRUE(grid) << error;
  auto points = lowerPoints(*grid);
  ASSERT_EQ(points.size(), 2u);
  auto headline = resolveSweepColumns(points[0].machine, {}, error);
  ASSERT_TRUE(headline) << error;
  std::vector<std::string> labels;
  for (const auto& column : *headline)
    labels.push_back(column.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"conversion", "outcome(Won)", "outcome(Lost)",
                                              "days_to_goal_mean", "cost_per_customer",
                                              "value_per_customer", "roi"}));
  auto missing = parseSweepColumn("outcome(Nowhere)", error);
  ASSERT_TRUE(missing) << error;
  EXPECT_FALSE(resolveSweepColumns(points[0].machine, {*missing}, error));
  EXPECT_EQ(error, "`--kpi outcome(Nowhere)`: this journey has no such KPI");
}

TEST(RunSweep, EveryPointOnTheSameCustomers) {
  std::vector<std::string> notes;
  std::string error;
  auto grid = parseSweepGrid({"pa=20%..80%:60%"}, notes, error);
  ASSERT_TRUE(grid) << error;
  auto points = lowerPoints(*grid);
  ASSERT_EQ(points.size(), 2u);
  std::uint64_t lastDone = 0, lastTarget = 0;
  SweepOptions options = interpreted(4000);
  options.run.progress = [&](std::uint64_t done, std::uint64_t target) {
    lastDone = done;
    lastTarget = target;
  };
  EXPECT_EQ(runSweep(points, options), SweepOutcome::Done);
  EXPECT_EQ(lastDone, 8000u);
  EXPECT_EQ(lastTarget, 8000u);
  // Both points ran the same 4,000 customers; only `pa` differs.
  Tally low = points[0].results->overall(), high = points[1].results->overall();
  EXPECT_EQ(low.customers, 4000u);
  EXPECT_LT(low.converted, high.converted);
  EXPECT_NEAR(static_cast<double>(high.converted) / 4000, 0.8, 0.03);

  auto json =
      nlohmann::json::parse(sweepJson(*grid, points, {"split.journey", "interpreter", 3, 4000}));
  EXPECT_EQ(json["schema"], "journey-sweep/1");
  EXPECT_EQ(json["points"][1]["values"]["pa"], "80%");
  std::string csv = sweepCsv(*grid, points);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "point,pa,group,metric,item,unit,value,low,high");
}

TEST(RunSweep, StopsAtAPointThatDoesNotCompile) {
  std::vector<std::string> notes;
  std::string error;
  auto grid = parseSweepGrid({"pa=20%..80%:60%"}, notes, error);
  ASSERT_TRUE(grid) << error;
  auto points = lowerPoints(*grid);
  SweepOptions options = interpreted(100);
  options.compile = [](const rt::Machine&) { return std::optional<CompiledExprs>(); };
  EXPECT_EQ(runSweep(points, options), SweepOutcome::NotCompiled);
  EXPECT_EQ(points[0].results, nullptr);
}

}  // namespace
}  // namespace journey::sim

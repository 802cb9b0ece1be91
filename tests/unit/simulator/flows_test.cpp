// The moves between stages that the simulator counts for the report's Sankey diagram
// (`Tally::flows`, `Options::flows`) and their JSON form: a known path, conservation on a
// journey with a loop and customers still in progress, independence from the thread count, and
// the drop-off by last stage that is counted without them.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "compiler/driver/machine.h"
#include "simulator/report.h"
#include "simulator/simulate.h"

namespace journey {
namespace {

rt::Machine machineOf(const std::string& text) {
  MemoryFileReader files;
  files.set("main.journey", text);
  auto compilation = compile("main.journey", files);
  auto machine = buildMachine(*compilation, {});
  if (!machine) {
    ADD_FAILURE() << "the spec does not build";
    return rt::Machine{};
  }
  return *machine;
}

std::uint32_t stageNamed(const rt::Machine& m, const std::string& name) {
  for (std::size_t s = 0; s < m.stages.size(); ++s)
    if (m.stages[s].name == name) return static_cast<std::uint32_t>(s);
  ADD_FAILURE() << "no stage " << name;
  return 0;
}

sim::Results run(const rt::Machine& m, std::uint64_t customers, unsigned threads,
                 bool flows = true) {
  rt::Program program(m);
  sim::Options options;
  options.customers = customers;
  options.seed = 7;
  options.threads = threads;
  options.flows = flows;
  return sim::simulate(program, options);
}

constexpr const char* kStraight = R"(journey Straight {
  horizon 30d
  entry Visit
  persona P {
    share 100%
  }
  stage Visit {
    after 1d -> Trial
  }
  stage Trial {
    after 2d -> Paid
  }
  goal Paid
}
)";

// Half the tickets go back to `Using`; a short horizon leaves some customers in progress.
constexpr const char* kLoop = R"(journey Loop {
  horizon 12d
  entry Using
  persona P {
    share 100%
  }
  stage Using {
    after exponential(mean: 2d) -> Ticket
  }
  stage Ticket {
    after exponential(mean: 1d) -> { Resolved 50%, Using otherwise }
  }
  goal Resolved
}
)";

TEST(Flows, KnownPathCountsEveryMoveOnce) {
  rt::Machine m = machineOf(kStraight);
  sim::Results results = run(m, 1000, 2);
  ASSERT_TRUE(results.flows);
  auto visit = stageNamed(m, "Visit"), trial = stageNamed(m, "Trial"), paid = stageNamed(m, "Paid");
  std::vector<sim::Flow> flows = results.personas[0].sortedFlows();
  ASSERT_EQ(flows.size(), 3u);
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint64_t> got;
  for (const auto& f : flows)
    got[{f.from, f.to}] = f.count;
  EXPECT_EQ((got[{sim::kFromEntry, visit}]), 1000u);
  EXPECT_EQ((got[{visit, trial}]), 1000u);
  EXPECT_EQ((got[{trial, paid}]), 1000u);

  sim::RunInfo info{"interpreter", 7, 2};
  nlohmann::json json = sim::jsonReport(m, results, info);
  nlohmann::json expected = nlohmann::json::parse(R"([
    {"from": null, "to": "Visit", "count": 1000},
    {"from": "Visit", "to": "Trial", "count": 1000},
    {"from": "Trial", "to": "Paid", "count": 1000}])");
  EXPECT_EQ(json["overall"]["flows"], expected);
  EXPECT_EQ(json["personas"][0]["flows"], expected);
  // Everyone converts after exactly 3 days: one bar.
  auto histogram = json["overall"]["time_to_goal_histogram"];
  ASSERT_EQ(histogram["counts"].size(), 1u);
  EXPECT_EQ(histogram["counts"][0], 1000u);
  EXPECT_NEAR(histogram["start_days"].get<double>(), 3.0, 30.0 / 2000);
}

TEST(Flows, LoopsAndEndingsAreConserved) {
  rt::Machine m = machineOf(kLoop);
  sim::Results results = run(m, 20000, 2);
  const sim::Tally& t = results.personas[0];
  auto inUse = stageNamed(m, "Using"), ticket = stageNamed(m, "Ticket"),
       resolved = stageNamed(m, "Resolved");
  std::vector<std::uint64_t> in(m.stages.size()), out(m.stages.size());
  std::uint64_t fromEntry = 0, ended = 0, inProgress = 0;
  for (const auto& f : t.sortedFlows()) {
    if (f.from == sim::kFromEntry)
      fromEntry += f.count;
    else
      out[f.from] += f.count;
    if (f.to >= sim::kEnded) {
      ended += f.count;
      if (f.to == sim::kEnded + static_cast<std::uint32_t>(rt::Outcome::InProgress))
        inProgress += f.count;
    } else {
      in[f.to] += f.count;
    }
  }
  EXPECT_EQ(fromEntry, t.customers);
  // Every entry into a stage is a move into it.
  for (std::size_t s = 0; s < m.stages.size(); ++s)
    EXPECT_EQ(in[s], t.visits[s]) << m.stages[s].name;
  // What comes into an ordinary stage leaves it or ends there; a goal keeps what comes in.
  EXPECT_EQ(in[inUse], out[inUse]);
  EXPECT_EQ(in[ticket], out[ticket]);
  EXPECT_EQ(in[resolved], t.endedAt[resolved]);
  EXPECT_EQ(out[resolved], 0u);
  EXPECT_EQ(inProgress, t.endedAt[inUse] + t.endedAt[ticket]);
  EXPECT_EQ(ended + t.converted, t.customers);
  EXPECT_GT(inProgress, 0u);
  EXPECT_GT(t.flows.at(sim::Tally::flowKey(ticket, inUse)), 0u);
}

TEST(Flows, SameForAnyThreadCountAndOffByDefault) {
  rt::Machine m = machineOf(kLoop);
  sim::Results one = run(m, 10000, 1), three = run(m, 10000, 3);
  EXPECT_EQ(one.personas[0].flows, three.personas[0].flows);
  sim::Results off = run(m, 10000, 2, false);
  EXPECT_FALSE(off.flows);
  EXPECT_TRUE(off.personas[0].flows.empty());
  sim::RunInfo info{"interpreter", 7, 2};
  EXPECT_FALSE(sim::jsonReport(m, off, info)["overall"].contains("flows"));
  // Counting the flows changes no other figure.
  nlohmann::json with = sim::jsonReport(m, one, info), without = sim::jsonReport(m, off, info);
  with["overall"].erase("flows");
  for (auto& persona : with["personas"])
    persona.erase("flows");
  EXPECT_EQ(with, without);
}

// Trial customers buy, give up or are still trying at the horizon; some leave from `Visit`.
constexpr const char* kDropOff = R"(journey DropOff {
  horizon 10d
  entry Visit
  persona P {
    share 100%
  }
  stage Visit {
    after 1d -> { Trial 70%, Gone otherwise }
  }
  stage Trial {
    after exponential(mean: 8d) -> { Bought 50%, Gone otherwise }
  }
  goal Bought
  exit Gone
}
)";

// The drop-off by last stage, counted without `--flows`, is what the flows into the goals and
// exits say, and with the customers still there it accounts for every customer.
TEST(Flows, DropOffByLastStageAgreesWithTheFlows) {
  rt::Machine m = machineOf(kDropOff);
  sim::Results without = run(m, 20000, 2, false), with = run(m, 20000, 2);
  const sim::Tally& t = without.personas[0];
  auto visit = stageNamed(m, "Visit"), trial = stageNamed(m, "Trial"),
       bought = stageNamed(m, "Bought"), gone = stageNamed(m, "Gone");
  const auto& flows = with.personas[0].flows;
  auto flow = [&](std::uint32_t from, std::uint32_t to) {
    auto it = flows.find(sim::Tally::flowKey(from, to));
    return it == flows.end() ? 0 : it->second;
  };
  for (auto stage : {visit, trial}) {
    EXPECT_EQ(t.leftForGoal[stage], flow(stage, bought)) << m.stages[stage].name;
    EXPECT_EQ(t.leftForExit[stage], flow(stage, gone)) << m.stages[stage].name;
  }
  EXPECT_EQ(t.leftForGoal[visit], 0u);
  EXPECT_GT(t.leftForExit[visit], 0u);
  EXPECT_GT(t.leftForGoal[trial], 0u);
  EXPECT_GT(t.endedAt[trial], 0u);
  EXPECT_EQ(t.leftForExit[visit] + t.leftForGoal[trial] + t.leftForExit[trial] + t.endedAt[trial],
            t.customers);

  sim::RunInfo info{"interpreter", 7, 2};
  nlohmann::json funnel = sim::jsonReport(m, without, info)["overall"]["funnel"];
  ASSERT_EQ(funnel[1]["stage"], "Trial");
  const auto& dropOff = funnel[1]["drop_off"];
  EXPECT_EQ(dropOff["to_goal"]["count"], t.leftForGoal[trial]);
  EXPECT_EQ(dropOff["to_exit"]["count"], t.leftForExit[trial]);
  EXPECT_EQ(dropOff["at_horizon"]["count"], t.endedAt[trial]);
  EXPECT_EQ(dropOff["last_stage"]["count"],
            t.leftForGoal[trial] + t.leftForExit[trial] + t.endedAt[trial]);
  EXPECT_FALSE(funnel[2].contains("drop_off")) << "goals have no drop-off";

  std::string text = sim::textReport(m, without, info);
  EXPECT_NE(text.find("Drop-off, by each customer's last stage"), std::string::npos);
  EXPECT_NE(text.find("Biggest drop-off: "), std::string::npos);
}

}  // namespace
}  // namespace journey

// The moves between stages that the simulator counts for the report's Sankey diagram
// (`Tally::flows`, `Options::flows`) and their JSON form: a known path, conservation on a
// journey with a loop and customers still in progress, independence from the thread count.
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
  auto using_ = stageNamed(m, "Using"), ticket = stageNamed(m, "Ticket"),
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
  EXPECT_EQ(in[using_], out[using_]);
  EXPECT_EQ(in[ticket], out[ticket]);
  EXPECT_EQ(in[resolved], t.endedAt[resolved]);
  EXPECT_EQ(out[resolved], 0u);
  EXPECT_EQ(inProgress, t.endedAt[using_] + t.endedAt[ticket]);
  EXPECT_EQ(ended + t.converted, t.customers);
  EXPECT_GT(inProgress, 0u);
  EXPECT_GT(t.flows.at(sim::Tally::flowKey(ticket, using_)), 0u);
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

}  // namespace
}  // namespace journey

#include "compiler/checks/stage_graph.h"

#include <gtest/gtest.h>

#include "compiler/driver/driver.h"

namespace journey::checks {
namespace {

struct Built {
  std::unique_ptr<Compilation> compilation;
  JourneyGraph graph;
};

Built build(const std::string& body) {
  MemoryFileReader reader;
  reader.set("test.journey", "journey T {\n  horizon 30d\n  entry A\n" + body + "\n}\n");
  Built built;
  built.compilation = compile("test.journey", reader, CompileOptions{.runChecks = false});
  EXPECT_FALSE(built.compilation->diagnostics.hasErrors());
  built.graph = buildGraph(*built.compilation->journey);
  return built;
}

std::size_t stage(const JourneyGraph& graph, std::string_view name) {
  for (std::size_t i = 0; i < graph.stages.size(); ++i) {
    if (graph.name(i) == name) return i;
  }
  ADD_FAILURE() << "no stage " << name;
  return 0;
}

bool hasEdge(const JourneyGraph& graph, const PersonaGraph& persona, std::string_view from,
             std::string_view to) {
  for (const auto& edge : persona.edges) {
    if (edge.from == stage(graph, from) && edge.to == stage(graph, to)) return true;
  }
  return false;
}

TEST(StageGraph, OverridesReplaceTheDefaultPerPersona) {
  auto built = build(R"(
  persona P { share 50% }
  persona Q { share 50% }
  stage A {
    after 1d -> { B 50%, C otherwise }
    for Q after 1d -> C
  }
  goal B
  exit C)");
  const auto& p = built.graph.personas[0];
  const auto& q = built.graph.personas[1];
  EXPECT_TRUE(hasEdge(built.graph, p, "A", "B"));
  EXPECT_TRUE(hasEdge(built.graph, p, "A", "C"));
  EXPECT_FALSE(hasEdge(built.graph, q, "A", "B"));
  EXPECT_TRUE(hasEdge(built.graph, q, "A", "C"));
}

TEST(StageGraph, ZeroProbabilityBranchesLeadNowhere) {
  auto built = build(R"(
  persona P { share 100% }
  stage A { after 1d -> { B 100%, C 0% } }
  goal B
  exit C)");
  EXPECT_TRUE(hasEdge(built.graph, built.graph.personas[0], "A", "B"));
  EXPECT_FALSE(hasEdge(built.graph, built.graph.personas[0], "A", "C"));
}

TEST(StageGraph, EventTransitionsNeedTheEventToOccur) {
  auto built = build(R"(
  persona P { share 50% }
  persona Q { share 50% }
  stage A {
    after 1d -> C
    on ping -> B
  }
  goal B
  exit C
  event ping { in A  for P every 1d })");
  EXPECT_TRUE(hasEdge(built.graph, built.graph.personas[0], "A", "B"));
  EXPECT_FALSE(hasEdge(built.graph, built.graph.personas[1], "A", "B"));
}

TEST(StageGraph, RuleMovesStayInTheirScopeAndEnterRulesAreInstant) {
  auto built = build(R"(
  persona P { share 100% }
  stage A { after 1d -> B }
  stage B { after 1d -> C }
  goal C
  rule Back {
    on enter B
    move A
  }
  rule Later {
    on after 2d
    in A
    wait 1h
    move C
  })");
  const auto& p = built.graph.personas[0];
  bool sawBack = false;
  for (const auto& edge : p.edges) {
    if (edge.kind != EdgeKind::RuleMove) continue;
    if (edge.from == stage(built.graph, "B") && edge.to == stage(built.graph, "A")) {
      sawBack = true;
      EXPECT_TRUE(edge.zeroTime);
    }
    if (edge.to == stage(built.graph, "C")) {
      EXPECT_EQ(edge.from, stage(built.graph, "A"));
      EXPECT_FALSE(edge.zeroTime);
    }
  }
  EXPECT_TRUE(sawBack);
}

TEST(StageGraph, InStageNamesTheStagesOfATopLevelAnd) {
  auto built = build(R"(
  persona P { share 100% }
  var flag = false
  stage A { after 1d -> B }
  stage B { after 1d -> C }
  goal C
  rule Both {
    on after 1d
    if in_stage(A) and flag and in_stage(B)
    stop
  }
  rule Either {
    on after 1d
    if in_stage(A) or in_stage(B)
    stop
  })");
  std::vector<std::vector<std::string>> named;
  for (const auto* rule : built.compilation->journey->rules) {
    named.emplace_back();
    for (const auto& item : rule->items) {
      if (item.kind == ast::RuleItemKind::If) collectInStage(item.value.get(), named.back());
    }
  }
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0], (std::vector<std::string>{"A", "B"}));
  EXPECT_TRUE(named[1].empty());
}

TEST(StageGraph, WitnessPathsAreShortest) {
  auto built = build(R"(
  persona P { share 100% }
  stage A { after 1d -> { B 50%, D otherwise } }
  stage B { after 1d -> C }
  stage C { after 1d -> D }
  stage D { after 1d -> E }
  goal E)");
  const auto& p = built.graph.personas[0];
  Reachability reach = reachableFromEntry(built.graph, p);
  auto path = witnessPath(p, reach, stage(built.graph, "E"));
  ASSERT_EQ(path.size(), 3u);
  EXPECT_EQ(built.graph.name(path[1]), "D");
}

}  // namespace
}  // namespace journey::checks

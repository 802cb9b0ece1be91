#include "compiler/map/map.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "compiler/driver/driver.h"
#include "compiler/map/graphviz.h"

namespace journey::map {
namespace {

struct Built {
  std::unique_ptr<Compilation> compilation;
  JourneyMap map;
};

Built build(const std::string& body, const std::string& persona = "") {
  MemoryFileReader reader;
  reader.set("test.journey", "journey T \"A test\" {\n  horizon 30d\n  entry A\n" + body + "\n}\n");
  Built built;
  built.compilation = compile("test.journey", reader);
  EXPECT_NE(built.compilation->journey, nullptr);
  MapOptions options;
  if (!persona.empty()) options.persona = built.compilation->journey->persona(persona);
  built.map = buildMap(*built.compilation->journey, built.compilation->sources,
                       built.compilation->diagnostics.sorted(), options);
  return built;
}

const Stage& stage(const JourneyMap& map, std::string_view name) {
  for (const auto& s : map.stages) {
    if (s.name == name) return s;
  }
  ADD_FAILURE() << "no stage " << name;
  static Stage none;
  return none;
}

std::vector<const Edge*> edges(const JourneyMap& map, std::string_view from, std::string_view to) {
  std::vector<const Edge*> found;
  for (const auto& e : map.edges) {
    if (e.from == from && e.to == to) found.push_back(&e);
  }
  return found;
}

TEST(MapFormat, Durations) {
  EXPECT_EQ(formatDuration(10 * 86400), "10d");
  EXPECT_EQ(formatDuration(365 * 86400), "1y");
  EXPECT_EQ(formatDuration(390 * 86400), "390d");
  EXPECT_EQ(formatDuration(1.5 * 86400), "1.5d");
  EXPECT_EQ(formatDuration(4 * 3600), "4h");
  EXPECT_EQ(formatDuration(90 * 60), "1.5h");
  EXPECT_EQ(formatDuration(60), "1m");
  EXPECT_EQ(formatDuration(30), "30s");
  EXPECT_EQ(formatDuration(0), "0s");
}

TEST(MapFormat, Percents) {
  EXPECT_EQ(formatPercent(0.3), "30%");
  EXPECT_EQ(formatPercent(0.7000000000000001), "70%");
  EXPECT_EQ(formatPercent(0.125), "12.5%");
  EXPECT_EQ(formatPercent(1), "100%");
  EXPECT_EQ(formatPercent(0.005), "0.5%");
}

TEST(Map, StagesInJourneyOrderWithTouchpointsAndEmotion) {
  auto built = build(R"(
  persona P { share 100% }
  stage Z { after 1d -> Won }
  stage B "Second" {
    touchpoint Good "Nice call" via phone emotion +2
    touchpoint Bad via email emotion -1
    after 1d -> { Z 40%, Lost otherwise }
  }
  stage A { after exponential(mean: 10d) -> B }
  stage Orphan { after 1d -> Won }
  goal Won
  exit Lost)");
  const auto& map = built.map;
  std::vector<std::string> order;
  for (const auto& s : map.stages)
    order.push_back(s.name);
  EXPECT_EQ(order, (std::vector<std::string>{"A", "B", "Z", "Lost", "Won", "Orphan"}));
  EXPECT_EQ(map.title, "A test");
  EXPECT_EQ(map.subtitle, "horizon 30d · P 100%");
  const Stage& b = stage(map, "B");
  EXPECT_EQ(b.label, "Second");
  ASSERT_EQ(b.touchpoints.size(), 2u);
  EXPECT_EQ(b.touchpoints[0].label, "Nice call");
  EXPECT_EQ(b.touchpoints[0].channel, "phone");
  EXPECT_EQ(b.touchpoints[0].emotion, 2);
  EXPECT_EQ(b.emotion, 1);
  EXPECT_FALSE(stage(map, "A").emotion.has_value());
  EXPECT_TRUE(stage(map, "A").entry);
  EXPECT_EQ(stage(map, "Won").kind, ast::StageKind::Goal);
  // The unreachable stage is drawn with its finding.
  const Stage& orphan = stage(map, "Orphan");
  EXPECT_FALSE(orphan.reached);
  ASSERT_EQ(orphan.findings.size(), 1u);
  EXPECT_EQ(orphan.findings[0].code, "unreachable-stage");
  EXPECT_EQ(orphan.findings[0].message, "no customer can reach stage Orphan");
  // Delays and chances; the otherwise branch shows what is left.
  auto ab = edges(map, "A", "B");
  ASSERT_EQ(ab.size(), 1u);
  EXPECT_EQ(ab[0]->trigger, "after exp 10d");
  auto bz = edges(map, "B", "Z");
  ASSERT_EQ(bz.size(), 1u);
  EXPECT_EQ(bz[0]->lines, (std::vector<std::string>{"40%"}));
  EXPECT_EQ(edges(map, "B", "Lost")[0]->lines, (std::vector<std::string>{"60%"}));
  auto entry = edges(map, "", "A");
  ASSERT_EQ(entry.size(), 1u);
  EXPECT_EQ(entry[0]->kind, EdgeKind::Entry);
}

TEST(Map, ConditionsComputedChancesAndDistributions) {
  auto built = build(R"(
  persona P { share 100%  big = bernoulli(50%) }
  stage A {
    touchpoint T via web emotion +1
    after gamma(shape: 2, scale: 5d) -> {
      if big -> { Won 55%, Lost otherwise }
      else -> { Won clamp(10% + emotion * 5%, 0%, 50%), Lost otherwise }
    }
  }
  goal Won
  exit Lost)");
  auto won = edges(built.map, "A", "Won");
  ASSERT_EQ(won.size(), 1u);
  EXPECT_EQ(won[0]->trigger, "after gamma mean 10d");
  EXPECT_EQ(won[0]->lines,
            (std::vector<std::string>{"if big: 55%", "else: clamp(10% + emotion * 5%, 0%, 50%)"}));
  EXPECT_EQ(edges(built.map, "A", "Lost")[0]->lines,
            (std::vector<std::string>{"if big: 45%", "else: rest"}));
}

const char* kPersonas = R"(
  persona Small { share 60% }
  persona Big { share 40% }
  stage A {
    after 1d -> { B 50%, Lost otherwise }
    for Big after 2d -> B
  }
  stage B { after 1d -> Won }
  stage OnlySmall { after 1d -> Won }
  goal Won
  exit Lost
  touchpoint Call via phone
  rule ForBig {
    on enter B
    for Big
    send Call
  }
  rule ForSmall {
    on after 3d
    in A
    for Small
    move OnlySmall
  })";

TEST(Map, EveryPersonaWithOverridesLabelled) {
  auto built = build(kPersonas);
  auto ab = edges(built.map, "A", "B");
  ASSERT_EQ(ab.size(), 2u);
  EXPECT_EQ(ab[0]->personas, "");
  EXPECT_EQ(ab[1]->personas, "Big");
  EXPECT_EQ(ab[1]->trigger, "after 2d");
  auto forBig = edges(built.map, "B", "B");
  ASSERT_EQ(forBig.size(), 1u);
  EXPECT_EQ(forBig[0]->kind, EdgeKind::Rule);
  EXPECT_EQ(forBig[0]->trigger, "on enter");
  EXPECT_EQ(forBig[0]->lines, (std::vector<std::string>{"ForBig (for Big): send Call"}));
  auto forSmall = edges(built.map, "rule:ForSmall", "OnlySmall");
  ASSERT_EQ(forSmall.size(), 1u);
  EXPECT_EQ(forSmall[0]->lines, (std::vector<std::string>{"ForSmall (for Small): move"}));
  ASSERT_EQ(built.map.triggers.size(), 1u);
  EXPECT_EQ(built.map.triggers[0].label, "after 3d in A");
  EXPECT_TRUE(stage(built.map, "OnlySmall").reached);
}

TEST(Map, OnePersona) {
  auto built = build(kPersonas, "Big");
  EXPECT_EQ(built.map.persona, "Big");
  EXPECT_EQ(built.map.subtitle, "persona Big (40%) · horizon 30d");
  auto ab = edges(built.map, "A", "B");
  ASSERT_EQ(ab.size(), 1u);
  EXPECT_EQ(ab[0]->trigger, "after 2d");
  EXPECT_EQ(ab[0]->personas, "");
  EXPECT_TRUE(edges(built.map, "A", "Lost").empty());
  EXPECT_EQ(edges(built.map, "B", "B")[0]->lines, (std::vector<std::string>{"ForBig: send Call"}));
  EXPECT_TRUE(edges(built.map, "rule:ForSmall", "OnlySmall").empty());
  EXPECT_TRUE(built.map.triggers.empty());
  EXPECT_FALSE(stage(built.map, "OnlySmall").reached);
  EXPECT_FALSE(stage(built.map, "Lost").reached);
}

TEST(Map, EventsOnlyWhereTheyCanHappen) {
  auto built = build(R"(
  persona P { share 100% }
  stage A {
    after 10d -> Lost
    on clicked -> Won
    on never -> Won
  }
  goal Won
  exit Lost
  event clicked { in A  every 3d }
  event never)");
  ASSERT_EQ(edges(built.map, "A", "Won").size(), 1u);
  EXPECT_EQ(edges(built.map, "A", "Won")[0]->trigger, "on clicked");
  EXPECT_EQ(edges(built.map, "A", "Won")[0]->kind, EdgeKind::OnEvent);
}

TEST(Map, FindingsOnStagesRulesAndInTheBox) {
  auto built = build(R"(
  param unused = 3
  persona P { share 100% }
  stage A {
    after 1d -> { Stuck 50%, Won otherwise }
  }
  stage Stuck
  goal Won
  touchpoint Offer via email
  rule Never {
    on enter A
    if time_in_stage < 0s
    send Offer
  })");
  const Stage& stuck = stage(built.map, "Stuck");
  ASSERT_EQ(stuck.findings.size(), 1u);
  EXPECT_EQ(stuck.findings[0].code, "dead-end");
  EXPECT_EQ(stuck.findings[0].severity, Severity::Error);
  auto never = edges(built.map, "A", "A");
  ASSERT_EQ(never.size(), 1u);
  ASSERT_EQ(never[0]->findings.size(), 1u);
  EXPECT_EQ(never[0]->findings[0].code, "impossible-rule");
  ASSERT_EQ(built.map.findings.size(), 1u);
  EXPECT_EQ(built.map.findings[0].code, "unused-param");
  EXPECT_EQ(built.map.findings[0].line, 5u);

  std::string dot = renderDot(built.map);
  EXPECT_NE(dot.find("dead-end: customers can enter Stuck"), std::string::npos);
  EXPECT_NE(dot.find("Findings of journey check"), std::string::npos);
  std::string mermaid = renderMermaid(built.map);
  EXPECT_NE(mermaid.find("s_Stuck[\""), std::string::npos);
  EXPECT_NE(mermaid.find(":::finding"), std::string::npos);
}

TEST(Render, EscapesText) {
  auto built = build(R"(
  persona P "<P> & \"q\"" { share 100% }
  stage A "a <b> & \"c\" #1" { after 1d -> Won }
  goal Won)");
  std::string dot = renderDot(built.map);
  EXPECT_NE(dot.find("a &lt;b&gt; &amp; &quot;c&quot; #1"), std::string::npos);
  EXPECT_EQ(dot.find("<b> &"), std::string::npos);
  std::string mermaid = renderMermaid(built.map);
  EXPECT_NE(mermaid.find("a #lt;b#gt; #amp; #quot;c#quot; #35;1"), std::string::npos);
}

TEST(Graphviz, FindsProgramsOnAPath) {
  EXPECT_EQ(findProgram("sh", "/nonexistent:/bin"), std::optional<std::string>("/bin/sh"));
  EXPECT_EQ(findProgram("sh", "/nonexistent"), std::nullopt);
  EXPECT_EQ(findProgram("/bin/sh", ""), std::optional<std::string>("/bin/sh"));
  EXPECT_EQ(findProgram("/nonexistent/dot", "/bin"), std::nullopt);
  EXPECT_EQ(findProgram("", "/bin"), std::nullopt);
}

// A stand-in for `dot`: a shell script in a temporary directory.
std::string script(const std::string& name, const std::string& body) {
  std::filesystem::path directory =
      std::filesystem::temp_directory_path() / ("journey-map-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(directory);
  std::filesystem::path path = directory / name;
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path.string();
}

TEST(Graphviz, FeedsAndReadsMoreThanAPipeHolds) {
  std::string echo = script("echo-dot", "test \"$1\" = -Tsvg || exit 3\ncat");
  std::string input(1 << 21, 'x');
  auto result = runGraphviz(echo, "svg", input, std::chrono::seconds(60));
  EXPECT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.output.size(), input.size());
  EXPECT_EQ(result.error, "");
}

TEST(Graphviz, ReportsFailuresWithTheProgramsMessage) {
  std::string failing =
      script("failing-dot", "cat >/dev/null\necho 'Error: bad input' >&2\nexit 1");
  auto result = runGraphviz(failing, "svg", "digraph {", std::chrono::seconds(60));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, "`" + failing + "` exited with status 1: Error: bad input");
  // A program that exits without reading its input does not take the caller down (SIGPIPE).
  std::string early = script("early-dot", "exit 0");
  result = runGraphviz(early, "svg", std::string(1 << 21, 'x'), std::chrono::seconds(60));
  EXPECT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.output, "");
}

TEST(Graphviz, StopsAProgramThatHangs) {
  std::string slow = script("slow-dot", "sleep 30");
  auto start = std::chrono::steady_clock::now();
  auto result = runGraphviz(slow, "svg", "digraph {}", std::chrono::milliseconds(300));
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("did not finish within 1 s and was stopped"), std::string::npos)
      << result.error;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace journey::map

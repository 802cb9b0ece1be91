// SARIF and GitHub rendering, `--allow`/`--deny` and `journey-allow` suppressions at the
// library level; tests/cli and tests/sarif cover them end to end.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "compiler/diagnostics/render.h"
#include "compiler/diagnostics/suppress.h"

namespace journey {
namespace {

TEST(RenderGithub, OneEscapedCommandPerDiagnostic) {
  SourceManager sources;
  FileId id = sources.add("specs/a.journey", "stage A {\n  after 3d -> B\n}\n");
  DiagnosticSink sink;
  Diagnostic& note = sink.report(DiagnosticKind::NoGoal, SourceRange{id, 6, 7}, "50% of\r\nit");
  note.severity = Severity::Note;
  sink.report(DiagnosticKind::UnknownName, SourceRange{id, 0, 15}, "spans lines");
  std::ostringstream out;
  renderGithub(out, {{&sources, &sink}}, {});
  EXPECT_EQ(out.str(),
            "::error file=specs/a.journey,line=1,col=1,endLine=2,title=unknown-name::spans lines\n"
            "::notice file=specs/a.journey,line=1,col=7,endLine=1,endColumn=7,title=no-goal::50%25 "
            "of%0D%0Ait\n");
}

TEST(RenderGithub, PathsRelativeToTheBaseDirectory) {
  SourceManager sources;
  FileId inside = sources.add("/repo/specs/a.journey", "x\n");
  FileId outside = sources.add("/elsewhere/b.journey", "x\n");
  DiagnosticSink sink;
  sink.report(DiagnosticKind::NoGoal, SourceRange{inside, 0, 1}, "a");
  sink.report(DiagnosticKind::NoGoal, SourceRange{outside, 0, 1}, "b");
  std::ostringstream out;
  renderGithub(out, {{&sources, &sink}}, "/repo");
  EXPECT_NE(out.str().find("file=specs/a.journey,"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("file=/elsewhere/b.journey,"), std::string::npos) << out.str();
}

TEST(RenderSarif, LevelsLabelsAndUnlocatedDiagnostics) {
  SourceManager sources;
  FileId id = sources.add("a.journey", "caf\xC3\xA9 x\n");
  DiagnosticSink sink;
  Diagnostic& d = sink.report(DiagnosticKind::UnknownName, SourceRange{id, 6, 7}, "unknown `x`");
  d.labels.push_back({SourceRange{id, 0, 5}, "declared here"});
  d.labels.push_back({SourceRange{}, "somewhere"});
  sink.report(DiagnosticKind::NoGoal, SourceRange{id, 0, 1}, "warn").severity = Severity::Note;
  DiagnosticSink unreadable;
  unreadable.report(DiagnosticKind::FileUnreadable, SourceRange{}, "cannot read");
  SourceManager none;
  std::ostringstream out;
  renderSarif(out, {{&sources, &sink}, {&none, &unreadable, "dir/missing.journey"}},
              SarifOptions{"1.2.3", "https://example.org/journey", "/repo"});
  auto log = nlohmann::json::parse(out.str());
  const auto& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), allDiagnosticKinds().size());
  EXPECT_EQ(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///repo/");
  const auto& results = run["results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["level"], "note");
  EXPECT_EQ(results[1]["level"], "error");
  // Columns count code points: `é` is two bytes, one column.
  EXPECT_EQ(results[1]["locations"][0]["physicalLocation"]["region"]["startColumn"], 6);
  EXPECT_EQ(results[1]["relatedLocations"][0]["id"], 1);
  EXPECT_EQ(results[1]["relatedLocations"][0]["physicalLocation"]["region"]["endColumn"], 5);
  EXPECT_FALSE(results[1]["relatedLocations"][1].contains("physicalLocation"));
  EXPECT_EQ(results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "dir/missing.journey");
}

TEST(Policy, DenyRaisesAndAllowDrops) {
  SourceManager sources;
  FileId id = sources.add("a.journey", "abc\n");
  DiagnosticSink sink;
  sink.report(DiagnosticKind::NoGoal, SourceRange{id, 0, 1}, "no goal");
  sink.report(DiagnosticKind::UnreachableAction, SourceRange{id, 1, 2}, "unreachable");
  applyPolicy(sink, DiagnosticPolicy{{DiagnosticKind::NoGoal}, true});
  auto sorted = sink.sorted();
  ASSERT_EQ(sorted.size(), 1u);
  EXPECT_EQ(sorted[0]->severity, Severity::Error);
  DiagnosticCounts counts = countDiagnostics(sink);
  EXPECT_EQ(counts.errors, 1u);
  EXPECT_EQ(counts.warnings, 0u);
  std::ostringstream json;
  renderJson(json, {{&sources, &sink}});
  EXPECT_NE(json.str().find("\"errors\": 1"), std::string::npos);
}

TEST(Suppressions, OnlyWarningsCanBeSilenced) {
  EXPECT_TRUE(canSuppress(DiagnosticKind::NoGoal));
  EXPECT_TRUE(canSuppress(DiagnosticKind::UnusedSuppression));
  EXPECT_FALSE(canSuppress(DiagnosticKind::UnknownName));
  EXPECT_FALSE(canSuppress(DiagnosticKind::SyntaxError));
}

TEST(Suppressions, DirectiveSilencesItsLineOrTheLineBelow) {
  std::string text =
      "// journey-allow: no-goal measured elsewhere\n"   // line 1, covers line 2
      "journey J {\n"                                    // line 2
      "  x // journey-allow: unreachable-action kept\n"  // line 3
      "  y\n";                                           // line 4
  SourceManager sources;
  FileId id = sources.add("a.journey", text);
  auto offset = [&](std::string_view what) { return static_cast<std::uint32_t>(text.find(what)); };
  DiagnosticSink sink;
  sink.report(DiagnosticKind::NoGoal, SourceRange{id, offset("J"), offset("J") + 1}, "silenced");
  sink.report(DiagnosticKind::UnreachableAction, SourceRange{id, offset("x"), offset("x") + 1},
              "silenced");
  sink.report(DiagnosticKind::UnreachableAction, SourceRange{id, offset("y"), offset("y") + 1},
              "kept");
  std::uint32_t first = 0;
  std::uint32_t second = offset("// journey-allow: unreachable");
  std::vector<SourceComment> comments = {
      {SourceRange{id, first, offset("\n")},
       std::string_view(text).substr(first, offset("\n") - first)},
      {SourceRange{id, second, offset("kept") + 4},
       std::string_view(text).substr(second, offset("kept") + 4 - second)}};
  applySuppressions(sources, comments, sink);
  auto sorted = sink.sorted();
  ASSERT_EQ(sorted.size(), 1u);
  EXPECT_EQ(sorted[0]->message, "kept");
}

}  // namespace
}  // namespace journey

#include "compiler/diagnostics/diagnostic.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "compiler/diagnostics/render.h"

namespace journey {
namespace {

TEST(DiagnosticRegistry, CodesAreUniqueKebabCase) {
  std::set<std::string_view> codes;
  for (const auto& info : allDiagnosticKinds()) {
    EXPECT_TRUE(codes.insert(info.code).second) << "duplicate code " << info.code;
    for (char c : info.code)
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') << info.code;
    EXPECT_FALSE(info.summary.empty());
    EXPECT_EQ(diagnosticKindFromCode(info.code), info.kind);
  }
  EXPECT_FALSE(diagnosticKindFromCode("no-such-code").has_value());
}

TEST(DiagnosticSink, CountsAndSortsByPosition) {
  DiagnosticSink sink;
  sink.report(DiagnosticKind::UnknownName, SourceRange{0, 20, 25}, "second");
  sink.report(DiagnosticKind::NoGoal, SourceRange{0, 5, 6}, "first");
  sink.report(DiagnosticKind::SyntaxError, SourceRange{1, 0, 1}, "other file");
  EXPECT_EQ(sink.errorCount(), 2u);
  EXPECT_EQ(sink.warningCount(), 1u);
  auto sorted = sink.sorted();
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0]->message, "first");
  EXPECT_EQ(sorted[1]->message, "second");
  EXPECT_EQ(sorted[2]->message, "other file");
}

TEST(DiagnosticSink, ReferencesStayValidAsReportsArrive) {
  DiagnosticSink sink;
  Diagnostic& first = sink.report(DiagnosticKind::UnknownName, SourceRange{0, 0, 1}, "a");
  for (int i = 0; i < 1000; ++i)
    sink.report(DiagnosticKind::UnknownName, SourceRange{0, 0, 1}, "b");
  first.help = "still here";
  EXPECT_EQ(sink.sorted().front()->help, "still here");
}

TEST(ClosestName, FindsSmallTypos) {
  std::vector<std::string_view> names = {"Research", "Evaluate", "Onboarding", "Renewal"};
  EXPECT_EQ(closestName("Reserch", names), "Research");
  EXPECT_EQ(closestName("evaluate", names), "Evaluate");
  EXPECT_EQ(closestName("Onbording", names), "Onboarding");
  EXPECT_FALSE(closestName("Checkout", names).has_value());
  EXPECT_EQ(closestName("emial", {"email", "sms", "phone"}), "email");
  EXPECT_FALSE(closestName("X", {}).has_value());
}

TEST(RenderText, ShowsLocationExcerptAndHelp) {
  SourceManager sources;
  FileId id = sources.add("x.journey", "stage A {\n  after 3d -> Reserch\n}\n");
  DiagnosticSink sink;
  Diagnostic& d =
      sink.report(DiagnosticKind::UnknownName, SourceRange{id, 24, 31}, "unknown stage `Reserch`");
  d.help = "did you mean `Research`?";
  std::ostringstream out;
  renderText(out, sources, sink);
  EXPECT_EQ(out.str(),
            "x.journey:2:15: error: unknown stage `Reserch` [unknown-name]\n"
            " 2 |   after 3d -> Reserch\n"
            "   |               ^~~~~~~\n"
            "  = help: did you mean `Research`?\n");
}

TEST(RenderText, ColourOnlyWhenAsked) {
  SourceManager sources;
  FileId id = sources.add("x.journey", "x\n");
  DiagnosticSink sink;
  sink.report(DiagnosticKind::SyntaxError, SourceRange{id, 0, 1}, "bad");
  std::ostringstream plain;
  renderText(plain, sources, sink);
  EXPECT_EQ(plain.str().find('\x1b'), std::string::npos);
  std::ostringstream colored;
  renderText(colored, sources, sink, TextRenderOptions{true});
  EXPECT_NE(colored.str().find('\x1b'), std::string::npos);
}

TEST(RenderJson, IsStableAndComplete) {
  SourceManager sources;
  FileId id = sources.add("x.journey", "abc\n");
  DiagnosticSink sink;
  Diagnostic& d = sink.report(DiagnosticKind::UnknownName, SourceRange{id, 1, 2}, "unknown `b`");
  d.labels.push_back({SourceRange{id, 0, 1}, "declared here"});
  d.fix = Fix{SourceRange{id, 1, 2}, "c"};
  std::ostringstream out;
  renderJson(out, {{&sources, &sink}});
  std::string json = out.str();
  EXPECT_NE(json.find("\"code\": \"unknown-name\""), std::string::npos);
  EXPECT_NE(json.find("\"column\": 2"), std::string::npos);
  EXPECT_NE(json.find("\"replacement\": \"c\""), std::string::npos);
  EXPECT_NE(json.find("\"errors\": 1"), std::string::npos);
}

}  // namespace
}  // namespace journey

namespace journey {
namespace {

TEST(RenderText, LongLinesShowAWindowAroundTheRange) {
  SourceManager sources;
  std::string line = std::string(500, 'a') + " bad " + std::string(500, 'b');
  FileId id = sources.add("x.journey", line + "\n");
  DiagnosticSink sink;
  sink.report(DiagnosticKind::SyntaxError, SourceRange{id, 501, 504}, "unexpected `bad`");
  std::ostringstream out;
  renderText(out, sources, sink);
  std::string text = out.str();
  EXPECT_LT(text.size(), 400u);
  EXPECT_NE(text.find("...aaaa"), std::string::npos);
  EXPECT_NE(text.find(" bad bbbb"), std::string::npos);
  // The caret sits under `bad`.
  auto excerpt = text.find(" 1 | ");
  auto caret = text.find('^');
  auto badAt = text.find(" bad ", excerpt) + 1;
  EXPECT_EQ(caret - text.rfind('\n', caret) - 1, badAt - excerpt);
}

}  // namespace
}  // namespace journey

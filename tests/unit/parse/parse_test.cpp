#include "compiler/parse/parse.h"

#include <gtest/gtest.h>

#include <string>

namespace journey {
namespace {

struct Parsed {
  SourceManager sources;
  DiagnosticSink sink;
  std::unique_ptr<ast::Module> module;
};

std::unique_ptr<Parsed> parseText(std::string text) {
  auto parsed = std::make_unique<Parsed>();
  FileId id = parsed->sources.add("test.journey", std::move(text));
  parsed->module = parse::parseFile(parsed->sources.file(id), parsed->sink);
  return parsed;
}

const ast::JourneyBlock& journeyOf(const Parsed& parsed) {
  for (const auto& item : parsed.module->items) {
    if (item.journey) return *item.journey;
  }
  throw std::runtime_error("no journey");
}

TEST(Parse, BuildsStagesTargetsAndLiterals) {
  auto parsed = parseText(R"(journey J "Display" {
  horizon 2w
  entry A
  stage A "First" {
    touchpoint T via email cost 1.50 USD emotion -1
    after exponential(mean: 3d) -> { B 70%, C otherwise }
  }
  goal B { value 10 EUR }
  exit C
})");
  ASSERT_FALSE(parsed->module->hasSyntaxErrors);
  EXPECT_TRUE(parsed->sink.empty());
  const auto& journey = journeyOf(*parsed);
  EXPECT_EQ(journey.name.text, "J");
  ASSERT_TRUE(journey.display.has_value());
  EXPECT_EQ(journey.display->value, "Display");
  ASSERT_EQ(journey.decls.size(), 5u);

  const auto& horizon = ast::as<ast::HorizonDecl>(*journey.decls[0]);
  const auto& weeks = ast::as<ast::LiteralExpr>(*horizon.value);
  EXPECT_EQ(weeks.literal, ast::LiteralKind::Duration);
  EXPECT_DOUBLE_EQ(weeks.value, 14 * 86400.0);

  const auto& stage = ast::as<ast::StageDecl>(*journey.decls[2]);
  EXPECT_EQ(stage.stageKind, ast::StageKind::Ordinary);
  ASSERT_EQ(stage.items.size(), 2u);
  const auto& touchpoint = *stage.items[0].touchpoint;
  EXPECT_EQ(touchpoint.name.text, "T");
  EXPECT_EQ(touchpoint.stage, &stage);
  ASSERT_EQ(touchpoint.items.size(), 3u);
  const auto& cost = ast::as<ast::LiteralExpr>(*touchpoint.items[1].value);
  EXPECT_EQ(cost.literal, ast::LiteralKind::Money);
  EXPECT_EQ(cost.currency, "USD");
  EXPECT_DOUBLE_EQ(cost.value, 1.5);
  EXPECT_EQ(cost.text, "1.50 USD");

  const auto& after = stage.items[1];
  EXPECT_EQ(after.kind, ast::StageItemKind::After);
  const auto& call = ast::as<ast::CallExpr>(*after.value);
  EXPECT_EQ(call.callee.text, "exponential");
  ASSERT_EQ(call.arguments.size(), 1u);
  EXPECT_EQ(call.arguments[0].name->text, "mean");
  ASSERT_TRUE(after.target->isBlock);
  ASSERT_EQ(after.target->branches.size(), 2u);
  EXPECT_EQ(after.target->branches[0].kind, ast::BranchKind::Chance);
  EXPECT_DOUBLE_EQ(ast::as<ast::LiteralExpr>(*after.target->branches[0].value).value, 0.7);
  EXPECT_EQ(after.target->branches[1].kind, ast::BranchKind::Otherwise);

  EXPECT_EQ(ast::as<ast::StageDecl>(*journey.decls[3]).stageKind, ast::StageKind::Goal);
  EXPECT_EQ(ast::as<ast::StageDecl>(*journey.decls[4]).stageKind, ast::StageKind::Exit);
}

TEST(Parse, OperatorPrecedence) {
  auto parsed = parseText("param p = 1 + 2 * 3 < 4 and not x or y");
  ASSERT_FALSE(parsed->module->hasSyntaxErrors);
  const auto& param = ast::as<ast::ValueDecl>(*parsed->module->items[0].decl);
  const auto& orExpr = ast::as<ast::BinaryExpr>(*param.value);
  EXPECT_EQ(orExpr.op, ast::BinaryOp::Or);
  const auto& andExpr = ast::as<ast::BinaryExpr>(*orExpr.lhs);
  EXPECT_EQ(andExpr.op, ast::BinaryOp::And);
  const auto& less = ast::as<ast::BinaryExpr>(*andExpr.lhs);
  EXPECT_EQ(less.op, ast::BinaryOp::Lt);
  const auto& sum = ast::as<ast::BinaryExpr>(*less.lhs);
  EXPECT_EQ(sum.op, ast::BinaryOp::Add);
  EXPECT_EQ(ast::as<ast::BinaryExpr>(*sum.rhs).op, ast::BinaryOp::Mul);
  EXPECT_EQ(ast::as<ast::UnaryExpr>(*andExpr.rhs).op, ast::UnaryOp::Not);
}

TEST(Parse, SoftKeywordsAreNamesInExpressions) {
  auto parsed = parseText("rule R { on emotion < -2  if cost > 5 USD and value == 1  send T }");
  ASSERT_FALSE(parsed->module->hasSyntaxErrors);
  const auto& rule = ast::as<ast::RuleDecl>(*parsed->module->items[0].decl);
  ASSERT_EQ(rule.items.size(), 3u);
  EXPECT_EQ(rule.items[0].trigger->kind, ast::TriggerKind::Expr);
  const auto& condition = ast::as<ast::BinaryExpr>(*rule.items[0].trigger->value);
  EXPECT_EQ(ast::as<ast::NameExpr>(*condition.lhs).name.text, "emotion");
}

TEST(Parse, DocCommentsAttachToTheNextDeclaration) {
  auto parsed = parseText(
      "/// First line\n/// second line\npersona P { share 100% }\n"
      "/// Detached\n\n// plain\nexit E\n");
  ASSERT_FALSE(parsed->module->hasSyntaxErrors);
  EXPECT_EQ(parsed->module->items[0].decl->doc, "First line\nsecond line");
  EXPECT_EQ(parsed->module->items[1].decl->doc, "");
  EXPECT_EQ(parsed->module->comments.size(), 4u);
}

TEST(Parse, RecoversAndReportsEveryError) {
  auto parsed =
      parseText("journey J {\n  horizon\n  stage A { after -> B }\n  stage B { after 1d -> }\n}\n");
  EXPECT_TRUE(parsed->module->hasSyntaxErrors);
  EXPECT_GE(parsed->sink.errorCount(), 3u);
}

TEST(Parse, UnitsAreDecoded) {
  auto parsed =
      parseText("param a = 30m\nparam b = 1.5h\nparam c = 2mo\nparam d = 1_000\nparam e = 12.5%");
  ASSERT_FALSE(parsed->module->hasSyntaxErrors);
  auto value = [&](std::size_t i) {
    return ast::as<ast::LiteralExpr>(*ast::as<ast::ValueDecl>(*parsed->module->items[i].decl).value)
        .value;
  };
  EXPECT_DOUBLE_EQ(value(0), 1800);
  EXPECT_DOUBLE_EQ(value(1), 5400);
  EXPECT_DOUBLE_EQ(value(2), 60 * 86400.0);
  EXPECT_DOUBLE_EQ(value(3), 1000);
  EXPECT_DOUBLE_EQ(value(4), 0.125);
}

// Hostile input must produce diagnostics, never a crash or a stack overflow.
TEST(Parse, DeepNestingIsRejectedBeforeParsing) {
  std::string text = "param p = " + std::string(100000, '(') + "1" + std::string(100000, ')');
  auto parsed = parseText(text);
  EXPECT_TRUE(parsed->module->hasSyntaxErrors);
  EXPECT_EQ(parsed->sink.sorted().front()->code(), "nesting-too-deep");
}

TEST(Parse, LongOperatorChainsAreBounded) {
  std::string text = "param p = 1";
  for (int i = 0; i < 100000; ++i)
    text += " + 1";
  auto parsed = parseText(text);
  bool reported = false;
  for (const auto* d : parsed->sink.sorted())
    reported |= d->code() == "nesting-too-deep";
  EXPECT_TRUE(reported);
}

TEST(Parse, LongPrefixOperatorRunsAreRejected) {
  auto parsed = parseText("param p = " + std::string(100000, '-') + "1");
  EXPECT_EQ(parsed->sink.sorted().front()->code(), "nesting-too-deep");
}

TEST(Parse, EmptyAndWhitespaceFilesParse) {
  EXPECT_TRUE(parseText("")->sink.empty());
  EXPECT_TRUE(parseText("  \n// only a comment\n")->sink.empty());
}

TEST(Parse, InvalidUtf8IsADiagnostic) {
  auto parsed = parseText("journey J \"caf\xe9\" {}");
  ASSERT_EQ(parsed->sink.errorCount(), 1u);
  EXPECT_EQ(parsed->sink.sorted().front()->code(), "invalid-utf8");
}

TEST(ParseExpression, ParsesOverrideValues) {
  SourceManager sources;
  DiagnosticSink sink;
  FileId id = sources.add("--set", "15%");
  auto expr = parse::parseExpression(sources.file(id), sink);
  ASSERT_NE(expr, nullptr);
  EXPECT_DOUBLE_EQ(ast::as<ast::LiteralExpr>(*expr).value, 0.15);
  FileId bad = sources.add("--set", "15 %%");
  EXPECT_EQ(parse::parseExpression(sources.file(bad), sink), nullptr);
  EXPECT_TRUE(sink.hasErrors());
}

}  // namespace
}  // namespace journey

namespace journey {
namespace {

TEST(Parse, TrailingDocCommentDocumentsNothing) {
  auto parsed = parseText("param a = 1 /// about a\nparam b = 2\n");
  ASSERT_FALSE(parsed->module->hasSyntaxErrors);
  EXPECT_EQ(parsed->module->items[1].decl->doc, "");
}

TEST(Parse, NonAsciiFilesKeepByteRanges) {
  auto parsed = parseText("param s = \"caf\u00e9\"\nparam t = 3d\n");
  ASSERT_FALSE(parsed->module->hasSyntaxErrors);
  const auto& t = ast::as<ast::ValueDecl>(*parsed->module->items[1].decl);
  // "param s = "café"\n" is 18 bytes (é is two), so `t` starts at byte 24.
  EXPECT_EQ(t.name.range.begin, 24u);
}

}  // namespace
}  // namespace journey

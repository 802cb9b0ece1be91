#include "compiler/ast/walk.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compiler/parse/parse.h"

namespace journey {
namespace {

struct Parsed {
  SourceManager sources;
  DiagnosticSink sink;
  std::unique_ptr<ast::Module> module;
  ast::ExprPtr expr;
};

std::unique_ptr<Parsed> parseModule(std::string text) {
  auto parsed = std::make_unique<Parsed>();
  FileId id = parsed->sources.add("test.journey", std::move(text));
  parsed->module = parse::parseFile(parsed->sources.file(id), parsed->sink);
  return parsed;
}

std::unique_ptr<Parsed> parseExpr(std::string text) {
  auto parsed = std::make_unique<Parsed>();
  FileId id = parsed->sources.add("expr", std::move(text));
  parsed->expr = parse::parseExpression(parsed->sources.file(id), parsed->sink);
  return parsed;
}

// One word per node, enough to tell every node of the test expressions apart.
std::string label(const ast::Expr& e) {
  switch (e.kind) {
    case ast::ExprKind::Literal:
      return ast::as<ast::LiteralExpr>(e).text;
    case ast::ExprKind::Name:
      return ast::as<ast::NameExpr>(e).name.text;
    case ast::ExprKind::Member: {
      const auto& member = ast::as<ast::MemberExpr>(e);
      return member.object.text + "." + member.member.text;
    }
    case ast::ExprKind::Call:
      return ast::as<ast::CallExpr>(e).callee.text + "()";
    case ast::ExprKind::Discrete:
      return "discrete";
    case ast::ExprKind::Unary:
      return ast::spelling(ast::as<ast::UnaryExpr>(e).op);
    case ast::ExprKind::Binary:
      return ast::spelling(ast::as<ast::BinaryExpr>(e).op);
    case ast::ExprKind::Error:
      return "error";
  }
  return "?";
}

// Every kind of expression, and every kind of child: arguments (positional and named),
// discrete values and probabilities, operands, both sides of a binary operator.
constexpr const char* kEveryKind = "-min(a, x: discrete { 1: 50%, 2: 50% }) + ev.field * (b - 3)";

TEST(Walk, VisitsEveryNodeParentsFirstInSourceOrder) {
  auto parsed = parseExpr(kEveryKind);
  ASSERT_TRUE(parsed->expr);
  ASSERT_TRUE(parsed->sink.empty());
  std::vector<std::string> visited;
  const ast::Expr& root = *parsed->expr;
  ast::walk(root, [&](const ast::Expr& e) { visited.push_back(label(e)); });
  std::vector<std::string> expected = {"+", "-",   "min()", "a",        "discrete", "1", "50%",
                                       "2", "50%", "*",     "ev.field", "-",        "b", "3"};
  EXPECT_EQ(visited, expected);
}

TEST(Walk, ForEachChildVisitsDirectChildrenOnly) {
  auto parsed = parseExpr(kEveryKind);
  ASSERT_TRUE(parsed->expr);
  auto children = [](const ast::Expr& e) {
    std::vector<std::string> result;
    ast::forEachChild(e, [&](const ast::Expr& child) { result.push_back(label(child)); });
    return result;
  };
  const auto& sum = ast::as<ast::BinaryExpr>(*parsed->expr);
  EXPECT_EQ(children(sum), (std::vector<std::string>{"-", "*"}));
  const auto& negate = ast::as<ast::UnaryExpr>(*sum.lhs);
  EXPECT_EQ(children(negate), (std::vector<std::string>{"min()"}));
  const auto& call = ast::as<ast::CallExpr>(*negate.operand);
  EXPECT_EQ(children(call), (std::vector<std::string>{"a", "discrete"}));
  const auto& table = ast::as<ast::DiscreteExpr>(*call.arguments[1].value);
  EXPECT_EQ(children(table), (std::vector<std::string>{"1", "50%", "2", "50%"}));
  EXPECT_TRUE(children(*table.entries[0].value).empty());
  const auto& product = ast::as<ast::BinaryExpr>(*sum.rhs);
  EXPECT_TRUE(children(*product.lhs).empty());
  EXPECT_EQ(children(*product.rhs), (std::vector<std::string>{"b", "3"}));
}

TEST(Walk, MutableWalkReachesEveryNode) {
  auto parsed = parseExpr(kEveryKind);
  ASSERT_TRUE(parsed->expr);
  std::size_t count = 0;
  ast::walk(*parsed->expr, [&](ast::Expr& e) {
    e.type.kind = ast::TypeKind::Number;
    ++count;
  });
  EXPECT_EQ(count, 14u);
  const ast::Expr& root = *parsed->expr;
  ast::walk(root, [](const ast::Expr& e) { EXPECT_EQ(e.type.kind, ast::TypeKind::Number); });
}

TEST(Walk, SkipsMissingChildrenAndReachesErrors) {
  ast::BinaryExpr binary(ast::BinaryOp::Add, SourceRange{});
  binary.rhs = std::make_unique<ast::ErrorExpr>(SourceRange{});
  std::vector<std::string> visited;
  ast::walk(static_cast<const ast::Expr&>(binary),
            [&](const ast::Expr& e) { visited.push_back(label(e)); });
  EXPECT_EQ(visited, (std::vector<std::string>{"+", "error"}));
}

TEST(Walk, ForEachExprVisitsEveryExpressionOfEveryDeclaration) {
  // Each place that holds an expression holds a different number, in source order.
  auto parsed = parseModule(R"(journey J {
  horizon 1
  entry { A 2, if 3 -> B else -> { C 4, D otherwise } }
  param p = 5
  var v = 6
  channel c { cost 7  cap 8 per 9  quiet 10h..11h }
  persona P { share 12  seats = 13 }
  stage A {
    touchpoint T via email cost 14 emotion 15 duration 16 response 17 emits e delay 18
    after 19 -> { if 20 -> B else -> C }
    on e -> { B 21, C otherwise }
    value 22
  }
  touchpoint U cost 23
  event e { in A  every 24  field = 25 }
  rule R {
    on after 26  if 27  priority 28  cap 29 per 30
    set v = 31  wait for e within 32  wait 33  move { if 34 -> B else -> C }
  }
  rule S { on 35 }
})");
  ASSERT_FALSE(parsed->module->hasSyntaxErrors);
  std::vector<std::string> visited;
  for (const auto& item : parsed->module->items) {
    if (!item.journey) continue;
    for (const auto& decl : item.journey->decls) {
      ast::forEachExpr(*decl, [&](const ast::Expr& e) { visited.push_back(label(e)); });
    }
  }
  std::vector<std::string> expected;
  for (int i = 1; i <= 35; ++i)
    expected.push_back(i == 10 || i == 11 ? std::to_string(i) + "h" : std::to_string(i));
  EXPECT_EQ(visited, expected);
}

}  // namespace
}  // namespace journey

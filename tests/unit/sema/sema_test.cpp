// Semantic analysis: operator type rules, constant folding, annotations, overrides, and
// robustness against the incomplete trees that error recovery produces.
#include "compiler/sema/sema.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "compiler/parse/parse.h"
#include "compiler/sema/builtins.h"
#include "compiler/sema/types.h"

namespace journey {
namespace {

using ast::BinaryOp;
using ast::TypeKind;
using ast::UnaryOp;

// ---------------------------------------------------------------------------------------------
// Helpers

std::unique_ptr<Compilation> compileText(const std::string& text,
                                         MemoryFileReader* reader = nullptr) {
  MemoryFileReader local;
  MemoryFileReader& files = reader != nullptr ? *reader : local;
  files.set("main.journey", text);
  // Semantic analysis alone: the journey checks have their own tests.
  return compile("main.journey", files, CompileOptions{.runChecks = false});
}

std::vector<std::string> codes(const Compilation& compilation) {
  std::vector<std::string> result;
  for (const Diagnostic* diagnostic : compilation.diagnostics.sorted())
    result.emplace_back(diagnostic->code());
  return result;
}

std::string messages(const Compilation& compilation) {
  std::string result;
  for (const Diagnostic* diagnostic : compilation.diagnostics.sorted()) {
    result += std::string(diagnostic->code()) + ": " + diagnostic->message + "\n";
  }
  return result;
}

// A valid journey around `body`, for tests that need only a few extra declarations.
std::string journeyWith(const std::string& body) {
  return "journey J {\n"
         "  horizon 30d\n"
         "  entry A\n"
         "  persona P { share 100%  seats = uniform(1, 20) }\n"
         "  stage A { after 1d -> G }\n"
         "  goal G\n" +
         body + "\n}\n";
}

const ast::ValueDecl* param(const Compilation& compilation, std::string_view name) {
  return compilation.journey ? compilation.journey->param(name) : nullptr;
}

// The folded value of a param's initialiser, or NaN when it did not fold.
double folded(const Compilation& compilation, std::string_view name) {
  const ast::ValueDecl* decl = param(compilation, name);
  if (decl == nullptr || !decl->value) return std::nan("");
  auto value = compilation.journey->constant(decl->value.get());
  return value ? *value : std::nan("");
}

// ---------------------------------------------------------------------------------------------
// Operator type rules

TEST(SemaTypes, AdditionNeedsTheSameQuantityOnBothSides) {
  EXPECT_EQ(sema::binaryResultType(BinaryOp::Add, TypeKind::Number, TypeKind::Number),
            TypeKind::Number);
  EXPECT_EQ(sema::binaryResultType(BinaryOp::Add, TypeKind::Duration, TypeKind::Duration),
            TypeKind::Duration);
  EXPECT_EQ(sema::binaryResultType(BinaryOp::Sub, TypeKind::Money, TypeKind::Money),
            TypeKind::Money);
  EXPECT_FALSE(sema::binaryResultType(BinaryOp::Add, TypeKind::Money, TypeKind::Duration));
  EXPECT_FALSE(sema::binaryResultType(BinaryOp::Add, TypeKind::Duration, TypeKind::Number));
  EXPECT_FALSE(sema::binaryResultType(BinaryOp::Add, TypeKind::String, TypeKind::String));
  EXPECT_FALSE(sema::binaryResultType(BinaryOp::Sub, TypeKind::Bool, TypeKind::Bool));
}

TEST(SemaTypes, MultiplicationScalesByANumber) {
  EXPECT_EQ(sema::binaryResultType(BinaryOp::Mul, TypeKind::Number, TypeKind::Number),
            TypeKind::Number);
  EXPECT_EQ(sema::binaryResultType(BinaryOp::Mul, TypeKind::Number, TypeKind::Duration),
            TypeKind::Duration);
  EXPECT_EQ(sema::binaryResultType(BinaryOp::Mul, TypeKind::Duration, TypeKind::Number),
            TypeKind::Duration);
  EXPECT_EQ(sema::binaryResultType(BinaryOp::Mul, TypeKind::Money, TypeKind::Number),
            TypeKind::Money);
  EXPECT_EQ(sema::binaryResultType(BinaryOp::Mul, TypeKind::Number, TypeKind::Money),
            TypeKind::Money);
  EXPECT_FALSE(sema::binaryResultType(BinaryOp::Mul, TypeKind::Duration, TypeKind::Duration));
  EXPECT_FALSE(sema::binaryResultType(BinaryOp::Mul, TypeKind::Money, TypeKind::Duration));
}

TEST(SemaTypes, DivisionKeepsOrCancelsUnits) {
  EXPECT_EQ(sema::binaryResultType(BinaryOp::Div, TypeKind::Number, TypeKind::Number),
            TypeKind::Number);
  EXPECT_EQ(sema::binaryResultType(BinaryOp::Div, TypeKind::Duration, TypeKind::Number),
            TypeKind::Duration);
  EXPECT_EQ(sema::binaryResultType(BinaryOp::Div, TypeKind::Money, TypeKind::Number),
            TypeKind::Money);
  EXPECT_EQ(sema::binaryResultType(BinaryOp::Div, TypeKind::Duration, TypeKind::Duration),
            TypeKind::Number);
  EXPECT_EQ(sema::binaryResultType(BinaryOp::Div, TypeKind::Money, TypeKind::Money),
            TypeKind::Number);
  EXPECT_FALSE(sema::binaryResultType(BinaryOp::Div, TypeKind::Number, TypeKind::Duration));
  EXPECT_FALSE(sema::binaryResultType(BinaryOp::Div, TypeKind::Money, TypeKind::Duration));
}

TEST(SemaTypes, ComparisonsAndLogic) {
  for (auto op : {BinaryOp::Lt, BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge}) {
    EXPECT_EQ(sema::binaryResultType(op, TypeKind::Money, TypeKind::Money), TypeKind::Bool);
    EXPECT_FALSE(sema::binaryResultType(op, TypeKind::Bool, TypeKind::Bool));
    EXPECT_FALSE(sema::binaryResultType(op, TypeKind::String, TypeKind::String));
    EXPECT_FALSE(sema::binaryResultType(op, TypeKind::Duration, TypeKind::Number));
  }
  for (auto op : {BinaryOp::Eq, BinaryOp::Ne}) {
    EXPECT_EQ(sema::binaryResultType(op, TypeKind::Persona, TypeKind::Persona), TypeKind::Bool);
    EXPECT_EQ(sema::binaryResultType(op, TypeKind::String, TypeKind::String), TypeKind::Bool);
    EXPECT_FALSE(sema::binaryResultType(op, TypeKind::Persona, TypeKind::String));
  }
  EXPECT_EQ(sema::binaryResultType(BinaryOp::And, TypeKind::Bool, TypeKind::Bool), TypeKind::Bool);
  EXPECT_FALSE(sema::binaryResultType(BinaryOp::Or, TypeKind::Bool, TypeKind::Number));
}

TEST(SemaTypes, UnaryOperators) {
  EXPECT_EQ(sema::unaryResultType(UnaryOp::Negate, TypeKind::Money), TypeKind::Money);
  EXPECT_EQ(sema::unaryResultType(UnaryOp::Plus, TypeKind::Duration), TypeKind::Duration);
  EXPECT_FALSE(sema::unaryResultType(UnaryOp::Negate, TypeKind::Bool));
  EXPECT_EQ(sema::unaryResultType(UnaryOp::Not, TypeKind::Bool), TypeKind::Bool);
  EXPECT_FALSE(sema::unaryResultType(UnaryOp::Not, TypeKind::Number));
}

TEST(SemaTypes, MismatchMessagesNameBothTypes) {
  EXPECT_EQ(sema::binaryMismatchMessage(BinaryOp::Add, TypeKind::Money, TypeKind::Duration),
            "cannot add `duration` to `money`");
  EXPECT_EQ(sema::binaryMismatchMessage(BinaryOp::Sub, TypeKind::Duration, TypeKind::Number),
            "cannot subtract `number` from `duration`");
  EXPECT_EQ(sema::binaryMismatchMessage(BinaryOp::Mul, TypeKind::Money, TypeKind::Money),
            "cannot multiply `money` by `money`");
  EXPECT_EQ(sema::binaryMismatchMessage(BinaryOp::Lt, TypeKind::Duration, TypeKind::Number),
            "cannot compare `duration` with `number`");
}

TEST(SemaTypes, FoldingSingleOperations) {
  EXPECT_EQ(sema::foldBinary(BinaryOp::Add, 2, 3), 5);
  EXPECT_EQ(sema::foldBinary(BinaryOp::Div, 7, 2), 3.5);
  EXPECT_FALSE(sema::foldBinary(BinaryOp::Div, 1, 0));
  EXPECT_EQ(sema::foldBinary(BinaryOp::Le, 2, 2), 1);
  EXPECT_EQ(sema::foldBinary(BinaryOp::Or, 0, 0), 0);
  EXPECT_EQ(sema::foldUnary(UnaryOp::Negate, 4), -4);
  EXPECT_EQ(sema::foldUnary(UnaryOp::Not, 0), 1);
}

TEST(SemaTypes, ValuesAreWrittenAsReadersWriteThem) {
  EXPECT_EQ(sema::formatPercent(0.1), "10%");
  EXPECT_EQ(sema::formatPercent(0.333 + 0.333 + 0.333), "99.9%");
  EXPECT_EQ(sema::formatPercent(1.0 / 3), "33.333333%");
  EXPECT_EQ(sema::formatDuration(86400), "1d");
  EXPECT_EQ(sema::formatDuration(5400), "90m");
  EXPECT_EQ(sema::formatDuration(-3600), "-1h");
  EXPECT_EQ(sema::formatDuration(1.5), "1.5s");
  EXPECT_EQ(sema::formatValue(TypeKind::Money, 12.5, "USD"), "12.5 USD");
  EXPECT_EQ(sema::formatValue(TypeKind::Bool, 1, ""), "true");
}

TEST(SemaBuiltins, ReservedNamesAndChannels) {
  EXPECT_TRUE(sema::isReservedName("cost"));
  EXPECT_TRUE(sema::isReservedName("time_in_stage"));
  EXPECT_TRUE(sema::isReservedName("lognormal"));
  EXPECT_TRUE(sema::isReservedName("in_stage"));
  EXPECT_FALSE(sema::isReservedName("seats"));
  EXPECT_TRUE(sema::isBuiltinChannel("in_app"));
  EXPECT_FALSE(sema::isBuiltinChannel("whatsapp"));
  EXPECT_EQ(sema::builtinChannels().size(), 14u);
}

// ---------------------------------------------------------------------------------------------
// Constant folding through whole expressions

TEST(SemaFolding, ArithmeticUnitsAndParams) {
  auto c = compileText(journeyWith(R"(
  param a = 2 * 3 + 1
  param b = a / 2 - 0.5
  param pct = 10% + 5%
  param d = 1d + 12h
  param half = d / 2
  param ratio = 3d / 12h
  param m = 100 USD * (1 - pct)
  param neg = -a
  param later = z + 1
  param z = 4
)"));
  EXPECT_EQ(messages(*c), "");
  EXPECT_DOUBLE_EQ(folded(*c, "a"), 7);
  EXPECT_DOUBLE_EQ(folded(*c, "b"), 3);
  EXPECT_DOUBLE_EQ(folded(*c, "pct"), 0.15);
  EXPECT_DOUBLE_EQ(folded(*c, "d"), 129600);
  EXPECT_DOUBLE_EQ(folded(*c, "half"), 64800);
  EXPECT_DOUBLE_EQ(folded(*c, "ratio"), 6);
  EXPECT_DOUBLE_EQ(folded(*c, "m"), 85);
  EXPECT_DOUBLE_EQ(folded(*c, "neg"), -7);
  EXPECT_DOUBLE_EQ(folded(*c, "later"), 5);  // declared before the param it reads
  EXPECT_EQ(param(*c, "d")->value->type.kind, TypeKind::Duration);
  EXPECT_EQ(param(*c, "m")->value->type.kind, TypeKind::Money);
  EXPECT_EQ(param(*c, "ratio")->value->type.kind, TypeKind::Number);
  EXPECT_EQ(c->journey->currency, "USD");
}

TEST(SemaFolding, BuiltinFunctions) {
  auto c = compileText(journeyWith(R"(
  param lo = min(3, 5)
  param hi = max(2h, 90m)
  param cl = clamp(12, 0, 10)
  param ab = abs(-4 USD)
  param r = round(2.5)
  param f = floor(-1.5)
  param ce = ceil(1.2)
)"));
  EXPECT_EQ(messages(*c), "");
  EXPECT_DOUBLE_EQ(folded(*c, "lo"), 3);
  EXPECT_DOUBLE_EQ(folded(*c, "hi"), 7200);
  EXPECT_DOUBLE_EQ(folded(*c, "cl"), 10);
  EXPECT_DOUBLE_EQ(folded(*c, "ab"), 4);
  EXPECT_DOUBLE_EQ(folded(*c, "r"), 3);
  EXPECT_DOUBLE_EQ(folded(*c, "f"), -2);
  EXPECT_DOUBLE_EQ(folded(*c, "ce"), 2);
}

TEST(SemaFolding, BoolsStringsAndComparisons) {
  auto c = compileText(journeyWith(R"(
  param t = 1 < 2 and not false
  param s = "vip"
  param same = s == "vip"
  param differ = s != "vip" or 2d > 1w
)"));
  EXPECT_EQ(messages(*c), "");
  EXPECT_DOUBLE_EQ(folded(*c, "t"), 1);
  EXPECT_DOUBLE_EQ(folded(*c, "same"), 1);
  EXPECT_DOUBLE_EQ(folded(*c, "differ"), 0);
  EXPECT_EQ(param(*c, "s")->value->type.kind, TypeKind::String);
}

TEST(SemaFolding, SumsUseFoldedValues) {
  // 1/3 three times folds to exactly one within the tolerance.
  auto good = compileText(R"(journey J {
  horizon 2 * base
  entry A
  param base = 15d
  param third = 1 / 3
  persona P { share third }
  persona Q { share third }
  persona R { share 1 - 2 * third }
  stage A { after 1d -> { G third, A third, X third } }
  goal G
  exit X
})");
  EXPECT_EQ(messages(*good), "");
  auto horizon = good->journey->horizon;
  ASSERT_NE(horizon, nullptr);
  EXPECT_DOUBLE_EQ(*good->journey->constant(horizon->value.get()), 30 * 86400.0);

  auto bad = compileText(R"(journey J {
  horizon base - 15d
  entry A
  param base = 15d
  param p = 45%
  persona P { share p }
  persona Q { share p }
  stage A { after 1d -> { G p, A p } }
  goal G
})");
  EXPECT_EQ(codes(*bad), (std::vector<std::string>{"share-sum", "invalid-value", "branch-sum"}));
  EXPECT_NE(messages(*bad).find("persona shares add up to 90%, not 100%"), std::string::npos);
  EXPECT_NE(messages(*bad).find("branch probabilities add up to 90%, not 100%"), std::string::npos);
}

TEST(SemaFolding, DivisionByZeroIsReportedOnceAndSuppressesTheRest) {
  auto c = compileText(journeyWith(R"(
  param zero = 1 - 1
  param x = 5 / zero
  param y = x * 2
)"));
  EXPECT_EQ(codes(*c), std::vector<std::string>{"division-by-zero"});
}

TEST(SemaFolding, ParamCyclesAreReportedOnce) {
  auto c = compileText(journeyWith(R"(
  param a = b + 1
  param b = a + 1
  param c = a * 2
)"));
  EXPECT_EQ(codes(*c), std::vector<std::string>{"cyclic-definition"});
}

TEST(SemaFolding, LongParamChainsDoNotRecurseDeeply) {
  // Declared in reverse, so every param reads one declared after it.
  std::string body;
  const int n = 20000;
  for (int i = 0; i < n; ++i)
    body += "  param p" + std::to_string(i) + " = p" + std::to_string(i + 1) + " + 1\n";
  body += "  param p" + std::to_string(n) + " = 0\n";
  auto c = compileText(journeyWith(body));
  EXPECT_EQ(messages(*c), "");
  EXPECT_DOUBLE_EQ(folded(*c, "p0"), n);
}

// ---------------------------------------------------------------------------------------------
// Types and annotations

TEST(SemaAnnotations, NamesAreResolvedAndExpressionsTyped) {
  auto c = compileText(R"(journey J {
  horizon 30d
  entry A
  param limit = 10
  persona P { share 100%  seats = uniform(1, 20) }
  stage A { after exponential(mean: 2d) -> { if seats > limit -> G else -> A } }
  goal G
})");
  ASSERT_EQ(messages(*c), "");
  const auto* stage = c->journey->stage("A");
  ASSERT_NE(stage, nullptr);
  const auto& after = stage->items[0];
  EXPECT_EQ(after.value->type, (ast::Type{TypeKind::Duration, true}));
  const auto& condition = ast::as<ast::BinaryExpr>(*after.target->branches[0].value);
  EXPECT_EQ(condition.type, (ast::Type{TypeKind::Bool, false}));
  const auto& seats = ast::as<ast::NameExpr>(*condition.lhs);
  EXPECT_EQ(seats.symbol, ast::SymbolKind::Attribute);
  EXPECT_EQ(seats.type.kind, TypeKind::Number);
  const auto& limit = ast::as<ast::NameExpr>(*condition.rhs);
  EXPECT_EQ(limit.symbol, ast::SymbolKind::Param);
  EXPECT_EQ(limit.declaration, c->journey->param("limit"));

  const auto* attribute = c->journey->attribute("seats");
  ASSERT_NE(attribute, nullptr);
  EXPECT_EQ(attribute->type.kind, TypeKind::Number);
  EXPECT_TRUE(attribute->type.sampled);
  EXPECT_EQ(attribute->definitions.size(), 1u);
}

TEST(SemaAnnotations, CheckedJourneyListsEverything) {
  auto c = compileText(R"(journey J {
  horizon 30d
  entry A
  channel email { cost 0.01 EUR }
  channel whatsapp
  persona P { share 100% }
  stage A { touchpoint T via whatsapp  after 1d -> G }
  touchpoint U via email
  goal G { value 5 EUR }
  event e { every 1d }
  rule R { on e  send U }
  var v = 0
})");
  ASSERT_EQ(messages(*c), "");
  const auto& j = *c->journey;
  EXPECT_EQ(j.personas.size(), 1u);
  EXPECT_EQ(j.stages.size(), 2u);
  EXPECT_EQ(j.touchpoints.size(), 2u);
  EXPECT_EQ(j.events.size(), 1u);
  EXPECT_EQ(j.rules.size(), 1u);
  EXPECT_EQ(j.vars.size(), 1u);
  EXPECT_EQ(j.channels.size(), 15u);
  auto email = std::find_if(j.channels.begin(), j.channels.end(),
                            [](const auto& ch) { return ch.name == "email"; });
  ASSERT_NE(email, j.channels.end());
  EXPECT_NE(email->declaration, nullptr);
  EXPECT_EQ(j.channels.back().name, "whatsapp");
  EXPECT_EQ(j.currency, "EUR");
  EXPECT_NE(j.stage("G"), nullptr);
  EXPECT_EQ(j.stage("P"), nullptr);
  EXPECT_NE(j.persona("P"), nullptr);
  // The rule's trigger is the event.
  const auto& trigger = *j.rules[0]->items[0].trigger;
  EXPECT_EQ(ast::as<ast::NameExpr>(*trigger.value).symbol, ast::SymbolKind::Event);
}

TEST(SemaTypes, OneMistakeOneDiagnostic) {
  // The unknown name makes its expression an error: nothing that contains it is reported.
  auto c = compileText(journeyWith(R"(
  param x = (unknwn + 2d) * 3 > 1 USD
  rule R { on enter A  if seats * unknwn2 > 3 and emotion < 0  wait (unknwn3 + 1d) * 2  stop }
)"));
  EXPECT_EQ(codes(*c), (std::vector<std::string>{"unknown-name", "unknown-name", "unknown-name"}));
}

TEST(SemaTypes, SampledValuesOnlyWhereSampled) {
  auto c = compileText(journeyWith(R"(
  param p = uniform(1, 2) * 2
  rule R { on enter A  wait exponential(1d) * 2  if bernoulli(50%)  stop }
)"));
  EXPECT_EQ(codes(*c), (std::vector<std::string>{"sampling-not-allowed", "sampling-not-allowed"}));
}

TEST(SemaTypes, DistributionArguments) {
  auto c = compileText(journeyWith(R"(
  persona Q { share 0%
    a = normal(mean: 3d, sd: 1d)
    b = lognormal(median: 60 USD, sigma: 0.8)
    c = gamma(2, 3h)
    d = discrete { "x": 25%, "y": 75% }
    e = fixed(true)
  }
)"));
  // Q's 0% share is the only problem.
  EXPECT_EQ(codes(*c), std::vector<std::string>{"invalid-value"});
  const auto& j = *c->journey;
  EXPECT_EQ(j.attribute("a")->type.kind, TypeKind::Duration);
  EXPECT_EQ(j.attribute("b")->type.kind, TypeKind::Money);
  EXPECT_EQ(j.attribute("c")->type.kind, TypeKind::Duration);
  EXPECT_EQ(j.attribute("d")->type.kind, TypeKind::String);
  EXPECT_EQ(j.attribute("e")->type.kind, TypeKind::Bool);
}

TEST(SemaTypes, DidYouMeanComesWithAFix) {
  auto c = compileText(R"(journey J {
  horizon 30d
  entry Reserch
  persona P { share 100% }
  stage Research { after 1d -> G }
  goal G
})");
  auto sorted = c->diagnostics.sorted();
  ASSERT_EQ(sorted.size(), 1u);
  EXPECT_EQ(sorted[0]->message, "unknown stage `Reserch`");
  EXPECT_EQ(sorted[0]->help, "did you mean `Research`?");
  ASSERT_TRUE(sorted[0]->fix.has_value());
  EXPECT_EQ(sorted[0]->fix->replacement, "Research");
  EXPECT_EQ(sorted[0]->fix->range, sorted[0]->range);
}

// The text after applying the one diagnostic's fix.
std::string fixed(const std::string& text) {
  auto c = compileText(text);
  auto sorted = c->diagnostics.sorted();
  EXPECT_EQ(sorted.size(), 1u);
  if (sorted.empty() || !sorted[0]->fix) return "(no fix)";
  const Fix& fix = *sorted[0]->fix;
  return text.substr(0, fix.range.begin) + fix.replacement + text.substr(fix.range.end);
}

TEST(SemaTypes, NewcomerSlipsComeWithAFix) {
  std::string head =
      "journey J {\n  horizon 30d\n  entry A\n  persona P { share 100% }\n"
      "  stage A { after 1d -> G }\n  goal G\n  touchpoint T via email\n";
  EXPECT_EQ(fixed(head + "  channel email { cap 1 per week }\n}\n"),
            head + "  channel email { cap 1 per 1w }\n}\n");
  EXPECT_EQ(fixed("journey J {\n  horizon 30d\n  entry A\n  persona P { share 100 }\n"
                  "  stage A { after 1d -> G }\n  goal G\n}\n"),
            "journey J {\n  horizon 30d\n  entry A\n  persona P { share 100% }\n"
            "  stage A { after 1d -> G }\n  goal G\n}\n");
  // An undeclared event: declared before the rule naming it, or after the file's last event,
  // on a line of its own with the same indentation and line ending.
  EXPECT_EQ(fixed(head + "  rule R {\n    on paid\n    send T\n  }\n}\n"),
            head + "  event paid\n  rule R {\n    on paid\n    send T\n  }\n}\n");
  EXPECT_EQ(
      fixed(head + "\tevent seen { every 7d }\r\n\trule R { on seen  wait for paid  send T }\n}"),
      head +
          "\tevent seen { every 7d }\r\n\tevent paid\r\n"
          "\trule R { on seen  wait for paid  send T }\n}");
  EXPECT_EQ(fixed(head + "  rule R { on paid send T } }"),
            head + "  event paid\n  rule R { on paid send T } }");
  EXPECT_EQ(
      fixed("journey J { horizon 30d entry A persona P { share 100% } "
            "stage A { after 1d -> G } goal G touchpoint T via email rule R { on paid send T } }"),
      "journey J { horizon 30d entry A persona P { share 100% } "
      "stage A { after 1d -> G } goal G touchpoint T via email event paid rule R { on paid "
      "send T } }");
}

TEST(SemaTypes, AnUnknownEventCloseToOneOffersBothFixes) {
  auto c = compileText(
      "journey J {\n  horizon 30d\n  entry A\n  persona P { share 100% }\n"
      "  stage A { after 1d -> G }\n  goal G\n  touchpoint T via email\n"
      "  event visited { every 7d }\n  rule R { on visitd send T }\n}\n");
  auto sorted = c->diagnostics.sorted();
  ASSERT_EQ(sorted.size(), 1u);
  EXPECT_EQ(sorted[0]->help, "did you mean `visited`?");
  ASSERT_TRUE(sorted[0]->fix.has_value());
  EXPECT_EQ(sorted[0]->fix->replacement, "visited");
  ASSERT_EQ(sorted[0]->otherFixes.size(), 1u);
  EXPECT_EQ(sorted[0]->otherFixes[0].replacement, "\n  event visitd");
}

TEST(SemaFiles, LibrariesJoinTheNamespace) {
  MemoryFileReader files;
  files.set("lib/common.journey", "persona P { share 100% }\nstage A { after 1d -> G }\ngoal G\n");
  auto c = compileText("use \"lib/common.journey\"\njourney J { horizon 30d  entry A }\n", &files);
  EXPECT_EQ(messages(*c), "");
  EXPECT_EQ(c->journey->personas.size(), 1u);

  MemoryFileReader clash;
  clash.set("lib.journey", "stage A { after 1d -> A }\n");
  auto d = compileText(
      "use \"lib.journey\"\njourney J { horizon 30d  entry A  persona P { share 100% }  goal A }\n",
      &clash);
  // The second declaration, in the journey's own file, is the one reported.
  auto sorted = d->diagnostics.sorted();
  ASSERT_EQ(codes(*d), std::vector<std::string>{"duplicate-definition"});
  EXPECT_EQ(d->sources.file(sorted[0]->range.file).path(), "main.journey");
}

// ---------------------------------------------------------------------------------------------
// Overrides

struct Override {
  std::unique_ptr<Compilation> compilation;
  std::optional<double> value;
  std::vector<std::string> codes;
  std::string help;
};

Override override(const std::string& name, const std::string& text) {
  Override result;
  result.compilation = compileText(R"(journey J {
  horizon 30d
  entry A
  param discount = 10%
  param wait_time = 2d
  param budget = 100 USD
  param vip = true
  var counter = 0
  persona P { share 100%  seats = 3 }
  stage A { after wait_time -> G }
  goal G { value budget }
})");
  EXPECT_EQ(messages(*result.compilation), "");
  DiagnosticSink sink;
  FileId id = result.compilation->sources.add("--set", text);
  auto expr = parse::parseExpression(result.compilation->sources.file(id), sink);
  if (!expr) return result;
  result.value = sema::checkOverride(*result.compilation->journey, name, *expr, sink);
  for (const Diagnostic* diagnostic : sink.sorted()) {
    result.codes.emplace_back(diagnostic->code());
    result.help = diagnostic->help;
  }
  return result;
}

TEST(SemaOverride, FoldsAValueOfTheParamsType) {
  auto a = override("discount", "15%");
  EXPECT_TRUE(a.codes.empty());
  ASSERT_TRUE(a.value);
  EXPECT_DOUBLE_EQ(*a.value, 0.15);

  auto b = override("wait_time", "1w + 12h");
  ASSERT_TRUE(b.value);
  EXPECT_DOUBLE_EQ(*b.value, 7 * 86400.0 + 43200);

  auto c = override("budget", "budget * 2");  // other params fold with their declared values
  ASSERT_TRUE(c.value);
  EXPECT_DOUBLE_EQ(*c.value, 200);

  auto d = override("vip", "false");
  ASSERT_TRUE(d.value);
  EXPECT_DOUBLE_EQ(*d.value, 0);
}

TEST(SemaOverride, ReportsWhatIsWrong) {
  auto unknown = override("discont", "15%");
  EXPECT_FALSE(unknown.value);
  EXPECT_EQ(unknown.codes, std::vector<std::string>{"unknown-name"});
  EXPECT_EQ(unknown.help, "did you mean `discount`?");

  auto notParam = override("counter", "3");
  EXPECT_FALSE(notParam.value);
  EXPECT_EQ(notParam.codes, std::vector<std::string>{"wrong-kind-of-name"});

  auto type = override("wait_time", "3");
  EXPECT_FALSE(type.value);
  EXPECT_EQ(type.codes, std::vector<std::string>{"type-mismatch"});
  EXPECT_EQ(type.help, "durations need a unit, e.g. `3d`");

  auto sampled = override("discount", "uniform(0, 1)");
  EXPECT_FALSE(sampled.value);
  EXPECT_EQ(sampled.codes, std::vector<std::string>{"sampling-not-allowed"});

  auto state = override("discount", "emotion / 10");
  EXPECT_FALSE(state.value);
  EXPECT_EQ(state.codes, std::vector<std::string>{"not-constant"});

  auto currency = override("budget", "50 EUR");
  EXPECT_EQ(currency.codes, std::vector<std::string>{"mixed-currencies"});
}

// ---------------------------------------------------------------------------------------------
// Robustness: trees with holes, as error recovery leaves them

TEST(SemaRobustness, NullChildrenAndEmptyNamesAreSkippedSilently) {
  SourceManager sources;
  FileId id = sources.add("holes.journey", "journey J {}\n");
  ast::Module module;
  module.file = id;
  module.hasSyntaxErrors = true;
  auto journey = std::make_unique<ast::JourneyBlock>();
  journey->name = {"J", {id, 8, 9}};

  journey->decls.push_back(
      std::make_unique<ast::HorizonDecl>(SourceRange{id, 0, 0}));  // null value
  auto entry = std::make_unique<ast::EntryDecl>(SourceRange{id, 0, 0});
  entry->target.isBlock = true;
  ast::Branch chance;
  chance.kind = ast::BranchKind::Chance;  // empty stage, null probability
  entry->target.branches.push_back(std::move(chance));
  ast::Branch when;
  when.kind = ast::BranchKind::If;  // null condition, null target
  entry->target.branches.push_back(std::move(when));
  journey->decls.push_back(std::move(entry));

  auto param = std::make_unique<ast::ValueDecl>(ast::DeclKind::Param, SourceRange{id, 0, 0});
  param->name = {"p", {id, 0, 1}};
  auto sum =
      std::make_unique<ast::BinaryExpr>(BinaryOp::Add, SourceRange{id, 0, 0});  // null operands
  param->value = std::move(sum);
  journey->decls.push_back(std::move(param));

  auto unnamed = std::make_unique<ast::ValueDecl>(ast::DeclKind::Var,
                                                  SourceRange{id, 0, 0});  // no name, no value
  journey->decls.push_back(std::move(unnamed));

  auto persona = std::make_unique<ast::PersonaDecl>(SourceRange{id, 0, 0});
  persona->name = {"P", {id, 0, 1}};
  ast::PersonaItem share;
  share.kind = ast::PersonaItemKind::Share;  // null value
  persona->items.push_back(std::move(share));
  ast::PersonaItem attribute;
  attribute.kind = ast::PersonaItemKind::Attribute;  // empty name
  attribute.value = std::make_unique<ast::ErrorExpr>(SourceRange{id, 0, 0});
  persona->items.push_back(std::move(attribute));
  journey->decls.push_back(std::move(persona));

  auto stage = std::make_unique<ast::StageDecl>(SourceRange{id, 0, 0});
  stage->name = {"S", {id, 0, 1}};
  ast::StageItem after;
  after.kind = ast::StageItemKind::After;  // null delay, null target
  stage->items.push_back(std::move(after));
  ast::StageItem on;
  on.kind = ast::StageItemKind::On;  // empty event
  on.personas.push_back({"", {id, 0, 0}});
  stage->items.push_back(std::move(on));
  ast::StageItem touchpointItem;
  touchpointItem.kind = ast::StageItemKind::Touchpoint;  // null touchpoint
  stage->items.push_back(std::move(touchpointItem));
  journey->decls.push_back(std::move(stage));

  auto rule = std::make_unique<ast::RuleDecl>(SourceRange{id, 0, 0});
  rule->name = {"R", {id, 0, 1}};
  ast::RuleItem trigger;
  trigger.kind = ast::RuleItemKind::On;  // no trigger
  rule->items.push_back(std::move(trigger));
  ast::RuleItem set;
  set.kind = ast::RuleItemKind::Set;  // empty name, null value
  rule->items.push_back(std::move(set));
  ast::RuleItem move;
  move.kind = ast::RuleItemKind::Move;  // null target
  rule->items.push_back(std::move(move));
  ast::RuleItem call;
  call.kind = ast::RuleItemKind::Wait;
  auto wait = std::make_unique<ast::CallExpr>(ast::Identifier{"exponential", {id, 0, 1}},
                                              SourceRange{id, 0, 0});
  wait->arguments.push_back({std::nullopt, nullptr});  // null argument
  call.value = std::move(wait);
  rule->items.push_back(std::move(call));
  journey->decls.push_back(std::move(rule));

  ast::TopItem top;
  top.journey = std::move(journey);
  module.items.push_back(std::move(top));

  DiagnosticSink sink;
  std::vector<ast::Module*> modules{&module};
  auto checked = sema::analyze(modules, sink);
  ASSERT_NE(checked, nullptr);
  // Nothing is reported about the holes themselves; the journey-level checks still run.
  for (const Diagnostic* diagnostic : sink.sorted()) {
    EXPECT_NE(diagnostic->kind, DiagnosticKind::UnknownName) << diagnostic->message;
    EXPECT_NE(diagnostic->kind, DiagnosticKind::TypeMismatch) << diagnostic->message;
  }
}

TEST(SemaRobustness, EmptyInputs) {
  DiagnosticSink sink;
  std::vector<ast::Module*> none;
  EXPECT_NE(sema::analyze(none, sink), nullptr);
  EXPECT_TRUE(sink.empty());

  auto empty = compileText("");
  EXPECT_EQ(codes(*empty), std::vector<std::string>{"missing-journey"});
}

}  // namespace
}  // namespace journey

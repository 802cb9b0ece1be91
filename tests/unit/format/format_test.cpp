// Unit tests of `journey fmt` and of the document printer under it: idempotence, comment
// preservation, meaning preservation and the layout rules, on sources held in memory.
#include "compiler/format/format.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/ast/dump.h"
#include "compiler/driver/driver.h"
#include "compiler/format/doc.h"

namespace journey {
namespace {

struct Parsed {
  std::unique_ptr<Compilation> compilation;
  const ast::Module* module = nullptr;
};

Parsed parse(const std::string& source) {
  MemoryFileReader reader;
  reader.set("test.journey", source);
  Parsed parsed;
  parsed.compilation = compile("test.journey", reader, CompileOptions{.parseOnly = true});
  parsed.module = parsed.compilation->root();
  return parsed;
}

// Formats `source`, which must parse without errors.
std::string formatText(const std::string& source) {
  Parsed parsed = parse(source);
  EXPECT_NE(parsed.module, nullptr);
  if (parsed.module == nullptr) return {};
  EXPECT_FALSE(parsed.module->hasSyntaxErrors) << "does not parse:\n" << source;
  EXPECT_FALSE(parsed.compilation->diagnostics.hasErrors()) << "has errors:\n" << source;
  return format::formatModule(*parsed.module,
                              parsed.compilation->sources.file(parsed.module->file));
}

std::vector<std::string> commentTexts(const std::string& source) {
  Parsed parsed = parse(source);
  std::vector<std::string> texts;
  if (parsed.module == nullptr) return texts;
  for (const auto& comment : parsed.module->comments)
    texts.push_back(comment.text);
  return texts;
}

// The AST dump without locations and comments: equal for sources that mean the same.
std::string meaning(const std::string& source) {
  Parsed parsed = parse(source);
  if (parsed.module == nullptr) return {};
  std::ostringstream out;
  ast::dump(out, *parsed.module, parsed.compilation->sources);
  std::string text = std::regex_replace(out.str(), std::regex(R"( \(\d+:\d+\))"), "");
  return std::regex_replace(text, std::regex(R"((^|\n) *Comment [^\n]*)"), "");
}

// Every comment of `source` appears in `formatted`, in the same order.
void expectCommentsKept(const std::string& source, const std::string& formatted) {
  std::size_t at = 0;
  for (const auto& comment : commentTexts(source)) {
    // Trailing spaces of line comments are not kept.
    std::string text = comment.substr(0, comment.find_last_not_of(" \t") + 1);
    std::size_t found = formatted.find(text, at);
    ASSERT_NE(found, std::string::npos) << "comment lost or out of order: " << comment << "\nin:\n"
                                        << formatted;
    at = found + text.size();
  }
}

// Sources in canonical layout or not, with comments everywhere except where two line comments
// would have to share a line.
const char* const kSources[] = {
    // The realistic sample.
    R"(/// The business-phone journey.
journey BusinessPhone "Business phone service" {
  horizon 2y
  entry Need

  param renewal_discount "Renewal discount" = 10%
  var rescued = false

  channel email { cost 0.02 USD  cap 2 per 7d drop }
  channel phone { quiet 21h..8h defer }

  /// Small businesses.
  persona SmallBiz "Small business" {
    share 70%
    seats = uniform(min: 1, max: 20)
    budget = lognormal(median: 300 USD, sigma: 0.5)
    tier = discrete { "basic": 70%, "pro": 30% }
  }
  persona Enterprise { share 30%  seats = normal(mean: 200, sd: 50) }

  stage Need "Need a phone system" {
    touchpoint SeesAd "Sees an ad" via ads cost 0.50 USD emotion 0
    after exponential(mean: 7d) -> Research
  }
  stage Research {
    after lognormal(median: 5d, sigma: 0.6) -> { Evaluate 70%, Lost otherwise }
    for Enterprise after 10d -> { Evaluate 85%, Lost 15% }
  }
  stage Evaluate "Evaluate vendors" {
    after 3d -> {
      if seats >= 50 -> { Onboarding 60%, Lost otherwise }
      else -> Onboarding
    }
    on demo_requested -> Onboarding
  }
  goal Onboarding { value seats * 20 USD * 12 }
  exit Lost "Chose a competitor"

  event demo_requested { in Evaluate  every 10d  for Enterprise every 4d  score = uniform(0, 10) }
  touchpoint WinBack via email cost 0.05 USD emotion +1 response 10% emits demo_requested delay exponential(mean: 1d)

  rule Rescue "Rescue unhappy customers" {
    on emotion < -2
    in Research, Evaluate
    for SmallBiz
    if not rescued and cost < 100 USD
    priority 10
    cap 1 per 30d
    send WinBack
    wait 1h
    set rescued = true
    wait for demo_requested within 7d
    move { Evaluate 50%, Lost otherwise }
  }
  rule Nudge { on after 3d  in Evaluate  send WinBack }
  rule Welcome { on enter Evaluate send WinBack }
}
)",
    // Comments in every position.
    R"(// header

journey J { // opener
  // leading
  horizon 1y // trailing
  entry { // block opener
    // before a branch
    A 50%, // after a branch
    B otherwise
    // block end
  }
  persona P { share 100% // share
    seats = uniform(1, // first argument
      20) // after the call
    // persona end
  }
  stage A { after 1d // inside an item
    -> B
    touchpoint T // header
      via email // via
  }
  goal B
  rule R { on enter A
    if seats > 3 and // inside a chain
      seats < 10
    send T }
  // journey end
}
// file end
)",
    // Messy layout.
    "journey   M\"x\"{horizon 2y entry A param\tp=1+2*3 persona P{share 100%}stage A{after 1d->"
    "{B 50%,A otherwise,}}goal B rule R{on enter A set v=-(p-1) move{B 100%}}var v=0}\n",
    // A library: declarations without a journey block.
    "use \"a.journey\" use \"b.journey\"\n// comment\nchannel email { cost 1 USD }\n\n\n"
    "touchpoint T via email\nstage S\n",
    // Precedence.
    R"(journey Q { var a = (1 + 2) * 3 var b = -(1 - 2) var c = not (true and false)
  var d = 1 - (2 - 3) var e = (1 < 2) == (2 < 3) var f = not true == false var g = - -1
  var h = (true or false) and true var i = 1 / (2 * 3) var j = 1 * 2 / 3 })",
    // Long lines.
    R"(journey L { stage A { after 1d -> { Alpha 10%, Bravo 10%, Charlie 10%, Delta 10%, Echo 10%, Foxtrot otherwise }
  touchpoint T "A display name that is long enough to push the line over" via email cost 1 USD emotion 1 duration 1h
  after weibull(shape: 1.5, scale: 30d) + lognormal(median: 5d, sigma: 0.6) + uniform(min: 1h, max: 4h) -> B } })",
    // Only comments; and nothing at all.
    "// one\n\n\n// two\n",
    "",
};

TEST(Format, IsIdempotent) {
  for (const char* source : kSources) {
    std::string once = formatText(source);
    std::string twice = formatText(once);
    EXPECT_EQ(once, twice) << "not idempotent for:\n" << source;
  }
}

TEST(Format, KeepsEveryComment) {
  for (const char* source : kSources) {
    std::string formatted = formatText(source);
    expectCommentsKept(source, formatted);
    EXPECT_EQ(commentTexts(source).size(), commentTexts(formatted).size()) << formatted;
  }
}

TEST(Format, KeepsTheMeaning) {
  for (const char* source : kSources) {
    EXPECT_EQ(meaning(source), meaning(formatText(source))) << source;
  }
}

TEST(Format, EndsWithOneNewlineAndNoTrailingSpaces) {
  for (const char* source : kSources) {
    std::string formatted = formatText(source);
    if (formatted.empty()) continue;
    EXPECT_EQ(formatted.back(), '\n');
    EXPECT_NE(formatted.substr(formatted.size() - std::min<std::size_t>(2, formatted.size())),
              "\n\n");
    EXPECT_EQ(formatted.find(" \n"), std::string::npos) << formatted;
  }
}

TEST(Format, KeepsTheFilesLineEndingsAndByteOrderMark) {
  // Every kind of line end the file uses comes out as its first one; comments stay apart.
  const std::string lines[] = {"// one", "/// Two.", "persona P { share 100% }", "/* a", "   b */"};
  for (std::string ending : {"\n", "\r\n", "\r"}) {
    std::string source;
    for (const auto& line : lines)
      source += line + ending;
    std::string expected;
    for (const char* line :
         {"// one", "/// Two.", "persona P {", "  share 100%", "}", "/* a", "   b */"})
      expected.append(line).append(ending);
    EXPECT_EQ(formatText(source), expected);
    EXPECT_EQ(formatText(std::string(kByteOrderMark) + source),
              std::string(kByteOrderMark) + expected);
  }
}

TEST(Format, EmptyFile) {
  EXPECT_EQ(formatText(""), "");
}

TEST(Format, ShortFormsStayOnOneLine) {
  EXPECT_EQ(formatText("journey J { exit Lost \"Chose a competitor\" channel sms }"),
            "journey J {\n  exit Lost \"Chose a competitor\"\n\n  channel sms\n}\n");
  EXPECT_EQ(formatText("touchpoint SeesAd \"Sees an ad\"   via ads\ncost 0.50 USD emotion 0"),
            "touchpoint SeesAd \"Sees an ad\" via ads cost 0.50 USD emotion 0\n");
}

TEST(Format, BodiesAreOneItemPerLine) {
  EXPECT_EQ(formatText("rule Nudge { on after 3d  in Evaluate  send WinBack }"),
            "rule Nudge {\n  on after 3d\n  in Evaluate\n  send WinBack\n}\n");
  EXPECT_EQ(formatText("persona P { }  stage S {}"), "persona P {}\n\nstage S {}\n");
}

TEST(Format, MoneyGetsOneSpace) {
  EXPECT_EQ(formatText("param a = 120USD\nparam b = 0.50   EUR\nparam c = 1_000 GBP"),
            "param a = 120 USD\nparam b = 0.50 EUR\nparam c = 1_000 GBP\n");
}

TEST(Format, LiteralsKeepTheirSpelling) {
  EXPECT_EQ(formatText("param a = 1_000.50\nparam b = 12.5%\nparam c = 1.5h\nparam d = \"a\\\"b\""),
            "param a = 1_000.50\nparam b = 12.5%\nparam c = 1.5h\nparam d = \"a\\\"b\"\n");
}

TEST(Format, ParenthesesWherePrecedenceNeedsThem) {
  auto value = [](const std::string& expr) {
    std::string out = formatText("param x = " + expr);
    return out.substr(10, out.size() - 11);
  };
  EXPECT_EQ(value("(a + b) * c"), "(a + b) * c");
  EXPECT_EQ(value("a + (b * c)"), "a + b * c");
  EXPECT_EQ(value("-(a - b)"), "-(a - b)");
  EXPECT_EQ(value("not (a and b)"), "not (a and b)");
  EXPECT_EQ(value("a - (b - c)"), "a - (b - c)");
  EXPECT_EQ(value("(a - b) - c"), "a - b - c");
  EXPECT_EQ(value("a / (b * c)"), "a / (b * c)");
  EXPECT_EQ(value("(a or b) and c"), "(a or b) and c");
  EXPECT_EQ(value("a and b or c"), "a and b or c");
  // `not` binds looser than comparisons and tighter than `and`.
  EXPECT_EQ(value("not (a == b)"), "not a == b");
  EXPECT_EQ(value("(not a) == b"), "(not a) == b");
  EXPECT_EQ(value("a == (not b)"), "a == (not b)");
  EXPECT_EQ(value("a and (not b)"), "a and not b");
  EXPECT_EQ(value("(not a) and b"), "not a and b");
  EXPECT_EQ(value("not (a < b + c)"), "not a < b + c");
  EXPECT_EQ(value("a * (not b) + c"), "a * (not b) + c");
  EXPECT_EQ(value("-(not a)"), "-(not a)");
  EXPECT_EQ(value("not -a"), "not -a");
  EXPECT_EQ(value("(a < b) == c"), "a < b == c");
  EXPECT_EQ(value("a == (b == c)"), "a == (b == c)");
  EXPECT_EQ(value("- - a"), "-(-a)");
  EXPECT_EQ(value("not not a"), "not not a");
  EXPECT_EQ(value("a*-b"), "a * -b");
  EXPECT_EQ(value("f( a ,b:1 )"), "f(a, b: 1)");
  EXPECT_EQ(value("e . f"), "e.f");
  EXPECT_EQ(value("discrete{1:50%,2:50%}"), "discrete { 1: 50%, 2: 50% }");
}

TEST(Format, BranchBlocks) {
  EXPECT_EQ(formatText("entry {A 70%,B otherwise}"), "entry { A 70%, B otherwise }\n");
  EXPECT_EQ(formatText("entry { if x -> A else -> B }"), "entry {\n  if x -> A\n  else -> B\n}\n");
  EXPECT_EQ(formatText("entry {}"), "entry {}\n");
}

// A branch block stays on its line up to exactly 100 columns.
TEST(Format, BranchBlockWidth) {
  auto entry = [](std::size_t width) {
    std::string head = "entry { A 50%, ";
    std::string tail = " otherwise }";
    return head + std::string(width - head.size() - tail.size(), 'B') + tail;
  };
  EXPECT_EQ(formatText(entry(100)), entry(100) + "\n");
  std::string broken = formatText(entry(101));
  EXPECT_EQ(broken.substr(0, 17), "entry {\n  A 50%\n ");
}

TEST(Format, LongTouchpointPutsEachPropertyOnItsOwnLine) {
  std::string formatted = formatText(
      "touchpoint WinBack via email cost 0.05 USD emotion +1 response 10% emits "
      "demo_requested delay exponential(mean: 1d)");
  EXPECT_EQ(formatted,
            "touchpoint WinBack\n  via email\n  cost 0.05 USD\n  emotion +1\n"
            "  response 10% emits demo_requested delay exponential(mean: 1d)\n");
}

TEST(Format, BlankLinesBetweenKindsAndMultiLineDeclarations) {
  EXPECT_EQ(formatText("journey J {\n\n\n  horizon 1y\n  entry A\n  param a = 1\n  var b = 2\n"
                       "  stage A { after 1d -> B }\n  goal B\n  exit C\n\n\n\n  exit D\n\n}"),
            "journey J {\n  horizon 1y\n  entry A\n\n  param a = 1\n  var b = 2\n\n"
            "  stage A {\n    after 1d -> B\n  }\n\n  goal B\n  exit C\n\n  exit D\n}\n");
}

TEST(Format, CommentPlacement) {
  // Own line, trailing, block end.
  EXPECT_EQ(formatText("journey J {\n// a\nhorizon 1y // b\n// c\n}"),
            "journey J {\n  // a\n  horizon 1y // b\n  // c\n}\n");
  // Inside a one-line item: to the end of the line.
  EXPECT_EQ(formatText("stage S { after 1d // why\n -> T }"),
            "stage S {\n  after 1d -> T // why\n}\n");
  // Between arguments: the call breaks so that the comment stays beside its argument.
  EXPECT_EQ(formatText("param p = f(1, // one\n 2)"), "param p = f(\n  1, // one\n  2\n)\n");
  // In a flat block's header: at the end of the line.
  EXPECT_EQ(formatText("entry // where\n { A 50%, B otherwise }"),
            "entry { A 50%, B otherwise } // where\n");
  // Doc comments stay right above their declaration.
  EXPECT_EQ(formatText("horizon 1y\n/// Doc.\nparam a = 1"),
            "horizon 1y\n\n/// Doc.\nparam a = 1\n");
}

// Needs the lexer to end a block comment at its `*/` (see the UNTERMINATED_COMMENT token).
TEST(Format, BlockComments) {
  const std::string source =
      "/* file\n   header */\njourney /* a */ J { /* b */ horizon /* c */ 1y /* d */\n"
      "  /* e */ persona P { share 100% /* f */ }\n      /* g\n  keeps its inner lines */\n}";
  std::string formatted = formatText(source);
  EXPECT_EQ(
      formatted,
      "/* file\n   header */\njourney J { /* a */ /* b */\n  horizon 1y /* c */ /* d */\n\n"
      "  /* e */\n  persona P {\n    share 100% /* f */\n  }\n  /* g\n  keeps its inner lines */\n"
      "}\n");
  EXPECT_EQ(formatText(formatted), formatted);
  expectCommentsKept(source, formatted);
}

TEST(Format, UnicodeWidthCountsCharacters) {
  // 100 characters (and many more bytes) still fit on the line; 101 do not.
  auto touchpoint = [](std::size_t checks) {
    std::string display = "\"Ça va très bien ";
    for (std::size_t i = 0; i < checks; ++i)
      display += "✓";
    return "touchpoint T " + display + "\" via email cost 1 USD emotion 1";
  };
  std::string fits = touchpoint(100 - codePointCount(touchpoint(0)));
  ASSERT_EQ(codePointCount(fits), 100u);
  EXPECT_EQ(formatText(fits), fits + "\n");
  std::string tooLong = touchpoint(101 - codePointCount(touchpoint(0)));
  EXPECT_NE(formatText(tooLong), tooLong + "\n");
}

// -----------------------------------------------------------------------------------------------
// The AST dump

std::string dumpText(const std::string& source, const CompileOptions& options) {
  MemoryFileReader reader;
  reader.set("test.journey", source);
  auto compilation = compile("test.journey", reader, options);
  std::ostringstream out;
  ast::dump(out, *compilation->root(), compilation->sources);
  return out.str();
}

TEST(Dump, OneNodePerLineWithLocations) {
  EXPECT_EQ(dumpText("/// Doc.\nparam p \"P\" = -(1_000 + 2) * 3d // c\nstage S { after 1d -> { A "
                     "50%, B otherwise } }",
                     CompileOptions{.parseOnly = true}),
            "Module test.journey\n"
            "  ParamDecl p \"P\" (2:1)\n"
            "    doc: \"Doc.\"\n"
            "    value: Binary * (2:15)\n"
            "      lhs: Unary - (2:15)\n"
            "        operand: Binary + (2:17)\n"
            "          lhs: Literal number 1_000 = 1000 (2:17)\n"
            "          rhs: Literal number 2 (2:25)\n"
            "      rhs: Literal duration 3d = 259200s (2:30)\n"
            "  StageDecl S (3:1)\n"
            "    After (3:11)\n"
            "      delay: Literal duration 1d = 86400s (3:17)\n"
            "      target: Branches (3:23)\n"
            "        Chance A (3:25)\n"
            "          probability: Literal percent 50% = 0.5 (3:27)\n"
            "        Otherwise B (3:32)\n"
            "  Comment \"/// Doc.\" (1:1)\n"
            "  Comment \"// c\" (2:33)\n");
}

TEST(Dump, ShowsTypesAfterAnalysis) {
  std::string dump = dumpText(
      "journey J { horizon 1y entry S persona P { share 100% } stage S { after 1d -> G } goal G }",
      CompileOptions{});
  EXPECT_NE(dump.find("value: Literal duration 1y = 31536000s (1:21) : duration"),
            std::string::npos)
      << dump;
}

// -----------------------------------------------------------------------------------------------
// The document printer

TEST(Doc, GroupFitsOrBreaks) {
  using namespace format;
  Doc list =
      group(concat({text("f("), nest(2, concat({softLine(), text("aaaa,"), line(), text("bbbb")})),
                    softLine(), text(")")}));
  EXPECT_EQ(print(list, 20), "f(aaaa, bbbb)");
  EXPECT_EQ(print(list, 13), "f(aaaa, bbbb)");
  EXPECT_EQ(print(list, 12), "f(\n  aaaa,\n  bbbb\n)");
}

TEST(Doc, HardLineBreaksEnclosingGroups) {
  using namespace format;
  Doc doc = group(concat({text("a"), line(), group(concat({text("b"), hardLine(), text("c")}))}));
  EXPECT_EQ(print(doc, 80), "a\nb\nc");
}

TEST(Doc, BrokenGroupLeavesEnclosingGroupFlat) {
  using namespace format;
  Doc inner = group(concat({text("b"), line(), text("c")}), true);
  Doc doc = group(concat({text("a"), line(), inner}));
  EXPECT_EQ(print(doc, 80), "a b\nc");
}

TEST(Doc, SuffixGoesToTheEndOfTheLine) {
  using namespace format;
  Doc doc = concat({text("a"), suffix("// x"), text(" b"), hardLine(), text("c")});
  EXPECT_EQ(print(doc, 80), "a b // x\nc");
  EXPECT_EQ(print(doc, 80, 0, false), "a b\nc");
}

TEST(Doc, SuffixIsNotMeasured) {
  using namespace format;
  Doc doc =
      concat({group(concat({text("aaa"), line(), text("bbb")})), suffix("// a long comment")});
  EXPECT_EQ(print(doc, 7), "aaa bbb // a long comment");
}

TEST(Doc, NoTrailingSpacesAndBlankLines) {
  using namespace format;
  Doc doc = nest(2, concat({text("a "), blankLine(), text("b")}));
  EXPECT_EQ(print(doc, 80), "a\n\n  b");
}

TEST(Doc, IfBreak) {
  using namespace format;
  Doc doc = group(concat({text("x"), ifBreak(nullptr, text(",")), line(), text("y")}));
  EXPECT_EQ(print(doc, 80), "x, y");
  EXPECT_EQ(print(doc, 2), "x\ny");
}

// A block's element printed on its own, then put back as text, prints as the element did:
// same indent, same breaks, its last suffix still pending (after `d`'s trailing space) and
// joined with the block's own.
TEST(Doc, PrintedPartPrintsAsTheDocument) {
  using namespace format;
  Doc element =
      concat({text("a {"), suffix("// x"),
              nest(2, concat({hardLine(), group(concat({text("b"), line(), text("c")}))})),
              hardLine(), text("d "), suffix("// y")});
  auto block = [](Doc part) {
    return concat({text("{"), nest(2, concat({hardLine(), std::move(part), suffix("// z")})),
                   hardLine(), text("}")});
  };
  Printed printed = printPart(element, 8, 2);
  EXPECT_TRUE(printed.multiLine);
  EXPECT_EQ(printed.text, "a { // x\n    b c\n  d ");
  std::string expected = "{\n  a { // x\n    b c\n  d  // y // z\n}";
  EXPECT_EQ(print(block(element), 8), expected);
  EXPECT_EQ(print(block(printedDoc(std::move(printed))), 8), expected);
  EXPECT_FALSE(printPart(text("a"), 8, 0).multiLine);
}

}  // namespace
}  // namespace journey

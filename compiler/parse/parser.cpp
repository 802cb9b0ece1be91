// Drives the ANTLR lexer and parser over a file: validates the bytes first, reports lexical
// problems precisely, turns ANTLR's syntax errors into our diagnostics, and hands the parse
// tree to the AST builder.
#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "compiler/parse/parse.h"
#include "compiler/parse/parse_internal.h"

namespace journey::parse {
namespace {

// Token display for messages: keywords and punctuation in backticks, EOF in words.
std::string describeToken(const antlr4::Token* token, const antlr4::dfa::Vocabulary& vocabulary) {
  if (token == nullptr || token->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = token->getText();
  switch (token->getType()) {
    case JourneyLexer::IDENT:
      return fmt::format("name `{}`", text);
    case JourneyLexer::STRING:
      return fmt::format("string {}", text);
    case JourneyLexer::NUMBER:
    case JourneyLexer::PERCENT:
    case JourneyLexer::QUANTITY:
    case JourneyLexer::MONEY:
      return fmt::format("`{}`", text);
    default:
      break;
  }
  (void)vocabulary;
  return fmt::format("`{}`", text);
}

std::string describeExpected(const antlr4::misc::IntervalSet& expected,
                             const antlr4::dfa::Vocabulary& vocabulary) {
  std::vector<std::string> names;
  for (ssize_t type : expected.toList()) {
    if (type == static_cast<ssize_t>(antlr4::Token::EOF)) {
      names.emplace_back("end of file");
      continue;
    }
    std::string literal = vocabulary.getLiteralName(type);
    if (!literal.empty()) {
      names.push_back(fmt::format("`{}`", literal.substr(1, literal.size() - 2)));
      continue;
    }
    switch (type) {
      case JourneyLexer::IDENT:
        names.emplace_back("a name");
        break;
      case JourneyLexer::STRING:
        names.emplace_back("a string");
        break;
      case JourneyLexer::NUMBER:
        names.emplace_back("a number");
        break;
      default:
        break;
    }
  }
  // Long lists of alternatives say little; a short one tells exactly what fits.
  if (names.empty() || names.size() > 6) return {};
  std::string result;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) result += i + 1 == names.size() ? " or " : ", ";
    result += names[i];
  }
  return result;
}

// What the parser was reading, by grammar rule, for messages with many possible tokens.
std::string describeRule(std::size_t ruleIndex) {
  switch (ruleIndex) {
    case JourneyParser::RuleFile:
    case JourneyParser::RuleTopItem:
      return "a `journey` block or a declaration";
    case JourneyParser::RuleJourneyDecl:
    case JourneyParser::RuleDeclaration:
      return "a declaration such as `stage`, `persona`, `event` or `rule`";
    case JourneyParser::RuleChannelItem:
      return "a channel setting (`cost`, `cap` or `quiet`)";
    case JourneyParser::RulePersonaItem:
      return "a persona item (`share` or `attribute = ...`)";
    case JourneyParser::RuleStageDecl:
    case JourneyParser::RuleStageItem:
      return "a stage item (`touchpoint`, `after`, `on` or `value`)";
    case JourneyParser::RuleTouchpointItem:
      return "a touchpoint property (`via`, `cost`, `emotion`, `duration` or `response`)";
    case JourneyParser::RuleTarget:
      return "a stage name or `{` branches `}`";
    case JourneyParser::RuleBranch:
      return "a branch (`Stage 50%`, `Stage otherwise`, `if ... -> ...` or `else -> ...`)";
    case JourneyParser::RuleEventItem:
      return "an event item (`in`, `every` or `field = ...`)";
    case JourneyParser::RuleRuleDecl:
    case JourneyParser::RuleRuleItem:
      return "a rule clause (`on`, `in`, `for`, `if`, `priority`, `cap`) or action (`send`, "
             "`move`, `set`, `wait`, `stop`)";
    case JourneyParser::RuleTrigger:
      return "a trigger (an event, `enter`, `leave`, `after`, `inactive` or a condition)";
    case JourneyParser::RuleAction:
      return "an action";
    case JourneyParser::RuleExpr:
    case JourneyParser::RuleExprEntry:
    case JourneyParser::RulePrimary:
      return "an expression";
    case JourneyParser::RuleName:
    case JourneyParser::RuleNameList:
      return "a name";
    default:
      return "this part of the file";
  }
}

class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(TokenMapper& mapper, DiagnosticSink& sink) : mapper_(mapper), sink_(sink) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line,
                   size_t /*charPositionInLine*/, const std::string& /*msg*/,
                   std::exception_ptr error) override {
    ++count_;
    // A lexical error on this line was reported already; what follows from it is noise.
    if (mapper_.lineHasLexicalError(line)) return;
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (parser == nullptr) return;
    const auto& vocabulary = parser->getVocabulary();
    std::string found = describeToken(offending, vocabulary);
    std::string expected;
    std::size_t rule = parser->getContext() != nullptr ? parser->getContext()->getRuleIndex() : 0;
    try {
      expected = describeExpected(parser->getExpectedTokens(), vocabulary);
    } catch (...) {
      // getExpectedTokens can throw on a corrupt ATN state; the rule description is enough.
    }
    (void)error;
    std::string message = expected.empty()
                              ? fmt::format("unexpected {}: expected {}", found, describeRule(rule))
                              : fmt::format("unexpected {}: expected {}", found, expected);
    SourceRange range = mapper_.tokenRange(offending);
    Diagnostic& diagnostic = sink_.report(DiagnosticKind::SyntaxError, range, message);
    addHint(diagnostic, offending, rule);
    if (diagnostic.help.empty()) addUnitHint(diagnostic, parser, offending);
  }

  std::size_t count() const { return count_; }

 private:
  // Hints for mistakes people coming from other languages make.
  static void addHint(Diagnostic& diagnostic, const antlr4::Token* offending, std::size_t rule) {
    if (offending == nullptr) return;
    std::string text = offending->getText();
    if (text == ";") {
      diagnostic.help = "statements need no `;`: remove it";
    } else if (text == "&&" || text == "&") {
      diagnostic.help = "write `and` to combine conditions";
    } else if (text == "||" || text == "|") {
      diagnostic.help = "write `or` to combine conditions";
    } else if (text == "!") {
      diagnostic.help = "write `not` to negate a condition, or `!=` to compare";
    } else if (text == ":" && rule == JourneyParser::RulePersonaItem) {
      diagnostic.help = "attributes are written `name = value`";
    } else if (offending->getType() == JourneyLexer::IDENT &&
               (text == "stages" || text == "touchpoints" || text == "triggers" ||
                text == "rules" || text == "personas")) {
      diagnostic.help = fmt::format("declare each one with `{}`", text.substr(0, text.size() - 1));
    }
  }

  // `30 days` instead of `30d`: the unit was written as a separate word.
  void addUnitHint(Diagnostic& diagnostic, antlr4::Parser* parser, const antlr4::Token* offending) {
    if (offending == nullptr || offending->getType() != JourneyLexer::IDENT) return;
    std::size_t index = offending->getTokenIndex();
    if (index == 0 || index == INVALID_INDEX) return;
    const antlr4::Token* previous = parser->getTokenStream()->get(index - 1);
    if (previous == nullptr || previous->getType() != JourneyLexer::NUMBER) return;
    static const std::pair<std::string_view, std::string_view> kWords[] = {
        {"second", "s"}, {"seconds", "s"}, {"minute", "m"}, {"minutes", "m"}, {"min", "m"},
        {"hour", "h"},   {"hours", "h"},   {"day", "d"},    {"days", "d"},    {"week", "w"},
        {"weeks", "w"},  {"month", "mo"},  {"months", "mo"}, {"year", "y"},   {"years", "y"}};
    for (const auto& [word, unit] : kWords) {
      if (offending->getText() != word) continue;
      std::string replacement = previous->getText() + std::string(unit);
      diagnostic.help = fmt::format("write the unit right after the number: `{}`", replacement);
      SourceRange range = mapper_.join(mapper_.tokenRange(previous), mapper_.tokenRange(offending));
      diagnostic.fix = Fix{range, replacement};
      return;
    }
  }

  TokenMapper& mapper_;
  DiagnosticSink& sink_;
  std::size_t count_ = 0;
};

bool checkBytes(const SourceFile& file, DiagnosticSink& sink) {
  const std::string& text = file.text();
  if (text.size() > kMaxFileBytes) {
    sink.report(DiagnosticKind::FileTooLarge, SourceRange{file.id(), 0, 0},
                fmt::format("file is {} MB; the compiler reads files up to {} MB",
                            text.size() >> 20, kMaxFileBytes >> 20))
        .help = "split the journey into files joined with `use`";
    return false;
  }
  if (auto nul = text.find('\0'); nul != std::string::npos) {
    auto offset = static_cast<std::uint32_t>(nul);
    sink.report(DiagnosticKind::BinaryFile, SourceRange{file.id(), offset, offset + 1},
                "file contains a NUL byte: it looks like a binary file, not a journey")
        .help = "check that the path names a `.journey` text file";
    return false;
  }
  if (auto bad = findInvalidUtf8(text); bad != std::string_view::npos) {
    auto offset = static_cast<std::uint32_t>(bad);
    sink.report(DiagnosticKind::InvalidUtf8, SourceRange{file.id(), offset, offset + 1},
                fmt::format("invalid UTF-8 byte 0x{:02X}", static_cast<unsigned char>(text[bad])))
        .help = "save the file as UTF-8";
    return false;
  }
  return true;
}

// Reports bad characters, unterminated strings and comments, and nesting deeper than the
// parser's stack allows. Returns false when the nesting makes parsing unsafe.
bool scanTokens(antlr4::CommonTokenStream& tokens, TokenMapper& mapper, DiagnosticSink& sink) {
  std::size_t depth = 0;
  std::size_t prefixRun = 0;
  for (antlr4::Token* token : tokens.getTokens()) {
    switch (token->getType()) {
      case JourneyLexer::BAD_CHAR: {
        std::string text = token->getText();
        Diagnostic& d = sink.report(DiagnosticKind::UnexpectedCharacter, mapper.tokenRange(token),
                                    fmt::format("unexpected character `{}`", text));
        if (text == "$" || text == "\u20ac" || text == "\u00a3") {
          d.help = "write money with a currency code after the amount, e.g. `12 USD`";
        } else if (text == ";") {
          d.help = "statements need no `;`: remove it";
        } else if (text == "&&" || text == "&") {
          d.help = "write `and` to combine conditions";
        } else if (text == "||" || text == "|") {
          d.help = "write `or` to combine conditions";
        } else if (text == "!") {
          d.help = "write `not` to negate a condition, or `!=` to compare";
        } else if (text == "#") {
          d.help = "comments start with `//`";
        }
        mapper.markLexicalError(token);
        break;
      }
      case JourneyLexer::UNTERMINATED_STRING:
        sink.report(DiagnosticKind::UnterminatedString, mapper.tokenRange(token),
                    "string is not closed before the end of the line")
            .help = "add the closing `\"`";
        mapper.markLexicalError(token);
        break;
      case JourneyLexer::UNTERMINATED_COMMENT: {
        SourceRange range = mapper.tokenRange(token);
        range.end = range.begin + 2;
        sink.report(DiagnosticKind::UnterminatedComment, range,
                    "block comment is not closed before the end of the file")
            .help = "add `*/` where the comment ends";
        mapper.markLexicalError(token);
        break;
      }
      case JourneyLexer::LPAREN:
      case JourneyLexer::LBRACE:
        if (++depth > kMaxNesting) {
          sink.report(DiagnosticKind::NestingTooDeep, mapper.tokenRange(token),
                      fmt::format("brackets nest more than {} deep", kMaxNesting))
              .help = "split the expression using a `param` or `var`";
          return false;
        }
        break;
      case JourneyLexer::RPAREN:
      case JourneyLexer::RBRACE:
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
    bool prefix = token->getType() == JourneyLexer::MINUS || token->getType() == JourneyLexer::PLUS ||
                  token->getType() == JourneyLexer::NOT;
    prefixRun = prefix ? prefixRun + 1 : 0;
    if (prefixRun > kMaxNesting) {
      sink.report(DiagnosticKind::NestingTooDeep, mapper.tokenRange(token),
                  fmt::format("more than {} operators in a row", kMaxNesting))
          .help = "remove the repeated operators";
      return false;
    }
  }
  return true;
}

void collectComments(antlr4::CommonTokenStream& tokens, TokenMapper& mapper, ast::Module& module) {
  for (antlr4::Token* token : tokens.getTokens()) {
    if (token->getChannel() != kCommentChannel) continue;
    if (token->getType() == JourneyLexer::UNTERMINATED_COMMENT) continue;
    module.comments.push_back({mapper.tokenRange(token), token->getText()});
  }
}

struct ParsePipeline {
  explicit ParsePipeline(const SourceFile& file)
      : input(file.text()), lexer(&input), tokens(&lexer), parser(&tokens), mapper(file) {
    lexer.removeErrorListeners();
    parser.removeErrorListeners();
    tokens.fill();
  }

  antlr4::ANTLRInputStream input;
  JourneyLexer lexer;
  antlr4::CommonTokenStream tokens;
  JourneyParser parser;
  TokenMapper mapper;
};

}  // namespace

std::unique_ptr<ast::Module> parseFile(const SourceFile& file, DiagnosticSink& sink) {
  auto module = std::make_unique<ast::Module>();
  module->file = file.id();
  if (!checkBytes(file, sink)) {
    module->hasSyntaxErrors = true;
    return module;
  }
  ParsePipeline pipeline(file);
  if (!scanTokens(pipeline.tokens, pipeline.mapper, sink)) {
    module->hasSyntaxErrors = true;
    return module;
  }
  collectComments(pipeline.tokens, pipeline.mapper, *module);

  // Fast SLL prediction first; only a file that fails it pays for full LL with recovery.
  auto& parser = pipeline.parser;
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  JourneyParser::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException&) {
    tree = nullptr;
  }
  ErrorListener listener(pipeline.mapper, sink);
  if (tree == nullptr) {
    pipeline.tokens.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    parser.addErrorListener(&listener);
    tree = parser.file();
  }
  bool lexicalErrors = pipeline.mapper.hasLexicalErrors();
  AstBuilder builder(pipeline.tokens, pipeline.mapper, sink);
  builder.buildFile(tree, *module);
  module->hasSyntaxErrors = listener.count() > 0 || lexicalErrors;
  return module;
}

ast::ExprPtr parseExpression(const SourceFile& file, DiagnosticSink& sink) {
  if (!checkBytes(file, sink)) return nullptr;
  ParsePipeline pipeline(file);
  if (!scanTokens(pipeline.tokens, pipeline.mapper, sink)) return nullptr;
  ErrorListener listener(pipeline.mapper, sink);
  pipeline.parser.addErrorListener(&listener);
  auto* tree = pipeline.parser.exprEntry();
  if (listener.count() > 0 || pipeline.mapper.hasLexicalErrors()) return nullptr;
  AstBuilder builder(pipeline.tokens, pipeline.mapper, sink);
  return builder.buildExpr(tree->expr());
}

}  // namespace journey::parse

// Drives the ANTLR lexer and parser over a file: validates the bytes first, reports lexical
// problems precisely, turns ANTLR's syntax errors into our diagnostics, and hands the parse
// tree to the AST builder.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>

#include "compiler/ast/units.h"
#include "compiler/parse/parse.h"
#include "compiler/parse/parse_internal.h"

namespace journey::parse {
namespace {

// Token display for messages: keywords and punctuation in backticks, EOF in words.
std::string describeToken(const antlr4::Token* token) {
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
    case JourneyParser::RuleJourneyHeader:
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

// Help for punctuation that people bring from other languages; empty when there is none.
std::string punctuationHint(std::string_view text) {
  if (text == ";") return "statements need no `;`: remove it";
  if (text == "&&" || text == "&") return "write `and` to combine conditions";
  if (text == "||" || text == "|") return "write `or` to combine conditions";
  if (text == "!") return "write `not` to negate a condition, or `!=` to compare";
  if (text == "#") return "comments start with `//`";
  if (text == "$" || text == "\u20ac" || text == "\u00a3") {
    return "write money with a currency code after the amount, e.g. `12 USD`";
  }
  return {};
}

// What we need to know about a token after the token stream has let go of it.
struct TokenSnapshot {
  std::size_t type = antlr4::Token::INVALID_TYPE;
  std::string text;
  SourceRange range;
};

TokenSnapshot snapshot(const TokenMapper& mapper, const antlr4::Token* token) {
  if (token == nullptr) return {};
  return {token->getType(), token->getText(), mapper.tokenRange(token)};
}

// `30 days` instead of `30d`: the unit was written as a separate word after a number.
void addUnitHint(Diagnostic& diagnostic, const TokenMapper& mapper, const TokenSnapshot& previous,
                 const antlr4::Token* offending) {
  if (offending == nullptr || offending->getType() != JourneyLexer::IDENT ||
      previous.type != JourneyLexer::NUMBER) {
    return;
  }
  const ast::DurationUnit* unit = ast::unitForWord(offending->getText());
  if (unit == nullptr) return;
  std::string replacement = previous.text + std::string(unit->suffix);
  diagnostic.help = fmt::format("write the unit right after the number: `{}`", replacement);
  diagnostic.fix = Fix{mapper.join(previous.range, mapper.tokenRange(offending)), replacement};
}

// `after` for `aftr`: the keyword among `types` closest to a name, if one is close.
std::optional<std::string> closestKeyword(const antlr4::Token* name,
                                          const std::vector<ssize_t>& types,
                                          const antlr4::dfa::Vocabulary& vocabulary) {
  if (name == nullptr || name->getType() != JourneyLexer::IDENT) return std::nullopt;
  std::vector<std::string> keywords;
  for (ssize_t type : types) {
    std::string literal = vocabulary.getLiteralName(type);
    if (literal.size() < 3) continue;
    std::string word = literal.substr(1, literal.size() - 2);
    if (std::all_of(word.begin(), word.end(), [](char c) { return std::islower(c) != 0; }))
      keywords.push_back(std::move(word));
  }
  std::vector<std::string_view> candidates(keywords.begin(), keywords.end());
  return closestName(name->getText(), candidates);
}

// `aftr` for `after`: a name close to a keyword that can stand here.
void addKeywordHint(Diagnostic& diagnostic, const TokenMapper& mapper,
                    const antlr4::Token* offending, const std::vector<ssize_t>& expected,
                    const antlr4::dfa::Vocabulary& vocabulary) {
  auto keyword = closestKeyword(offending, expected, vocabulary);
  if (!keyword) return;
  diagnostic.help = fmt::format("did you mean `{}`?", *keyword);
  diagnostic.fix = Fix{mapper.tokenRange(offending), *keyword};
}

class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(TokenMapper& mapper, DiagnosticSink& sink) : mapper_(mapper), sink_(sink) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line,
                   size_t /*charPositionInLine*/, const std::string& /*msg*/,
                   std::exception_ptr error) override {
    ++count_;
    // A lexical error on this line was reported already, or the token flow was cut off at
    // nesting too deep: what follows from either is noise.
    if (mapper_.lineHasLexicalError(line) || mapper_.truncated()) return;
    // A bad token earlier in the same declaration (e.g. an unterminated string that swallowed
    // a `{`) explains whatever goes wrong after it in that declaration.
    if (mapper_.lexicalErrorCount() > lexicalErrorsAtItemStart_) return;
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (parser == nullptr) return;
    const auto& vocabulary = parser->getVocabulary();
    std::string found = describeToken(offending);
    std::string expected;
    std::vector<ssize_t> expectedTypes;
    std::size_t rule = parser->getContext() != nullptr ? parser->getContext()->getRuleIndex() : 0;
    try {
      antlr4::misc::IntervalSet expectedSet = parser->getExpectedTokens();
      expected = describeExpected(expectedSet, vocabulary);
      expectedTypes = expectedSet.toList();
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
    if (diagnostic.help.empty()) addStageKindHint(diagnostic, offending, parser);
    if (diagnostic.help.empty())
      addUnitHint(diagnostic, mapper_, snapshot(mapper_, parser->getTokenStream()->LT(-1)),
                  offending);
    if (diagnostic.help.empty())
      addKeywordHint(diagnostic, mapper_, offending, expectedTypes, vocabulary);
    // `shar 50%` in a persona, `evry 7d` in an event: the misspelt keyword was taken for the
    // name of an attribute or a payload field, and the `=` is missing after it.
    if (diagnostic.help.empty() && rule == JourneyParser::RulePersonaItem) {
      addKeywordHint(diagnostic, mapper_, parser->getTokenStream()->LT(-1), {JourneyLexer::SHARE},
                     vocabulary);
    } else if (diagnostic.help.empty() && rule == JourneyParser::RuleEventItem) {
      addKeywordHint(diagnostic, mapper_, parser->getTokenStream()->LT(-1),
                     {JourneyLexer::IN, JourneyLexer::EVERY}, vocabulary);
    }
  }

  std::size_t count() const { return count_; }
  /// For syntax errors the parser module reports itself.
  void countError() { ++count_; }
  void beginItem() { lexicalErrorsAtItemStart_ = mapper_.lexicalErrorCount(); }

 private:
  // Hints for mistakes people coming from other languages make.
  static void addHint(Diagnostic& diagnostic, const antlr4::Token* offending, std::size_t rule) {
    if (offending == nullptr) return;
    std::string text = offending->getText();
    if (auto hint = punctuationHint(text); !hint.empty()) {
      diagnostic.help = hint;
    } else if (text == ":" && rule == JourneyParser::RulePersonaItem) {
      diagnostic.help = "attributes are written `name = value`";
    } else if (offending->getType() == JourneyLexer::IDENT &&
               (text == "stages" || text == "touchpoints" || text == "triggers" ||
                text == "rules" || text == "personas")) {
      diagnostic.help = fmt::format("declare each one with `{}`", text.substr(0, text.size() - 1));
    }
  }

  // `milestone goal B`, `goal B { milestone }`: a stage has one kind.
  static void addStageKindHint(Diagnostic& diagnostic, const antlr4::Token* offending,
                               antlr4::Parser* parser) {
    if (offending == nullptr) return;
    auto isKind = [](std::size_t type) {
      return type == JourneyLexer::STAGE || type == JourneyLexer::MILESTONE ||
             type == JourneyLexer::GOAL || type == JourneyLexer::EXIT;
    };
    const antlr4::Token* previous = parser->getTokenStream()->LT(-1);
    bool doubled =
        isKind(offending->getType()) && previous != nullptr && isKind(previous->getType());
    bool inside = offending->getType() == JourneyLexer::MILESTONE &&
                  parser->getContext() != nullptr &&
                  parser->getContext()->getRuleIndex() == JourneyParser::RuleStageDecl;
    if (!doubled && !inside) return;
    diagnostic.help =
        "a stage has one kind: `milestone B` when customers reach it and go on, `goal B` when the "
        "journey succeeds and ends there, `exit B` when it ends without success";
  }

  TokenMapper& mapper_;
  DiagnosticSink& sink_;
  std::size_t count_ = 0;
  std::size_t lexicalErrorsAtItemStart_ = 0;
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

// Sits between the lexer and the parser. It keeps comments for the formatter, reports bad
// characters and unterminated strings or comments precisely (the parser never sees them), and
// stops the token flow where brackets or prefix operators nest deeper than the parser's stack
// allows. Tokens stream through it: nothing here holds on to the whole file's tokens.
class FilteringTokenSource : public antlr4::TokenSource {
 public:
  FilteringTokenSource(JourneyLexer& lexer, TokenMapper& mapper, DiagnosticSink& sink,
                       std::vector<ast::Comment>& comments)
      : lexer_(lexer), mapper_(mapper), sink_(sink), comments_(comments) {}

  std::unique_ptr<antlr4::Token> nextToken() override {
    while (true) {
      if (tooDeep_) return eofToken();
      std::unique_ptr<antlr4::Token> token = lexer_.nextToken();
      if (token->getChannel() == kCommentChannel) {
        comments_.push_back({mapper_.tokenRange(token.get()), token->getText()});
        continue;
      }
      if (reportLexicalError(token.get())) continue;
      if (!checkNesting(token.get())) {
        tooDeep_ = true;
        mapper_.markTruncated();
        continue;
      }
      return token;
    }
  }

  bool tooDeep() const { return tooDeep_; }

  std::size_t getLine() const override { return lexer_.getLine(); }
  std::size_t getCharPositionInLine() override { return lexer_.getCharPositionInLine(); }
  antlr4::CharStream* getInputStream() override { return lexer_.getInputStream(); }
  std::string getSourceName() override { return lexer_.getSourceName(); }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override {
    return lexer_.getTokenFactory();
  }

 private:
  std::unique_ptr<antlr4::Token> eofToken() {
    auto end = lexer_.getInputStream()->size();
    return std::unique_ptr<antlr4::Token>(
        lexer_.getTokenFactory()->create({this, lexer_.getInputStream()}, antlr4::Token::EOF,
                                         "<EOF>", antlr4::Token::DEFAULT_CHANNEL, end, end - 1,
                                         lexer_.getLine(), lexer_.getCharPositionInLine()));
  }

  bool reportLexicalError(const antlr4::Token* token) {
    switch (token->getType()) {
      case JourneyLexer::BAD_CHAR: {
        std::string text = token->getText();
        // A byte-order mark at the very start is how some Windows editors save UTF-8.
        if (token->getStartIndex() == 0 && text == kByteOrderMark) return true;
        Diagnostic& d = sink_.report(DiagnosticKind::UnexpectedCharacter, mapper_.tokenRange(token),
                                     fmt::format("unexpected character `{}`", text));
        d.help = punctuationHint(text);
        mapper_.markLexicalError(token);
        return true;
      }
      case JourneyLexer::UNTERMINATED_STRING:
        sink_
            .report(DiagnosticKind::UnterminatedString, mapper_.tokenRange(token),
                    "string is not closed before the end of the line")
            .help = "add the closing `\"`";
        mapper_.markLexicalError(token);
        return true;
      case JourneyLexer::UNTERMINATED_COMMENT: {
        SourceRange range = mapper_.tokenRange(token);
        range.end = range.begin + 2;
        sink_
            .report(DiagnosticKind::UnterminatedComment, range,
                    "block comment is not closed before the end of the file")
            .help = "add `*/` where the comment ends";
        mapper_.markLexicalError(token);
        // The comment swallowed the rest of the file; nothing after it can be judged.
        mapper_.markTruncated();
        return true;
      }
      default:
        return false;
    }
  }

  bool checkNesting(const antlr4::Token* token) {
    switch (token->getType()) {
      case JourneyLexer::LPAREN:
      case JourneyLexer::LBRACE:
        if (++depth_ > kMaxNesting) {
          sink_
              .report(DiagnosticKind::NestingTooDeep, mapper_.tokenRange(token),
                      fmt::format("brackets nest more than {} deep", kMaxNesting))
              .help = "split the expression using a `param` or `var`";
          return false;
        }
        break;
      case JourneyLexer::RPAREN:
      case JourneyLexer::RBRACE:
        if (depth_ > 0) --depth_;
        break;
      default:
        break;
    }
    bool prefix = token->getType() == JourneyLexer::MINUS ||
                  token->getType() == JourneyLexer::PLUS || token->getType() == JourneyLexer::NOT;
    prefixRun_ = prefix ? prefixRun_ + 1 : 0;
    if (prefixRun_ > kMaxNesting) {
      sink_
          .report(DiagnosticKind::NestingTooDeep, mapper_.tokenRange(token),
                  fmt::format("more than {} operators in a row", kMaxNesting))
          .help = "remove the repeated operators";
      return false;
    }
    return true;
  }

  JourneyLexer& lexer_;
  TokenMapper& mapper_;
  DiagnosticSink& sink_;
  std::vector<ast::Comment>& comments_;
  std::size_t depth_ = 0;
  std::size_t prefixRun_ = 0;
  bool tooDeep_ = false;
};

// The ANTLR runtime's own UTF-8 decoding over-allocates about five times the UTF-32 size;
// the text was validated already, so decode it straight into an exactly sized buffer.
class Utf32InputStream : public antlr4::ANTLRInputStream {
 public:
  explicit Utf32InputStream(std::string_view utf8) {
    _data.reserve(codePointCount(utf8));
    const auto* bytes = reinterpret_cast<const unsigned char*>(utf8.data());
    std::size_t i = 0;
    while (i < utf8.size()) {
      unsigned char lead = bytes[i];
      std::size_t length = lead < 0x80             ? 1
                           : (lead & 0xE0) == 0xC0 ? 2
                           : (lead & 0xF0) == 0xE0 ? 3
                                                   : 4;
      char32_t codePoint = length == 1   ? lead
                           : length == 2 ? (lead & 0x1F)
                           : length == 3 ? (lead & 0x0F)
                                         : (lead & 0x07);
      for (std::size_t k = 1; k < length && i + k < utf8.size(); ++k) {
        codePoint = (codePoint << 6) | (bytes[i + k] & 0x3F);
      }
      _data.push_back(codePoint);
      i += length;
    }
  }
};

// Most spec files are pure ASCII: then code point and byte indices coincide, and the lexer can
// read the text in place instead of from a 4-bytes-per-character copy.
class AsciiCharStream : public antlr4::CharStream {
 public:
  explicit AsciiCharStream(std::string_view text) : text_(text) {}

  void consume() override {
    if (position_ >= text_.size()) throw antlr4::IllegalStateException("cannot consume EOF");
    ++position_;
  }
  std::size_t LA(ssize_t i) override {
    if (i == 0) return 0;
    // LA(1) is the next character, LA(-1) the previous one.
    ssize_t at = static_cast<ssize_t>(position_) + (i > 0 ? i - 1 : i);
    if (at < 0 || at >= static_cast<ssize_t>(text_.size())) return antlr4::IntStream::EOF;
    return static_cast<unsigned char>(text_[static_cast<std::size_t>(at)]);
  }
  ssize_t mark() override { return -1; }
  void release(ssize_t /*marker*/) override {}
  std::size_t index() override { return position_; }
  void seek(std::size_t index) override { position_ = std::min(index, text_.size()); }
  std::size_t size() override { return text_.size(); }
  std::string getSourceName() const override { return "journey"; }
  std::string getText(const antlr4::misc::Interval& interval) override {
    if (interval.a < 0 || interval.b < interval.a) return {};
    auto start = static_cast<std::size_t>(interval.a);
    if (start >= text_.size()) return {};
    auto stop = std::min(static_cast<std::size_t>(interval.b), text_.size() - 1);
    return std::string(text_.substr(start, stop - start + 1));
  }
  std::string toString() const override { return std::string(text_); }

 private:
  std::string_view text_;
  std::size_t position_ = 0;
};

std::unique_ptr<antlr4::CharStream> makeCharStream(std::string_view text) {
  bool ascii = std::all_of(text.begin(), text.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::make_unique<AsciiCharStream>(text);
  return std::make_unique<Utf32InputStream>(text);
}

// An item inside a block (a stage, rule, persona, event or channel) that starts with a token no
// item starts with, such as a misspelt keyword (`aftr 2d -> Y`), is reported and skipped up to
// the next item or the block's `}`, nested braces kept together. ANTLR's default recovery would
// leave the declaration at the block's first item and consume to the end of the file, `}`
// included.
class BlockItemRecovery : public antlr4::DefaultErrorStrategy {
 public:
  void sync(antlr4::Parser* parser) override {
    antlr4::atn::ATNState* state = parser->getATN().states[parser->getState()];
    std::size_t kind = state->getStateType();
    bool itemLoop = kind == antlr4::atn::ATNState::STAR_LOOP_ENTRY ||
                    kind == antlr4::atn::ATNState::STAR_LOOP_BACK;
    if (!itemLoop || !inBlock(parser) || inErrorRecoveryMode(parser)) {
      DefaultErrorStrategy::sync(parser);
      return;
    }
    antlr4::misc::IntervalSet next = parser->getATN().nextTokens(state);
    std::size_t type = parser->getTokenStream()->LA(1);
    if (next.contains(antlr4::Token::EPSILON) || next.contains(type)) return;
    // One stray token before a good item (`; after 2d -> Y`) is dropped, as ANTLR does.
    if (kind == antlr4::atn::ATNState::STAR_LOOP_ENTRY && singleTokenDeletion(parser) != nullptr)
      return;
    reportUnwantedToken(parser);
    antlr4::misc::IntervalSet items = parser->getExpectedTokens();
    std::vector<ssize_t> itemTypes = items.toList();
    std::size_t depth = 0;
    for (bool reported = true;; reported = false) {
      antlr4::TokenStream* tokens = parser->getTokenStream();
      type = tokens->LA(1);
      if (type == antlr4::Token::EOF || (depth == 0 && items.contains(type))) return;
      if (type == JourneyLexer::LBRACE) ++depth;
      if (type == JourneyLexer::RBRACE && depth > 0) --depth;
      // Another misspelt keyword starting a line starts another item: reported on its own.
      if (!reported && depth == 0 && tokens->LT(-1) != nullptr &&
          tokens->LT(-1)->getLine() < tokens->LT(1)->getLine() &&
          closestKeyword(tokens->LT(1), itemTypes, parser->getVocabulary())) {
        endErrorCondition(parser);
        reportUnwantedToken(parser);
      }
      parser->consume();
    }
  }

 private:
  static bool inBlock(antlr4::Parser* parser) {
    if (parser->getContext() == nullptr) return false;
    switch (parser->getContext()->getRuleIndex()) {
      case JourneyParser::RuleChannelDecl:
      case JourneyParser::RulePersonaDecl:
      case JourneyParser::RuleStageDecl:
      case JourneyParser::RuleEventDecl:
      case JourneyParser::RuleRuleDecl:
        return true;
      default:
        return false;
    }
  }
};

// The lexer, the filter, an unbuffered token stream and the parser, wired together. The
// unbuffered stream keeps only the tokens of the item being parsed (while a mark holds them).
struct ParsePipeline {
  ParsePipeline(const SourceFile& file, DiagnosticSink& sink, std::vector<ast::Comment>& comments)
      : input(makeCharStream(file.text())),
        lexer(input.get()),
        mapper(file),
        filter(lexer, mapper, sink, comments),
        tokens(&filter),
        parser(&tokens),
        listener(mapper, sink) {
    lexer.removeErrorListeners();
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
    parser.setErrorHandler(std::make_shared<BlockItemRecovery>());
  }

  std::unique_ptr<antlr4::CharStream> input;
  JourneyLexer lexer;
  /// The last token of the item parsed before, kept past its release for hints.
  TokenSnapshot lastOfPreviousItem;
  TokenMapper mapper;
  FilteringTokenSource filter;
  antlr4::UnbufferedTokenStream tokens;
  JourneyParser parser;
  ErrorListener listener;
};

constexpr std::size_t kDeclarationStarts[] = {
    JourneyLexer::HORIZON,   JourneyLexer::ENTRY,      JourneyLexer::PARAM,    JourneyLexer::VAR,
    JourneyLexer::CHANNEL,   JourneyLexer::PERSONA,    JourneyLexer::STAGE,    JourneyLexer::GOAL,
    JourneyLexer::EXIT,      JourneyLexer::TOUCHPOINT, JourneyLexer::EVENT,    JourneyLexer::RULE,
    JourneyLexer::MILESTONE, JourneyLexer::KPI,        JourneyLexer::DISCOUNT,
};

bool startsDeclaration(std::size_t type) {
  return std::find(std::begin(kDeclarationStarts), std::end(kDeclarationStarts), type) !=
         std::end(kDeclarationStarts);
}

// Skips tokens that cannot start anything at this level, after reporting the first of them.
void skipToDeclaration(ParsePipeline& p, DiagnosticSink& sink, bool insideJourney) {
  antlr4::Token* bad = p.tokens.LT(1);
  if (!p.mapper.lineHasLexicalError(bad->getLine())) {
    p.listener.countError();
    Diagnostic& d = sink.report(
        DiagnosticKind::SyntaxError, p.mapper.tokenRange(bad),
        fmt::format("unexpected {}: expected {}", describeToken(bad),
                    insideJourney ? "a declaration such as `stage`, `persona`, `event` or `rule`"
                                  : "a `journey` block or a declaration"));
    addUnitHint(d, p.mapper, p.lastOfPreviousItem, bad);
    if (d.help.empty()) {
      std::vector<ssize_t> expected(std::begin(kDeclarationStarts), std::end(kDeclarationStarts));
      if (!insideJourney) expected.push_back(JourneyLexer::JOURNEY);
      addKeywordHint(d, p.mapper, bad, expected, p.parser.getVocabulary());
    }
  }
  // A misspelt declaration keyword leaves its block behind: skipped whole, its `}` does not
  // close the journey.
  std::size_t depth = 0;
  while (true) {
    std::size_t type = p.tokens.LA(1);
    if (type == antlr4::Token::EOF) return;
    if (depth == 0 && (startsDeclaration(type) || type == JourneyLexer::JOURNEY ||
                       (insideJourney && type == JourneyLexer::RBRACE))) {
      return;
    }
    if (type == JourneyLexer::LBRACE) ++depth;
    if (type == JourneyLexer::RBRACE && depth > 0) --depth;
    p.tokens.consume();
  }
}

void reportUnclosedJourney(ParsePipeline& p, DiagnosticSink& sink, const ast::JourneyBlock& journey,
                           const antlr4::Token* at) {
  p.listener.countError();
  // A lexical error may have eaten the `}` (in a string or comment): already explained.
  if (p.mapper.hasLexicalErrors()) return;
  Diagnostic& d = sink.report(DiagnosticKind::SyntaxError, p.mapper.tokenRange(at),
                              fmt::format("unexpected {}: expected `}}` to close `journey {}`",
                                          describeToken(at), journey.name.text));
  d.labels.push_back({journey.range, "the journey block opens here"});
}

// Parses one top-level item with `parse` and builds it with `build` while a mark keeps its
// tokens alive; then frees the item's parse tree. Returns false when nothing was consumed.
template <typename Parse, typename Build>
bool parseItem(ParsePipeline& p, Parse parse, Build build) {
  ssize_t marker = p.tokens.mark();
  std::size_t before = p.tokens.index();
  p.listener.beginItem();
  auto* context = parse();
  build(context);
  // LT(-1) is valid only while the mark holds the item's tokens.
  if (p.tokens.index() != before) p.lastOfPreviousItem = snapshot(p.mapper, p.tokens.LT(-1));
  p.tokens.release(marker);
  p.parser.getTreeTracker().reset();
  return p.tokens.index() != before;
}

}  // namespace

std::unique_ptr<ast::Module> parseFile(const SourceFile& file, DiagnosticSink& sink) {
  auto module = std::make_unique<ast::Module>();
  module->file = file.id();
  if (!checkBytes(file, sink)) {
    module->hasSyntaxErrors = true;
    return module;
  }
  ParsePipeline p(file, sink, module->comments);
  AstBuilder builder(file, p.mapper, module->comments, sink);

  while (p.tokens.LA(1) == JourneyLexer::USE) {
    parseItem(
        p, [&] { return p.parser.useDecl(); },
        [&](auto* context) {
          if (auto use = builder.buildUse(context)) module->uses.push_back(std::move(*use));
        });
  }
  ast::JourneyBlock* journey = nullptr;
  while (!p.filter.tooDeep()) {
    std::size_t type = p.tokens.LA(1);
    if (type == antlr4::Token::EOF) {
      if (journey != nullptr) reportUnclosedJourney(p, sink, *journey, p.tokens.LT(1));
      break;
    }
    if (journey != nullptr && type == JourneyLexer::RBRACE) {
      journey->range.end = p.mapper.tokenRange(p.tokens.LT(1)).end;
      p.tokens.consume();
      journey = nullptr;
      continue;
    }
    if (type == JourneyLexer::JOURNEY) {
      if (journey != nullptr) {
        // A journey inside a journey: the outer one was not closed.
        reportUnclosedJourney(p, sink, *journey, p.tokens.LT(1));
        journey = nullptr;
      }
      ast::TopItem item;
      parseItem(
          p, [&] { return p.parser.journeyHeader(); },
          [&](auto* context) { item.journey = builder.buildJourneyHeader(context); });
      journey = item.journey.get();
      module->items.push_back(std::move(item));
      continue;
    }
    if (!startsDeclaration(type)) {
      skipToDeclaration(p, sink, journey != nullptr);
      continue;
    }
    ast::DeclPtr decl;
    bool progressed = parseItem(
        p, [&] { return p.parser.declaration(); },
        [&](auto* context) { decl = builder.buildDeclaration(context); });
    if (decl) {
      if (journey != nullptr) {
        journey->decls.push_back(std::move(decl));
      } else {
        ast::TopItem item;
        item.decl = std::move(decl);
        module->items.push_back(std::move(item));
      }
    }
    if (!progressed) p.tokens.consume();
  }
  module->hasSyntaxErrors =
      p.listener.count() > 0 || p.mapper.hasLexicalErrors() || p.filter.tooDeep();
  return module;
}

ast::ExprPtr parseExpression(const SourceFile& file, DiagnosticSink& sink) {
  if (!checkBytes(file, sink)) return nullptr;
  std::vector<ast::Comment> comments;
  ParsePipeline p(file, sink, comments);
  AstBuilder builder(file, p.mapper, comments, sink);
  ast::ExprPtr result;
  parseItem(
      p, [&] { return p.parser.exprEntry(); },
      [&](auto* context) { result = builder.buildExpr(context->expr()); });
  if (p.listener.count() > 0 || p.mapper.hasLexicalErrors() || p.filter.tooDeep()) return nullptr;
  return result;
}

}  // namespace journey::parse

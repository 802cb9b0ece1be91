// Private to the parser module: the only header that includes ANTLR-generated code.
#pragma once

#include <set>
#include <string>
#include <vector>

// ANTLR4 generates code with unused parameters and other warnings we do not control.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wattributes"
#include "JourneyLexer.h"
#include "JourneyParser.h"
#pragma GCC diagnostic pop

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/source/source.h"

namespace journey::parse {

using grammar::JourneyLexer;
using grammar::JourneyParser;

/// The lexer channel comments go to (see grammar/Journey.g4).
inline constexpr std::size_t kCommentChannel = 2;

/// Maps ANTLR token positions (code point indices) to our byte ranges, and remembers the
/// lines where a lexical error was already reported.
class TokenMapper {
 public:
  explicit TokenMapper(const SourceFile& file);

  SourceRange tokenRange(const antlr4::Token* token) const;
  SourceRange contextRange(antlr4::ParserRuleContext* context) const;
  SourceRange join(SourceRange first, SourceRange last) const {
    return SourceRange{file_.id(), first.begin, std::max(first.end, last.end)};
  }
  FileId file() const { return file_.id(); }

  void markLexicalError(const antlr4::Token* token) {
    lexicalErrorLines_.insert(token->getLine());
    ++lexicalErrors_;
  }
  std::size_t lexicalErrorCount() const { return lexicalErrors_; }
  bool lineHasLexicalError(std::size_t line) const { return lexicalErrorLines_.count(line) > 0; }
  bool hasLexicalErrors() const { return !lexicalErrorLines_.empty() || truncated_; }
  /// The rest of the file was not seen by the parser (nesting too deep, unterminated comment).
  void markTruncated() { truncated_ = true; }
  bool truncated() const { return truncated_; }

 private:
  std::uint32_t byteOffset(std::size_t codePointIndex) const;

  const SourceFile& file_;
  /// Empty for pure ASCII files, where code point index and byte offset coincide.
  std::vector<std::uint32_t> codePointToByte_;
  std::set<std::size_t> lexicalErrorLines_;
  bool truncated_ = false;
  std::size_t lexicalErrors_ = 0;
};

/// Turns parse trees into our AST, one top-level item at a time. Tolerates the holes error
/// recovery leaves.
class AstBuilder {
 public:
  /// `comments` is the module's comment list, filled while tokens are read; doc comments are
  /// looked up there.
  AstBuilder(const SourceFile& file, const TokenMapper& mapper,
             const std::vector<ast::Comment>& comments, DiagnosticSink& sink)
      : file_(file), mapper_(mapper), comments_(comments), sink_(sink) {}

  std::optional<ast::Use> buildUse(JourneyParser::UseDeclContext* context);
  std::unique_ptr<ast::JourneyBlock> buildJourneyHeader(
      JourneyParser::JourneyHeaderContext* context);
  ast::DeclPtr buildDeclaration(JourneyParser::DeclarationContext* context);
  ast::ExprPtr buildExpr(JourneyParser::ExprContext* context);

 private:
  ast::DeclPtr buildChannel(JourneyParser::ChannelDeclContext* context);
  ast::DeclPtr buildPersona(JourneyParser::PersonaDeclContext* context);
  ast::DeclPtr buildStage(JourneyParser::StageDeclContext* context);
  std::unique_ptr<ast::TouchpointDecl> buildTouchpoint(
      JourneyParser::TouchpointDeclContext* context);
  ast::DeclPtr buildEvent(JourneyParser::EventDeclContext* context);
  ast::DeclPtr buildRule(JourneyParser::RuleDeclContext* context);
  void buildAction(JourneyParser::ActionContext* context, ast::RuleItem& item);
  std::unique_ptr<ast::Target> buildTarget(JourneyParser::TargetContext* context);
  ast::ExprPtr buildExprAt(JourneyParser::ExprContext* context, std::size_t depth);
  ast::ExprPtr buildPrimary(JourneyParser::PrimaryContext* context, std::size_t depth);
  ast::ExprPtr buildQuantity(antlr4::Token* token);
  ast::ExprPtr buildMoney(antlr4::Token* token);
  ast::ExprPtr buildNumber(antlr4::Token* token, ast::LiteralKind kind);

  ast::Identifier identifier(JourneyParser::NameContext* context) const;
  std::vector<ast::Identifier> identifiers(JourneyParser::NameListContext* context) const;
  std::optional<ast::StringLiteral> stringLiteral(antlr4::tree::TerminalNode* node);
  ast::StringLiteral decodeString(antlr4::Token* token);
  std::string docComment(antlr4::ParserRuleContext* context) const;
  SourceRange range(antlr4::ParserRuleContext* context) const {
    return mapper_.contextRange(context);
  }
  ast::ExprPtr errorExpr(antlr4::ParserRuleContext* context) const;

  const SourceFile& file_;
  const TokenMapper& mapper_;
  const std::vector<ast::Comment>& comments_;
  DiagnosticSink& sink_;
  bool reportedDepth_ = false;
};

}  // namespace journey::parse

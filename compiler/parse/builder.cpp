// Parse tree to AST. Error recovery leaves null children and conjured tokens behind: every
// accessor result is checked, and a conjured name becomes an empty identifier, which semantic
// analysis skips silently (the syntax error was reported already).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "compiler/ast/units.h"
#include "compiler/parse/parse.h"
#include "compiler/parse/parse_internal.h"

namespace journey::parse {

// ---------------------------------------------------------------------------------------------
// Positions

TokenMapper::TokenMapper(const SourceFile& file) : file_(file) {
  const std::string& text = file.text();
  bool ascii = true;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return;
  codePointToByte_.reserve(text.size() + 1);
  for (std::uint32_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) codePointToByte_.push_back(i);
  }
  codePointToByte_.push_back(static_cast<std::uint32_t>(text.size()));
}

std::uint32_t TokenMapper::byteOffset(std::size_t codePointIndex) const {
  if (codePointToByte_.empty()) {
    return static_cast<std::uint32_t>(std::min(codePointIndex, file_.text().size()));
  }
  return codePointToByte_[std::min(codePointIndex, codePointToByte_.size() - 1)];
}

SourceRange TokenMapper::tokenRange(const antlr4::Token* token) const {
  if (token == nullptr) return SourceRange{file_.id(), 0, 0};
  if (token->getType() == antlr4::Token::EOF) {
    auto end = static_cast<std::uint32_t>(file_.text().size());
    return SourceRange{file_.id(), end, end};
  }
  std::size_t start = token->getStartIndex();
  std::size_t stop = token->getStopIndex();
  // Conjured tokens (error recovery) carry invalid indices.
  if (start == INVALID_INDEX || stop == INVALID_INDEX || stop + 1 < start) {
    return SourceRange{file_.id(), byteOffset(start == INVALID_INDEX ? 0 : start),
                       byteOffset(start == INVALID_INDEX ? 0 : start)};
  }
  return SourceRange{file_.id(), byteOffset(start), byteOffset(stop + 1)};
}

SourceRange TokenMapper::contextRange(antlr4::ParserRuleContext* context) const {
  if (context == nullptr || context->getStart() == nullptr) return SourceRange{file_.id(), 0, 0};
  SourceRange first = tokenRange(context->getStart());
  const antlr4::Token* stop = context->getStop();
  if (stop == nullptr || stop->getTokenIndex() < context->getStart()->getTokenIndex()) {
    return SourceRange{file_.id(), first.begin, first.begin};
  }
  return join(first, tokenRange(stop));
}

// ---------------------------------------------------------------------------------------------
// Leaves

namespace {

bool isConjured(const antlr4::Token* token) {
  return token == nullptr || token->getTokenIndex() == INVALID_INDEX ||
         token->getStartIndex() == INVALID_INDEX;
}

// Long literals are cut in messages: the excerpt below the message shows them anyway.
std::string abbreviate(std::string_view text) {
  if (text.size() <= 24) return std::string(text);
  return std::string(text.substr(0, 12)) + "..." + std::string(text.substr(text.size() - 8));
}

std::optional<double> parseDecimal(std::string_view text) {
  std::string digits;
  digits.reserve(text.size());
  for (char c : text) {
    if (c != '_') digits += c;
  }
  char* end = nullptr;
  double value = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::size_t decimalLength(std::string_view text) {
  std::size_t i = 0;
  auto digitAt = [&](std::size_t k) {
    return k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]));
  };
  // Underscores and a decimal point belong to the number only between digits (`1_000`, `2.5`);
  // in `1_d` the underscore starts the unit.
  while (i < text.size() &&
         (digitAt(i) || ((text[i] == '_' || text[i] == '.') && i > 0 && digitAt(i + 1)))) {
    ++i;
  }
  return i;
}

}  // namespace

ast::ExprPtr AstBuilder::buildNumber(antlr4::Token* token, ast::LiteralKind kind) {
  std::string text = token->getText();
  SourceRange where = mapper_.tokenRange(token);
  std::string_view digits = text;
  if (kind == ast::LiteralKind::Percent) digits.remove_suffix(1);
  auto literal = std::make_unique<ast::LiteralExpr>(kind, where);
  literal->text = text;
  auto value = parseDecimal(digits);
  if (!value) {
    sink_
        .report(DiagnosticKind::InvalidNumber, where,
                fmt::format("number `{}` is too large", abbreviate(text)))
        .help = "numbers must stay below about 1.8e308";
    literal->type.kind = ast::TypeKind::Error;
    return literal;
  }
  literal->value = kind == ast::LiteralKind::Percent ? *value / 100.0 : *value;
  return literal;
}

ast::ExprPtr AstBuilder::buildQuantity(antlr4::Token* token) {
  std::string text = token->getText();
  SourceRange where = mapper_.tokenRange(token);
  std::size_t split = decimalLength(text);
  std::string_view number = std::string_view(text).substr(0, split);
  std::string_view unit = std::string_view(text).substr(split);
  auto literal = std::make_unique<ast::LiteralExpr>(ast::LiteralKind::Duration, where);
  literal->text = text;
  if (const ast::DurationUnit* known = ast::findDurationUnit(unit)) {
    auto value = parseDecimal(number);
    if (!value || !std::isfinite(*value * known->seconds)) {
      sink_.report(DiagnosticKind::InvalidNumber, where,
                   fmt::format("duration `{}` is too large", text));
      literal->type.kind = ast::TypeKind::Error;
      return literal;
    }
    literal->value = *value * known->seconds;
    return literal;
  }
  SourceRange unitRange{where.file, where.begin + static_cast<std::uint32_t>(split), where.end};
  Diagnostic& diagnostic = sink_.report(DiagnosticKind::UnknownUnit, unitRange,
                                        fmt::format("unknown unit `{}` in `{}`", unit, text));
  if (const ast::DurationUnit* meant = ast::unitForWord(unit)) {
    diagnostic.help = fmt::format("write `{}{}`", number, meant->suffix);
    diagnostic.fix = Fix{unitRange, std::string(meant->suffix)};
  } else {
    diagnostic.help =
        "durations take `s`, `m`, `h`, `d`, `w`, `mo` or `y`; money takes a currency code, "
        "e.g. `12 USD`";
  }
  literal->type.kind = ast::TypeKind::Error;
  return literal;
}

ast::ExprPtr AstBuilder::buildMoney(antlr4::Token* token) {
  std::string text = token->getText();
  SourceRange where = mapper_.tokenRange(token);
  std::size_t split = decimalLength(text);
  auto literal = std::make_unique<ast::LiteralExpr>(ast::LiteralKind::Money, where);
  literal->text = text;
  literal->currency = text.substr(text.size() - 3);
  auto value = parseDecimal(std::string_view(text).substr(0, split));
  if (!value) {
    sink_.report(DiagnosticKind::InvalidNumber, where,
                 fmt::format("amount `{}` is too large", text));
    literal->type.kind = ast::TypeKind::Error;
    return literal;
  }
  literal->value = *value;
  return literal;
}

ast::StringLiteral AstBuilder::decodeString(antlr4::Token* token) {
  ast::StringLiteral literal;
  literal.text = token->getText();
  literal.range = mapper_.tokenRange(token);
  std::string_view body(literal.text);
  if (body.size() >= 2) body = body.substr(1, body.size() - 2);
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 >= body.size()) {
      literal.value += body[i];
      continue;
    }
    char escaped = body[++i];
    switch (escaped) {
      case 'n':
        literal.value += '\n';
        break;
      case 't':
        literal.value += '\t';
        break;
      case '"':
      case '\\':
        literal.value += escaped;
        break;
      default: {
        auto at = literal.range.begin + 1 + static_cast<std::uint32_t>(i) - 1;
        sink_
            .report(DiagnosticKind::InvalidEscape, SourceRange{literal.range.file, at, at + 2},
                    fmt::format("unknown escape `\\{}` in a string", escaped))
            .help = "strings know `\\\"`, `\\\\`, `\\n` and `\\t`";
        literal.value += escaped;
        break;
      }
    }
  }
  return literal;
}

std::optional<ast::StringLiteral> AstBuilder::stringLiteral(antlr4::tree::TerminalNode* node) {
  if (node == nullptr || isConjured(node->getSymbol())) return std::nullopt;
  return decodeString(node->getSymbol());
}

ast::Identifier AstBuilder::identifier(JourneyParser::NameContext* context) const {
  if (context == nullptr || isConjured(context->getStart())) return {};
  return {context->getStart()->getText(), mapper_.tokenRange(context->getStart())};
}

std::vector<ast::Identifier> AstBuilder::identifiers(
    JourneyParser::NameListContext* context) const {
  std::vector<ast::Identifier> result;
  if (context == nullptr) return result;
  for (auto* name : context->name()) {
    auto id = identifier(name);
    if (!id.text.empty()) result.push_back(std::move(id));
  }
  return result;
}

std::string AstBuilder::docComment(antlr4::ParserRuleContext* context) const {
  if (context == nullptr || context->getStart() == nullptr || isConjured(context->getStart())) {
    return {};
  }
  std::uint32_t start = mapper_.tokenRange(context->getStart()).begin;
  // Comments are in source order: find the last one before the declaration, then walk back
  // over the run of `///` lines directly above it; a blank line or a plain comment ends it.
  auto it = std::lower_bound(
      comments_.begin(), comments_.end(), start,
      [](const ast::Comment& c, std::uint32_t offset) { return c.range.begin < offset; });
  std::vector<std::string_view> lines;
  std::uint32_t expectedLine = file_.lineColumn(start).line;
  while (it != comments_.begin()) {
    --it;
    std::string_view text = it->text;
    if (text.rfind("///", 0) != 0 || file_.lineColumn(it->range.begin).line + 1 != expectedLine)
      break;
    // A `///` after code on its line documents nothing below it.
    std::uint32_t line = file_.lineColumn(it->range.begin).line;
    std::string_view before(file_.text().data() + file_.lineStart(line),
                            it->range.begin - file_.lineStart(line));
    if (before.find_first_not_of(" \t") != std::string_view::npos) break;
    text.remove_prefix(3);
    if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    lines.push_back(text);
    expectedLine = file_.lineColumn(it->range.begin).line;
  }
  std::string doc;
  for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
    if (!doc.empty()) doc += '\n';
    doc += *line;
  }
  return doc;
}

ast::ExprPtr AstBuilder::errorExpr(antlr4::ParserRuleContext* context) const {
  return std::make_unique<ast::ErrorExpr>(range(context));
}

// ---------------------------------------------------------------------------------------------
// Expressions

ast::ExprPtr AstBuilder::buildExpr(JourneyParser::ExprContext* context) {
  return buildExprAt(context, 0);
}

ast::ExprPtr AstBuilder::buildExprAt(JourneyParser::ExprContext* context, std::size_t depth) {
  if (context == nullptr)
    return std::make_unique<ast::ErrorExpr>(SourceRange{mapper_.file(), 0, 0});
  // Long operator chains make deep trees even without brackets; every later phase recurses.
  if (depth > 4 * kMaxNesting) {
    if (!reportedDepth_) {
      reportedDepth_ = true;
      sink_
          .report(DiagnosticKind::NestingTooDeep, range(context),
                  fmt::format("expression nests more than {} operators deep", 4 * kMaxNesting))
          .help = "split the expression using a `param` or `var`";
    }
    return errorExpr(context);
  }
  if (auto* primary = dynamic_cast<JourneyParser::ExprPrimaryContext*>(context)) {
    return buildPrimary(primary->primary(), depth);
  }
  if (auto* unary = dynamic_cast<JourneyParser::ExprUnaryContext*>(context)) {
    if (unary->op == nullptr) return errorExpr(context);
    ast::UnaryOp op = unary->op->getType() == JourneyLexer::MINUS  ? ast::UnaryOp::Negate
                      : unary->op->getType() == JourneyLexer::PLUS ? ast::UnaryOp::Plus
                                                                   : ast::UnaryOp::Not;
    auto node = std::make_unique<ast::UnaryExpr>(op, range(context));
    node->opRange = mapper_.tokenRange(unary->op);
    node->operand = buildExprAt(unary->expr(), depth + 1);
    return node;
  }
  if (auto* binary = dynamic_cast<JourneyParser::ExprBinaryContext*>(context)) {
    if (binary->op == nullptr || binary->expr().size() != 2) return errorExpr(context);
    ast::BinaryOp op = ast::BinaryOp::Add;
    switch (binary->op->getType()) {
      case JourneyLexer::STAR:
        op = ast::BinaryOp::Mul;
        break;
      case JourneyLexer::SLASH:
        op = ast::BinaryOp::Div;
        break;
      case JourneyLexer::PLUS:
        op = ast::BinaryOp::Add;
        break;
      case JourneyLexer::MINUS:
        op = ast::BinaryOp::Sub;
        break;
      case JourneyLexer::LT:
        op = ast::BinaryOp::Lt;
        break;
      case JourneyLexer::LE:
        op = ast::BinaryOp::Le;
        break;
      case JourneyLexer::GT:
        op = ast::BinaryOp::Gt;
        break;
      case JourneyLexer::GE:
        op = ast::BinaryOp::Ge;
        break;
      case JourneyLexer::EQ:
        op = ast::BinaryOp::Eq;
        break;
      case JourneyLexer::NE:
        op = ast::BinaryOp::Ne;
        break;
      case JourneyLexer::AND:
        op = ast::BinaryOp::And;
        break;
      case JourneyLexer::OR:
        op = ast::BinaryOp::Or;
        break;
      default:
        return errorExpr(context);
    }
    auto node = std::make_unique<ast::BinaryExpr>(op, range(context));
    node->opRange = mapper_.tokenRange(binary->op);
    node->lhs = buildExprAt(binary->expr(0), depth + 1);
    node->rhs = buildExprAt(binary->expr(1), depth + 1);
    return node;
  }
  return errorExpr(context);
}

ast::ExprPtr AstBuilder::buildPrimary(JourneyParser::PrimaryContext* context, std::size_t depth) {
  if (context == nullptr)
    return std::make_unique<ast::ErrorExpr>(SourceRange{mapper_.file(), 0, 0});
  if (auto* number = dynamic_cast<JourneyParser::LiteralNumberContext*>(context)) {
    return buildNumber(number->NUMBER()->getSymbol(), ast::LiteralKind::Number);
  }
  if (auto* percent = dynamic_cast<JourneyParser::LiteralPercentContext*>(context)) {
    return buildNumber(percent->PERCENT()->getSymbol(), ast::LiteralKind::Percent);
  }
  if (auto* quantity = dynamic_cast<JourneyParser::LiteralQuantityContext*>(context)) {
    return buildQuantity(quantity->QUANTITY()->getSymbol());
  }
  if (auto* money = dynamic_cast<JourneyParser::LiteralMoneyContext*>(context)) {
    return buildMoney(money->MONEY()->getSymbol());
  }
  if (auto* string = dynamic_cast<JourneyParser::LiteralStringContext*>(context)) {
    auto decoded = decodeString(string->STRING()->getSymbol());
    auto literal = std::make_unique<ast::LiteralExpr>(ast::LiteralKind::String, decoded.range);
    literal->text = decoded.text;
    literal->stringValue = decoded.value;
    return literal;
  }
  if (auto* boolean = dynamic_cast<JourneyParser::LiteralBoolContext*>(context)) {
    auto literal = std::make_unique<ast::LiteralExpr>(ast::LiteralKind::Bool, range(context));
    literal->value = boolean->TRUE() != nullptr ? 1 : 0;
    literal->text = boolean->TRUE() != nullptr ? "true" : "false";
    return literal;
  }
  if (auto* table = dynamic_cast<JourneyParser::DiscreteTableContext*>(context)) {
    auto node = std::make_unique<ast::DiscreteExpr>(range(context));
    for (auto* entry : table->discreteEntry()) {
      if (entry->expr().size() != 2) continue;
      node->entries.push_back(
          {buildExprAt(entry->expr(0), depth + 1), buildExprAt(entry->expr(1), depth + 1)});
    }
    return node;
  }
  if (auto* call = dynamic_cast<JourneyParser::CallContext*>(context)) {
    auto node = std::make_unique<ast::CallExpr>(identifier(call->name()), range(context));
    for (auto* argument : call->argument()) {
      ast::Argument built;
      if (argument->name() != nullptr) built.name = identifier(argument->name());
      built.value = buildExprAt(argument->expr(), depth + 1);
      node->arguments.push_back(std::move(built));
    }
    return node;
  }
  if (auto* member = dynamic_cast<JourneyParser::MemberContext*>(context)) {
    if (member->name().size() != 2) return errorExpr(context);
    return std::make_unique<ast::MemberExpr>(identifier(member->name(0)),
                                             identifier(member->name(1)), range(context));
  }
  if (auto* name = dynamic_cast<JourneyParser::NameRefContext*>(context)) {
    auto id = identifier(name->name());
    if (id.text.empty()) return errorExpr(context);
    return std::make_unique<ast::NameExpr>(std::move(id));
  }
  if (auto* paren = dynamic_cast<JourneyParser::ParenContext*>(context)) {
    // Parentheses leave no node: the formatter adds them back where precedence needs them.
    return buildExprAt(paren->expr(), depth + 1);
  }
  return errorExpr(context);
}

// ---------------------------------------------------------------------------------------------
// Targets

std::unique_ptr<ast::Target> AstBuilder::buildTarget(JourneyParser::TargetContext* context) {
  auto target = std::make_unique<ast::Target>();
  target->range = range(context);
  if (context == nullptr) return target;
  if (auto* single = dynamic_cast<JourneyParser::TargetStageContext*>(context)) {
    target->stage = identifier(single->name());
    return target;
  }
  auto* block = dynamic_cast<JourneyParser::TargetBranchesContext*>(context);
  if (block == nullptr) return target;
  target->isBlock = true;
  for (auto* branch : block->branch()) {
    ast::Branch built;
    built.range = range(branch);
    if (auto* chance = dynamic_cast<JourneyParser::BranchChanceContext*>(branch)) {
      built.kind = ast::BranchKind::Chance;
      built.stage = identifier(chance->name());
      built.value = buildExpr(chance->expr());
    } else if (auto* otherwise = dynamic_cast<JourneyParser::BranchOtherwiseContext*>(branch)) {
      built.kind = ast::BranchKind::Otherwise;
      built.stage = identifier(otherwise->name());
    } else if (auto* when = dynamic_cast<JourneyParser::BranchIfContext*>(branch)) {
      built.kind = ast::BranchKind::If;
      built.value = buildExpr(when->expr());
      built.target = buildTarget(when->target());
    } else if (auto* otherwiseIf = dynamic_cast<JourneyParser::BranchElseContext*>(branch)) {
      built.kind = ast::BranchKind::Else;
      built.target = buildTarget(otherwiseIf->target());
    } else {
      continue;
    }
    target->branches.push_back(std::move(built));
  }
  return target;
}

// ---------------------------------------------------------------------------------------------
// Declarations

std::optional<ast::Use> AstBuilder::buildUse(JourneyParser::UseDeclContext* context) {
  if (context == nullptr || context->STRING() == nullptr ||
      isConjured(context->STRING()->getSymbol())) {
    return std::nullopt;
  }
  return ast::Use{decodeString(context->STRING()->getSymbol()), range(context)};
}

std::unique_ptr<ast::JourneyBlock> AstBuilder::buildJourneyHeader(
    JourneyParser::JourneyHeaderContext* context) {
  auto journey = std::make_unique<ast::JourneyBlock>();
  journey->range = range(context);
  journey->name = identifier(context->name());
  journey->display = stringLiteral(context->STRING());
  journey->doc = docComment(context);
  return journey;
}

ast::DeclPtr AstBuilder::buildDeclaration(JourneyParser::DeclarationContext* context) {
  if (context == nullptr) return nullptr;
  ast::DeclPtr decl;
  if (auto* horizon = context->horizonDecl()) {
    auto node = std::make_unique<ast::HorizonDecl>(range(horizon));
    node->value = buildExpr(horizon->expr());
    decl = std::move(node);
  } else if (auto* entry = context->entryDecl()) {
    auto node = std::make_unique<ast::EntryDecl>(range(entry));
    if (auto target = buildTarget(entry->target())) node->target = std::move(*target);
    decl = std::move(node);
  } else if (auto* param = context->paramDecl()) {
    auto node = std::make_unique<ast::ValueDecl>(ast::DeclKind::Param, range(param));
    node->name = identifier(param->name());
    node->display = stringLiteral(param->STRING());
    node->value = buildExpr(param->expr());
    decl = std::move(node);
  } else if (auto* var = context->varDecl()) {
    auto node = std::make_unique<ast::ValueDecl>(ast::DeclKind::Var, range(var));
    node->name = identifier(var->name());
    node->display = stringLiteral(var->STRING());
    node->value = buildExpr(var->expr());
    decl = std::move(node);
  } else if (auto* channel = context->channelDecl()) {
    decl = buildChannel(channel);
  } else if (auto* persona = context->personaDecl()) {
    decl = buildPersona(persona);
  } else if (auto* stage = context->stageDecl()) {
    decl = buildStage(stage);
  } else if (auto* touchpoint = context->touchpointDecl()) {
    decl = buildTouchpoint(touchpoint);
  } else if (auto* event = context->eventDecl()) {
    decl = buildEvent(event);
  } else if (auto* rule = context->ruleDecl()) {
    decl = buildRule(rule);
  } else if (auto* kpi = context->kpiDecl()) {
    auto node = std::make_unique<ast::KpiDecl>(range(kpi));
    node->name = identifier(kpi->name());
    node->display = stringLiteral(kpi->STRING());
    node->value = buildExpr(kpi->expr());
    if (kpi->PRIMARY() != nullptr) node->primary = mapper_.tokenRange(kpi->PRIMARY()->getSymbol());
    decl = std::move(node);
  } else if (auto* discount = context->discountDecl()) {
    auto node = std::make_unique<ast::DiscountDecl>(range(discount));
    node->rate = buildExpr(discount->expr(0));
    node->period = buildExpr(discount->expr(1));
    decl = std::move(node);
  }
  if (decl) decl->doc = docComment(context);
  return decl;
}

ast::DeclPtr AstBuilder::buildChannel(JourneyParser::ChannelDeclContext* context) {
  auto node = std::make_unique<ast::ChannelDecl>(range(context));
  node->name = identifier(context->name());
  node->display = stringLiteral(context->STRING());
  node->hasBody = context->LBRACE() != nullptr;
  for (auto* item : context->channelItem()) {
    ast::ChannelItem built;
    built.range = range(item);
    JourneyParser::CapPolicyContext* policy = nullptr;
    if (auto* cost = dynamic_cast<JourneyParser::ChannelCostContext*>(item)) {
      built.kind = ast::ChannelItemKind::Cost;
      built.first = buildExpr(cost->expr());
    } else if (auto* cap = dynamic_cast<JourneyParser::ChannelCapContext*>(item)) {
      built.kind = ast::ChannelItemKind::Cap;
      built.first = buildExpr(cap->expr(0));
      built.second = buildExpr(cap->expr(1));
      policy = cap->capPolicy();
    } else if (auto* quiet = dynamic_cast<JourneyParser::ChannelQuietContext*>(item)) {
      built.kind = ast::ChannelItemKind::Quiet;
      built.first = buildExpr(quiet->expr(0));
      built.second = buildExpr(quiet->expr(1));
      policy = quiet->capPolicy();
    } else {
      continue;
    }
    if (policy != nullptr) {
      built.policy = policy->DROP() != nullptr ? ast::CapPolicy::Drop : ast::CapPolicy::Defer;
    }
    node->items.push_back(std::move(built));
  }
  return node;
}

ast::DeclPtr AstBuilder::buildPersona(JourneyParser::PersonaDeclContext* context) {
  auto node = std::make_unique<ast::PersonaDecl>(range(context));
  node->name = identifier(context->name());
  node->display = stringLiteral(context->STRING());
  for (auto* item : context->personaItem()) {
    ast::PersonaItem built;
    built.range = range(item);
    if (auto* share = dynamic_cast<JourneyParser::PersonaShareContext*>(item)) {
      built.kind = ast::PersonaItemKind::Share;
      built.value = buildExpr(share->expr());
    } else if (auto* attribute = dynamic_cast<JourneyParser::PersonaAttributeContext*>(item)) {
      built.kind = ast::PersonaItemKind::Attribute;
      built.name = identifier(attribute->name());
      built.value = buildExpr(attribute->expr());
    } else {
      continue;
    }
    node->items.push_back(std::move(built));
  }
  return node;
}

std::unique_ptr<ast::TouchpointDecl> AstBuilder::buildTouchpoint(
    JourneyParser::TouchpointDeclContext* context) {
  auto node = std::make_unique<ast::TouchpointDecl>(range(context));
  node->name = identifier(context->name());
  node->display = stringLiteral(context->STRING());
  for (auto* item : context->touchpointItem()) {
    ast::TouchpointItem built;
    built.range = range(item);
    if (auto* via = dynamic_cast<JourneyParser::TouchpointViaContext*>(item)) {
      built.kind = ast::TouchpointItemKind::Via;
      built.name = identifier(via->name());
    } else if (auto* cost = dynamic_cast<JourneyParser::TouchpointCostContext*>(item)) {
      built.kind = ast::TouchpointItemKind::Cost;
      built.value = buildExpr(cost->expr());
    } else if (auto* emotion = dynamic_cast<JourneyParser::TouchpointEmotionContext*>(item)) {
      built.kind = ast::TouchpointItemKind::Emotion;
      built.value = buildExpr(emotion->expr());
    } else if (auto* duration = dynamic_cast<JourneyParser::TouchpointDurationContext*>(item)) {
      built.kind = ast::TouchpointItemKind::Duration;
      built.value = buildExpr(duration->expr());
    } else if (auto* response = dynamic_cast<JourneyParser::TouchpointResponseContext*>(item)) {
      built.kind = ast::TouchpointItemKind::Response;
      built.value = buildExpr(response->expr(0));
      built.name = identifier(response->name());
      if (response->DELAY() != nullptr) built.delay = buildExpr(response->expr(1));
    } else if (auto* nps = dynamic_cast<JourneyParser::TouchpointNpsContext*>(item)) {
      built.kind = ast::TouchpointItemKind::Nps;
      built.value = buildExpr(nps->expr());
    } else {
      continue;
    }
    node->items.push_back(std::move(built));
  }
  return node;
}

ast::DeclPtr AstBuilder::buildStage(JourneyParser::StageDeclContext* context) {
  auto node = std::make_unique<ast::StageDecl>(range(context));
  node->name = identifier(context->name());
  node->display = stringLiteral(context->STRING());
  node->hasBody = context->LBRACE() != nullptr;
  if (context->kind != nullptr) {
    node->stageKind = context->kind->getType() == JourneyLexer::GOAL   ? ast::StageKind::Goal
                      : context->kind->getType() == JourneyLexer::EXIT ? ast::StageKind::Exit
                                                                       : ast::StageKind::Ordinary;
    node->milestone = context->kind->getType() == JourneyLexer::MILESTONE;
  }
  for (auto* item : context->stageItem()) {
    ast::StageItem built;
    built.range = range(item);
    if (auto* touchpoint = dynamic_cast<JourneyParser::StageTouchpointContext*>(item)) {
      built.kind = ast::StageItemKind::Touchpoint;
      built.touchpoint = buildTouchpoint(touchpoint->touchpointDecl());
      built.touchpoint->doc = docComment(touchpoint);
      built.touchpoint->stage = node.get();
    } else if (auto* after = dynamic_cast<JourneyParser::StageAfterContext*>(item)) {
      built.kind = ast::StageItemKind::After;
      if (after->personaScope() != nullptr)
        built.personas = identifiers(after->personaScope()->nameList());
      built.value = buildExpr(after->expr());
      built.target = buildTarget(after->target());
    } else if (auto* on = dynamic_cast<JourneyParser::StageOnContext*>(item)) {
      built.kind = ast::StageItemKind::On;
      if (on->personaScope() != nullptr)
        built.personas = identifiers(on->personaScope()->nameList());
      built.event = identifier(on->name());
      built.target = buildTarget(on->target());
    } else if (auto* value = dynamic_cast<JourneyParser::StageValueContext*>(item)) {
      built.kind = ast::StageItemKind::Value;
      built.value = buildExpr(value->expr(0));
      if (value->PER() != nullptr) built.period = buildExpr(value->expr(1));
    } else {
      continue;
    }
    node->items.push_back(std::move(built));
  }
  return node;
}

ast::DeclPtr AstBuilder::buildEvent(JourneyParser::EventDeclContext* context) {
  auto node = std::make_unique<ast::EventDecl>(range(context));
  node->name = identifier(context->name());
  node->display = stringLiteral(context->STRING());
  node->hasBody = context->LBRACE() != nullptr;
  for (auto* item : context->eventItem()) {
    ast::EventItem built;
    built.range = range(item);
    if (auto* in = dynamic_cast<JourneyParser::EventInContext*>(item)) {
      built.kind = ast::EventItemKind::In;
      built.names = identifiers(in->nameList());
    } else if (auto* every = dynamic_cast<JourneyParser::EventEveryContext*>(item)) {
      built.kind = ast::EventItemKind::Every;
      if (every->personaScope() != nullptr)
        built.names = identifiers(every->personaScope()->nameList());
      built.value = buildExpr(every->expr());
    } else if (auto* payload = dynamic_cast<JourneyParser::EventPayloadContext*>(item)) {
      built.kind = ast::EventItemKind::Payload;
      built.name = identifier(payload->name());
      built.value = buildExpr(payload->expr());
    } else if (auto* value = dynamic_cast<JourneyParser::EventValueContext*>(item)) {
      built.kind = ast::EventItemKind::Value;
      built.value = buildExpr(value->expr());
    } else {
      continue;
    }
    node->items.push_back(std::move(built));
  }
  return node;
}

ast::DeclPtr AstBuilder::buildRule(JourneyParser::RuleDeclContext* context) {
  auto node = std::make_unique<ast::RuleDecl>(range(context));
  node->name = identifier(context->name());
  node->display = stringLiteral(context->STRING());
  for (auto* item : context->ruleItem()) {
    ast::RuleItem built;
    built.range = range(item);
    if (auto* on = dynamic_cast<JourneyParser::RuleOnContext*>(item)) {
      built.kind = ast::RuleItemKind::On;
      auto* trigger = on->trigger();
      if (trigger == nullptr) continue;
      ast::Trigger t;
      t.range = range(trigger);
      if (auto* enter = dynamic_cast<JourneyParser::TriggerEnterContext*>(trigger)) {
        t.kind = ast::TriggerKind::Enter;
        t.stage = identifier(enter->name());
      } else if (auto* leave = dynamic_cast<JourneyParser::TriggerLeaveContext*>(trigger)) {
        t.kind = ast::TriggerKind::Leave;
        t.stage = identifier(leave->name());
      } else if (auto* after = dynamic_cast<JourneyParser::TriggerAfterContext*>(trigger)) {
        t.kind = ast::TriggerKind::After;
        t.value = buildExpr(after->expr());
      } else if (auto* inactive = dynamic_cast<JourneyParser::TriggerInactiveContext*>(trigger)) {
        t.kind = ast::TriggerKind::Inactive;
        t.value = buildExpr(inactive->expr());
      } else if (auto* expr = dynamic_cast<JourneyParser::TriggerExprContext*>(trigger)) {
        t.kind = ast::TriggerKind::Expr;
        t.value = buildExpr(expr->expr());
      } else {
        continue;
      }
      built.trigger = std::move(t);
    } else if (auto* in = dynamic_cast<JourneyParser::RuleInContext*>(item)) {
      built.kind = ast::RuleItemKind::In;
      built.names = identifiers(in->nameList());
    } else if (auto* scope = dynamic_cast<JourneyParser::RuleForContext*>(item)) {
      built.kind = ast::RuleItemKind::For;
      built.names = identifiers(scope->nameList());
    } else if (auto* guard = dynamic_cast<JourneyParser::RuleIfContext*>(item)) {
      built.kind = ast::RuleItemKind::If;
      built.value = buildExpr(guard->expr());
    } else if (auto* priority = dynamic_cast<JourneyParser::RulePriorityContext*>(item)) {
      built.kind = ast::RuleItemKind::Priority;
      built.value = buildExpr(priority->expr());
    } else if (auto* cap = dynamic_cast<JourneyParser::RuleCapContext*>(item)) {
      built.kind = ast::RuleItemKind::Cap;
      built.value = buildExpr(cap->expr(0));
      if (cap->PER() != nullptr) built.second = buildExpr(cap->expr(1));
    } else if (auto* action = dynamic_cast<JourneyParser::RuleActionContext*>(item)) {
      if (action->action() == nullptr) continue;
      buildAction(action->action(), built);
    } else {
      continue;
    }
    node->items.push_back(std::move(built));
  }
  return node;
}

void AstBuilder::buildAction(JourneyParser::ActionContext* context, ast::RuleItem& item) {
  if (auto* send = dynamic_cast<JourneyParser::ActionSendContext*>(context)) {
    item.kind = ast::RuleItemKind::Send;
    item.name = identifier(send->name());
  } else if (auto* move = dynamic_cast<JourneyParser::ActionMoveContext*>(context)) {
    item.kind = ast::RuleItemKind::Move;
    item.target = buildTarget(move->target());
  } else if (auto* set = dynamic_cast<JourneyParser::ActionSetContext*>(context)) {
    item.kind = ast::RuleItemKind::Set;
    item.name = identifier(set->name());
    item.value = buildExpr(set->expr());
  } else if (auto* waitFor = dynamic_cast<JourneyParser::ActionWaitForContext*>(context)) {
    item.kind = ast::RuleItemKind::WaitFor;
    item.name = identifier(waitFor->name());
    if (waitFor->WITHIN() != nullptr) item.value = buildExpr(waitFor->expr());
  } else if (auto* wait = dynamic_cast<JourneyParser::ActionWaitContext*>(context)) {
    item.kind = ast::RuleItemKind::Wait;
    item.value = buildExpr(wait->expr());
  } else {
    item.kind = ast::RuleItemKind::Stop;
  }
}

}  // namespace journey::parse

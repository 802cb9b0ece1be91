#include "compiler/format/spelling.h"

#include "compiler/source/source.h"

namespace journey::format {

int precedence(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::Mul:
    case ast::BinaryOp::Div:
      return 7;
    case ast::BinaryOp::Add:
    case ast::BinaryOp::Sub:
      return 6;
    case ast::BinaryOp::Lt:
    case ast::BinaryOp::Le:
    case ast::BinaryOp::Gt:
    case ast::BinaryOp::Ge:
      return 5;
    case ast::BinaryOp::Eq:
    case ast::BinaryOp::Ne:
      return 4;
    case ast::BinaryOp::And:
      return 2;
    case ast::BinaryOp::Or:
      return 1;
  }
  return 0;
}

int precedence(ast::UnaryOp op) {
  return op == ast::UnaryOp::Not ? kNotPrecedence : kSignPrecedence;
}

int precedence(const ast::Expr& expr) {
  if (expr.kind == ast::ExprKind::Binary) return precedence(ast::as<ast::BinaryExpr>(expr).op);
  if (expr.kind == ast::ExprKind::Unary) return precedence(ast::as<ast::UnaryExpr>(expr).op);
  return kPrimaryPrecedence;
}

std::string moneySpelling(const ast::LiteralExpr& literal) {
  std::string_view text = literal.text;
  if (text.size() < 3) return literal.text;
  std::string_view amount = text.substr(0, text.size() - 3);
  while (!amount.empty() && (amount.back() == ' ' || amount.back() == '\t'))
    amount.remove_suffix(1);
  return std::string(amount) + " " + std::string(text.substr(text.size() - 3));
}

std::string withSourceConventions(const std::string& formatted, std::string_view source) {
  std::string_view ending = "\n";
  if (auto at = source.find_first_of("\r\n"); at != std::string_view::npos && source[at] == '\r') {
    ending = at + 1 < source.size() && source[at + 1] == '\n' ? "\r\n" : "\r";
  }
  bool byteOrderMark = source.starts_with(kByteOrderMark);
  if (ending == "\n" && !byteOrderMark && formatted.find('\r') == std::string::npos) {
    return formatted;
  }
  std::string out;
  out.reserve(formatted.size() + formatted.size() / 16 + kByteOrderMark.size());
  if (byteOrderMark) out += kByteOrderMark;
  for (std::size_t i = 0; i < formatted.size(); ++i) {
    char c = formatted[i];
    if (c == '\r' || c == '\n') {
      // Block comments carry their own line endings: every one becomes the file's.
      if (c == '\r' && i + 1 < formatted.size() && formatted[i + 1] == '\n') ++i;
      out += ending;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace journey::format

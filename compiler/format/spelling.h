// What the formatter writes the same way everywhere: how tightly operators bind (for the
// parentheses it keeps), how money is spelt, and the file's own line endings and byte-order mark.
#pragma once

#include <string>
#include <string_view>

#include "compiler/ast/ast.h"

namespace journey::format {

// Binding strength, as in the grammar, loosest first: or, and, not, == !=, comparisons, + -,
// * /, unary - +. `not` binds looser than comparisons: `not a == b` is `not (a == b)`.
inline constexpr int kNotPrecedence = 3;
inline constexpr int kSignPrecedence = 8;
inline constexpr int kPrimaryPrecedence = 9;

int precedence(ast::BinaryOp op);
int precedence(ast::UnaryOp op);
int precedence(const ast::Expr& expr);

/// `120USD` and `120  USD` are both written `120 USD`.
std::string moneySpelling(const ast::LiteralExpr& literal);

/// The file's own conventions, kept by the formatter: its first line ending (LF, CRLF or a lone
/// CR) for every line, and a leading byte-order mark.
std::string withSourceConventions(const std::string& formatted, std::string_view source);

}  // namespace journey::format

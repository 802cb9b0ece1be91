// The type rules of operators, constant folding of single operations, and how values are
// written in messages. Pure functions, shared by the analyser and its unit tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "compiler/ast/ast.h"

namespace journey::sema {

/// `number`, `duration`, ... as written in messages (without backticks).
using ast::typeName;

/// True for the kinds that have a size: number, duration and money.
bool isQuantity(ast::TypeKind kind);

/// A plain number literal, without `%` or a unit: `55`, `0.5`.
bool isNumberLiteral(const ast::Expr* expr);

/// The result type of a unary operator, or nullopt when it does not apply to `operand`.
/// `operand` must be a real type (not Error or Unknown).
std::optional<ast::TypeKind> unaryResultType(ast::UnaryOp op, ast::TypeKind operand);

/// The result type of a binary operator, or nullopt when it does not apply to these operands.
/// Operands must be real types (not Error or Unknown).
std::optional<ast::TypeKind> binaryResultType(ast::BinaryOp op, ast::TypeKind lhs,
                                              ast::TypeKind rhs);

/// The message for a binary operator that does not apply, e.g. "cannot add `duration` to
/// `money`".
std::string binaryMismatchMessage(ast::BinaryOp op, ast::TypeKind lhs, ast::TypeKind rhs);

/// Folds a unary operator on a constant (bools are 0 or 1).
double foldUnary(ast::UnaryOp op, double operand);

/// Folds a binary operator on constants (bools are 0 or 1). Returns nullopt for a division by
/// zero. Comparisons and logic give 0 or 1.
std::optional<double> foldBinary(ast::BinaryOp op, double lhs, double rhs);

/// Names in backquotes, the last two joined by `last`: "`A`, `B` and `C`".
template <typename Names>
std::string joinNames(const Names& names, std::string_view last = " and ") {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? last : ", ";
    text += "`";
    text += names[i];
    text += "`";
  }
  return text;
}

/// The most messages a `cap` can allow in its window; the machine's limit (rt::kMaxCapCount)
/// is the same.
inline constexpr double kMaxCapCount = 10'000;

/// Probabilities and shares sum to 100% within this tolerance.
inline constexpr double kSumTolerance = 1e-9;

/// `0.1` as "10%", `1/3` as "33.333333%": at most six decimals, trailing zeros dropped.
std::string formatPercent(double fraction);

/// A plain number with at most six decimals, trailing zeros dropped: "2", "0.5", "-1.25".
std::string formatNumber(double value);

/// Seconds as the largest unit that divides them: 86400 as "1d", 90 as "90s", 5400 as "90m".
std::string formatDuration(double seconds);

/// A constant of a type as a reader would write it: "3d", "12 USD", "true", "0.5".
std::string formatValue(ast::TypeKind kind, double value, std::string_view currency);

}  // namespace journey::sema

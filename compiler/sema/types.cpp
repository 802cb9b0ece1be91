#include "compiler/sema/types.h"

#include <fmt/format.h>

#include <cmath>

namespace journey::sema {

using ast::BinaryOp;
using ast::TypeKind;
using ast::UnaryOp;

bool isQuantity(TypeKind kind) {
  return kind == TypeKind::Number || kind == TypeKind::Duration || kind == TypeKind::Money;
}

bool isNumberLiteral(const ast::Expr* expr) {
  return expr != nullptr && expr->kind == ast::ExprKind::Literal &&
         ast::as<ast::LiteralExpr>(*expr).literal == ast::LiteralKind::Number;
}

std::optional<TypeKind> unaryResultType(UnaryOp op, TypeKind operand) {
  switch (op) {
    case UnaryOp::Negate:
    case UnaryOp::Plus:
      if (isQuantity(operand)) return operand;
      return std::nullopt;
    case UnaryOp::Not:
      if (operand == TypeKind::Bool) return TypeKind::Bool;
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<TypeKind> binaryResultType(BinaryOp op, TypeKind lhs, TypeKind rhs) {
  switch (op) {
    case BinaryOp::Add:
    case BinaryOp::Sub:
      if (lhs == rhs && isQuantity(lhs)) return lhs;
      return std::nullopt;
    case BinaryOp::Mul:
      if (lhs == TypeKind::Number && isQuantity(rhs)) return rhs;
      if (rhs == TypeKind::Number && isQuantity(lhs)) return lhs;
      return std::nullopt;
    case BinaryOp::Div:
      if (rhs == TypeKind::Number && isQuantity(lhs)) return lhs;
      if (lhs == rhs && isQuantity(lhs)) return TypeKind::Number;
      return std::nullopt;
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
      if (lhs == rhs && isQuantity(lhs)) return TypeKind::Bool;
      return std::nullopt;
    case BinaryOp::Eq:
    case BinaryOp::Ne:
      if (lhs == rhs) return TypeKind::Bool;
      return std::nullopt;
    case BinaryOp::And:
    case BinaryOp::Or:
      if (lhs == TypeKind::Bool && rhs == TypeKind::Bool) return TypeKind::Bool;
      return std::nullopt;
  }
  return std::nullopt;
}

std::string binaryMismatchMessage(BinaryOp op, TypeKind lhs, TypeKind rhs) {
  auto l = typeName(lhs);
  auto r = typeName(rhs);
  switch (op) {
    case BinaryOp::Add:
      return fmt::format("cannot add `{}` to `{}`", r, l);
    case BinaryOp::Sub:
      return fmt::format("cannot subtract `{}` from `{}`", r, l);
    case BinaryOp::Mul:
      return fmt::format("cannot multiply `{}` by `{}`", l, r);
    case BinaryOp::Div:
      return fmt::format("cannot divide `{}` by `{}`", l, r);
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
      if (lhs == rhs) {
        return fmt::format("cannot order `{}` values with `{}`", l, ast::spelling(op));
      }
      return fmt::format("cannot compare `{}` with `{}`", l, r);
    case BinaryOp::Eq:
    case BinaryOp::Ne:
      return fmt::format("cannot compare `{}` with `{}`", l, r);
    case BinaryOp::And:
    case BinaryOp::Or:
      return fmt::format("`{}` needs `bool` on both sides, found `{}` and `{}`", ast::spelling(op),
                         l, r);
  }
  return "operator does not apply";
}

double foldUnary(UnaryOp op, double operand) {
  switch (op) {
    case UnaryOp::Negate:
      return -operand;
    case UnaryOp::Plus:
      return operand;
    case UnaryOp::Not:
      return operand != 0 ? 0 : 1;
  }
  return operand;
}

std::optional<double> foldBinary(BinaryOp op, double lhs, double rhs) {
  switch (op) {
    case BinaryOp::Add:
      return lhs + rhs;
    case BinaryOp::Sub:
      return lhs - rhs;
    case BinaryOp::Mul:
      return lhs * rhs;
    case BinaryOp::Div:
      if (rhs == 0) return std::nullopt;
      return lhs / rhs;
    case BinaryOp::Lt:
      return lhs < rhs ? 1 : 0;
    case BinaryOp::Le:
      return lhs <= rhs ? 1 : 0;
    case BinaryOp::Gt:
      return lhs > rhs ? 1 : 0;
    case BinaryOp::Ge:
      return lhs >= rhs ? 1 : 0;
    case BinaryOp::Eq:
      return lhs == rhs ? 1 : 0;
    case BinaryOp::Ne:
      return lhs != rhs ? 1 : 0;
    case BinaryOp::And:
      return (lhs != 0 && rhs != 0) ? 1 : 0;
    case BinaryOp::Or:
      return (lhs != 0 || rhs != 0) ? 1 : 0;
  }
  return std::nullopt;
}

std::string formatNumber(double value) {
  if (!std::isfinite(value)) return value > 0 ? "infinity" : (value < 0 ? "-infinity" : "nan");
  // Large magnitudes print in full without decimals; everything else with at most six.
  if (std::fabs(value) >= 1e15) return fmt::format("{:.0f}", value);
  std::string text = fmt::format("{:.6f}", value);
  while (!text.empty() && text.back() == '0')
    text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  return text;
}

std::string formatPercent(double fraction) {
  return formatNumber(fraction * 100) + "%";
}

std::string formatDuration(double seconds) {
  struct Unit {
    const char* suffix;
    double seconds;
  };
  static constexpr Unit kUnits[] = {
      {"y", 365 * 86400.0}, {"w", 7 * 86400.0}, {"d", 86400.0}, {"h", 3600.0}, {"m", 60.0}};
  if (std::isfinite(seconds) && seconds != 0) {
    for (const auto& unit : kUnits) {
      double count = seconds / unit.seconds;
      if (std::fabs(count) >= 1 && std::fabs(count - std::round(count)) < 1e-9) {
        return formatNumber(std::round(count)) + unit.suffix;
      }
    }
  }
  return formatNumber(seconds) + "s";
}

std::string formatValue(TypeKind kind, double value, std::string_view currency) {
  switch (kind) {
    case TypeKind::Duration:
      return formatDuration(value);
    case TypeKind::Money:
      return currency.empty() ? formatNumber(value)
                              : formatNumber(value) + " " + std::string(currency);
    case TypeKind::Bool:
      return value != 0 ? "true" : "false";
    default:
      return formatNumber(value);
  }
}

}  // namespace journey::sema

#include "compiler/ast/ast.h"

namespace journey::ast {

const char* spelling(UnaryOp op) {
  switch (op) {
    case UnaryOp::Negate:
      return "-";
    case UnaryOp::Plus:
      return "+";
    case UnaryOp::Not:
      return "not";
  }
  return "?";
}

const char* spelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::Mul:
      return "*";
    case BinaryOp::Div:
      return "/";
    case BinaryOp::Add:
      return "+";
    case BinaryOp::Sub:
      return "-";
    case BinaryOp::Lt:
      return "<";
    case BinaryOp::Le:
      return "<=";
    case BinaryOp::Gt:
      return ">";
    case BinaryOp::Ge:
      return ">=";
    case BinaryOp::Eq:
      return "==";
    case BinaryOp::Ne:
      return "!=";
    case BinaryOp::And:
      return "and";
    case BinaryOp::Or:
      return "or";
  }
  return "?";
}

std::string_view typeName(TypeKind kind) {
  switch (kind) {
    case TypeKind::Unknown:
      return "unknown";
    case TypeKind::Error:
      return "error";
    case TypeKind::Number:
      return "number";
    case TypeKind::Duration:
      return "duration";
    case TypeKind::Money:
      return "money";
    case TypeKind::Bool:
      return "bool";
    case TypeKind::String:
      return "string";
    case TypeKind::Persona:
      return "persona";
  }
  return "unknown";
}

}  // namespace journey::ast

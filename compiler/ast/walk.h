// Generic traversal of the tree, for passes that only need to reach nodes: the children of an
// expression, every expression below one, and the expressions a declaration holds. Passes that
// compute something per kind of node (evaluation, printing, lowering) switch on the kind
// themselves.
#pragma once

#include <type_traits>

#include "compiler/ast/ast.h"

namespace journey::ast {

/// Calls `visit` on each direct sub-expression of `expr`, in source order, skipping missing
/// ones. `visit` receives `Expr&`, or `const Expr&` when `expr` is const.
template <typename E, typename Visit>
requires std::is_same_v<std::remove_const_t<E>, Expr>
void forEachChild(E& expr, Visit&& visit) {
  auto child = [&](const ExprPtr& node) {
    if (node) visit(static_cast<E&>(*node));
  };
  switch (expr.kind) {
    case ExprKind::Call:
      for (const auto& argument : as<CallExpr>(expr).arguments)
        child(argument.value);
      return;
    case ExprKind::Discrete:
      for (const auto& entry : as<DiscreteExpr>(expr).entries) {
        child(entry.value);
        child(entry.probability);
      }
      return;
    case ExprKind::Unary:
      child(as<UnaryExpr>(expr).operand);
      return;
    case ExprKind::Binary:
      child(as<BinaryExpr>(expr).lhs);
      child(as<BinaryExpr>(expr).rhs);
      return;
    // No default: a new kind of expression must say here whether it has children.
    case ExprKind::Literal:
    case ExprKind::Name:
    case ExprKind::Member:
    case ExprKind::Error:
      return;
  }
}

/// Calls `visit` on `expr` and on every expression below it, parents before children, in
/// source order.
template <typename E, typename Visit>
requires std::is_same_v<std::remove_const_t<E>, Expr>
void walk(E& expr, Visit&& visit) {
  visit(expr);
  forEachChild(expr, [&](E& child) { walk(child, visit); });
}

/// Calls `visit` on each expression of a target: branch probabilities and conditions, and
/// those of nested blocks, in source order.
template <typename Visit>
void forEachExpr(const Target& target, Visit&& visit) {
  for (const auto& branch : target.branches) {
    if (branch.value) visit(static_cast<const Expr&>(*branch.value));
    if (branch.target) forEachExpr(*branch.target, visit);
  }
}

/// Calls `visit` on each expression a declaration holds (not their sub-expressions), in source
/// order: item values, trigger values, the expressions of its targets and, for a stage, of the
/// touchpoints it declares.
template <typename Visit>
void forEachExpr(const Decl& decl, Visit&& visit) {
  auto expr = [&](const ExprPtr& node) {
    if (node) visit(static_cast<const Expr&>(*node));
  };
  auto target = [&](const Target* node) {
    if (node != nullptr) forEachExpr(*node, visit);
  };
  switch (decl.kind) {
    case DeclKind::Horizon:
      expr(as<HorizonDecl>(decl).value);
      return;
    case DeclKind::Entry:
      target(&as<EntryDecl>(decl).target);
      return;
    case DeclKind::Param:
    case DeclKind::Var:
      expr(as<ValueDecl>(decl).value);
      return;
    case DeclKind::Channel:
      for (const auto& item : as<ChannelDecl>(decl).items) {
        expr(item.first);
        expr(item.second);
      }
      return;
    case DeclKind::Persona:
      for (const auto& item : as<PersonaDecl>(decl).items)
        expr(item.value);
      return;
    case DeclKind::Stage:
      for (const auto& item : as<StageDecl>(decl).items) {
        expr(item.value);
        expr(item.period);
        target(item.target.get());
        if (item.touchpoint) forEachExpr(static_cast<const Decl&>(*item.touchpoint), visit);
      }
      return;
    case DeclKind::Touchpoint:
      for (const auto& item : as<TouchpointDecl>(decl).items) {
        expr(item.value);
        expr(item.delay);
      }
      return;
    case DeclKind::Event:
      for (const auto& item : as<EventDecl>(decl).items)
        expr(item.value);
      return;
    case DeclKind::Rule:
      for (const auto& item : as<RuleDecl>(decl).items) {
        if (item.trigger) expr(item.trigger->value);
        expr(item.value);
        expr(item.second);
        target(item.target.get());
      }
      return;
    case DeclKind::Kpi:
      expr(as<KpiDecl>(decl).value);
      return;
    case DeclKind::Discount:
      expr(as<DiscountDecl>(decl).rate);
      expr(as<DiscountDecl>(decl).period);
      return;
  }
}

}  // namespace journey::ast

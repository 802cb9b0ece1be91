// Expressions to code; constant subexpressions fold with the runtime's own arithmetic.
#include <algorithm>
#include <cmath>
#include <optional>

#include "compiler/lower/lowerer.h"
#include "compiler/sema/builtins.h"

namespace journey::lower {
namespace {

using rt::Index;
using rt::kNone;
using rt::Op;

std::optional<double> foldBinary(ast::BinaryOp op, double a, double b) {
  switch (op) {
    case ast::BinaryOp::Add:
      return a + b;
    case ast::BinaryOp::Sub:
      return a - b;
    case ast::BinaryOp::Mul:
      return a * b;
    case ast::BinaryOp::Div:
      if (b == 0) return std::nullopt;  // fails at run time, with its place
      return a / b;
    case ast::BinaryOp::Lt:
      return a < b ? 1 : 0;
    case ast::BinaryOp::Le:
      return a <= b ? 1 : 0;
    case ast::BinaryOp::Gt:
      return a > b ? 1 : 0;
    case ast::BinaryOp::Ge:
      return a >= b ? 1 : 0;
    case ast::BinaryOp::Eq:
      return a == b ? 1 : 0;
    case ast::BinaryOp::Ne:
      return a != b ? 1 : 0;
    default:
      return std::nullopt;
  }
}

Op binaryOp(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::Add:
      return Op::Add;
    case ast::BinaryOp::Sub:
      return Op::Sub;
    case ast::BinaryOp::Mul:
      return Op::Mul;
    case ast::BinaryOp::Div:
      return Op::Div;
    case ast::BinaryOp::Lt:
      return Op::Lt;
    case ast::BinaryOp::Le:
      return Op::Le;
    case ast::BinaryOp::Gt:
      return Op::Gt;
    case ast::BinaryOp::Ge:
      return Op::Ge;
    case ast::BinaryOp::Eq:
      return Op::Eq;
    case ast::BinaryOp::Ne:
      return Op::Ne;
    default:
      return Op::Add;
  }
}

/// The same arithmetic the runtime does, so that folding changes no result.
std::optional<double> foldCall(sema::Builtin id, const std::vector<double>& v) {
  switch (id) {
    case sema::Builtin::Min:
      return v[1] < v[0] ? v[1] : v[0];
    case sema::Builtin::Max:
      return v[0] < v[1] ? v[1] : v[0];
    case sema::Builtin::Clamp: {
      double x = v[0] < v[1] ? v[1] : v[0];
      return v[2] < x ? v[2] : x;
    }
    case sema::Builtin::Abs:
      return std::fabs(v[0]);
    case sema::Builtin::Round:
      return std::round(v[0]);
    case sema::Builtin::Floor:
      return std::floor(v[0]);
    case sema::Builtin::Ceil:
      return std::ceil(v[0]);
    case sema::Builtin::Fixed:
      return v[0];
    default:
      return std::nullopt;
  }
}

Op callOp(sema::Builtin id) {
  switch (id) {
    case sema::Builtin::Min:
      return Op::Min;
    case sema::Builtin::Max:
      return Op::Max;
    case sema::Builtin::Clamp:
      return Op::Clamp;
    case sema::Builtin::Abs:
      return Op::Abs;
    case sema::Builtin::Round:
      return Op::Round;
    case sema::Builtin::Floor:
      return Op::Floor;
    case sema::Builtin::Ceil:
      return Op::Ceil;
    case sema::Builtin::Uniform:
      return Op::Uniform;
    case sema::Builtin::Normal:
      return Op::Normal;
    case sema::Builtin::Lognormal:
      return Op::Lognormal;
    case sema::Builtin::Exponential:
      return Op::Exponential;
    case sema::Builtin::Gamma:
      return Op::Gamma;
    case sema::Builtin::Weibull:
      return Op::Weibull;
    case sema::Builtin::Bernoulli:
      return Op::Bernoulli;
    default:
      return Op::Const;
  }
}

Lowered code(rt::Instr instr) {
  return Lowered{false, 0, {instr}};
}

}  // namespace

rt::ValueType valueType(ast::TypeKind kind) {
  switch (kind) {
    case ast::TypeKind::Duration:
      return rt::ValueType::Duration;
    case ast::TypeKind::Money:
      return rt::ValueType::Money;
    case ast::TypeKind::Bool:
      return rt::ValueType::Bool;
    case ast::TypeKind::String:
      return rt::ValueType::String;
    case ast::TypeKind::Persona:
      return rt::ValueType::Persona;
    default:
      return rt::ValueType::Number;
  }
}

Lowered Lowerer::expr(const ast::Expr& e) {
  switch (e.kind) {
    case ast::ExprKind::Literal: {
      const auto& literal = ast::as<ast::LiteralExpr>(e);
      if (literal.literal == ast::LiteralKind::String)
        return Lowered::of(intern(literal.stringValue));
      return Lowered::of(literal.value);
    }
    case ast::ExprKind::Name:
      return name(ast::as<ast::NameExpr>(e));
    case ast::ExprKind::Member: {
      const auto& member = ast::as<ast::MemberExpr>(e);
      Index field = 0;
      if (member.declaration != nullptr) {
        const auto& event = ast::as<ast::EventDecl>(*member.declaration);
        Index i = 0;
        for (const auto& item : event.items) {
          if (item.kind != ast::EventItemKind::Payload) continue;
          if (item.name.text == member.member.text) field = i;
          ++i;
        }
      }
      return code({Op::Payload, field, 0});
    }
    case ast::ExprKind::Call:
      return call(ast::as<ast::CallExpr>(e));
    case ast::ExprKind::Discrete: {
      const auto& discrete = ast::as<ast::DiscreteExpr>(e);
      Lowered out;
      out.constant = false;
      for (const auto& entry : discrete.entries) {
        out.append(expr(*entry.value));
        out.append(expr(*entry.probability));
      }
      out.code.push_back({Op::Discrete, static_cast<Index>(discrete.entries.size()), 0});
      return out;
    }
    case ast::ExprKind::Unary: {
      const auto& unary = ast::as<ast::UnaryExpr>(e);
      Lowered operand = expr(*unary.operand);
      if (unary.op == ast::UnaryOp::Plus) return operand;
      if (operand.constant) {
        return Lowered::of(unary.op == ast::UnaryOp::Negate ? -operand.value
                                                            : (operand.value == 0 ? 1 : 0));
      }
      operand.code.push_back({unary.op == ast::UnaryOp::Negate ? Op::Neg : Op::Not, 0, 0});
      return operand;
    }
    case ast::ExprKind::Binary:
      return binary(ast::as<ast::BinaryExpr>(e));
    case ast::ExprKind::Error:
      return Lowered::of(0);
  }
  return Lowered::of(0);
}

Lowered Lowerer::name(const ast::NameExpr& e) {
  switch (e.symbol) {
    case ast::SymbolKind::Param:
      return Lowered::of(paramValue(e.declaration));
    case ast::SymbolKind::Var:
      return code({Op::Var, lookup(varIndex_, e.declaration), 0});
    case ast::SymbolKind::Attribute: {
      auto it = attributeIndex_.find(e.name.text);
      return code({Op::Attribute, it == attributeIndex_.end() ? 0 : it->second, 0});
    }
    case ast::SymbolKind::Persona:
      return Lowered::of(lookup(personaIndex_, e.declaration));
    case ast::SymbolKind::Builtin: {
      const std::string& n = e.name.text;
      if (n == "emotion") return code({Op::Emotion, 0, 0});
      if (n == "cost") return code({Op::Cost, 0, 0});
      if (n == "time") return code({Op::Time, 0, 0});
      if (n == "time_in_stage") return code({Op::TimeInStage, 0, 0});
      if (n == "persona") return code({Op::Persona, 0, 0});
      if (n == "value") return code({Op::Value, 0, 0});
      return Lowered::of(0);
    }
    case ast::SymbolKind::Kpi: {
      // A KPI read in another KPI: its code, inlined (sema rules out cycles).
      const auto* kpi = static_cast<const ast::KpiDecl*>(e.declaration);
      return kpi != nullptr && kpi->value ? expr(*kpi->value) : Lowered::of(0);
    }
    default:
      return Lowered::of(0);
  }
}

Lowered Lowerer::call(const ast::CallExpr& e) {
  const sema::FunctionInfo* info = sema::findFunction(e.callee.text);
  if (info == nullptr) return Lowered::of(0);
  // Arguments in parameter order, named or positional.
  std::vector<const ast::Expr*> args(info->parameters.size(), nullptr);
  std::size_t position = 0;
  for (const auto& argument : e.arguments) {
    std::size_t slot = position++;
    if (argument.name) {
      auto it = std::find(info->parameters.begin(), info->parameters.end(), argument.name->text);
      if (it != info->parameters.end())
        slot = static_cast<std::size_t>(it - info->parameters.begin());
    }
    if (slot < args.size()) args[slot] = argument.value.get();
  }
  for (const ast::Expr* arg : args)
    if (arg == nullptr) return Lowered::of(0);
  switch (info->id) {
    case sema::Builtin::Visits:
    case sema::Builtin::InStage:
    case sema::Builtin::Received:
    case sema::Builtin::Reached:
    case sema::Builtin::Occurrences: {
      const ast::Expr& arg = *args[0];
      if (arg.kind != ast::ExprKind::Name) return Lowered::of(0);
      const auto& n = ast::as<ast::NameExpr>(arg);
      if (info->id == sema::Builtin::Reached) {
        return Lowered{
            false,
            0,
            {{Op::Visits, stageNamed(n.name.text), 0}, {Op::Const, 0, 0}, {Op::Gt, 0, 0}}};
      }
      if (info->id == sema::Builtin::Occurrences)
        return code({Op::Occurrences, lookup(eventIndex_, n.declaration), 0});
      if (info->id == sema::Builtin::Visits) return code({Op::Visits, stageNamed(n.name.text), 0});
      if (info->id == sema::Builtin::InStage)
        return code({Op::InStage, stageNamed(n.name.text), 0});
      if (n.symbol == ast::SymbolKind::Channel)
        return code({Op::ReceivedChannel, channelNamed(n.name.text), 0});
      return code({Op::Received, lookup(touchpointIndex_, n.declaration), 0});
    }
    default:
      break;
  }
  std::vector<Lowered> lowered;
  bool allConstant = true;
  for (const ast::Expr* arg : args) {
    lowered.push_back(expr(*arg));
    allConstant = allConstant && lowered.back().constant;
  }
  if (allConstant) {
    std::vector<double> values;
    values.reserve(lowered.size());
    for (const auto& l : lowered)
      values.push_back(l.value);
    if (auto folded = foldCall(info->id, values)) return Lowered::of(*folded);
  }
  if (info->id == sema::Builtin::Fixed) return std::move(lowered[0]);
  Lowered out;
  out.constant = false;
  for (auto& l : lowered)
    out.append(std::move(l));
  out.code.push_back({callOp(info->id), 0, 0});
  return out;
}

Lowered Lowerer::binary(const ast::BinaryExpr& e) {
  Lowered lhs = expr(*e.lhs);
  Lowered rhs = expr(*e.rhs);
  if (e.op == ast::BinaryOp::And || e.op == ast::BinaryOp::Or) {
    bool isAnd = e.op == ast::BinaryOp::And;
    if (lhs.constant) {
      bool truth = lhs.value != 0;
      // `false and x` is false, `true and x` is x; `true or x` is true, `false or x` is x.
      if (truth != isAnd) return Lowered::of(truth ? 1 : 0);
      return rhs;
    }
    rhs.materialize();
    Lowered out = std::move(lhs);
    out.code.push_back(
        {isAnd ? Op::JumpIfFalse : Op::JumpIfTrue, static_cast<Index>(rhs.code.size() + 1), 0});
    out.append(std::move(rhs));
    return out;
  }
  if (lhs.constant && rhs.constant) {
    if (auto folded = foldBinary(e.op, lhs.value, rhs.value)) return Lowered::of(*folded);
  }
  Lowered out = std::move(lhs);
  out.append(std::move(rhs));
  out.code.push_back({binaryOp(e.op), 0, 0});
  return out;
}

rt::ExprId Lowerer::add(const ast::Expr* e) {
  if (e == nullptr) return kNone;
  Lowered lowered = expr(*e);
  return add(std::move(lowered), valueType(e->type.kind), e->type.sampled, place(e->range));
}

rt::ExprId Lowerer::add(Lowered lowered, rt::ValueType type, bool sampled, Index where) {
  rt::Expr out;
  out.type = type;
  out.place = where;
  out.constant = lowered.constant;
  out.value = lowered.value;
  out.sampled = sampled && !lowered.constant;
  lowered.materialize();
  out.begin = static_cast<std::uint32_t>(m_.code.size());
  out.size = static_cast<std::uint32_t>(lowered.code.size());
  for (std::size_t pc = 0; pc < lowered.code.size(); ++pc) {
    rt::Instr instr = lowered.code[pc];
    if (instr.op == Op::JumpIfFalse || instr.op == Op::JumpIfTrue)
      instr.a += static_cast<Index>(pc);
    m_.code.push_back(instr);
  }
  m_.exprs.push_back(out);
  return static_cast<rt::ExprId>(m_.exprs.size() - 1);
}

double Lowerer::constant(const ast::Expr* e) {
  if (e == nullptr) return 0;
  Lowered lowered = expr(*e);
  return lowered.constant ? lowered.value : 0;
}

rt::ExprId Lowerer::conjunction(const std::vector<const ast::Expr*>& conditions) {
  if (conditions.size() == 1) return add(conditions.front());
  Lowered out = expr(*conditions.front());
  for (std::size_t i = 1; i < conditions.size(); ++i) {
    Lowered next = expr(*conditions[i]);
    if (out.constant) {
      out = out.value != 0 ? std::move(next) : Lowered::of(0);
      continue;
    }
    next.materialize();
    out.code.push_back({Op::JumpIfFalse, static_cast<Index>(next.code.size() + 1), 0});
    out.append(std::move(next));
  }
  return add(std::move(out), rt::ValueType::Bool, false, place(conditions.front()->range));
}

}  // namespace journey::lower

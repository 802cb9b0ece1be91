#include "simulator/markov_fold.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

namespace journey::sim::markov {
namespace {

using rt::Op;

/// Arithmetic, comparisons and math on the operands on top of the stack; false for every other
/// instruction.
bool compute(const rt::Instr& in, std::vector<Value>& stack) {
  auto binary = [&](auto&& f) {
    Value b = stack.back();
    stack.pop_back();
    Value& a = stack.back();
    if (!a.known) return;
    if (!b.known) {
      a = b;
      return;
    }
    a.v = f(a.v, b.v);
  };
  auto unary = [&](auto&& f) {
    Value& a = stack.back();
    if (a.known) a.v = f(a.v);
  };
  switch (in.op) {
    case Op::Neg:
      unary([](double x) { return -x; });
      break;
    case Op::Not:
      unary([](double x) { return x == 0 ? 1.0 : 0.0; });
      break;
    case Op::Add:
      binary([](double a, double b) { return a + b; });
      break;
    case Op::Sub:
      binary([](double a, double b) { return a - b; });
      break;
    case Op::Mul:
      binary([](double a, double b) { return a * b; });
      break;
    case Op::Div: {
      Value b = stack.back();
      if (b.known && b.v == 0) {
        stack.pop_back();
        stack.back() = Value::unknown("invalid", "divides by zero");
        break;
      }
      binary([](double a, double d) { return a / d; });
      break;
    }
    case Op::Lt:
      binary([](double a, double b) { return a < b ? 1.0 : 0.0; });
      break;
    case Op::Le:
      binary([](double a, double b) { return a <= b ? 1.0 : 0.0; });
      break;
    case Op::Gt:
      binary([](double a, double b) { return a > b ? 1.0 : 0.0; });
      break;
    case Op::Ge:
      binary([](double a, double b) { return a >= b ? 1.0 : 0.0; });
      break;
    case Op::Eq:
      binary([](double a, double b) { return a == b ? 1.0 : 0.0; });
      break;
    case Op::Ne:
      binary([](double a, double b) { return a != b ? 1.0 : 0.0; });
      break;
    case Op::Min:
      binary([](double a, double b) { return b < a ? b : a; });
      break;
    case Op::Max:
      binary([](double a, double b) { return a < b ? b : a; });
      break;
    case Op::Clamp: {
      Value hi = stack.back();
      stack.pop_back();
      Value lo = stack.back();
      stack.pop_back();
      Value& x = stack.back();
      if (!x.known) break;
      if (!lo.known || !hi.known) {
        x = !lo.known ? lo : hi;
        break;
      }
      double y = x.v < lo.v ? lo.v : x.v;
      x.v = hi.v < y ? hi.v : y;
      break;
    }
    case Op::Abs:
      unary([](double x) { return std::fabs(x); });
      break;
    case Op::Round:
      unary([](double x) { return std::round(x); });
      break;
    case Op::Floor:
      unary([](double x) { return std::floor(x); });
      break;
    case Op::Ceil:
      unary([](double x) { return std::ceil(x); });
      break;
    default:
      return false;
  }
  return true;
}

/// A distribution's draw: its operands popped, an unknown value pushed.
void draw(const rt::Instr& in, std::vector<Value>& stack) {
  if (in.op == Op::Discrete) {
    std::size_t pops = 2 * static_cast<std::size_t>(in.a);
    stack.resize(stack.size() - pops);
    stack.push_back(Value::unknown("random", "draws from discrete"));
    return;
  }
  int pops = rt::opPops(in);
  stack.resize(stack.size() - static_cast<std::size_t>(pops));
  stack.push_back(Value::unknown("random", fmt::format("draws from {}", rt::opName(in.op))));
}

}  // namespace

Folder::Folder(const rt::Machine& m, rt::Index persona) : m_(m), persona_(persona) {
  attributes_.resize(m.attributes.size());
  for (std::size_t a = 0; a < m.attributes.size(); ++a) {
    rt::ExprId id = m.attribute(persona, static_cast<rt::Index>(a));
    if (id == rt::kNone) {
      attributes_[a] = Value::of(0);
      continue;
    }
    Value value = fold(id);
    if (!value.known) {
      value = Value::unknown("sampled-attribute",
                             fmt::format("reads the attribute `{}`, which is drawn per customer",
                                         m.attributes[a].name));
    }
    attributes_[a] = value;
  }
  for (const auto& var : m.vars)
    vars_.push_back(var.initial == rt::kNone ? Value::of(0) : fold(var.initial));
}

void Folder::setEvent(rt::Index event) {
  payload_.clear();
  if (event == rt::kNone) return;
  const rt::Event& e = m_.events[event];
  for (std::uint32_t i = 0; i < e.fieldCount; ++i) {
    const rt::PayloadField& field = m_.payloadFields[e.firstField + i];
    Value value = fold(field.value);
    if (!value.known) {
      value = Value::unknown(
          "payload",
          fmt::format("reads the payload field `{}.{}`, which {}", e.name, field.name,
                      value.kind == "random" ? "is drawn at each occurrence" : "is not constant"));
    }
    payload_.push_back(value);
  }
}

std::optional<Value> Folder::read(const rt::Instr& in) const {
  auto state = [](const std::string& what) {
    return Value::unknown("state", fmt::format("reads {}", what));
  };
  switch (in.op) {
    case Op::Const:
      return Value::of(in.k);
    case Op::Var:
      return vars_[in.a];
    case Op::Attribute:
      return attributes_[in.a];
    case Op::Payload:
      if (in.a >= 0 && static_cast<std::size_t>(in.a) < payload_.size()) return payload_[in.a];
      return Value::unknown("payload", "reads an event's payload");
    case Op::Emotion:
      return state("`emotion`");
    case Op::Cost:
      return state("`cost`");
    case Op::Time:
      return state("`time`");
    case Op::TimeInStage:
      return state("`time_in_stage`");
    case Op::Persona:
      return Value::of(persona_);
    case Op::Visits:
      return state(fmt::format("`visits({})`", m_.stages[in.a].name));
    case Op::Received:
      return state(fmt::format("`received({})`", m_.touchpoints[in.a].name));
    case Op::ReceivedChannel:
      return state(fmt::format("`received({})`", m_.channels[in.a].name));
    case Op::InStage:
      return Value::of(stage_ == in.a ? 1 : 0);
    case Op::Value:
      return state("`value`");
    case Op::Occurrences:
      return state(fmt::format("`occurrences({})`", m_.events[in.a].name));
    default:
      return std::nullopt;
  }
}

Value Folder::foldRange(rt::ExprId id, std::uint32_t from, std::uint32_t to) {
  const rt::Expr& expr = m_.exprs[id];
  if (expr.constant && from == 0 && to == expr.size) return Value::of(expr.value);
  std::vector<Value> stack;
  std::map<std::uint32_t, Value> joins;  // jumps whose condition was unknown
  const rt::Instr* code = m_.code.data() + expr.begin;
  for (std::uint32_t pc = from; pc < to; ++pc) {
    if (auto join = joins.find(pc); join != joins.end() && !stack.empty())
      stack.back() = join->second;
    const rt::Instr& in = code[pc];
    if (in.op == Op::JumpIfFalse || in.op == Op::JumpIfTrue) {
      Value& top = stack.back();
      if (!top.known) {
        // Either way: the value at the join is unknown.
        joins.emplace(static_cast<std::uint32_t>(in.a), top);
        stack.pop_back();
        continue;
      }
      bool jump = in.op == Op::JumpIfFalse ? top.v == 0 : top.v != 0;
      if (jump) {
        pc = static_cast<std::uint32_t>(in.a) - 1;
      } else {
        stack.pop_back();
      }
      continue;
    }
    if (std::optional<Value> value = read(in)) {
      stack.push_back(std::move(*value));
    } else if (!compute(in, stack)) {
      draw(in, stack);
    }
  }
  if (auto join = joins.find(to); join != joins.end() && !stack.empty())
    stack.back() = join->second;
  if (stack.empty()) return Value::unknown("invalid", "has no value");
  Value result = stack.back();
  if (result.known && std::isnan(result.v)) return Value::unknown("invalid", "is not a number");
  return result;
}

}  // namespace journey::sim::markov

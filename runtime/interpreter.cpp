#include <algorithm>
#include <cmath>

#include "runtime/eval.h"
#include "runtime/samplers.h"

namespace journey::rt {
namespace {

/// Deep enough for any expression the verifier accepts (it bounds the depth).
constexpr int kStackSize = 256;

inline double truth(bool value) {
  return value ? 1.0 : 0.0;
}

// The instruction families, always inlined into the one loop so that each instruction is still
// one dispatch of its switch.

/// Arithmetic and comparisons: the top two values replaced by `op(below, top)`.
template <typename Operation>
[[gnu::always_inline]] inline void binary(double* stack, int& top, Operation op) {
  --top;
  stack[top] = op(stack[top], stack[top + 1]);
}

/// False, with the evaluation failed, for a division by zero.
[[gnu::always_inline]] inline bool divided(EvalContext& context, double* stack, int& top) {
  --top;
  if (stack[top + 1] == 0) {
    context.failed = 1;
    return false;
  }
  stack[top] = stack[top] / stack[top + 1];
  return true;
}

[[gnu::always_inline]] inline void clamp(double* stack, int& top) {
  top -= 2;
  double x = stack[top], lo = stack[top + 1], hi = stack[top + 2];
  x = x < lo ? lo : x;
  stack[top] = hi < x ? hi : x;
}

/// A forward jump keeps the value it tested; falling through pops it.
[[gnu::always_inline]] inline void jumpIf(bool taken, const Instr& instr, std::uint32_t& pc,
                                          int& top) {
  if (taken) {
    pc = static_cast<std::uint32_t>(instr.a) - 1;
  } else {
    --top;
  }
}

/// A sampler's NaN (invalid parameters) fails the customer at once, as in compiled code: a
/// comparison later in the expression could hide it.
inline bool invalidSample(EvalContext& context, double sample) {
  if (!std::isnan(sample)) return false;
  context.failed = 1;
  return true;
}

/// The samplers of one and of two parameters: the top values replaced by a draw. False, with the
/// evaluation failed, for invalid parameters.
[[gnu::always_inline]] inline bool sampled(EvalContext& context, double* stack, int& top,
                                           double (*sampler)(EvalContext*, double)) {
  stack[top] = sampler(&context, stack[top]);
  return !invalidSample(context, stack[top]);
}
[[gnu::always_inline]] inline bool sampled(EvalContext& context, double* stack, int& top,
                                           double (*sampler)(EvalContext*, double, double)) {
  --top;
  stack[top] = sampler(&context, stack[top], stack[top + 1]);
  return !invalidSample(context, stack[top]);
}

}  // namespace

double interpret(const Machine& machine, const Expr& expr, EvalContext& context) {
  if (expr.constant) return expr.value;
  double stack[kStackSize];
  int top = -1;  // index of the top element
  const Instr* code = machine.code.data() + expr.begin;
  const std::uint32_t size = expr.size;
  // The samplers are the functions JIT-compiled code calls too (runtime/samplers.h).
  for (std::uint32_t pc = 0; pc < size; ++pc) {
    const Instr& instr = code[pc];
    switch (instr.op) {
      case Op::Const:
        stack[++top] = instr.k;
        break;
      case Op::Var:
        stack[++top] = context.vars[instr.a];
        break;
      case Op::Attribute:
        stack[++top] = context.attributes[instr.a];
        break;
      case Op::Payload:
        stack[++top] = context.payload[instr.a];
        break;
      case Op::Emotion:
        stack[++top] = context.emotion;
        break;
      case Op::Cost:
        stack[++top] = context.cost;
        break;
      case Op::Time:
        stack[++top] = context.now;
        break;
      case Op::TimeInStage:
        stack[++top] = context.now - context.stageEnteredAt;
        break;
      case Op::Persona:
        stack[++top] = context.persona;
        break;
      case Op::Visits:
        stack[++top] = context.visits[instr.a];
        break;
      case Op::Received:
        stack[++top] = context.received[instr.a];
        break;
      case Op::ReceivedChannel:
        stack[++top] = context.receivedChannel[instr.a];
        break;
      case Op::InStage:
        stack[++top] = truth(context.stage == instr.a);
        break;
      case Op::Value:
        stack[++top] = context.value + context.valueRate * (context.now - context.stageEnteredAt);
        break;
      case Op::Occurrences:
        stack[++top] = context.occurrences[instr.a];
        break;
      case Op::Neg:
        stack[top] = -stack[top];
        break;
      case Op::Not:
        stack[top] = truth(stack[top] == 0);
        break;
      case Op::Add:
        binary(stack, top, [](double a, double b) { return a + b; });
        break;
      case Op::Sub:
        binary(stack, top, [](double a, double b) { return a - b; });
        break;
      case Op::Mul:
        binary(stack, top, [](double a, double b) { return a * b; });
        break;
      case Op::Div:
        if (!divided(context, stack, top)) return 0;
        break;
      case Op::Lt:
        binary(stack, top, [](double a, double b) { return truth(a < b); });
        break;
      case Op::Le:
        binary(stack, top, [](double a, double b) { return truth(a <= b); });
        break;
      case Op::Gt:
        binary(stack, top, [](double a, double b) { return truth(a > b); });
        break;
      case Op::Ge:
        binary(stack, top, [](double a, double b) { return truth(a >= b); });
        break;
      case Op::Eq:
        binary(stack, top, [](double a, double b) { return truth(a == b); });
        break;
      case Op::Ne:
        binary(stack, top, [](double a, double b) { return truth(a != b); });
        break;
      case Op::Min:
        binary(stack, top, [](double a, double b) { return b < a ? b : a; });
        break;
      case Op::Max:
        binary(stack, top, [](double a, double b) { return a < b ? b : a; });
        break;
      case Op::Clamp:
        clamp(stack, top);
        break;
      case Op::Abs:
        stack[top] = std::fabs(stack[top]);
        break;
      case Op::Round:
        stack[top] = std::round(stack[top]);
        break;
      case Op::Floor:
        stack[top] = std::floor(stack[top]);
        break;
      case Op::Ceil:
        stack[top] = std::ceil(stack[top]);
        break;
      case Op::JumpIfFalse:
        jumpIf(stack[top] == 0, instr, pc, top);
        break;
      case Op::JumpIfTrue:
        jumpIf(stack[top] != 0, instr, pc, top);
        break;
      case Op::Uniform:
        if (!sampled(context, stack, top, journey_rt_sample_uniform)) return stack[top];
        break;
      case Op::Normal:
        if (!sampled(context, stack, top, journey_rt_sample_normal)) return stack[top];
        break;
      case Op::Lognormal:
        if (!sampled(context, stack, top, journey_rt_sample_lognormal)) return stack[top];
        break;
      case Op::Exponential:
        if (!sampled(context, stack, top, journey_rt_sample_exponential)) return stack[top];
        break;
      case Op::Gamma:
        if (!sampled(context, stack, top, journey_rt_sample_gamma)) return stack[top];
        break;
      case Op::Weibull:
        if (!sampled(context, stack, top, journey_rt_sample_weibull)) return stack[top];
        break;
      case Op::Bernoulli:
        if (!sampled(context, stack, top, journey_rt_sample_bernoulli)) return stack[top];
        break;
      case Op::Discrete: {
        top -= 2 * instr.a - 1;
        stack[top] = journey_rt_sample_discrete(&context, &stack[top], instr.a);
        break;
      }
    }
  }
  double result = stack[top];
  if (std::isnan(result)) context.failed = 1;
  return result;
}

}  // namespace journey::rt

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

/// A sampler's NaN (invalid parameters) fails the customer at once, as in compiled code: a
/// comparison later in the expression could hide it.
inline bool invalidSample(EvalContext& context, double sample) {
  if (!std::isnan(sample)) return false;
  context.failed = 1;
  return true;
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
      case Op::Neg:
        stack[top] = -stack[top];
        break;
      case Op::Not:
        stack[top] = truth(stack[top] == 0);
        break;
      case Op::Add:
        --top;
        stack[top] = stack[top] + stack[top + 1];
        break;
      case Op::Sub:
        --top;
        stack[top] = stack[top] - stack[top + 1];
        break;
      case Op::Mul:
        --top;
        stack[top] = stack[top] * stack[top + 1];
        break;
      case Op::Div:
        --top;
        if (stack[top + 1] == 0) {
          context.failed = 1;
          return 0;
        }
        stack[top] = stack[top] / stack[top + 1];
        break;
      case Op::Lt:
        --top;
        stack[top] = truth(stack[top] < stack[top + 1]);
        break;
      case Op::Le:
        --top;
        stack[top] = truth(stack[top] <= stack[top + 1]);
        break;
      case Op::Gt:
        --top;
        stack[top] = truth(stack[top] > stack[top + 1]);
        break;
      case Op::Ge:
        --top;
        stack[top] = truth(stack[top] >= stack[top + 1]);
        break;
      case Op::Eq:
        --top;
        stack[top] = truth(stack[top] == stack[top + 1]);
        break;
      case Op::Ne:
        --top;
        stack[top] = truth(stack[top] != stack[top + 1]);
        break;
      case Op::Min: {
        --top;
        double a = stack[top], b = stack[top + 1];
        stack[top] = b < a ? b : a;
        break;
      }
      case Op::Max: {
        --top;
        double a = stack[top], b = stack[top + 1];
        stack[top] = a < b ? b : a;
        break;
      }
      case Op::Clamp: {
        top -= 2;
        double x = stack[top], lo = stack[top + 1], hi = stack[top + 2];
        x = x < lo ? lo : x;
        stack[top] = hi < x ? hi : x;
        break;
      }
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
        if (stack[top] == 0) {
          pc = static_cast<std::uint32_t>(instr.a) - 1;
        } else {
          --top;
        }
        break;
      case Op::JumpIfTrue:
        if (stack[top] != 0) {
          pc = static_cast<std::uint32_t>(instr.a) - 1;
        } else {
          --top;
        }
        break;
      case Op::Uniform:
        --top;
        stack[top] = journey_rt_sample_uniform(&context, stack[top], stack[top + 1]);
        if (invalidSample(context, stack[top])) return stack[top];
        break;
      case Op::Normal:
        --top;
        stack[top] = journey_rt_sample_normal(&context, stack[top], stack[top + 1]);
        if (invalidSample(context, stack[top])) return stack[top];
        break;
      case Op::Lognormal:
        --top;
        stack[top] = journey_rt_sample_lognormal(&context, stack[top], stack[top + 1]);
        if (invalidSample(context, stack[top])) return stack[top];
        break;
      case Op::Exponential:
        stack[top] = journey_rt_sample_exponential(&context, stack[top]);
        if (invalidSample(context, stack[top])) return stack[top];
        break;
      case Op::Gamma:
        --top;
        stack[top] = journey_rt_sample_gamma(&context, stack[top], stack[top + 1]);
        if (invalidSample(context, stack[top])) return stack[top];
        break;
      case Op::Weibull:
        --top;
        stack[top] = journey_rt_sample_weibull(&context, stack[top], stack[top + 1]);
        if (invalidSample(context, stack[top])) return stack[top];
        break;
      case Op::Bernoulli:
        stack[top] = journey_rt_sample_bernoulli(&context, stack[top]);
        if (invalidSample(context, stack[top])) return stack[top];
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

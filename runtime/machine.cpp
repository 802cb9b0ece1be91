#include "runtime/machine.h"

namespace journey::rt {

const char* opName(Op op) {
  switch (op) {
    case Op::Const:
      return "const";
    case Op::Var:
      return "var";
    case Op::Attribute:
      return "attribute";
    case Op::Payload:
      return "payload";
    case Op::Emotion:
      return "emotion";
    case Op::Cost:
      return "cost";
    case Op::Time:
      return "time";
    case Op::TimeInStage:
      return "time_in_stage";
    case Op::Persona:
      return "persona";
    case Op::Visits:
      return "visits";
    case Op::Received:
      return "received";
    case Op::ReceivedChannel:
      return "received_channel";
    case Op::InStage:
      return "in_stage";
    case Op::Value:
      return "value";
    case Op::Occurrences:
      return "occurrences";
    case Op::Neg:
      return "neg";
    case Op::Not:
      return "not";
    case Op::Add:
      return "add";
    case Op::Sub:
      return "sub";
    case Op::Mul:
      return "mul";
    case Op::Div:
      return "div";
    case Op::Lt:
      return "lt";
    case Op::Le:
      return "le";
    case Op::Gt:
      return "gt";
    case Op::Ge:
      return "ge";
    case Op::Eq:
      return "eq";
    case Op::Ne:
      return "ne";
    case Op::Min:
      return "min";
    case Op::Max:
      return "max";
    case Op::Clamp:
      return "clamp";
    case Op::Abs:
      return "abs";
    case Op::Round:
      return "round";
    case Op::Floor:
      return "floor";
    case Op::Ceil:
      return "ceil";
    case Op::JumpIfFalse:
      return "jump_if_false";
    case Op::JumpIfTrue:
      return "jump_if_true";
    case Op::Uniform:
      return "uniform";
    case Op::Normal:
      return "normal";
    case Op::Lognormal:
      return "lognormal";
    case Op::Exponential:
      return "exponential";
    case Op::Gamma:
      return "gamma";
    case Op::Weibull:
      return "weibull";
    case Op::Bernoulli:
      return "bernoulli";
    case Op::Discrete:
      return "discrete";
  }
  return "?";
}

const char* valueTypeName(ValueType type) {
  switch (type) {
    case ValueType::Number:
      return "number";
    case ValueType::Duration:
      return "duration";
    case ValueType::Money:
      return "money";
    case ValueType::Bool:
      return "bool";
    case ValueType::String:
      return "string";
    case ValueType::Persona:
      return "persona";
  }
  return "?";
}

int opPops(const Instr& instr) {
  switch (instr.op) {
    case Op::Const:
    case Op::Var:
    case Op::Attribute:
    case Op::Payload:
    case Op::Emotion:
    case Op::Cost:
    case Op::Time:
    case Op::TimeInStage:
    case Op::Persona:
    case Op::Visits:
    case Op::Received:
    case Op::ReceivedChannel:
    case Op::InStage:
    case Op::Value:
    case Op::Occurrences:
      return 0;
    case Op::Neg:
    case Op::Not:
    case Op::Abs:
    case Op::Round:
    case Op::Floor:
    case Op::Ceil:
    case Op::Exponential:
    case Op::Bernoulli:
      return 1;
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
    case Op::Eq:
    case Op::Ne:
    case Op::Min:
    case Op::Max:
    case Op::Uniform:
    case Op::Normal:
    case Op::Lognormal:
    case Op::Gamma:
    case Op::Weibull:
      return 2;
    case Op::Clamp:
      return 3;
    // Jumps pop their operand only when they fall through; the verifier handles them.
    case Op::JumpIfFalse:
    case Op::JumpIfTrue:
      return 1;
    case Op::Discrete:
      return 2 * instr.a;
  }
  return 0;
}

int opPushes(Op op) {
  switch (op) {
    case Op::JumpIfFalse:
    case Op::JumpIfTrue:
      return 0;
    default:
      return 1;
  }
}

}  // namespace journey::rt

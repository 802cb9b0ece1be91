// What an expression reads while it runs: one customer's state, laid out flat so that the
// interpreter and JIT-compiled code read the same fields (the JIT by their offsets).
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/machine.h"
#include "runtime/random.h"

namespace journey::rt {

struct EvalContext {
  const double* vars = nullptr;
  const double* attributes = nullptr;
  /// The payload of the event being handled (fields in declaration order); null outside.
  const double* payload = nullptr;
  const std::uint32_t* visits = nullptr;
  const std::uint32_t* received = nullptr;
  const std::uint32_t* receivedChannel = nullptr;
  const std::uint32_t* occurrences = nullptr;
  RandomStream* random = nullptr;
  double emotion = 0;
  double cost = 0;
  double now = 0;
  double stageEnteredAt = 0;
  /// The value earned so far, without the current stage's accrual: that is `valueRate` (per
  /// second) times the time in the stage.
  double value = 0;
  double valueRate = 0;
  std::int32_t persona = 0;
  std::int32_t stage = kNone;
  /// Set to 1 by the interpreter when an evaluation cannot go on (a division by zero, a
  /// distribution with invalid parameters, a NaN result); the customer then fails. Compiled
  /// expressions leave it alone (see CompiledExpr).
  std::int32_t failed = 0;
};

/// A compiled expression: what the JIT produces for each non-constant expression. It returns
/// NaN when the evaluation cannot go on, where the interpreter sets `failed`: the caller tests
/// the value in a register instead of a flag in memory after every call.
using CompiledExpr = double (*)(EvalContext*);

/// The reference evaluation of `expr`: a loop over its code.
double interpret(const Machine& machine, const Expr& expr, EvalContext& context);

}  // namespace journey::rt

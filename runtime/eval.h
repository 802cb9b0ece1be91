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
  RandomStream* random = nullptr;
  double emotion = 0;
  double cost = 0;
  double now = 0;
  double stageEnteredAt = 0;
  std::int32_t persona = 0;
  std::int32_t stage = kNone;
  /// Set to 1 by an evaluation that cannot go on (a division by zero, a distribution with
  /// invalid parameters); the result is then meaningless and the customer fails.
  std::int32_t failed = 0;

  // The rest is not read by expressions: the customer's state that a compiled stage entry
  // writes (the engine points it at its own buffers; it also counts through `received` and
  // `receivedChannel`), and the customer for the calls back.
  std::int32_t recording = 0;  // 1: the engine records actions
  double* channelCost = nullptr;
  std::uint32_t* ringCount = nullptr;
  double* ring = nullptr;
  double* effort = nullptr;
  std::uint8_t* changed = nullptr;
  void* customer = nullptr;
};

/// A compiled expression: what the JIT produces for each non-constant expression.
using CompiledExpr = double (*)(EvalContext*);

/// A compiled stage entry for one persona (semantics 4.8): the stage's touchpoint deliveries,
/// then, for an ordinary stage, its `after`, event clocks and `on after` timers, exactly as the
/// engine's generic code does them. Returns 0, or the id + 1 of an expression that failed (the
/// engine then stops the customer), or -1 when a call back stopped the customer.
using CompiledEntry = std::int32_t (*)(EvalContext*);

/// What a backend compiled: one function per expression (null for constant ones) and, when
/// given, one entry per (stage, persona), stage-major (null: the engine's generic code).
struct CompiledCode {
  const CompiledExpr* exprs = nullptr;
  const CompiledEntry* entries = nullptr;
};

/// The reference evaluation of `expr`: a loop over its code.
double interpret(const Machine& machine, const Expr& expr, EvalContext& context);

}  // namespace journey::rt

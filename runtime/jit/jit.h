// The JIT backend: every non-constant expression of a machine compiled by LLVM 14 (ORC) into a
// native function `double(EvalContext*)`, in one module, with the O2 pipeline for the host CPU.
//
//   auto compiled = rt::jit::JitBackend::compile(machine);
//   if (auto* error = std::get_if<std::string>(&compiled)) ... // LLVM's message; never an abort
//   auto& backend = std::get<std::unique_ptr<rt::jit::JitBackend>>(compiled);
//   rt::Program program(machine, backend->functions());
//
// The generated code computes exactly what `interpret` computes, bit for bit: the same IEEE
// operations in the same order (no fast-math, no FP contraction), the same select orders for
// min, max and clamp, and calls to the same samplers (runtime/samplers.h). This header does not
// include LLVM: only this library links it.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "runtime/eval.h"
#include "runtime/machine.h"

namespace journey::rt::jit {

struct JitOptions {
  /// Keep the optimized IR as text for `ir()` (`journey dump --stage=llvm`).
  bool keepIr = false;
  /// Run the O2 pipeline (off: the IR goes to code generation as built, for tests).
  bool optimize = true;
  /// Expressions with identical code share one function (off: one function per expression, to
  /// measure the worst case).
  bool shareEqualCode = true;
  /// Target triple to compile for; empty: the host, with its CPU and features. Anything else is
  /// for tests of the error path (code for another machine cannot run here).
  std::string triple;
};

class JitBackend {
 public:
  /// Compiles `machine`, which must have passed `verify`. On failure: LLVM's message.
  static std::variant<std::unique_ptr<JitBackend>, std::string> compile(
      const Machine& machine, const JitOptions& options = {});

  ~JitBackend();
  JitBackend(const JitBackend&) = delete;
  JitBackend& operator=(const JitBackend&) = delete;

  /// One entry per expression of the machine, null for constant ones: the table
  /// `rt::Program` takes. Valid while this backend lives.
  const CompiledExpr* functions() const { return functions_.data(); }
  /// Functions generated: one per distinct code sequence (equal expressions share one).
  std::size_t functionCount() const { return compiledCount_; }
  /// The optimized module as text (empty unless `JitOptions::keepIr`).
  const std::string& ir() const { return ir_; }
  /// Wall time of IR generation, optimization and code generation.
  double compileSeconds = 0;
  /// Of which the O2 pipeline, and code generation with the JIT's linking.
  double optimizeSeconds = 0;
  double codegenSeconds = 0;

 private:
  struct State;
  JitBackend();

  std::unique_ptr<State> state_;
  std::vector<CompiledExpr> functions_;
  std::size_t compiledCount_ = 0;
  std::string ir_;
};

}  // namespace journey::rt::jit

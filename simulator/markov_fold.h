// Folding a machine's expressions to constants for one persona, for the Markov analysis
// (markov.h): a value known before the run, or what it depends on that keeps it unknown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/machine.h"

namespace journey::sim::markov {

/// A value known before the run (for every customer of the persona), or why it is not.
struct Value {
  bool known = false;
  double v = 0;
  /// Unknown: what it depends on (`reads emotion`, `draws from lognormal`, ...) and the kind
  /// of obstacle that makes (`state`, `sampled-attribute`, `payload`, `random`, `invalid`).
  std::string why;
  std::string kind;

  static Value of(double v) { return Value{true, v, {}, {}}; }
  static Value unknown(std::string kind, std::string why) {
    return Value{false, 0, std::move(why), std::move(kind)};
  }
};

/// Folds the machine's expressions for one persona: constant attributes, the vars' initial
/// values (no rule can change them in a chain), the persona, the current stage and, in the
/// branches of an `on E`, the event's constant payload fields.
class Folder {
 public:
  Folder(const rt::Machine& m, rt::Index persona);

  /// The stage the customer is in while the expression is evaluated (kNone: at entry).
  void setStage(rt::Index stage) { stage_ = stage; }
  /// The event whose payload branches may read (kNone: none).
  void setEvent(rt::Index event);

  Value fold(rt::ExprId id) { return foldRange(id, 0, m_.exprs[id].size); }
  /// Folds the code of `id` from `from` to `to` (exclusive): a prefix leaves the operands of
  /// its last instruction on the stack; this returns the top.
  Value foldRange(rt::ExprId id, std::uint32_t from, std::uint32_t to);

 private:
  /// What an instruction that reads the customer, the persona or a constant pushes; empty for
  /// every other instruction.
  std::optional<Value> read(const rt::Instr& in) const;

  const rt::Machine& m_;
  rt::Index persona_;
  rt::Index stage_ = rt::kNone;
  std::vector<Value> attributes_, vars_, payload_;
};

}  // namespace journey::sim::markov

// Lowering: a checked journey to the runtime's machine. Params become constants (after
// `--set` overrides), constant subexpressions are folded, names become indices, persona
// overrides become per-persona tables. Runs only on a journey without errors.
#pragma once

#include <string>
#include <vector>

#include "compiler/sema/sema.h"
#include "compiler/source/source.h"
#include "runtime/machine.h"

namespace journey::lower {

/// A `--set name=value` already checked by `sema::checkOverride`.
struct ParamOverride {
  std::string name;
  /// The folded value, in the param's unit.
  double value = 0;
  /// For a `string` param: the text.
  std::string stringValue;
  /// As the user wrote it, for reports.
  std::string text;
};

struct LowerOptions {
  std::vector<ParamOverride> overrides;
};

rt::Machine lower(const sema::CheckedJourney& journey, const SourceManager& sources,
                  const LowerOptions& options = {});

}  // namespace journey::lower

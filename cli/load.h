// Loading a journey for the commands that run it (simulate, analyze, compare, sweep, build,
// dump): a spec compiled, checked and lowered with `--set` overrides, or a `.jm` machine file.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "compiler/driver/driver.h"
#include "runtime/machine.h"

namespace journey::cli {

struct LoadOptions {
  std::vector<std::string> overrides;
  ColorMode color = ColorMode::Auto;
  /// What the command does with the machine, for "fix them before it can {purpose}".
  std::string purpose = "run";
  /// Keep the compilation (for places of declarations, the report's map); left null for a `.jm`
  /// file.
  std::unique_ptr<Compilation>* compilation = nullptr;
};

/// A verified machine from a spec or from a `.jm` file. On failure the problems are on stderr
/// and `exitCode` says why (kExitUsage: unreadable file or `--set` on a `.jm` file;
/// kExitProblems: errors in the spec or a malformed machine).
std::optional<rt::Machine> loadMachine(const std::string& path, const LoadOptions& options,
                                       int& exitCode);

/// The compiler's output must be well-formed: false, with an internal error on stderr, when a
/// machine lowered from a spec fails `rt::verify` (a bug in the compiler).
bool compiledMachineIsWellFormed(const rt::Machine& machine);

/// The same with only overrides and colour.
inline std::optional<rt::Machine> loadMachine(const std::string& path,
                                              const std::vector<std::string>& overrides,
                                              ColorMode color, int& exitCode) {
  LoadOptions options;
  options.overrides = overrides;
  options.color = color;
  return loadMachine(path, options, exitCode);
}

}  // namespace journey::cli

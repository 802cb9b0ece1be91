// From a compiled spec to the runtime's machine, with `--set NAME=VALUE` overrides, and where
// `journey build` writes the machine's file form (`.jm`, runtime/file.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "runtime/machine.h"

namespace journey {

/// Checks each `NAME=VALUE` override against its param (the value is parsed and analysed as an
/// expression; problems are reported at a pseudo-file named `--set NAME=VALUE`), then lowers.
/// Returns nullopt when the compilation or an override has errors, with the diagnostics in
/// `compilation.diagnostics`.
std::optional<rt::Machine> buildMachine(Compilation& compilation,
                                        const std::vector<std::string>& overrides);

/// The `.jm` file beside a spec: `phone.journey` -> `phone.jm`; any other name gets `.jm`
/// appended.
std::string machineFilePath(const std::string& spec);

}  // namespace journey

// Helpers the subcommands share: colour, diagnostics on stderr, safe writes.
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "compiler/driver/driver.h"

namespace journey::cli {

/// Colour only for a terminal, and never when NO_COLOR is set or TERM is dumb.
bool useColor(ColorMode mode, FILE* stream);

void printDiagnostics(const Compilation& compilation, ColorMode color);

/// Replaces a regular file through a temporary file and a rename, so that a failure never
/// leaves the user's file half-written; writes into a device or a pipe (support::writeFile).
bool writeFileAtomically(const std::string& path, const std::string& text, std::string& error);

/// Seconds Graphviz's `dot` may take before it is stopped: JOURNEY_DOT_TIMEOUT, else 60.
std::chrono::milliseconds dotTimeout();

/// Graphviz's `dot`: JOURNEY_DOT when set, else the first `dot` on PATH; nullopt when neither
/// is an executable file.
std::optional<std::string> findDot();

}  // namespace journey::cli

// Running Graphviz's `dot` on a map: find it, feed it DOT, read what it draws, and never wait
// forever for it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace journey::map {

/// The path of an executable `program` in the directories of `path` (a PATH value, `:`
/// separated); nullopt when none has it. A `program` with a `/` is checked as it is.
std::optional<std::string> findProgram(std::string_view program, std::string_view path);

struct GraphvizResult {
  /// `dot` ran and exited with status 0.
  bool ok = false;
  /// What `dot` wrote on standard output (the SVG).
  std::string output;
  /// What went wrong, or `dot`'s own messages (warnings) when it succeeded.
  std::string error;
};

/// Runs `dotPath -T<format>` with `input` on its standard input. A `dot` still running after
/// `timeout` is killed and reported.
GraphvizResult runGraphviz(const std::string& dotPath, std::string_view format,
                           std::string_view input, std::chrono::milliseconds timeout);

}  // namespace journey::map

// `journey sweep FILE --set NAME=FROM..TO:STEP`: the values of a swept param, written in the
// language's literals (`10%..30%:5%`, `1d..7d:1d`, `20 USD..30 USD:2.5 USD`). The values are
// computed in decimal, so that `0.1..0.3:0.1` gives 0.1, 0.2 and 0.3 exactly, and each is
// passed on as the text of a `--set NAME=VALUE` override, which the compiler checks and folds.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace journey::sim {

inline constexpr std::size_t kMaxSweepPoints = 1000;

struct SweepRange {
  std::string name;
  /// The values as override texts (`10%`, `15%`, ...), FROM first.
  std::vector<std::string> values;
  /// Set when TO is not on the grid: the last value falls short of it.
  std::string note;
};

/// Whether a `--set` argument is a range (`NAME=FROM..TO:STEP`) rather than a value.
bool isSweepRange(const std::string& argument);

/// Parses `NAME=FROM..TO:STEP`; nullopt with `error` (naming the argument) when malformed:
/// no step, a zero step, a step away from TO, different units, or more than kMaxSweepPoints.
std::optional<SweepRange> parseSweepRange(const std::string& argument, std::string& error);

}  // namespace journey::sim

// The language's duration units, and the spellings people try for them: one table for the
// lexer's literals (`2d`), the parser's hint for `30 days` and sema's hint for `per day`.
#pragma once

#include <string_view>

namespace journey::ast {

struct DurationUnit {
  /// What follows the number in a literal: `d` in `2d`.
  std::string_view suffix;
  double seconds;
  /// How much one of it is, in words, for help such as "write `1mo` for one month (30 days)".
  std::string_view one;
};

inline constexpr DurationUnit kDurationUnits[] = {
    {"s", 1, "one second"},
    {"m", 60, "one minute"},
    {"h", 3600, "one hour"},
    {"d", 86400, "one day"},
    {"w", 7 * 86400, "one week"},
    {"mo", 30 * 86400, "one month (30 days)"},
    {"y", 365 * 86400, "one year (365 days)"},
};

/// A spelling people try for a unit, and our suffix for it: `days` is `d`.
struct UnitSpelling {
  std::string_view spelling;
  std::string_view suffix;
};

inline constexpr UnitSpelling kUnitSpellings[] = {
    {"sec", "s"},     {"secs", "s"},   {"second", "s"},  {"seconds", "s"}, {"min", "m"},
    {"mins", "m"},    {"minute", "m"}, {"minutes", "m"}, {"hr", "h"},      {"hrs", "h"},
    {"hour", "h"},    {"hours", "h"},  {"day", "d"},     {"days", "d"},    {"wk", "w"},
    {"wks", "w"},     {"week", "w"},   {"weeks", "w"},   {"mon", "mo"},    {"month", "mo"},
    {"months", "mo"}, {"M", "mo"},     {"yr", "y"},      {"yrs", "y"},     {"year", "y"},
    {"years", "y"},   {"D", "d"},      {"H", "h"},       {"W", "w"},       {"Y", "y"},
};

/// The unit with this suffix (`d`), or null.
constexpr const DurationUnit* findDurationUnit(std::string_view suffix) {
  for (const auto& unit : kDurationUnits) {
    if (unit.suffix == suffix) return &unit;
  }
  return nullptr;
}

/// The unit a word stands for, or null: its suffix (`d`) or a spelling people try (`days`, `hr`).
constexpr const DurationUnit* unitForWord(std::string_view word) {
  if (const DurationUnit* unit = findDurationUnit(word)) return unit;
  for (const auto& known : kUnitSpellings) {
    if (known.spelling == word) return findDurationUnit(known.suffix);
  }
  return nullptr;
}

}  // namespace journey::ast

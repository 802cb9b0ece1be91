// Text helpers shared by the map's renderers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/map/map.h"

namespace journey::map::detail {

/// Splits `text` at spaces into lines of at most about `width` characters (a longer word
/// stays whole). Always returns at least one line.
std::vector<std::string> wrap(std::string_view text, std::size_t width);

/// What a stage is, in the words of the language: "stage", "milestone", "goal" or "exit".
std::string_view kindWord(const Stage& stage);

/// The marker before a milestone's label: a flag.
inline constexpr std::string_view kMilestoneMark = "\u2691";

/// An emotion as the map shows it: "+1", "−2" (a real minus sign), "0".
std::string signedNumber(double value);

/// The emotion mark of a stage: "☺ +2", "☹ −1", "• 0"; empty without any emotion.
std::string emotionMark(const std::optional<double>& emotion);

/// "⚠ dead-end: customers can enter Support and never leave it".
std::string findingText(const Finding& finding);

/// The edge's text: the persona scope ("for Enterprise") and the trigger, each on its own
/// line when present, then the edge's lines.
std::vector<std::string> edgeLines(const Edge& edge);

}  // namespace journey::map::detail

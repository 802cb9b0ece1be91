#include "compiler/map/text.h"

#include <fmt/format.h>

#include <cmath>

namespace journey::map::detail {

std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    if (!word.empty()) {
      if (!line.empty()) line += ' ';
      line += word;
    }
    start = end + 1;
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

std::string_view kindWord(const Stage& stage) {
  if (stage.kind == ast::StageKind::Goal) return "goal";
  if (stage.kind == ast::StageKind::Exit) return "exit";
  return stage.milestone ? "milestone" : "stage";
}

std::string signedNumber(double value) {
  std::string text = fmt::format("{:.1f}", std::fabs(value));
  if (text.size() > 2 && text.substr(text.size() - 2) == ".0") text.resize(text.size() - 2);
  if (text == "0") return "0";
  return (value < 0 ? "\u2212" : "+") + text;
}

std::string emotionMark(const std::optional<double>& emotion) {
  if (!emotion) return "";
  if (*emotion > 0) return "\u263A " + signedNumber(*emotion);
  if (*emotion < 0) return "\u2639 " + signedNumber(*emotion);
  return "\u2022 0";
}

std::string findingText(const Finding& finding) {
  return fmt::format("{} {}: {}", finding.severity == Severity::Error ? "\u2716" : "\u26A0",
                     finding.code, finding.message);
}

std::vector<std::string> edgeLines(const Edge& edge) {
  std::vector<std::string> lines;
  if (!edge.personas.empty()) lines.push_back("for " + edge.personas);
  if (!edge.trigger.empty()) lines.push_back(edge.trigger);
  for (const auto& line : edge.lines)
    lines.push_back(line);
  return lines;
}

}  // namespace journey::map::detail

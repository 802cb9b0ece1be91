#include "compiler/diagnostics/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace journey {
namespace {

struct Style {
  bool enabled;
  std::string wrap(std::string_view text, std::string_view code) const {
    if (!enabled) return std::string(text);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
  }
  std::string bold(std::string_view text) const { return wrap(text, "1"); }
  std::string severity(Severity severity) const {
    switch (severity) {
      case Severity::Error:
        return wrap("error", "1;31");
      case Severity::Warning:
        return wrap("warning", "1;35");
      case Severity::Note:
        return wrap("note", "1;36");
    }
    return "error";
  }
  std::string marker(std::string_view text) const { return wrap(text, "1;32"); }
  std::string gutter(std::string_view text) const { return wrap(text, "34"); }
};

// Tabs become spaces so that the underline lines up with the text above it, and bytes that
// are not UTF-8 (the subject of an `invalid-utf8` error) become U+FFFD, so that the output
// itself is always valid UTF-8.
std::string printableLine(std::string_view text) {
  std::string result;
  while (!text.empty()) {
    std::size_t bad = findInvalidUtf8(text);
    std::string_view good = text.substr(0, bad);
    for (char c : good) {
      if (c == '\t') {
        result += "    ";
      } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        // Control characters (a NUL in a binary file) would corrupt the terminal.
        result += "\xEF\xBF\xBD";
      } else {
        result += c;
      }
    }
    if (bad == std::string_view::npos) break;
    result += "\xEF\xBF\xBD";
    text.remove_prefix(bad + 1);
  }
  return result;
}

std::size_t displayWidth(std::string_view text) {
  std::size_t width = 0;
  for (char c : text) {
    if (c == '\t') {
      width += 4;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++width;
    }
  }
  return width;
}

// Lines longer than this are shown as a window around the range, so that a generated or
// minified file does not flood the terminal.
constexpr std::size_t kMaxExcerptWidth = 120;
constexpr std::size_t kContextBefore = 40;

// Moves `offset` back to the start of the UTF-8 sequence it points into.
std::size_t codePointStart(std::string_view text, std::size_t offset) {
  while (offset > 0 && offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80) {
    --offset;
  }
  return offset;
}

void renderExcerpt(std::ostream& out, const SourceFile& file, SourceRange range, const Style& style) {
  LineColumn start = file.lineColumn(range.begin);
  std::string_view line = file.lineText(start.line);
  std::uint32_t lineStart = file.lineStart(start.line);
  std::size_t column = std::min<std::size_t>(range.begin - lineStart, line.size());
  // A range that spans lines is underlined to the end of its first line.
  std::size_t endColumn =
      std::min<std::size_t>(range.end > lineStart ? range.end - lineStart : column, line.size());
  endColumn = std::max(endColumn, column);
  std::string prefix;
  std::string suffix;
  if (displayWidth(line) > kMaxExcerptWidth) {
    std::size_t windowStart = column > kContextBefore ? codePointStart(line, column - kContextBefore) : 0;
    std::size_t windowEnd = codePointStart(line, std::min(line.size(), windowStart + kMaxExcerptWidth));
    if (windowEnd <= column) windowEnd = line.size();
    if (windowStart > 0) prefix = "...";
    if (windowEnd < line.size()) suffix = "...";
    endColumn = std::min(endColumn, windowEnd);
    column -= windowStart;
    endColumn -= windowStart;
    line = line.substr(windowStart, windowEnd - windowStart);
  }
  std::string number = std::to_string(start.line);
  std::string pad(number.size(), ' ');
  std::size_t before = prefix.size() + displayWidth(line.substr(0, column));
  std::size_t width = endColumn > column ? displayWidth(line.substr(column, endColumn - column)) : 1;
  out << style.gutter(fmt::format(" {} |", number)) << ' ' << prefix << printableLine(line) << suffix
      << '\n';
  std::string underline = "^" + std::string(width > 0 ? width - 1 : 0, '~');
  out << style.gutter(fmt::format(" {} |", pad)) << ' ' << std::string(before, ' ')
      << style.marker(underline) << '\n';
}

std::string locationText(const SourceManager& sources, SourceRange range) {
  if (!range.valid()) return "journey";
  const SourceFile& file = sources.file(range.file);
  LineColumn position = file.lineColumn(range.begin);
  return fmt::format("{}:{}:{}", file.path(), position.line, position.column);
}

}  // namespace

void renderDiagnosticText(std::ostream& out, const SourceManager& sources,
                          const Diagnostic& diagnostic, TextRenderOptions options) {
  Style style{options.color};
  out << style.bold(locationText(sources, diagnostic.range) + ":") << ' '
      << style.severity(diagnostic.severity) << ": " << style.bold(diagnostic.message) << " ["
      << diagnostic.code() << "]\n";
  if (diagnostic.range.valid()) {
    renderExcerpt(out, sources.file(diagnostic.range.file), diagnostic.range, style);
  }
  for (const auto& note : diagnostic.notes) out << "  = note: " << note << '\n';
  if (!diagnostic.help.empty()) out << "  = help: " << diagnostic.help << '\n';
  for (const auto& label : diagnostic.labels) {
    out << style.bold(locationText(sources, label.range) + ":") << ' '
        << style.severity(Severity::Note) << ": " << label.message << '\n';
    if (label.range.valid()) renderExcerpt(out, sources.file(label.range.file), label.range, style);
  }
}

void renderText(std::ostream& out, const SourceManager& sources, const DiagnosticSink& sink,
                TextRenderOptions options) {
  for (const Diagnostic* diagnostic : sink.sorted()) {
    renderDiagnosticText(out, sources, *diagnostic, options);
  }
}

std::string summaryLine(const DiagnosticSink& sink) {
  auto plural = [](std::size_t count, std::string_view word) {
    return fmt::format("{} {}{}", count, word, count == 1 ? "" : "s");
  };
  if (sink.errorCount() == 0 && sink.warningCount() == 0) return {};
  if (sink.warningCount() == 0) return plural(sink.errorCount(), "error");
  if (sink.errorCount() == 0) return plural(sink.warningCount(), "warning");
  return plural(sink.errorCount(), "error") + ", " + plural(sink.warningCount(), "warning");
}

namespace {

nlohmann::json rangeJson(const SourceManager& sources, SourceRange range) {
  if (!range.valid()) return nullptr;
  const SourceFile& file = sources.file(range.file);
  LineColumn start = file.lineColumn(range.begin);
  LineColumn end = file.lineColumn(range.end);
  return {{"file", file.path()},       {"line", start.line},   {"column", start.column},
          {"endLine", end.line},       {"endColumn", end.column}, {"offset", range.begin},
          {"length", range.end - range.begin}};
}

}  // namespace

void renderJson(std::ostream& out, const std::vector<DiagnosticSet>& sets) {
  nlohmann::json diagnostics = nlohmann::json::array();
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const auto& set : sets) {
  const SourceManager& sources = *set.sources;
  errors += set.sink->errorCount();
  warnings += set.sink->warningCount();
  for (const Diagnostic* diagnostic : set.sink->sorted()) {
    nlohmann::json labels = nlohmann::json::array();
    for (const auto& label : diagnostic->labels) {
      labels.push_back({{"location", rangeJson(sources, label.range)}, {"message", label.message}});
    }
    nlohmann::json entry = {{"code", diagnostic->code()},
                            {"severity", severityName(diagnostic->severity)},
                            {"message", diagnostic->message},
                            {"location", rangeJson(sources, diagnostic->range)},
                            {"labels", labels},
                            {"notes", diagnostic->notes}};
    if (!diagnostic->help.empty()) entry["help"] = diagnostic->help;
    if (diagnostic->fix) {
      entry["fix"] = {{"location", rangeJson(sources, diagnostic->fix->range)},
                      {"replacement", diagnostic->fix->replacement}};
    }
    diagnostics.push_back(std::move(entry));
  }
  }
  nlohmann::json document = {
      {"version", 1}, {"diagnostics", diagnostics}, {"errors", errors}, {"warnings", warnings}};
  out << document.dump(2) << '\n';
}

}  // namespace journey

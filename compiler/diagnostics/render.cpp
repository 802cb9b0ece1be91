#include "compiler/diagnostics/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "compiler/diagnostics/suppress.h"

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
  while (offset > 0 && offset < text.size() &&
         (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80) {
    --offset;
  }
  return offset;
}

void renderExcerpt(std::ostream& out, const SourceFile& file, SourceRange range,
                   const Style& style) {
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
    std::size_t windowStart =
        column > kContextBefore ? codePointStart(line, column - kContextBefore) : 0;
    std::size_t windowEnd =
        codePointStart(line, std::min(line.size(), windowStart + kMaxExcerptWidth));
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
  std::size_t width =
      endColumn > column ? displayWidth(line.substr(column, endColumn - column)) : 1;
  out << style.gutter(fmt::format(" {} |", number)) << ' ' << prefix << printableLine(line)
      << suffix << '\n';
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
  for (const auto& note : diagnostic.notes)
    out << "  = note: " << note << '\n';
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
  return {{"file", file.path()},
          {"line", start.line},
          {"column", start.column},
          {"endLine", end.line},
          {"endColumn", end.column},
          {"offset", range.begin},
          {"length", range.end - range.begin}};
}

}  // namespace

void renderJson(std::ostream& out, const std::vector<DiagnosticSet>& sets) {
  nlohmann::json diagnostics = nlohmann::json::array();
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const auto& set : sets) {
    const SourceManager& sources = *set.sources;
    // By each diagnostic's own severity: `--deny warnings` raises warnings to errors.
    DiagnosticCounts counts = countDiagnostics(*set.sink);
    errors += counts.errors;
    warnings += counts.warnings;
    for (const Diagnostic* diagnostic : set.sink->sorted()) {
      nlohmann::json labels = nlohmann::json::array();
      for (const auto& label : diagnostic->labels) {
        labels.push_back(
            {{"location", rangeJson(sources, label.range)}, {"message", label.message}});
      }
      nlohmann::json entry = {{"code", diagnostic->code()},
                              {"severity", severityName(diagnostic->severity)},
                              {"message", diagnostic->message},
                              {"location", rangeJson(sources, diagnostic->range)},
                              {"labels", labels},
                              {"notes", diagnostic->notes}};
      if (!diagnostic->help.empty()) entry["help"] = diagnostic->help;
      auto fixJson = [&](const Fix& fix) {
        return nlohmann::json{{"location", rangeJson(sources, fix.range)},
                              {"replacement", fix.replacement}};
      };
      if (diagnostic->fix) entry["fix"] = fixJson(*diagnostic->fix);
      if (!diagnostic->otherFixes.empty()) {
        entry["otherFixes"] = nlohmann::json::array();
        for (const Fix& fix : diagnostic->otherFixes)
          entry["otherFixes"].push_back(fixJson(fix));
      }
      diagnostics.push_back(std::move(entry));
    }
  }
  nlohmann::json document = {
      {"version", 1}, {"diagnostics", diagnostics}, {"errors", errors}, {"warnings", warnings}};
  out << document.dump(2) << '\n';
}

namespace {

namespace fs = std::filesystem;

// Where a file is, for CI: relative to the base directory with forward slashes when it is
// inside it, absolute otherwise.
struct ArtifactPath {
  std::string path;
  bool relative = false;
};

ArtifactPath artifactPath(std::string_view path, const fs::path& base) {
  fs::path given(path);
  if (base.empty()) return {given.lexically_normal().generic_string(), given.is_relative()};
  fs::path absolute = (given.is_absolute() ? given : base / given).lexically_normal();
  fs::path relative = absolute.lexically_relative(base.lexically_normal());
  if (!relative.empty() && *relative.begin() != "..") return {relative.generic_string(), true};
  return {absolute.generic_string(), false};
}

// Percent-encodes everything but unreserved characters and `/` (RFC 3986), byte by byte,
// so that spaces and non-ASCII names make valid URIs.
std::string percentEncode(std::string_view text) {
  std::string result;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
        (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      result += c;
    } else {
      result += fmt::format("%{:02X}", byte);
    }
  }
  return result;
}

using OrderedJson = nlohmann::ordered_json;

constexpr std::string_view kSourceRoot = "%SRCROOT%";

std::string_view sarifLevel(Severity severity) {
  switch (severity) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "note";
  }
  return "error";
}

const std::vector<std::string_view>& kindNames() {
  static const std::vector<std::string_view> names = {
#define JOURNEY_DIAGNOSTIC(name, code, severity, summary) #name,
#include "compiler/diagnostics/kinds.def"
#undef JOURNEY_DIAGNOSTIC
  };
  return names;
}

OrderedJson artifactLocation(std::string_view path, const fs::path& base) {
  ArtifactPath artifact = artifactPath(path, base);
  if (artifact.relative) {
    return {{"uri", percentEncode(artifact.path)}, {"uriBaseId", kSourceRoot}};
  }
  return {{"uri", "file://" + percentEncode(artifact.path)}};
}

OrderedJson sarifRegion(const SourceFile& file, SourceRange range) {
  LineColumn start = file.lineColumn(range.begin);
  LineColumn end = file.lineColumn(range.end);
  // SARIF's endColumn is the column after the region, as is ours.
  return {{"startLine", start.line},
          {"startColumn", start.column},
          {"endLine", end.line},
          {"endColumn", end.column}};
}

OrderedJson physicalLocation(const SourceManager& sources, SourceRange range,
                             const fs::path& base) {
  const SourceFile& file = sources.file(range.file);
  return {{"artifactLocation", artifactLocation(file.path(), base)},
          {"region", sarifRegion(file, range)}};
}

// The message, then what the text output shows under it: notes and help.
std::string fullMessage(const Diagnostic& diagnostic) {
  std::string text = diagnostic.message;
  for (const auto& note : diagnostic.notes)
    text += "\nnote: " + note;
  if (!diagnostic.help.empty()) text += "\nhelp: " + diagnostic.help;
  return text;
}

}  // namespace

void renderSarif(std::ostream& out, const std::vector<DiagnosticSet>& sets,
                 const SarifOptions& options) {
  const fs::path& base = options.baseDirectory;
  OrderedJson rules = OrderedJson::array();
  for (const auto& info : allDiagnosticKinds()) {
    rules.push_back({{"id", info.code},
                     {"name", kindNames()[static_cast<std::size_t>(info.kind)]},
                     {"shortDescription", {{"text", info.summary}}},
                     {"defaultConfiguration", {{"level", sarifLevel(info.severity)}}}});
  }
  OrderedJson results = OrderedJson::array();
  for (const auto& set : sets) {
    const SourceManager& sources = *set.sources;
    for (const Diagnostic* diagnostic : set.sink->sorted()) {
      OrderedJson result = {{"ruleId", diagnostic->code()},
                            {"ruleIndex", static_cast<std::size_t>(diagnostic->kind)},
                            {"level", sarifLevel(diagnostic->severity)},
                            {"message", {{"text", fullMessage(*diagnostic)}}}};
      if (diagnostic->range.valid()) {
        result["locations"] = {
            {{"physicalLocation", physicalLocation(sources, diagnostic->range, base)}}};
      } else if (!set.inputPath.empty()) {
        // A file that cannot be read: the result points at the file as given, line 1, since
        // code scanning needs a line.
        result["locations"] = {{{"physicalLocation",
                                 {{"artifactLocation", artifactLocation(set.inputPath, base)},
                                  {"region", {{"startLine", 1}}}}}}};
      }
      OrderedJson related = OrderedJson::array();
      int id = 1;
      for (const auto& label : diagnostic->labels) {
        OrderedJson location = {{"id", id++}};
        if (label.range.valid())
          location["physicalLocation"] = physicalLocation(sources, label.range, base);
        location["message"] = {{"text", label.message}};
        related.push_back(std::move(location));
      }
      if (!related.empty()) result["relatedLocations"] = std::move(related);
      if (diagnostic->fix && diagnostic->fix->range.valid()) {
        const Fix& fix = *diagnostic->fix;
        const SourceFile& file = sources.file(fix.range.file);
        std::string description = diagnostic->help.empty()
                                      ? fmt::format("replace with `{}`", fix.replacement)
                                      : diagnostic->help;
        result["fixes"] = {{{"description", {{"text", description}}},
                            {"artifactChanges",
                             {{{"artifactLocation", artifactLocation(file.path(), base)},
                               {"replacements",
                                {{{"deletedRegion", sarifRegion(file, fix.range)},
                                  {"insertedContent", {{"text", fix.replacement}}}}}}}}}}};
      }
      results.push_back(std::move(result));
    }
  }
  OrderedJson driver = {{"name", "journey"}};
  if (!options.toolVersion.empty()) {
    driver["version"] = options.toolVersion;
    driver["semanticVersion"] = options.toolVersion;
  }
  if (!options.informationUri.empty()) driver["informationUri"] = options.informationUri;
  driver["rules"] = std::move(rules);
  OrderedJson run = {{"tool", {{"driver", std::move(driver)}}}};
  if (!base.empty() && base.is_absolute()) {
    std::string root = percentEncode(base.lexically_normal().generic_string());
    if (root.empty() || root.back() != '/') root += '/';
    run["originalUriBaseIds"] = {{kSourceRoot, {{"uri", "file://" + root}}}};
  }
  run["columnKind"] = "unicodeCodePoints";
  run["results"] = std::move(results);
  OrderedJson log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                     {"version", "2.1.0"},
                     {"runs", OrderedJson::array({std::move(run)})}};
  // Messages quote the user's text, which may not be UTF-8 (an `invalid-utf8` error): replace
  // what is not, instead of throwing.
  out << log.dump(2, ' ', false, OrderedJson::error_handler_t::replace) << '\n';
}

namespace {

// GitHub's workflow-command escaping: the message escapes `%`, CR and LF; property values
// also `:` and `,`.
std::string escapeData(std::string_view text) {
  std::string result;
  for (char c : text) {
    switch (c) {
      case '%':
        result += "%25";
        break;
      case '\r':
        result += "%0D";
        break;
      case '\n':
        result += "%0A";
        break;
      default:
        result += c;
    }
  }
  return result;
}

std::string escapeProperty(std::string_view text) {
  std::string result;
  for (char c : escapeData(text)) {
    if (c == ':') {
      result += "%3A";
    } else if (c == ',') {
      result += "%2C";
    } else {
      result += c;
    }
  }
  return result;
}

std::string_view githubCommand(Severity severity) {
  switch (severity) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "notice";
  }
  return "error";
}

}  // namespace

void renderGithub(std::ostream& out, const std::vector<DiagnosticSet>& sets,
                  const fs::path& baseDirectory) {
  for (const auto& set : sets) {
    const SourceManager& sources = *set.sources;
    for (const Diagnostic* diagnostic : set.sink->sorted()) {
      std::vector<std::string> properties;
      if (diagnostic->range.valid()) {
        const SourceFile& file = sources.file(diagnostic->range.file);
        LineColumn start = file.lineColumn(diagnostic->range.begin);
        LineColumn end = file.lineColumn(diagnostic->range.end);
        properties.push_back("file=" +
                             escapeProperty(artifactPath(file.path(), baseDirectory).path));
        properties.push_back(fmt::format("line={}", start.line));
        properties.push_back(fmt::format("col={}", start.column));
        // GitHub's end line and column are the last character's, and an end column only
        // goes with a range on one line.
        std::uint32_t endLine = end.line;
        if (end.line > start.line && end.column == 1) --endLine;
        properties.push_back(fmt::format("endLine={}", endLine));
        if (end.line == start.line) {
          properties.push_back(fmt::format("endColumn={}", std::max(start.column, end.column - 1)));
        }
      } else if (!set.inputPath.empty()) {
        properties.push_back("file=" +
                             escapeProperty(artifactPath(set.inputPath, baseDirectory).path));
      }
      properties.push_back("title=" + escapeProperty(diagnostic->code()));
      std::string message = diagnostic->message;
      for (const auto& note : diagnostic->notes)
        message += "\nnote: " + note;
      for (const auto& label : diagnostic->labels) {
        std::string where;
        if (label.range.valid()) {
          const SourceFile& file = sources.file(label.range.file);
          LineColumn position = file.lineColumn(label.range.begin);
          where = fmt::format("{}:{}:{}: ", artifactPath(file.path(), baseDirectory).path,
                              position.line, position.column);
        }
        message += "\n" + where + "note: " + label.message;
      }
      if (!diagnostic->help.empty()) message += "\nhelp: " + diagnostic->help;
      out << "::" << githubCommand(diagnostic->severity) << ' ';
      for (std::size_t i = 0; i < properties.size(); ++i)
        out << (i > 0 ? "," : "") << properties[i];
      out << "::" << escapeData(message) << '\n';
    }
  }
}

}  // namespace journey

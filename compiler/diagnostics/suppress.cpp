#include "compiler/diagnostics/suppress.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace journey {
namespace {

// Errors that may still be silenced with a reason: findings of the journey checks, which
// over-approximate what customers can do (conditions are not evaluated), so that a team can
// knowingly accept one. Errors of reading, parsing and analysis never belong here.
const std::vector<DiagnosticKind>& suppressibleErrors() {
  static const std::vector<DiagnosticKind> kinds = {
      DiagnosticKind::DeadEnd,       DiagnosticKind::Trap,     DiagnosticKind::GoalUnreachable,
      DiagnosticKind::ZeroTimeCycle, DiagnosticKind::SplitGap, DiagnosticKind::ConflictingRules,
  };
  return kinds;
}

constexpr std::string_view kDirective = "journey-allow";

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}
bool isCodeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && isSpace(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back()))
    text.remove_suffix(1);
  return text;
}

// Copies a diagnostic into `sink`, counted under its kind like the original.
Diagnostic& copyInto(DiagnosticSink& sink, const Diagnostic& diagnostic) {
  Diagnostic& copy = sink.report(diagnostic.kind, diagnostic.range, diagnostic.message);
  copy = diagnostic;
  return copy;
}

struct DirectiveCode {
  DiagnosticKind kind;
  SourceRange range;
  bool used = false;
};

struct Directive {
  FileId file;
  /// The line whose findings it silences.
  std::uint32_t targetLine;
  std::vector<DirectiveCode> codes;
};

class DirectiveReader {
 public:
  DirectiveReader(const SourceManager& sources, DiagnosticSink& problems)
      : sources_(sources), problems_(problems) {}

  // Reads one comment; returns a directive when it is a valid one.
  std::optional<Directive> read(const SourceComment& comment) {
    text_ = comment.text;
    comment_ = comment.range;
    // Offsets into the text are offsets into the file when the text is the file's bytes.
    exact_ = comment.range.valid() && comment.range.end - comment.range.begin == text_.size();
    if (text_.find(kDirective) == std::string_view::npos) return std::nullopt;
    if (text_.starts_with("/*")) {
      if (!startsDirective(2, true)) return std::nullopt;
      bad(comment_, "a `journey-allow` directive in a block comment is not read",
          "write it as a line comment: `// journey-allow: CODE reason`");
      return std::nullopt;
    }
    if (!text_.starts_with("//")) return std::nullopt;
    if (text_.starts_with("///")) {
      if (!startsDirective(3, false)) return std::nullopt;
      bad(comment_, "a `journey-allow` directive in a `///` doc comment is not read",
          "write it with two slashes: `// journey-allow: CODE reason`");
      return std::nullopt;
    }
    std::size_t at = skipSpaces(2);
    if (!startsDirective(2, false)) return std::nullopt;
    at += kDirective.size();
    if (at >= text_.size() || text_[at] != ':') {
      bad(comment_, "`journey-allow` without a `:` after it",
          "write `// journey-allow: CODE reason`");
      return std::nullopt;
    }
    at = skipSpaces(at + 1);

    Directive directive{comment.range.file, 0, {}};
    bool valid = true;
    while (true) {
      std::size_t begin = at;
      while (at < text_.size() && isCodeChar(text_[at]))
        ++at;
      std::string_view code = text_.substr(begin, at - begin);
      if (code.empty()) {
        bad(comment_, "`journey-allow` names no code",
            "write `// journey-allow: CODE reason`; `journey check --list-codes` lists the codes");
        return std::nullopt;
      }
      SourceRange range = part(begin, at);
      if (auto kind = checkCode(code, range)) {
        directive.codes.push_back({*kind, range});
      } else {
        valid = false;
      }
      std::size_t next = skipSpaces(at);
      if (next < text_.size() && text_[next] == ',') {
        at = skipSpaces(next + 1);
        continue;
      }
      at = next;
      break;
    }
    if (trimmed(text_.substr(at)).empty()) {
      bad(comment_, "`journey-allow` without a reason",
          "say why the finding is acceptable after the code, e.g. "
          "`// journey-allow: no-goal this journey only measures churn`");
      return std::nullopt;
    }
    if (!valid) return std::nullopt;
    directive.targetLine = targetLine(comment.range);
    return directive;
  }

 private:
  std::size_t skipSpaces(std::size_t at) const {
    while (at < text_.size() && isSpace(text_[at]))
      ++at;
    return at;
  }

  // Whether the text after the comment marker starts with the directive word on its own
  // (`journey-allowed` is some other comment).
  bool startsDirective(std::size_t marker, bool block) const {
    std::size_t at = skipSpaces(marker);
    if (block) {
      while (at < text_.size() && (text_[at] == '*' || isSpace(text_[at]) || text_[at] == '\n'))
        ++at;
    }
    if (text_.substr(at, kDirective.size()) != kDirective) return false;
    std::size_t after = at + kDirective.size();
    return after >= text_.size() || !isCodeChar(text_[after]);
  }

  SourceRange part(std::size_t begin, std::size_t end) const {
    if (!exact_) return comment_;
    return SourceRange{comment_.file, comment_.begin + static_cast<std::uint32_t>(begin),
                       comment_.begin + static_cast<std::uint32_t>(end)};
  }

  std::optional<DiagnosticKind> checkCode(std::string_view code, SourceRange range) {
    auto kind = diagnosticKindFromCode(code);
    if (!kind) {
      std::vector<std::string_view> codes;
      for (const auto& info : allDiagnosticKinds())
        codes.push_back(info.code);
      auto suggestion = closestName(code, codes);
      bad(range, fmt::format("`journey-allow` names `{}`, which is not a diagnostic code", code),
          suggestion ? fmt::format("did you mean `{}`?", *suggestion)
                     : "`journey check --list-codes` lists the codes");
      return std::nullopt;
    }
    if (*kind == DiagnosticKind::BadSuppression || *kind == DiagnosticKind::UnusedSuppression) {
      bad(range, fmt::format("`{}` cannot be silenced by a comment", code),
          fmt::format("fix or remove the directive it is about, or pass `--allow {}`", code));
      return std::nullopt;
    }
    if (!canSuppress(*kind)) {
      bad(range, fmt::format("`{}` is an error of the language and cannot be silenced", code),
          "fix the error instead: only warnings and findings of the journey checks can be "
          "silenced");
      return std::nullopt;
    }
    return kind;
  }

  // A comment after code covers its own line; a comment alone on its line covers the next
  // line that is not only a comment, so that directives can be stacked above one line.
  std::uint32_t targetLine(SourceRange range) const {
    const SourceFile& file = sources_.file(range.file);
    std::uint32_t line = file.lineColumn(range.begin).line;
    std::string_view before = file.lineText(line).substr(0, range.begin - file.lineStart(line));
    if (!trimmed(before).empty()) return line;
    std::uint32_t target = line + 1;
    while (target <= file.lineCount() && trimmed(file.lineText(target)).starts_with("//"))
      ++target;
    return target;
  }

  void bad(SourceRange range, std::string message, std::string help) {
    problems_.report(DiagnosticKind::BadSuppression, range, std::move(message)).help =
        std::move(help);
  }

  const SourceManager& sources_;
  DiagnosticSink& problems_;
  std::string_view text_;
  SourceRange comment_;
  bool exact_ = false;
};

}  // namespace

bool canSuppress(DiagnosticKind kind) {
  if (diagnosticInfo(kind).severity == Severity::Warning) return true;
  const auto& errors = suppressibleErrors();
  return std::find(errors.begin(), errors.end(), kind) != errors.end();
}

void applySuppressions(const SourceManager& sources, const std::vector<SourceComment>& comments,
                       DiagnosticSink& sink) {
  DiagnosticSink problems;
  DirectiveReader reader(sources, problems);
  std::vector<Directive> directives;
  for (const auto& comment : comments) {
    if (!comment.range.valid()) continue;
    if (auto directive = reader.read(comment)) directives.push_back(std::move(*directive));
  }
  if (directives.empty() && problems.empty()) return;

  std::map<std::pair<FileId, std::uint32_t>, std::vector<std::size_t>> byLine;
  for (std::size_t i = 0; i < directives.size(); ++i) {
    byLine[{directives[i].file, directives[i].targetLine}].push_back(i);
  }
  DiagnosticSink kept;
  bool analysisStopped = false;
  for (const Diagnostic* diagnostic : sink.sorted()) {
    if (diagnostic->severity == Severity::Error && !canSuppress(diagnostic->kind))
      analysisStopped = true;
    bool silenced = false;
    if (diagnostic->range.valid() && canSuppress(diagnostic->kind)) {
      std::uint32_t line =
          sources.file(diagnostic->range.file).lineColumn(diagnostic->range.begin).line;
      auto found = byLine.find({diagnostic->range.file, line});
      if (found != byLine.end()) {
        for (std::size_t index : found->second) {
          for (auto& code : directives[index].codes) {
            if (code.kind != diagnostic->kind) continue;
            code.used = true;
            silenced = true;
          }
        }
      }
    }
    if (!silenced) copyInto(kept, *diagnostic);
  }
  for (const Diagnostic* problem : problems.sorted())
    copyInto(kept, *problem);
  if (!analysisStopped) {
    for (const auto& directive : directives) {
      for (const auto& code : directive.codes) {
        if (code.used) continue;
        std::string_view name = diagnosticInfo(code.kind).code;
        kept.report(DiagnosticKind::UnusedSuppression, code.range,
                    fmt::format(
                        "`journey-allow: {}` silences nothing: no `{}` finding starts on line {}",
                        name, name, directive.targetLine))
            .help =
            "remove the directive, or move it to the line where the finding starts or on its own "
            "line directly above";
      }
    }
  }
  sink = std::move(kept);
}

void applyPolicy(DiagnosticSink& sink, const DiagnosticPolicy& policy) {
  if (policy.allowed.empty() && !policy.denyWarnings) return;
  DiagnosticSink kept;
  for (const Diagnostic* diagnostic : sink.sorted()) {
    if (std::find(policy.allowed.begin(), policy.allowed.end(), diagnostic->kind) !=
        policy.allowed.end()) {
      continue;
    }
    Diagnostic& copy = copyInto(kept, *diagnostic);
    if (policy.denyWarnings && copy.severity == Severity::Warning) {
      copy.severity = Severity::Error;
      copy.notes.push_back("`--deny warnings` turns this warning into an error");
    }
  }
  sink = std::move(kept);
}

DiagnosticCounts countDiagnostics(const DiagnosticSink& sink) {
  DiagnosticCounts counts;
  for (const Diagnostic* diagnostic : sink.sorted()) {
    if (diagnostic->severity == Severity::Error) ++counts.errors;
    if (diagnostic->severity == Severity::Warning) ++counts.warnings;
  }
  return counts;
}

}  // namespace journey

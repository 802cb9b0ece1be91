// Diagnostics: what went wrong, where, and what to do about it.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/source/source.h"

namespace journey {

enum class Severity { Note, Warning, Error };

enum class DiagnosticKind {
#define JOURNEY_DIAGNOSTIC(name, code, severity, summary) name,
#include "compiler/diagnostics/kinds.def"
#undef JOURNEY_DIAGNOSTIC
};

struct DiagnosticInfo {
  DiagnosticKind kind;
  std::string_view code;
  Severity severity;
  std::string_view summary;
};

const DiagnosticInfo& diagnosticInfo(DiagnosticKind kind);
/// Every registered kind, in registry order.
const std::vector<DiagnosticInfo>& allDiagnosticKinds();
std::optional<DiagnosticKind> diagnosticKindFromCode(std::string_view code);
std::string_view severityName(Severity severity);

/// A secondary location with what it shows, e.g. "`Research` is declared here".
struct Label {
  SourceRange range;
  std::string message;
};

/// A machine-applicable edit that resolves the diagnostic.
struct Fix {
  SourceRange range;
  std::string replacement;
};

struct Diagnostic {
  DiagnosticKind kind;
  Severity severity;
  SourceRange range;
  /// Lowercase, no trailing period, code in backticks; describes what was observed.
  std::string message;
  std::vector<Label> labels;
  std::vector<std::string> notes;
  /// What to do about it, when we can say.
  std::string help;
  std::optional<Fix> fix;
  /// Other edits that resolve it, less likely than `fix`: declaring a name rather than
  /// correcting it.
  std::vector<Fix> otherFixes;

  std::string_view code() const { return diagnosticInfo(kind).code; }
};

/// Collects diagnostics from every phase. Reports are kept in a deque so that the reference
/// `report` returns stays valid while more diagnostics arrive.
class DiagnosticSink {
 public:
  Diagnostic& report(DiagnosticKind kind, SourceRange range, std::string message);

  std::size_t errorCount() const { return errors_; }
  std::size_t warningCount() const { return warnings_; }
  bool hasErrors() const { return errors_ > 0; }
  bool empty() const { return diagnostics_.empty(); }

  /// Diagnostics ordered by file, position, then code and message: deterministic output.
  std::vector<const Diagnostic*> sorted() const;

 private:
  std::deque<Diagnostic> diagnostics_;
  std::size_t errors_ = 0;
  std::size_t warnings_ = 0;
};

/// The closest candidate within a small edit distance, for "did you mean" help.
std::optional<std::string> closestName(std::string_view name,
                                       const std::vector<std::string_view>& candidates);

}  // namespace journey

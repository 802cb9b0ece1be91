// Silencing findings on purpose: a `// journey-allow: CODE reason` comment in the spec, and the
// command line's `--allow CODE` and `--deny warnings`. See docs/ci.md.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/source/source.h"

namespace journey {

/// Whether findings of this kind may be silenced, by a comment or by `--allow`: every kind
/// whose default severity is Warning, plus the journey checks' error kinds listed in
/// suppress.cpp. Errors of reading, parsing and analysis never: a spec with one of them does
/// not mean anything a simulation could run.
bool canSuppress(DiagnosticKind kind);

/// A comment as the parser keeps it (`ast::Comment`): its range and its full text, markers
/// included. The diagnostics library sits below the AST, hence this copy of the shape.
struct SourceComment {
  SourceRange range;
  std::string_view text;
};

/// Applies the `// journey-allow: CODE[, CODE...] reason` directives among `comments`: each
/// silences the findings with one of its codes whose primary location starts on the
/// directive's own line (a comment after code) or on the next line that is not only a comment
/// (a comment on its own line). A directive without a reason, with an unknown code or with a
/// code that cannot be silenced silences nothing and is itself a `bad-suppression` warning; a
/// valid one that silences nothing is an `unused-suppression` warning, except while errors
/// that stop the analysis are present (the findings it names would not have been looked for).
void applySuppressions(const SourceManager& sources, const std::vector<SourceComment>& comments,
                       DiagnosticSink& sink);

/// What the command line asks for beyond the spec's own directives.
struct DiagnosticPolicy {
  /// `--allow CODE`: findings of these kinds are dropped (each must satisfy canSuppress).
  std::vector<DiagnosticKind> allowed;
  /// `--deny warnings`: every warning is reported, and counted, as an error.
  bool denyWarnings = false;
};

void applyPolicy(DiagnosticSink& sink, const DiagnosticPolicy& policy);

struct DiagnosticCounts {
  std::size_t errors = 0;
  std::size_t warnings = 0;
};

/// Counts by each diagnostic's own severity, which `--deny warnings` raises; the sink's
/// counters know only the kinds' default severities.
DiagnosticCounts countDiagnostics(const DiagnosticSink& sink);

}  // namespace journey

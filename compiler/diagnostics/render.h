// Renders diagnostics for people (text with source excerpts) and for machines (JSON).
#pragma once

#include <ostream>
#include <vector>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/source/source.h"

namespace journey {

struct TextRenderOptions {
  bool color = false;
};

/// `file:line:col: severity: message [code]`, the source line with the range underlined,
/// then labels, notes and help.
void renderText(std::ostream& out, const SourceManager& sources, const DiagnosticSink& sink,
                TextRenderOptions options = {});
void renderDiagnosticText(std::ostream& out, const SourceManager& sources,
                          const Diagnostic& diagnostic, TextRenderOptions options = {});

/// "2 errors, 1 warning" style summary line; empty when there is nothing to say.
std::string summaryLine(const DiagnosticSink& sink);

/// The diagnostics of one compilation, for renderers that take several.
struct DiagnosticSet {
  const SourceManager* sources;
  const DiagnosticSink* sink;
};

/// A JSON document: {"version": 1, "diagnostics": [...], "errors": N, "warnings": N}, with
/// the diagnostics of every set in order.
void renderJson(std::ostream& out, const std::vector<DiagnosticSet>& sets);

}  // namespace journey

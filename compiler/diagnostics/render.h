// Renders diagnostics for people (text with source excerpts) and for machines (JSON, SARIF,
// GitHub Actions workflow commands).
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
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
  /// The path given on the command line: where SARIF and GitHub output place diagnostics
  /// that have no location of their own (a file that cannot be read).
  std::string_view inputPath = {};
};

/// A JSON document: {"version": 1, "diagnostics": [...], "errors": N, "warnings": N}, with
/// the diagnostics of every set in order.
void renderJson(std::ostream& out, const std::vector<DiagnosticSet>& sets);

struct SarifOptions {
  std::string toolVersion;
  std::string informationUri;
  /// The absolute directory that artifact URIs are relative to (`%SRCROOT%`), normally the
  /// current directory; files outside it get absolute `file://` URIs.
  std::filesystem::path baseDirectory;
};

/// A SARIF 2.1.0 log with one run: every diagnostic kind as a rule, every diagnostic as a
/// result (labels as related locations, the fix as a SARIF fix), columns in code points.
void renderSarif(std::ostream& out, const std::vector<DiagnosticSet>& sets,
                 const SarifOptions& options);

/// GitHub Actions workflow commands, one line per diagnostic:
/// `::error file=F,line=L,col=C,endLine=L,endColumn=C,title=CODE::message`, `::warning` for
/// warnings and `::notice` for notes. Paths are relative to `baseDirectory`.
void renderGithub(std::ostream& out, const std::vector<DiagnosticSet>& sets,
                  const std::filesystem::path& baseDirectory);

}  // namespace journey

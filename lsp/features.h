// The language features, as functions from an analysis (and the document text) to the
// protocol's JSON results. No I/O and no state: the server (server.h) owns documents. Each
// group is implemented in the file its comment names.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lsp/analysis.h"

namespace journey::lsp {

using Json = nlohmann::json;

// Diagnostics (diagnostics.cpp)

/// `textDocument/publishDiagnostics` items for the document: its own diagnostics (as
/// `journey check` reports them, with labels as related information, notes and help in the
/// message) and those of the files it `use`s, placed at the `use` that brings them in.
Json diagnostics(const Analysis& analysis);

/// One of the analysis's diagnostics as `diagnostics` reports it.
Json diagnostic(const Analysis& analysis, const Diagnostic& diagnostic);

/// The diagnostics of `analysis` located in one of its other files (a library the document
/// `use`s), as they would show in that file's own editor.
Json diagnosticsIn(const Analysis& analysis, FileId file);

/// True when the document is a library: it has declarations but no `journey` block.
bool isLibrary(const Analysis& analysis);

// Hover (hover.cpp)

Json hover(const Analysis& analysis, std::uint32_t offset);

// Definition and references (navigation.cpp)

Json definition(const Analysis& analysis, std::uint32_t offset);
Json references(const Analysis& analysis, std::uint32_t offset, bool includeDeclaration);

// Document and workspace symbols (symbols.cpp)

Json documentSymbols(const Analysis& analysis);
/// Symbols declared in any of the analyses' files whose names match `query` (a
/// case-insensitive subsequence); each declaration once.
Json workspaceSymbols(const std::vector<const Analysis*>& analyses, const std::string& query);

// Rename (rename.cpp)

/// Null when there is nothing to rename at `offset`; otherwise the name's range and text.
Json prepareRename(const Analysis& analysis, std::uint32_t offset, std::string& error);
/// A WorkspaceEdit, or null with `error` set when the rename is not allowed.
Json rename(const Analysis& analysis, std::uint32_t offset, const std::string& newName,
            std::string& error);

// Completion (completion.cpp)

/// Completion items for the cursor at `offset` of `text` (the current buffer). Names come
/// from `names` (the current analysis, or a recent one without syntax errors), `fallback`
/// adds names missing from it (may be null).
Json completion(const std::string& text, std::uint32_t offset, const Analysis& names,
                const Analysis* fallback);

// Semantic tokens (semantic_tokens.cpp)

/// The legend the server announces for semantic tokens.
Json semanticTokensLegend();
Json semanticTokens(const Analysis& analysis);

// Folding (folding.cpp)

Json foldingRanges(const Analysis& analysis);

// Quick fixes (code_actions.cpp)

/// Quick fixes for the diagnostics of the document that carry a fix and overlap `range`.
Json codeActions(const Analysis& analysis, const Range& range);

// Formatting (formatting.cpp)

/// The edits that turn `text` into `journey fmt`'s layout: one minimal edit, none when it is
/// already formatted. Nullopt with `error` set when the text does not parse.
std::optional<Json> formatting(const std::string& text, const std::string& path,
                               std::string& error);

}  // namespace journey::lsp

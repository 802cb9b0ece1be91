// One analysis of an open document: the compilation (the document and every file it `use`s,
// read through the editor's unsaved buffers), the symbol index, and line indexes for protocol
// positions.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "compiler/driver/driver.h"
#include "lsp/index.h"
#include "lsp/text.h"

namespace journey::lsp {

struct Analysis {
  std::unique_ptr<Compilation> compilation;
  Index index;
  /// The document's own file (the root of the compilation); kNoFile if it could not be read.
  FileId root = kNoFile;
  /// The document's URI; other files get URIs from their paths.
  std::string rootUri;
  std::map<FileId, LineIndex> lines;
  /// The root file parsed without any diagnostic: a later analysis may reuse its declarations.
  bool rootParseClean = false;
  /// Built by reusing the declarations of a previous analysis (lsp/incremental.h).
  bool incremental = false;

  bool hasSyntaxErrors() const;
  const LineIndex& lineIndex(FileId file) const;
  std::string uri(FileId file) const;
  const SourceFile& file(FileId id) const { return compilation->sources.file(id); }
  Range range(const SourceRange& range) const;
  /// The module of a file, or null.
  const ast::Module* module(FileId file) const;
};

/// Compiles `path` (normalised) as `journey check` does, reading files through `reader`.
/// With `previous`, an analysis of an earlier text of the same document, only the declarations
/// that changed are parsed again; `previous` must then not be used except through its index.
std::shared_ptr<Analysis> analyze(const std::string& path, const std::string& uri,
                                  FileReader& reader, Analysis* previous = nullptr);

/// `file:///a/b%20c.journey` -> `/a/b c.journey`; other schemes are kept as they are.
std::string uriToPath(const std::string& uri);
/// `/a/b c.journey` -> `file:///a/b%20c.journey`.
std::string pathToUri(const std::string& path);
/// Lexically normal form, the way the driver keys files.
std::string normalisePath(const std::string& path);

}  // namespace journey::lsp

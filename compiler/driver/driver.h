// The front end as one call: read a file and everything it `use`s, parse, analyse.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/sema/sema.h"
#include "compiler/source/source.h"

namespace journey {

/// Where source text comes from: the disk for the CLI, memory for tests and the editor.
class FileReader {
 public:
  virtual ~FileReader() = default;
  /// The file's bytes, or nullopt with a reason such as "no such file" in `error`.
  virtual std::optional<std::string> read(const std::string& path, std::string& error) = 0;
};

/// Regular files up to parse::kMaxFileBytes. A larger file, a directory, a device, a FIFO or a
/// pipe (`/dev/stdin`) is refused with the cause, without waiting or reading it whole.
class DiskFileReader : public FileReader {
 public:
  std::optional<std::string> read(const std::string& path, std::string& error) override;
};

/// In-memory files keyed by path, for tests and open editor buffers; falls back to `next`
/// (which may be null) for paths it does not hold.
class MemoryFileReader : public FileReader {
 public:
  explicit MemoryFileReader(FileReader* next = nullptr) : next_(next) {}
  void set(std::string path, std::string text);
  std::optional<std::string> read(const std::string& path, std::string& error) override;

 private:
  std::vector<std::pair<std::string, std::string>> files_;
  FileReader* next_;
};

struct Compilation {
  SourceManager sources;
  DiagnosticSink diagnostics;
  /// The root file first, then each file it `use`s (transitively), each once.
  std::vector<std::unique_ptr<ast::Module>> modules;
  /// Set when every file could be read and parsed without syntax errors.
  std::unique_ptr<sema::CheckedJourney> journey;
  /// True when the root file itself could not be read (an I/O problem, exit code 2).
  bool rootUnreadable = false;

  const ast::Module* root() const { return modules.empty() ? nullptr : modules.front().get(); }
};

struct CompileOptions {
  /// Stop after parsing: no `use` resolution, no analysis (`journey fmt`, `dump --stage=ast`).
  bool parseOnly = false;
  /// Run the journey checks (dead ends, traps, ...) after analysis; off only to measure them.
  bool runChecks = true;
  /// Parses a file instead of `parse::parseFile` when set: the language server reuses the
  /// unchanged declarations of its previous parse of an edited buffer (lsp/incremental.h).
  std::function<std::unique_ptr<ast::Module>(const SourceFile&, DiagnosticSink&)> parser = {};
};

std::unique_ptr<Compilation> compile(const std::string& path, FileReader& reader,
                                     const CompileOptions& options = {});

}  // namespace journey

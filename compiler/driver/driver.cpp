#include "compiler/driver/driver.h"

#include <fmt/format.h>

#include <filesystem>

#include "compiler/checks/checks.h"
#include "compiler/diagnostics/suppress.h"
#include "compiler/parse/parse.h"
#include "support/file.h"

namespace journey {

std::optional<std::string> DiskFileReader::read(const std::string& path, std::string& error) {
  return support::readRegularFile(path, parse::kMaxFileBytes, error);
}

void MemoryFileReader::set(std::string path, std::string text) {
  for (auto& [existing, contents] : files_) {
    if (existing == path) {
      contents = std::move(text);
      return;
    }
  }
  files_.emplace_back(std::move(path), std::move(text));
}

std::optional<std::string> MemoryFileReader::read(const std::string& path, std::string& error) {
  for (const auto& [existing, contents] : files_) {
    if (existing == path) return contents;
  }
  if (next_ != nullptr) return next_->read(path, error);
  error = "no such file";
  return std::nullopt;
}

namespace {

// Lexical normalisation keeps paths readable in messages ("lib/common.journey", not an
// absolute path) while letting two spellings of one file meet.
std::string normalise(const std::filesystem::path& path) {
  return path.lexically_normal().generic_string();
}

class Loader {
 public:
  Loader(Compilation& compilation, FileReader& reader) : c_(compilation), reader_(reader) {}

  // Loads `path` and, recursively, what it uses. `usedAt` is the `use` that named it, or
  // null for the root.
  void load(const std::string& path, const ast::Use* usedAt) {
    std::string key = normalise(path);
    for (std::size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i] != key) continue;
      std::string chain;
      for (std::size_t k = i; k < stack_.size(); ++k)
        chain += "`" + stack_[k] + "` -> ";
      chain += "`" + key + "`";
      Diagnostic& d = c_.diagnostics.report(DiagnosticKind::UseCycle, usedAt->range,
                                            fmt::format("`use` forms a cycle: {}", chain));
      d.help = "move what both files need into a third file that both `use`";
      return;
    }
    for (const auto& loaded : loaded_) {
      if (loaded == key) return;
    }
    std::string error;
    auto text = reader_.read(key, error);
    if (!text) {
      if (usedAt == nullptr) {
        c_.rootUnreadable = true;
        c_.diagnostics.report(DiagnosticKind::FileUnreadable, SourceRange{},
                              fmt::format("cannot read `{}`: {}", key, error));
      } else {
        c_.diagnostics
            .report(DiagnosticKind::UseNotFound, usedAt->path.range,
                    fmt::format("cannot read `{}`: {}", key, error))
            .help = "paths in `use` are relative to the file that contains the `use`";
      }
      return;
    }
    loaded_.push_back(key);
    FileId id = c_.sources.add(key, std::move(*text));
    auto module = options_.parser ? options_.parser(c_.sources.file(id), c_.diagnostics)
                                  : parse::parseFile(c_.sources.file(id), c_.diagnostics);
    ast::Module* raw = module.get();
    c_.modules.push_back(std::move(module));
    if (options_.parseOnly) return;
    stack_.push_back(key);
    auto directory = std::filesystem::path(key).parent_path();
    for (const auto& use : raw->uses) {
      load((directory / use.path.value).string(), &use);
    }
    stack_.pop_back();
  }

  CompileOptions options_;

 private:
  Compilation& c_;
  FileReader& reader_;
  std::vector<std::string> stack_;
  std::vector<std::string> loaded_;
};

}  // namespace

std::unique_ptr<Compilation> compile(const std::string& path, FileReader& reader,
                                     const CompileOptions& options) {
  auto compilation = std::make_unique<Compilation>();
  Loader loader(*compilation, reader);
  loader.options_ = options;
  loader.load(path, nullptr);
  if (compilation->rootUnreadable || options.parseOnly) return compilation;
  std::vector<ast::Module*> modules;
  for (auto& module : compilation->modules) {
    // Analysing a tree that error recovery had to patch mostly reports the patches: every
    // syntax error is already reported, so analysis waits until the files parse.
    if (module->hasSyntaxErrors) return compilation;
    modules.push_back(module.get());
  }
  compilation->journey = sema::analyze(modules, compilation->diagnostics, &compilation->sources);
  // The journey checks reason about a well-formed journey: after errors they would mostly
  // restate them.
  if (options.runChecks && !compilation->diagnostics.hasErrors()) {
    checks::runChecks(*compilation->journey, compilation->diagnostics);
  }

  // Suppressions: `// journey-allow: CODE reason` comments silence findings, last, once every
  // finding is in (compiler/diagnostics/suppress.h).
  std::vector<SourceComment> directives;
  for (const auto& module : compilation->modules) {
    for (const auto& comment : module->comments) {
      if (comment.text.find("journey-allow") != std::string::npos)
        directives.push_back({comment.range, comment.text});
    }
  }
  applySuppressions(compilation->sources, directives, compilation->diagnostics);
  return compilation;
}

}  // namespace journey

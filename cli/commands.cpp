#include "cli/commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/ast/dump.h"
#include "compiler/diagnostics/render.h"
#include "compiler/driver/driver.h"
#include "compiler/format/format.h"

namespace journey::cli {
namespace {

// Colour only for a terminal, and never when NO_COLOR is set or TERM is dumb.
bool useColor(ColorMode mode, FILE* stream) {
  if (mode == ColorMode::Always) return true;
  if (mode == ColorMode::Never) return false;
  const char* noColor = std::getenv("NO_COLOR");
  if (noColor != nullptr && *noColor != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return isatty(fileno(stream)) != 0;
}

void printDiagnostics(const Compilation& compilation, ColorMode color) {
  renderText(std::cerr, compilation.sources, compilation.diagnostics,
             TextRenderOptions{useColor(color, stderr)});
}

// Writes through a temporary file and a rename, so that a failure never leaves the user's
// file half-written.
bool writeFileAtomically(const std::string& path, const std::string& text, std::string& error) {
  std::string temporary = path + ".journey-fmt.tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) {
      error = "cannot create a temporary file beside it";
      return false;
    }
    out << text;
    out.flush();
    if (!out) {
      error = "write failed";
      std::remove(temporary.c_str());
      return false;
    }
  }
  std::error_code code;
  auto permissions = std::filesystem::status(path, code).permissions();
  if (!code) std::filesystem::permissions(temporary, permissions, code);
  std::filesystem::rename(temporary, path, code);
  if (code) {
    error = code.message();
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace

int runCheck(const CheckOptions& options) {
  DiskFileReader disk;
  std::vector<std::unique_ptr<Compilation>> compilations;
  bool unreadable = false;
  bool errors = false;
  std::size_t errorCount = 0;
  std::size_t warningCount = 0;
  for (const auto& file : options.files) {
    auto compilation = compile(file, disk);
    unreadable |= compilation->rootUnreadable;
    errors |= compilation->diagnostics.hasErrors();
    errorCount += compilation->diagnostics.errorCount();
    warningCount += compilation->diagnostics.warningCount();
    if (options.format == "text") printDiagnostics(*compilation, options.color);
    compilations.push_back(std::move(compilation));
  }
  if (options.format == "json") {
    std::vector<DiagnosticSet> sets;
    sets.reserve(compilations.size());
    for (const auto& compilation : compilations) {
      sets.push_back({&compilation->sources, &compilation->diagnostics});
    }
    renderJson(std::cout, sets);
  } else {
    auto plural = [](std::size_t n, std::string_view word) {
      return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
    };
    std::string files = plural(options.files.size(), "file");
    if (errorCount == 0 && warningCount == 0) {
      std::cerr << fmt::format("checked {}: no problems found\n", files);
    } else {
      std::cerr << fmt::format("checked {}: {}, {}\n", files, plural(errorCount, "error"),
                               plural(warningCount, "warning"));
    }
  }
  if (unreadable) return kExitUsage;
  return errors ? kExitProblems : kExitOk;
}

int runFormat(const FormatOptions& options) {
  DiskFileReader disk;
  int result = kExitOk;
  std::vector<std::string> unformatted;
  for (const auto& file : options.files) {
    auto compilation = compile(file, disk, CompileOptions{.parseOnly = true});
    if (compilation->rootUnreadable) {
      printDiagnostics(*compilation, options.color);
      result = kExitUsage;
      continue;
    }
    const ast::Module& module = *compilation->root();
    if (module.hasSyntaxErrors || compilation->diagnostics.hasErrors()) {
      printDiagnostics(*compilation, options.color);
      std::cerr << fmt::format("{}: not formatted: fix the errors above first\n", file);
      result = std::max(result, kExitProblems);
      continue;
    }
    const SourceFile& source = compilation->sources.file(module.file);
    std::string formatted = format::formatModule(module, source);
    if (options.toStdout) {
      std::cout << formatted;
      continue;
    }
    if (formatted == source.text()) continue;
    if (options.check) {
      unformatted.push_back(file);
      continue;
    }
    std::string error;
    if (!writeFileAtomically(file, formatted, error)) {
      std::cerr << fmt::format("journey: error: cannot write `{}`: {}\n", file, error);
      result = kExitUsage;
      continue;
    }
    std::cerr << fmt::format("formatted {}\n", file);
  }
  if (options.check && !unformatted.empty()) {
    for (const auto& file : unformatted) std::cout << file << '\n';
    std::cerr << fmt::format("{} file{} not formatted: run `journey fmt` on {}\n", unformatted.size(),
                             unformatted.size() == 1 ? " is" : "s are",
                             unformatted.size() == 1 ? "it" : "them");
    result = std::max(result, kExitProblems);
  }
  return result;
}

int runDump(const DumpOptions& options) {
  DiskFileReader disk;
  auto compilation = compile(options.file, disk, CompileOptions{.parseOnly = true});
  printDiagnostics(*compilation, options.color);
  if (compilation->rootUnreadable) return kExitUsage;
  if (options.stage == "ast") {
    ast::dump(std::cout, *compilation->root(), compilation->sources);
  }
  return compilation->diagnostics.hasErrors() ? kExitProblems : kExitOk;
}

}  // namespace journey::cli

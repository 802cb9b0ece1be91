#include "cli/commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/common.h"
#include "compiler/diagnostics/render.h"
#include "compiler/diagnostics/suppress.h"
#include "compiler/driver/driver.h"
#include "compiler/format/format.h"
#include "compiler/map/graphviz.h"
#include "compiler/map/map.h"
#include "lsp/server.h"
#include "support/file.h"

namespace journey::cli {

namespace {

void listCodes(std::ostream& out) {
  std::size_t width = 0;
  for (const auto& info : allDiagnosticKinds())
    width = std::max(width, info.code.size());
  for (const auto& info : allDiagnosticKinds()) {
    out << fmt::format("{:<{}}  {:<7}  {}\n", info.code, width, severityName(info.severity),
                       info.summary);
  }
}

// Reads `--allow` and `--deny`; on a usage error prints it and returns nullopt.
std::optional<DiagnosticPolicy> readPolicy(const CheckOptions& options) {
  DiagnosticPolicy policy;
  std::vector<std::string_view> codes;
  for (const auto& info : allDiagnosticKinds())
    codes.push_back(info.code);
  for (const auto& code : options.allow) {
    auto kind = diagnosticKindFromCode(code);
    if (!kind) {
      std::string hint;
      if (auto suggestion = closestName(code, codes))
        hint = fmt::format("did you mean `{}`? ", *suggestion);
      std::cerr << fmt::format(
          "journey: error: `--allow {}`: no such diagnostic code; {}see `journey check "
          "--list-codes`\n",
          code, hint);
      return std::nullopt;
    }
    if (!canSuppress(*kind)) {
      std::cerr << fmt::format(
          "journey: error: `--allow {}`: `{}` is an error of the language and cannot be allowed; "
          "only warnings "
          "and findings of the journey checks can\n",
          code, code);
      return std::nullopt;
    }
    policy.allowed.push_back(*kind);
  }
  for (const auto& what : options.deny) {
    if (what != "warnings") {
      std::cerr << fmt::format("journey: error: `--deny {}`: only `--deny warnings` is supported\n",
                               what);
      return std::nullopt;
    }
    policy.denyWarnings = true;
  }
  return policy;
}

}  // namespace

int runCheck(const CheckOptions& options) {
  if (options.listCodes) {
    listCodes(std::cout);
    return kExitOk;
  }
  const std::vector<std::string> formats = {"text", "json", "sarif", "github"};
  if (std::find(formats.begin(), formats.end(), options.format) == formats.end()) {
    std::cerr << fmt::format(
        "journey: error: unknown format `{}`: use text, json, sarif or github\n", options.format);
    return kExitUsage;
  }
  if (options.files.empty()) {
    std::cerr << "journey: error: `journey check` needs at least one file\nRun with --help for "
                 "more information.\n";
    return kExitUsage;
  }
  auto policy = readPolicy(options);
  if (!policy) return kExitUsage;

  DiskFileReader disk;
  std::vector<std::unique_ptr<Compilation>> compilations;
  bool unreadable = false;
  std::size_t errorCount = 0;
  std::size_t warningCount = 0;
  for (const auto& file : options.files) {
    auto compilation = compile(file, disk);
    applyPolicy(compilation->diagnostics, *policy);
    DiagnosticCounts counts = countDiagnostics(compilation->diagnostics);
    unreadable |= compilation->rootUnreadable;
    errorCount += counts.errors;
    warningCount += counts.warnings;
    if (options.format == "text") printDiagnostics(*compilation, options.color);
    compilations.push_back(std::move(compilation));
  }
  std::vector<DiagnosticSet> sets;
  sets.reserve(compilations.size());
  for (std::size_t i = 0; i < compilations.size(); ++i) {
    sets.push_back({&compilations[i]->sources, &compilations[i]->diagnostics, options.files[i]});
  }
  std::error_code error;
  std::filesystem::path current = std::filesystem::current_path(error);
  if (options.format == "json") {
    renderJson(std::cout, sets);
  } else if (options.format == "sarif") {
    renderSarif(std::cout, sets,
                SarifOptions{options.toolVersion, options.informationUri, current});
  } else {
    if (options.format == "github") renderGithub(std::cout, sets, current);
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
  return errorCount > 0 ? kExitProblems : kExitOk;
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
    // Like gofmt, a read-only file is refused; hard links stay one file.
    if (!support::writeFile(file, formatted, error,
                            {.refuseReadOnly = true, .keepHardLinks = true})) {
      std::cerr << fmt::format("journey: error: cannot write `{}`: {}\n", file, error);
      result = kExitUsage;
      continue;
    }
    std::cerr << fmt::format("formatted {}\n", file);
  }
  if (options.check && !unformatted.empty()) {
    for (const auto& file : unformatted)
      std::cout << file << '\n';
    std::cerr << fmt::format("{} file{} not formatted: run `journey fmt` on {}\n",
                             unformatted.size(), unformatted.size() == 1 ? " is" : "s are",
                             unformatted.size() == 1 ? "it" : "them");
    result = std::max(result, kExitProblems);
  }
  return result;
}

namespace {

// Errors of the language stop the map; warnings and the journey checks' findings are drawn.
bool hasLanguageErrors(const Compilation& compilation) {
  for (const auto* diagnostic : compilation.diagnostics.sorted()) {
    if (diagnostic->severity == Severity::Error && !canSuppress(diagnostic->kind)) return true;
  }
  return false;
}

}  // namespace

int runGraph(const GraphOptions& options) {
  const std::vector<std::string> formats = {"dot", "svg", "mermaid"};
  if (std::find(formats.begin(), formats.end(), options.format) == formats.end()) {
    std::cerr << fmt::format("journey: error: unknown format `{}`: use dot, svg or mermaid\n",
                             options.format);
    return kExitUsage;
  }
  std::optional<std::string> dot;
  if (options.format == "svg") {
    dot = findDot();
    if (!dot) {
      const char* override = std::getenv("JOURNEY_DOT");
      std::string where = override != nullptr && *override != '\0'
                              ? fmt::format(
                                    "JOURNEY_DOT names `{}`, which is not an executable "
                                    "file",
                                    override)
                              : "Graphviz's `dot` is not on PATH";
      std::cerr << fmt::format(
          "journey: error: `--format svg` needs Graphviz: {}\n"
          "  = help: install the `graphviz` package (Debian and Ubuntu: `sudo apt-get install "
          "graphviz`), or write DOT with `--format dot` and render it elsewhere\n",
          where);
      return kExitUsage;
    }
  }

  DiskFileReader disk;
  auto compilation = compile(options.file, disk);
  printDiagnostics(*compilation, options.color);
  if (compilation->rootUnreadable) return kExitUsage;
  if (compilation->journey == nullptr || compilation->journey->journey == nullptr ||
      hasLanguageErrors(*compilation)) {
    std::cerr << fmt::format("{}: no map drawn: fix the errors above first\n", options.file);
    return kExitProblems;
  }
  const sema::CheckedJourney& journey = *compilation->journey;

  map::MapOptions mapOptions;
  if (!options.persona.empty()) {
    mapOptions.persona = journey.persona(options.persona);
    if (mapOptions.persona == nullptr) {
      std::vector<std::string_view> names;
      std::string list;
      for (const auto* persona : journey.personas) {
        names.push_back(persona->name.text);
        list += (list.empty() ? "" : ", ") + persona->name.text;
      }
      std::string hint;
      if (auto suggestion = closestName(options.persona, names))
        hint = fmt::format("did you mean `{}`? ", *suggestion);
      std::cerr << fmt::format(
          "journey: error: `--persona {}`: `{}` has no such persona; {}its personas are {}\n",
          options.persona, journey.journey->name.text, hint, list);
      return kExitUsage;
    }
  }

  map::JourneyMap journeyMap =
      map::buildMap(journey, compilation->sources, compilation->diagnostics.sorted(), mapOptions);
  std::string text;
  if (options.format == "mermaid") {
    text = map::renderMermaid(journeyMap);
  } else {
    text = map::renderDot(journeyMap);
  }
  if (options.format == "svg") {
    map::GraphvizResult drawn = map::runGraphviz(*dot, "svg", text, dotTimeout());
    if (drawn.ok && drawn.output.empty()) {
      drawn.ok = false;
      drawn.error =
          fmt::format("`{}` wrote nothing{}{}", *dot, drawn.error.empty() ? "" : ": ", drawn.error);
    }
    if (!drawn.ok) {
      std::cerr << fmt::format("journey: error: Graphviz could not draw the map: {}\n",
                               drawn.error);
      return kExitUsage;
    }
    if (!drawn.error.empty()) std::cerr << drawn.error << '\n';
    text = std::move(drawn.output);
  }

  if (options.output.empty() || options.output == "-") {
    std::cout << text;
    std::cout.flush();
    return std::cout ? kExitOk : kExitUsage;
  }
  std::string error;
  if (!writeFileAtomically(options.output, text, error)) {
    std::cerr << fmt::format("journey: error: cannot write `{}`: {}\n", options.output, error);
    return kExitUsage;
  }
  DiagnosticCounts counts = countDiagnostics(compilation->diagnostics);
  std::size_t findings = counts.errors + counts.warnings;
  std::cerr << fmt::format("wrote {}: the map of {}, {} stages{}\n", options.output,
                           journey.journey->name.text, journeyMap.stages.size(),
                           findings == 0 ? "" : fmt::format(", {} findings in red", findings));
  return kExitOk;
}

int runLsp(const LspOptions& options) {
  lsp::ServerOptions server;
  server.debounce = std::chrono::milliseconds(std::max(0, options.debounceMs));
  return lsp::runStdio(server);
}

}  // namespace journey::cli

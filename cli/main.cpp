// `journey`: the command-line interface. Thin on purpose: it parses arguments and calls the
// libraries; every behaviour lives in a library where tests can reach it.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"

#ifndef JOURNEY_VERSION
#define JOURNEY_VERSION "0.0.0"
#endif
#ifndef JOURNEY_INFORMATION_URI
#define JOURNEY_INFORMATION_URI ""
#endif

namespace {

using journey::cli::ColorMode;

const std::map<std::string, ColorMode> kColorModes = {
    {"auto", ColorMode::Auto}, {"always", ColorMode::Always}, {"never", ColorMode::Never}};

void addColorOption(CLI::App* command, ColorMode& mode) {
  command
      ->add_option_function<std::string>(
          "--color", [&mode](const std::string& value) { mode = kColorModes.at(value); },
          "Colour diagnostics: auto (a terminal without NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->type_name("WHEN")
      ->default_str("auto");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"journey: check and format customer journeys written in the Journey language"};
  app.set_version_flag("--version", std::string("journey ") + JOURNEY_VERSION);
  app.require_subcommand(1);
  app.footer(R"(Examples:
  journey check examples/business_phone.journey     report errors and journey defects
  journey check --format json specs/*.journey       the same as JSON, for CI
  journey check --format sarif specs/*.journey      SARIF 2.1.0 for GitHub code scanning
  journey check --format github --deny warnings specs/*.journey
                                                    GitHub Actions annotations; warnings fail
  journey fmt examples/*.journey                    rewrite files in canonical layout
  journey fmt --check specs/*.journey               list files that are not formatted
  journey dump --stage=ast examples/ecommerce.journey
  journey lsp                                       language server on stdin/stdout, for editors
                                                    (docs/editors.md: VS Code, Neovim)

Exit codes: 0 success, 1 problems in the input, 2 usage or I/O error.
Documentation: docs/language.md (the language), docs/semantics.md (what it means when run),
docs/ci.md (CI integration, silencing a finding with `// journey-allow: CODE reason`).)");

  journey::cli::CheckOptions check;
  auto* checkCommand = app.add_subcommand("check", "Report errors and warnings in journey files");
  checkCommand->add_option("files", check.files, "Journey files to check")->type_name("FILE");
  checkCommand
      ->add_option("--format", check.format,
                   "Output format: text (to stderr), json, sarif (SARIF 2.1.0) or github (workflow "
                   "annotations), to stdout")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}))
      ->default_str("text");
  checkCommand
      ->add_option("--deny", check.deny,
                   "`--deny warnings`: report warnings as errors and fail on them")
      ->check(CLI::IsMember({"warnings"}))
      ->type_name("warnings")
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();
  checkCommand
      ->add_option("--allow", check.allow,
                   "Drop findings with this code (repeatable; warnings and journey-check findings)")
      ->type_name("CODE")
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();
  checkCommand->add_flag("--list-codes", check.listCodes,
                         "Print every diagnostic code with its severity and summary");
  addColorOption(checkCommand, check.color);
  check.toolVersion = JOURNEY_VERSION;
  check.informationUri = JOURNEY_INFORMATION_URI;

  journey::cli::FormatOptions format;
  auto* formatCommand =
      app.add_subcommand("fmt", "Rewrite journey files in canonical layout, keeping comments");
  formatCommand->add_option("files", format.files, "Journey files to format")
      ->required()
      ->type_name("FILE");
  formatCommand->add_flag("--check", format.check,
                          "Change nothing; list files that are not formatted (exit 1 if any)");
  formatCommand->add_flag("--stdout", format.toStdout,
                          "Print the formatted text instead of rewriting files");
  addColorOption(formatCommand, format.color);

  journey::cli::DumpOptions dump;
  auto* dumpCommand = app.add_subcommand("dump", "Print an intermediate form of a journey file");
  dumpCommand->add_option("file", dump.file, "Journey file")->required()->type_name("FILE");
  dumpCommand->add_option("--stage", dump.stage, "What to print: ast")
      ->check(CLI::IsMember({"ast"}))
      ->default_str("ast");
  addColorOption(dumpCommand, dump.color);

  journey::cli::LspOptions lsp;
  auto* lspCommand =
      app.add_subcommand("lsp", "Run the language server (LSP over stdin and stdout) for editors");
  lspCommand
      ->add_option("--debounce-ms", lsp.debounceMs,
                   "Check a document once it has not changed for this many milliseconds")
      ->check(CLI::Range(0, 10000))
      ->default_str("50");
  // Editors pass `--stdio`; stdio is the only transport.
  bool stdio = true;
  lspCommand->add_flag("--stdio", stdio,
                       "Talk over stdin and stdout (the default and only transport)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11 uses its own exit codes for usage errors (105, 106, ...); ours is 2.
    int code = app.exit(error);
    return code == 0 ? 0 : journey::cli::kExitUsage;
  }

  if (checkCommand->parsed()) return journey::cli::runCheck(check);
  if (formatCommand->parsed()) return journey::cli::runFormat(format);
  if (dumpCommand->parsed()) return journey::cli::runDump(dump);
  if (lspCommand->parsed()) return journey::cli::runLsp(lsp);
  return journey::cli::kExitUsage;
}

// `journey`: the command-line interface. Thin on purpose: it parses arguments (cli/arguments.h)
// and runs the subcommand, which loads, calls the libraries, prints and maps the result to an
// exit code; every behaviour lives in a library where tests can reach it.
#include <CLI/CLI.hpp>
#include <iostream>
#include <vector>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "support/file.h"

#ifndef JOURNEY_VERSION
#define JOURNEY_VERSION "0.0.0"
#endif
#ifndef JOURNEY_INFORMATION_URI
#define JOURNEY_INFORMATION_URI ""
#endif

namespace {

int runCommandLine(int argc, char** argv) {
  CLI::App app{
      "journey: check, format, draw and simulate customer journeys written in the Journey "
      "language"};
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
  journey simulate examples/business_phone.journey --customers 1000000
                                                    KPIs with 95% confidence intervals
  journey simulate --set renewal_discount=15% --format json examples/business_phone.journey
  journey compare old.journey new.journey --fail-if 'delta(conversion) < -1pt'
                                                    both versions on the same customers: each
                                                    KPI's difference, 95% interval, CI gate
  journey sweep examples/business_phone.journey --set renewal_discount=0%..20%:5%
                                                    KPIs at each value of a param
  journey simulate --format html -o report.html examples/business_phone.journey
                                                    charts, flows and the map in one offline page
  journey compare old.journey new.journey --format html -o compare.html
                                                    both versions side by side and the
                                                    differences with their intervals, one page
  journey build examples/business_phone.journey -o phone.jm
                                                    compile once, simulate the .jm file
  journey graph --format svg -o map.svg examples/business_phone.journey
                                                    the journey map as a picture (Graphviz)
  journey graph --format mermaid --persona Enterprise examples/business_phone.journey
                                                    one persona's map, for Markdown
  journey lsp                                       language server on stdin/stdout, for editors
                                                    (docs/editors.md: VS Code, Neovim)

Exit codes: 0 success, 1 problems in the input (or a failed `--fail-if` gate), 2 usage or I/O
error.
Documentation: docs/language.md (the language), docs/semantics.md (what it means when run),
docs/ci.md (CI integration, silencing a finding with `// journey-allow: CODE reason`),
docs/planning.md (compare, sweep and KPI gates).)");

  using namespace journey::cli;
  const std::vector<Subcommand> subcommands = {
      addCheckCommand(app, JOURNEY_VERSION, JOURNEY_INFORMATION_URI),
      addFormatCommand(app),
      addDumpCommand(app),
      addBuildCommand(app),
      addSimulateCommand(app),
      addCompareCommand(app),
      addSweepCommand(app),
      addAnalyzeCommand(app),
      addGraphCommand(app),
      addLspCommand(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11 uses its own exit codes for usage errors (105, 106, ...); ours is 2.
    int code = app.exit(error);
    return code == 0 ? 0 : kExitUsage;
  }

  for (const auto& subcommand : subcommands)
    if (subcommand.command->parsed()) return subcommand.run();
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  journey::support::CheckedStandardOutput output;
  int exitCode = runCommandLine(argc, argv);
  // Output lost on the way (a full disk, a closed descriptor) fails the run, whatever the
  // command itself concluded.
  std::string error;
  if (!output.flush(error)) {
    std::cerr << "journey: error: cannot write to standard output: " << error << '\n';
    return journey::cli::kExitUsage;
  }
  return exitCode;
}

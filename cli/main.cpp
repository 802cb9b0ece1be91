// `journey`: the command-line interface. Thin on purpose: it parses arguments and calls the
// libraries; every behaviour lives in a library where tests can reach it.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "support/file.h"

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

static int runCommandLine(int argc, char** argv) {
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
  dumpCommand
      ->add_option("--stage", dump.stage,
                   "What to print: ast (the syntax tree), machine (the compiled form) or llvm "
                   "(the JIT's optimized LLVM IR)")
      ->check(CLI::IsMember({"ast", "machine", "llvm"}))
      ->default_str("ast");
  dumpCommand->add_option("--set", dump.overrides, "Override a param: NAME=VALUE (repeatable)")
      ->type_name("NAME=VALUE");
  addColorOption(dumpCommand, dump.color);

  journey::cli::BuildOptions build;
  auto* buildCommand =
      app.add_subcommand("build", "Compile a journey to a machine file (.jm) that simulate runs");
  buildCommand->add_option("file", build.file, "Journey file")->required()->type_name("FILE");
  buildCommand->add_option("-o,--output", build.output, "Where to write (default: FILE.jm)")
      ->type_name("OUT");
  buildCommand->add_option("--set", build.overrides, "Override a param: NAME=VALUE (repeatable)")
      ->type_name("NAME=VALUE");
  addColorOption(buildCommand, build.color);

  journey::cli::SimulateOptions simulate;
  auto* simulateCommand = app.add_subcommand(
      "simulate", "Run synthetic customers through a journey and report KPIs with 95% intervals");
  simulateCommand->add_option("file", simulate.file, "A journey file or a compiled .jm file")
      ->required()
      ->type_name("FILE");
  simulateCommand->add_option("-n,--customers", simulate.customers, "How many customers")
      ->type_name("N")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000'000}))
      ->default_str("100000");
  simulateCommand->add_option("--seed", simulate.seed, "Seed of the random streams")
      ->type_name("S")
      ->default_str("1");
  simulateCommand
      ->add_option("--threads", simulate.threads,
                   "Worker threads (default: one per core; results do not depend on it)")
      ->type_name("T")
      ->check(CLI::Range(1u, 1024u));
  simulateCommand
      ->add_option("--backend", simulate.backend,
                   "jit (LLVM-compiled expressions) or interpreter; the results are identical")
      ->check(CLI::IsMember({"interpreter", "jit"}))
      ->default_str("jit");
  simulateCommand
      ->add_option("--set", simulate.overrides, "Override a param: NAME=VALUE (repeatable)")
      ->type_name("NAME=VALUE");
  simulateCommand
      ->add_option("--format", simulate.format,
                   "Report format: text, json, csv or html (a self-contained page with charts "
                   "and the journey map; needs -o or a redirect)")
      ->check(CLI::IsMember({"text", "json", "csv", "html"}))
      ->default_str("text");
  simulateCommand->add_option("-o,--output", simulate.output, "Write the report to a file")
      ->type_name("OUT");
  simulateCommand
      ->add_option("--until-precision", simulate.untilPrecision,
                   "Double the customers until every headline share's 95% half-width is below "
                   "EPS (e.g. 0.005 for half a point), up to --max-customers")
      ->type_name("EPS")
      ->check(CLI::Range(1e-6, 0.5));
  simulateCommand->add_option("--max-customers", simulate.maxCustomers, "Cap for --until-precision")
      ->type_name("N")
      ->default_str("100000000");
  simulateCommand
      ->add_option("--max-steps", simulate.maxSteps,
                   "Steps one customer may take before being stopped and reported")
      ->type_name("N")
      ->default_str("1000000");
  simulateCommand->add_flag("!--no-progress", simulate.progress, "No progress bar on stderr");
  simulateCommand
      ->add_option("--fail-if", simulate.failIf,
                   "KPI gate, e.g. 'conversion < 12%': exit 1 when it holds, after the report is "
                   "written (repeatable; docs/planning.md lists the KPIs)")
      ->type_name("GATE");
  simulateCommand->add_flag(
      "--flows", simulate.flows,
      "Count every move between stages (`flows` in the JSON report; always in html): costs some "
      "run time");
  addColorOption(simulateCommand, simulate.color);

  journey::cli::CompareOptions compare;
  auto* compareCommand = app.add_subcommand(
      "compare",
      "Compare two versions of a journey on the same customers: every KPI's difference with a "
      "95% interval");
  compareCommand->add_option("old", compare.oldFile, "The old version (a spec or a .jm file)")
      ->required()
      ->type_name("OLD");
  compareCommand->add_option("new", compare.newFile, "The new version (a spec or a .jm file)")
      ->required()
      ->type_name("NEW");
  compareCommand->add_option("-n,--customers", compare.customers, "How many customers")
      ->type_name("N")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000'000}))
      ->default_str("100000");
  compareCommand->add_option("--seed", compare.seed, "Seed of the random streams (both versions)")
      ->type_name("S")
      ->default_str("1");
  compareCommand
      ->add_option("--threads", compare.threads,
                   "Worker threads (default: one per core; results do not depend on it)")
      ->type_name("T")
      ->check(CLI::Range(1u, 1024u));
  compareCommand
      ->add_option("--backend", compare.backend, "jit or interpreter; the results are identical")
      ->check(CLI::IsMember({"interpreter", "jit"}))
      ->default_str("jit");
  compareCommand
      ->add_option("--set", compare.overrides,
                   "Override a param in both versions: NAME=VALUE (repeatable)")
      ->type_name("NAME=VALUE");
  compareCommand
      ->add_option("--old-set", compare.oldOverrides, "Override a param in the old version only")
      ->type_name("NAME=VALUE");
  compareCommand
      ->add_option("--new-set", compare.newOverrides, "Override a param in the new version only")
      ->type_name("NAME=VALUE");
  compareCommand
      ->add_option("--rename", compare.renames,
                   "Pair a renamed declaration: OLD=NEW or KIND:OLD=NEW (repeatable)")
      ->type_name("OLD=NEW");
  compareCommand->add_flag("--exact-names", compare.exactNames,
                           "Match declarations by identical names and --rename only");
  compareCommand
      ->add_option("--format", compare.format,
                   "Report format: text, json, csv or html (a self-contained page: both versions "
                   "side by side and the differences with their intervals; needs -o or a "
                   "redirect)")
      ->check(CLI::IsMember({"text", "json", "csv", "html"}))
      ->default_str("text");
  compareCommand->add_option("-o,--output", compare.output, "Write the report to a file")
      ->type_name("OUT");
  compareCommand
      ->add_option("--fail-if", compare.failIf,
                   "KPI gate, e.g. 'delta(conversion) < -1pt' (fails only when the whole 95% "
                   "interval is below) or 'new(roi) < 0': exit 1 when it holds (repeatable)")
      ->type_name("GATE");
  compareCommand
      ->add_option("--max-steps", compare.maxSteps,
                   "Steps one customer may take before being stopped and reported")
      ->type_name("N")
      ->default_str("1000000");
  compareCommand->add_flag("!--no-progress", compare.progress, "No progress bar on stderr");
  addColorOption(compareCommand, compare.color);

  journey::cli::SweepOptions sweep;
  auto* sweepCommand = app.add_subcommand(
      "sweep", "KPIs at every value of one or two params, on the same customers at every value");
  sweepCommand->add_option("file", sweep.file, "A journey file")->required()->type_name("FILE");
  sweepCommand
      ->add_option("--set", sweep.overrides,
                   "A range NAME=FROM..TO:STEP (one or two, e.g. renewal_discount=5%..20%:5%) or "
                   "a fixed NAME=VALUE (repeatable)")
      ->type_name("NAME=RANGE");
  sweepCommand->add_option("-n,--customers", sweep.customers, "How many customers at each point")
      ->type_name("N")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000'000}))
      ->default_str("100000");
  sweepCommand->add_option("--seed", sweep.seed, "Seed of the random streams (every point)")
      ->type_name("S")
      ->default_str("1");
  sweepCommand
      ->add_option("--threads", sweep.threads,
                   "Worker threads (default: one per core; results do not depend on it)")
      ->type_name("T")
      ->check(CLI::Range(1u, 1024u));
  sweepCommand
      ->add_option("--backend", sweep.backend, "jit or interpreter; the results are identical")
      ->check(CLI::IsMember({"interpreter", "jit"}))
      ->default_str("jit");
  sweepCommand
      ->add_option("--kpi", sweep.kpis,
                   "A column of the text table, e.g. conversion, outcome(Lost), roi[Enterprise] "
                   "(repeatable; default: the headline KPIs)")
      ->type_name("KPI");
  sweepCommand->add_option("--format", sweep.format, "Report format: text, json or csv")
      ->check(CLI::IsMember({"text", "json", "csv"}))
      ->default_str("text");
  sweepCommand->add_option("-o,--output", sweep.output, "Write the report to a file")
      ->type_name("OUT");
  sweepCommand
      ->add_option("--max-steps", sweep.maxSteps,
                   "Steps one customer may take before being stopped and reported")
      ->type_name("N")
      ->default_str("1000000");
  sweepCommand->add_flag("!--no-progress", sweep.progress, "No progress bar on stderr");
  addColorOption(sweepCommand, sweep.color);

  journey::cli::AnalyzeOptions analyze;
  auto* analyzeCommand = app.add_subcommand(
      "analyze", "Exact answers for a journey that is a continuous-time Markov chain");
  analyzeCommand->add_option("file", analyze.file, "A journey file or a compiled .jm file")
      ->required()
      ->type_name("FILE");
  analyzeCommand->add_option("--format", analyze.format, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
  analyzeCommand
      ->add_option("--set", analyze.overrides, "Override a param: NAME=VALUE (repeatable)")
      ->type_name("NAME=VALUE");
  addColorOption(analyzeCommand, analyze.color);
  journey::cli::GraphOptions graph;
  auto* graphCommand = app.add_subcommand(
      "graph", "Draw the journey map: stages, touchpoints, transitions, rules and findings");
  graphCommand->add_option("file", graph.file, "Journey file")->required()->type_name("FILE");
  graphCommand
      ->add_option("--format", graph.format,
                   "dot (Graphviz), svg (drawn by Graphviz's `dot`) or mermaid (for Markdown)")
      ->check(CLI::IsMember({"dot", "svg", "mermaid"}))
      ->default_str("dot");
  graphCommand
      ->add_option("--persona", graph.persona,
                   "Draw the map of one persona: its transitions, its rules, the stages it reaches")
      ->type_name("PERSONA");
  graphCommand
      ->add_option("-o,--output", graph.output,
                   "Write the map to this file (replaced atomically) instead of standard output")
      ->type_name("OUT");
  addColorOption(graphCommand, graph.color);
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
  if (buildCommand->parsed()) return journey::cli::runBuild(build);
  if (simulateCommand->parsed()) return journey::cli::runSimulate(simulate);
  if (compareCommand->parsed()) return journey::cli::runCompare(compare);
  if (sweepCommand->parsed()) return journey::cli::runSweep(sweep);
  if (analyzeCommand->parsed()) return journey::cli::runAnalyze(analyze);
  if (graphCommand->parsed()) return journey::cli::runGraph(graph);
  if (lspCommand->parsed()) return journey::cli::runLsp(lsp);
  return journey::cli::kExitUsage;
}

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

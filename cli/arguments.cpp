#include "cli/arguments.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <vector>

#include "cli/commands.h"

namespace journey::cli {
namespace {

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

void addOverridesOption(CLI::App* command, std::vector<std::string>& overrides) {
  command->add_option("--set", overrides, "Override a param: NAME=VALUE (repeatable)")
      ->type_name("NAME=VALUE");
}

/// A whole number from `min` to `max`, written in decimal digits or, for round counts, as an
/// exact integer in scientific notation (`1e6`, `2.5e3`). The value is rewritten in plain digits
/// for CLI11, whose own conversion wraps negative numbers and saturates at 2^64-1 silently.
/// `description` goes into the help after the option's type name.
CLI::Validator wholeNumber(std::uint64_t min, std::uint64_t max, std::string description = "") {
  auto check = [min, max](std::string& text) -> std::string {
    const char* first = text.data();
    const char* last = text.data() + text.size();
    std::uint64_t value = 0;
    bool inRange = true;
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
      inRange = std::from_chars(first, last, value).ec == std::errc{};
    } else {
      double number = 0;
      auto [end, error] = std::from_chars(first, last, number);
      if (error != std::errc{} || end != last || !std::isfinite(number) ||
          number != std::floor(number))
        return fmt::format("{} is not a whole number (from {} to {})", text, min, max);
      // 2^64 is a double; every double from 0 up to below it converts exactly.
      inRange = number >= 0 && number < 18446744073709551616.0;
      if (inRange) value = static_cast<std::uint64_t>(number);
    }
    if (!inRange || value < min || value > max)
      return fmt::format("{} is out of range: a whole number from {} to {}", text, min, max);
    text = std::to_string(value);
    return "";
  };
  return CLI::Validator(check, std::move(description));
}

/// A finite number from `min` to `max`: CLI::Range lets `nan` through (every comparison with it
/// is false).
CLI::Validator finiteRange(double min, double max) {
  auto check = [min, max](const std::string& text) -> std::string {
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value))
      return fmt::format("{} is not a number (from {} to {})", text, min, max);
    if (value < min || value > max)
      return fmt::format("{} is out of range: a number from {} to {}", text, min, max);
    return "";
  };
  return CLI::Validator(check, fmt::format("FLOAT in [{} - {}]", min, max));
}

constexpr std::uint64_t kMostCustomers = 1'000'000'000'000;

/// How one command words the run options in its help, and where its own options go among them
/// (the help lists options in the order they are registered).
struct RunOptionsHelp {
  const char* customers = "How many customers";
  const char* seed = "Seed of the random streams";
  const char* backend = "jit or interpreter; the results are identical";
  const char* set = "Override a param: NAME=VALUE (repeatable)";
  const char* setType = "NAME=VALUE";
  const char* format = "";
  std::vector<std::string> formats;
  /// Null for a command without gates.
  const char* failIf = nullptr;
  /// Sweep lists `--set` first: its ranges are what the command is about.
  bool setFirst = false;
  /// Compare lists `--fail-if` before `--max-steps`, simulate after `--no-progress`.
  bool failIfBeforeMaxSteps = false;
  /// The command's own options: after the inputs (`--set`, `--backend`), after `--output`, and
  /// last before `--color`.
  std::function<void()> afterInputs = nullptr;
  std::function<void()> afterOutput = nullptr;
  std::function<void()> beforeColor = nullptr;
};

void addRunOptions(CLI::App* command, RunOptions& run, const RunOptionsHelp& help) {
  auto addSet = [&] {
    command->add_option("--set", run.overrides, help.set)->type_name(help.setType);
  };
  auto addFailIf = [&] {
    if (help.failIf != nullptr)
      command->add_option("--fail-if", run.failIf, help.failIf)->type_name("GATE");
  };
  if (help.setFirst) addSet();
  command->add_option("-n,--customers", run.customers, help.customers)
      ->type_name("N")
      ->transform(wholeNumber(1, kMostCustomers, fmt::format("UINT in [1 - {}]", kMostCustomers)))
      ->default_str("100000");
  command->add_option("--seed", run.seed, help.seed)
      ->type_name("S")
      ->transform(wholeNumber(0, std::numeric_limits<std::uint64_t>::max()))
      ->default_str("1");
  command
      ->add_option("--threads", run.threads,
                   "Worker threads (default: one per core; results do not depend on it)")
      ->type_name("T")
      ->check(CLI::Range(1u, 1024u));
  command->add_option("--backend", run.backend, help.backend)
      ->check(CLI::IsMember({"interpreter", "jit"}))
      ->default_str("jit");
  if (!help.setFirst) addSet();
  if (help.afterInputs) help.afterInputs();
  command->add_option("--format", run.format, help.format)
      ->check(CLI::IsMember(help.formats))
      ->default_str("text");
  command->add_option("-o,--output", run.output, "Write the report to a file")->type_name("OUT");
  if (help.afterOutput) help.afterOutput();
  if (help.failIfBeforeMaxSteps) addFailIf();
  command
      ->add_option("--max-steps", run.maxSteps,
                   "Steps one customer may take before being stopped and reported")
      ->type_name("N")
      ->transform(wholeNumber(1, std::numeric_limits<std::uint64_t>::max()))
      ->default_str("1000000");
  command->add_flag("!--no-progress", run.progress, "No progress bar on stderr");
  if (!help.failIfBeforeMaxSteps) addFailIf();
  if (help.beforeColor) help.beforeColor();
  addColorOption(command, run.color);
}

// Options live as long as the call that runs the command, which owns them.
template <typename Options, typename Run>
Subcommand subcommand(CLI::App* command, std::shared_ptr<Options> options, Run run) {
  return {command, [options, run] { return run(*options); }};
}

}  // namespace

Subcommand addCheckCommand(CLI::App& app, std::string toolVersion, std::string informationUri) {
  auto check = std::make_shared<CheckOptions>();
  auto* command = app.add_subcommand("check", "Report errors and warnings in journey files");
  command->add_option("files", check->files, "Journey files to check")->type_name("FILE");
  command
      ->add_option("--format", check->format,
                   "Output format: text (to stderr), json, sarif (SARIF 2.1.0) or github (workflow "
                   "annotations), to stdout")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}))
      ->default_str("text");
  command
      ->add_option("--deny", check->deny,
                   "`--deny warnings`: report warnings as errors and fail on them")
      ->check(CLI::IsMember({"warnings"}))
      ->type_name("warnings")
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();
  command
      ->add_option("--allow", check->allow,
                   "Drop findings with this code (repeatable; warnings and journey-check findings)")
      ->type_name("CODE")
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();
  command->add_flag("--list-codes", check->listCodes,
                    "Print every diagnostic code with its severity and summary");
  addColorOption(command, check->color);
  check->toolVersion = std::move(toolVersion);
  check->informationUri = std::move(informationUri);
  return subcommand(command, check, runCheck);
}

Subcommand addFormatCommand(CLI::App& app) {
  auto format = std::make_shared<FormatOptions>();
  auto* command =
      app.add_subcommand("fmt", "Rewrite journey files in canonical layout, keeping comments");
  command->add_option("files", format->files, "Journey files to format")
      ->required()
      ->type_name("FILE");
  command->add_flag("--check", format->check,
                    "Change nothing; list files that are not formatted (exit 1 if any)");
  command->add_flag("--stdout", format->toStdout,
                    "Print the formatted text instead of rewriting files");
  addColorOption(command, format->color);
  return subcommand(command, format, runFormat);
}

Subcommand addDumpCommand(CLI::App& app) {
  auto dump = std::make_shared<DumpOptions>();
  auto* command = app.add_subcommand("dump", "Print an intermediate form of a journey file");
  command->add_option("file", dump->file, "Journey file")->required()->type_name("FILE");
  command
      ->add_option("--stage", dump->stage,
                   "What to print: ast (the syntax tree), machine (the compiled form) or llvm "
                   "(the JIT's optimized LLVM IR)")
      ->check(CLI::IsMember({"ast", "machine", "llvm"}))
      ->default_str("ast");
  addOverridesOption(command, dump->overrides);
  addColorOption(command, dump->color);
  return subcommand(command, dump, runDump);
}

Subcommand addBuildCommand(CLI::App& app) {
  auto build = std::make_shared<BuildOptions>();
  auto* command =
      app.add_subcommand("build", "Compile a journey to a machine file (.jm) that simulate runs");
  command->add_option("file", build->file, "Journey file")->required()->type_name("FILE");
  command->add_option("-o,--output", build->output, "Where to write (default: FILE.jm)")
      ->type_name("OUT");
  addOverridesOption(command, build->overrides);
  addColorOption(command, build->color);
  return subcommand(command, build, runBuild);
}

Subcommand addSimulateCommand(CLI::App& app) {
  auto simulate = std::make_shared<SimulateOptions>();
  auto* command = app.add_subcommand(
      "simulate", "Run synthetic customers through a journey and report KPIs with 95% intervals");
  command->add_option("file", simulate->file, "A journey file or a compiled .jm file")
      ->required()
      ->type_name("FILE");
  addRunOptions(
      command, simulate->run,
      {.backend = "jit (LLVM-compiled expressions) or interpreter; the results are identical",
       .format = "Report format: text, json, csv or html (a self-contained page with charts "
                 "and the journey map; needs -o or a redirect)",
       .formats = {"text", "json", "csv", "html"},
       .failIf = "KPI gate, e.g. 'conversion < 12%': exit 1 when it holds, after the report is "
                 "written (repeatable; docs/planning.md lists the KPIs)",
       .afterOutput =
           [command, simulate] {
             command
                 ->add_option("--until-precision", simulate->untilPrecision,
                              "Double the customers until every headline share's 95% half-width "
                              "is below EPS (e.g. 0.005 for half a point), up to --max-customers")
                 ->type_name("EPS")
                 ->check(finiteRange(1e-6, 0.5));
             command
                 ->add_option("--max-customers", simulate->maxCustomers,
                              "Cap for --until-precision")
                 ->type_name("N")
                 ->transform(wholeNumber(1, kMostCustomers))
                 ->default_str("100000000");
           },
       .beforeColor =
           [command, simulate] {
             command->add_flag("--flows", simulate->flows,
                               "Count every move between stages (`flows` in the JSON report; "
                               "always in html): costs some run time");
           }});
  return subcommand(command, simulate, runSimulate);
}

Subcommand addCompareCommand(CLI::App& app) {
  auto compare = std::make_shared<CompareOptions>();
  auto* command = app.add_subcommand(
      "compare",
      "Compare two versions of a journey on the same customers: every KPI's difference with a "
      "95% interval");
  command->add_option("old", compare->oldFile, "The old version (a spec or a .jm file)")
      ->required()
      ->type_name("OLD");
  command->add_option("new", compare->newFile, "The new version (a spec or a .jm file)")
      ->required()
      ->type_name("NEW");
  addRunOptions(
      command, compare->run,
      {.seed = "Seed of the random streams (both versions)",
       .set = "Override a param in both versions: NAME=VALUE (repeatable)",
       .format = "Report format: text, json, csv or html (a self-contained page: both versions "
                 "side by side and the differences with their intervals; needs -o or a "
                 "redirect)",
       .formats = {"text", "json", "csv", "html"},
       .failIf = "KPI gate, e.g. 'delta(conversion) < -1pt' (fails only when the whole 95% "
                 "interval is below) or 'new(roi) < 0': exit 1 when it holds (repeatable)",
       .failIfBeforeMaxSteps = true,
       .afterInputs = [command, compare] {
         command
             ->add_option("--old-set", compare->oldOverrides,
                          "Override a param in the old version only")
             ->type_name("NAME=VALUE");
         command
             ->add_option("--new-set", compare->newOverrides,
                          "Override a param in the new version only")
             ->type_name("NAME=VALUE");
         command
             ->add_option("--rename", compare->renames,
                          "Pair a renamed declaration: OLD=NEW or KIND:OLD=NEW (repeatable)")
             ->type_name("OLD=NEW");
         command->add_flag("--exact-names", compare->exactNames,
                           "Match declarations by identical names and --rename only");
       }});
  return subcommand(command, compare, runCompare);
}

Subcommand addSweepCommand(CLI::App& app) {
  auto sweep = std::make_shared<SweepOptions>();
  auto* command = app.add_subcommand(
      "sweep", "KPIs at every value of one or two params, on the same customers at every value");
  command->add_option("file", sweep->file, "A journey file")->required()->type_name("FILE");
  addRunOptions(
      command, sweep->run,
      {.customers = "How many customers at each point",
       .seed = "Seed of the random streams (every point)",
       .set = "A range NAME=FROM..TO:STEP (one or two, e.g. renewal_discount=5%..20%:5%) or "
              "a fixed NAME=VALUE (repeatable)",
       .setType = "NAME=RANGE",
       .format = "Report format: text, json or csv",
       .formats = {"text", "json", "csv"},
       .setFirst = true,
       .afterInputs = [command, sweep] {
         command
             ->add_option("--kpi", sweep->kpis,
                          "A column of the text table, e.g. conversion, outcome(Lost), "
                          "roi[Enterprise] (repeatable; default: the headline KPIs)")
             ->type_name("KPI");
       }});
  return subcommand(command, sweep, runSweep);
}

Subcommand addAnalyzeCommand(CLI::App& app) {
  auto analyze = std::make_shared<AnalyzeOptions>();
  auto* command = app.add_subcommand(
      "analyze", "Exact answers for a journey that is a continuous-time Markov chain");
  command->add_option("file", analyze->file, "A journey file or a compiled .jm file")
      ->required()
      ->type_name("FILE");
  command->add_option("--format", analyze->format, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
  addOverridesOption(command, analyze->overrides);
  addColorOption(command, analyze->color);
  return subcommand(command, analyze, runAnalyze);
}

Subcommand addGraphCommand(CLI::App& app) {
  auto graph = std::make_shared<GraphOptions>();
  auto* command = app.add_subcommand(
      "graph", "Draw the journey map: stages, touchpoints, transitions, rules and findings");
  command->add_option("file", graph->file, "Journey file")->required()->type_name("FILE");
  command
      ->add_option("--format", graph->format,
                   "dot (Graphviz), svg (drawn by Graphviz's `dot`) or mermaid (for Markdown)")
      ->check(CLI::IsMember({"dot", "svg", "mermaid"}))
      ->default_str("dot");
  command
      ->add_option("--persona", graph->persona,
                   "Draw the map of one persona: its transitions, its rules, the stages it reaches")
      ->type_name("PERSONA");
  command
      ->add_option("-o,--output", graph->output,
                   "Write the map to this file (replaced atomically) instead of standard output")
      ->type_name("OUT");
  addColorOption(command, graph->color);
  return subcommand(command, graph, runGraph);
}

Subcommand addLspCommand(CLI::App& app) {
  auto lsp = std::make_shared<LspOptions>();
  auto* command =
      app.add_subcommand("lsp", "Run the language server (LSP over stdin and stdout) for editors");
  command
      ->add_option("--debounce-ms", lsp->debounceMs,
                   "Check a document once it has not changed for this many milliseconds")
      ->check(CLI::Range(0, 10000))
      ->default_str("50");
  // Editors pass `--stdio`; stdio is the only transport.
  auto stdio = std::make_shared<bool>(true);
  command->add_flag("--stdio", *stdio,
                    "Talk over stdin and stdout (the default and only transport)");
  return {command, [lsp, stdio] { return runLsp(*lsp); }};
}

}  // namespace journey::cli

// The `journey` subcommands: each one's options (cli/arguments.h registers them) and the call
// that runs it. Each returns the process exit code: 0 success, 1 problems found in the input (or
// a failed `--fail-if` gate), 2 usage or I/O error, 130 a run stopped by Ctrl-C.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace journey::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;
inline constexpr int kExitUsage = 2;
/// A run stopped by Ctrl-C: 128 + SIGINT, as shells report it.
inline constexpr int kExitInterrupted = 130;

enum class ColorMode { Auto, Always, Never };

struct CheckOptions {
  std::vector<std::string> files;
  /// text (to stderr), json, sarif or github (to stdout).
  std::string format = "text";
  ColorMode color = ColorMode::Auto;
  /// `--allow CODE`: drop findings with these codes (those canSuppress accepts, suppress.h).
  std::vector<std::string> allow;
  /// `--deny warnings`: report warnings as errors, and fail on them.
  std::vector<std::string> deny;
  /// Print every diagnostic code with its severity and summary instead of checking.
  bool listCodes = false;
  /// For SARIF's `tool.driver`.
  std::string toolVersion;
  std::string informationUri;
};
int runCheck(const CheckOptions& options);

struct FormatOptions {
  std::vector<std::string> files;
  /// Report files that are not formatted instead of rewriting them.
  bool check = false;
  /// Print the formatted text instead of rewriting the file.
  bool toStdout = false;
  ColorMode color = ColorMode::Auto;
};
int runFormat(const FormatOptions& options);

/// `journey dump --stage=STAGE FILE`: the syntax tree, the machine or the JIT's LLVM IR.
struct DumpOptions {
  std::string file;
  /// ast, machine or llvm (the JIT's optimized IR).
  std::string stage = "ast";
  std::vector<std::string> overrides;
  ColorMode color = ColorMode::Auto;
};
int runDump(const DumpOptions& options);

/// `journey build FILE -o OUT.jm`: compile to the machine's file form.
struct BuildOptions {
  std::string file;
  std::string output;
  std::vector<std::string> overrides;
  ColorMode color = ColorMode::Auto;
};
int runBuild(const BuildOptions& options);

/// The options of the commands that run simulations (simulate, compare, sweep), registered on
/// each by one function (cli/arguments.cpp).
struct RunOptions {
  std::uint64_t customers = 100'000;
  std::uint64_t seed = 1;
  /// 0: one per core.
  unsigned threads = 0;
  /// jit or interpreter (cli/run.h builds it).
  std::string backend = "jit";
  /// `--set NAME=VALUE` (for sweep also ranges `NAME=FROM..TO:STEP`; for compare both versions).
  std::vector<std::string> overrides;
  /// text, json or csv; html for simulate and compare.
  std::string format = "text";
  /// Write the report here instead of stdout.
  std::string output;
  std::uint64_t maxSteps = 1'000'000;
  bool progress = true;
  ColorMode color = ColorMode::Auto;
  /// `--fail-if` KPI gates, checked after the report is written (exit 1 when one fails);
  /// simulate and compare.
  std::vector<std::string> failIf;
};

struct SimulateOptions {
  /// A `.journey` spec or a `.jm` machine.
  std::string file;
  RunOptions run;
  double untilPrecision = 0;
  std::uint64_t maxCustomers = 100'000'000;
  /// Count the moves between stages (`flows` in JSON; always for html).
  bool flows = false;
};
int runSimulate(const SimulateOptions& options);

/// `journey compare OLD NEW`: both versions on the same synthetic customers (common random
/// numbers), every KPI's difference with a 95% interval from the paired customers.
struct CompareOptions {
  std::string oldFile, newFile;
  /// `run.overrides` for both versions, then `--old-set` and `--new-set` for one.
  RunOptions run;
  std::vector<std::string> oldOverrides, newOverrides;
  /// `--rename [KIND:]OLD=NEW`.
  std::vector<std::string> renames;
  /// Match by identical names and `--rename` only; guess no renames.
  bool exactNames = false;
};
int runCompare(const CompareOptions& options);

/// `journey sweep FILE --set NAME=FROM..TO:STEP`: the KPIs at each value of one or two params,
/// on common random numbers across the values.
struct SweepOptions {
  std::string file;
  /// `run.overrides`: ranges (one or two) and fixed values.
  RunOptions run;
  /// KPIs for the text table's columns (names as in `--fail-if`); empty for the headline ones.
  std::vector<std::string> kpis;
};
int runSweep(const SweepOptions& options);

/// `journey analyze FILE`: exact answers for a journey that is a continuous-time Markov chain,
/// or what prevents them (exit 1, like problems in the input).
struct AnalyzeOptions {
  std::string file;
  std::vector<std::string> overrides;
  /// text or json.
  std::string format = "text";
  ColorMode color = ColorMode::Auto;
};
int runAnalyze(const AnalyzeOptions& options);

struct GraphOptions {
  std::string file;
  /// dot, svg (through Graphviz's `dot`) or mermaid.
  std::string format = "dot";
  /// Draw the map for this persona only; empty for all personas.
  std::string persona;
  /// Where to write the map (atomically); empty for standard output.
  std::string output;
  ColorMode color = ColorMode::Auto;
};
int runGraph(const GraphOptions& options);

struct LspOptions {
  /// Diagnostics wait until the document has not changed for this long.
  int debounceMs = 50;
};
/// The language server on stdin and stdout (lsp/server.h).
int runLsp(const LspOptions& options);

}  // namespace journey::cli

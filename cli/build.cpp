// `journey dump` and `journey build`: a spec's intermediate forms (the syntax tree, the
// machine, the JIT's LLVM IR) and the machine's file form.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/load.h"
#include "cli/run.h"
#include "compiler/ast/dump.h"
#include "compiler/driver/machine.h"
#include "runtime/file.h"
#include "runtime/print.h"

namespace journey::cli {
namespace {

int dumpSyntaxTree(const DumpOptions& options) {
  DiskFileReader disk;
  auto compilation = compile(options.file, disk, CompileOptions{.parseOnly = true});
  printDiagnostics(*compilation, options.color);
  if (compilation->rootUnreadable) return kExitUsage;
  ast::dump(std::cout, *compilation->root(), compilation->sources);
  return compilation->diagnostics.hasErrors() ? kExitProblems : kExitOk;
}

}  // namespace

int runDump(const DumpOptions& options) {
  if (options.stage == "ast") return dumpSyntaxTree(options);
  int exitCode = kExitOk;
  auto machine = loadMachine(options.file, options.overrides, options.color, exitCode);
  if (!machine) return exitCode;
  if (options.stage == "machine") {
    std::cout << rt::print(*machine);
    return kExitOk;
  }
  auto jit = compileJit(*machine, true);
  if (!jit) return kExitProblems;
  std::cout << jit->ir();
  return kExitOk;
}

int runBuild(const BuildOptions& options) {
  int exitCode = kExitOk;
  auto machine = loadMachine(options.file, options.overrides, options.color, exitCode);
  if (!machine) return exitCode;
  std::string output = options.output.empty() ? machineFilePath(options.file) : options.output;
  return writeReport(output, rt::serialize(*machine)) ? kExitOk : kExitUsage;
}

}  // namespace journey::cli

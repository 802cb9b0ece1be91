#include "cli/load.h"

#include <fmt/format.h>

#include <iostream>

#include "cli/common.h"
#include "compiler/driver/machine.h"
#include "runtime/file.h"
#include "runtime/verify.h"

namespace journey::cli {

bool compiledMachineIsWellFormed(const rt::Machine& machine) {
  auto problems = rt::verify(machine);
  if (problems.empty()) return true;
  std::cerr << fmt::format("internal error: the compiled machine is malformed: {}\n",
                           problems.front());
  return false;
}

std::optional<rt::Machine> loadMachine(const std::string& path, const LoadOptions& options,
                                       int& exitCode) {
  DiskFileReader disk;
  std::string error;
  std::optional<std::string> bytes = disk.read(path, error);
  std::optional<rt::Machine> machine;
  if (bytes && rt::looksLikeMachine(*bytes)) {
    if (!options.overrides.empty()) {
      std::cerr << fmt::format(
          "error: {}: `--set` needs the spec: a `.jm` file has its params folded in already\n",
          path);
      exitCode = kExitUsage;
      return std::nullopt;
    }
    auto loaded = rt::deserialize(*bytes);
    if (auto* problem = std::get_if<rt::LoadError>(&loaded)) {
      std::cerr << fmt::format("error: {}: {}\n", path, problem->message);
      exitCode = kExitProblems;
      return std::nullopt;
    }
    machine = std::get<rt::Machine>(std::move(loaded));
    auto problems = rt::verify(*machine);
    if (!problems.empty()) {
      std::cerr << fmt::format("error: {}: the machine is malformed: {}\n", path, problems.front());
      exitCode = kExitProblems;
      return std::nullopt;
    }
    return machine;
  }
  auto compilation = compile(path, disk);
  if (compilation->rootUnreadable) {
    printDiagnostics(*compilation, options.color);
    exitCode = kExitUsage;
    return std::nullopt;
  }
  machine = buildMachine(*compilation, options.overrides);
  printDiagnostics(*compilation, options.color);
  if (!machine) {
    if (compilation->diagnostics.hasErrors()) {
      std::cerr << fmt::format(
          "error: {} has errors: fix them before it can {} (see `journey check {}`)\n", path,
          options.purpose, path);
    }
    exitCode = kExitProblems;
    return std::nullopt;
  }
  if (!compiledMachineIsWellFormed(*machine)) {
    exitCode = kExitProblems;
    return std::nullopt;
  }
  if (options.compilation != nullptr) *options.compilation = std::move(compilation);
  return machine;
}

}  // namespace journey::cli

// The command line: each subcommand's options registered on CLI11 by one function, with the
// call that runs the subcommand once they are parsed. The run options that simulate, compare
// and sweep share (cli/commands.h `RunOptions`) are registered by one function for all three.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace journey::cli {

/// A registered subcommand, and what runs it with its parsed options (the exit code).
struct Subcommand {
  CLI::App* command;
  std::function<int()> run;
};

/// `toolVersion` and `informationUri` go into SARIF output.
Subcommand addCheckCommand(CLI::App& app, std::string toolVersion, std::string informationUri);
Subcommand addFormatCommand(CLI::App& app);
Subcommand addDumpCommand(CLI::App& app);
Subcommand addBuildCommand(CLI::App& app);
Subcommand addSimulateCommand(CLI::App& app);
Subcommand addCompareCommand(CLI::App& app);
Subcommand addSweepCommand(CLI::App& app);
Subcommand addAnalyzeCommand(CLI::App& app);
Subcommand addGraphCommand(CLI::App& app);
Subcommand addLspCommand(CLI::App& app);

}  // namespace journey::cli

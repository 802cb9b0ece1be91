// `journey simulate --format html` and `journey compare --format html`: the report pages
// (simulator/html) with the journey maps (compiler/map through Graphviz), see docs/report.md.
#pragma once

#include <string>

#include "cli/commands.h"
#include "runtime/machine.h"
#include "simulator/html/html_report.h"

namespace journey::cli {

/// False, with the reason on stderr, when a page would go to a terminal: `--format html` needs
/// `-o FILE` or standard output redirected.
bool htmlDestinationOk(const std::string& output);

/// The journey map of the spec `file` as inline SVG, or a note saying why there is none (a
/// `.jm` file, no Graphviz, Graphviz failed); the note also goes to stderr.
sim::html::MapFigure journeyMapFigure(const std::string& file);

/// The page of one simulation: `json` is the report `--format json` prints.
std::string htmlSimulationPage(const SimulateOptions& options, const rt::Machine& machine,
                               const std::string& json);

/// The page of a comparison: `json` is the `journey-comparison/1` document `--format json`
/// prints; the maps of both specs, labelled `old` and `new`.
std::string htmlComparisonPage(const CompareOptions& options, const rt::Machine& oldMachine,
                               const rt::Machine& newMachine, const std::string& json);

}  // namespace journey::cli

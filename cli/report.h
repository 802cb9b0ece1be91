// `journey simulate --format html` and `journey compare --format html`: the report pages
// (simulator/html) with the journey maps (compiler/map through Graphviz), see docs/report.md.
// Glue only: the page is simulator/html's, the map compiler/map's.
#pragma once

#include <string>

#include "compiler/driver/driver.h"
#include "runtime/machine.h"
#include "simulator/html/html_report.h"

namespace journey::cli {

/// False, with the reason on stderr, when a page would go to a terminal: `--format html` needs
/// `-o FILE` or standard output redirected.
bool htmlDestinationOk(const std::string& output);

/// The machine `file` was loaded from and, for a spec, the compilation it was lowered from
/// (null for a `.jm` file): the map is drawn from that compilation, never a second one.
struct LoadedJourney {
  const std::string& file;
  const rt::Machine& machine;
  const Compilation* compilation;
};

/// The journey map of the spec as inline SVG, or a note saying why there is none (a `.jm`
/// file, no Graphviz, Graphviz failed); the note also goes to stderr.
sim::html::MapFigure journeyMapFigure(const LoadedJourney& source);

/// The page of one simulation: `json` is the report `--format json` prints.
std::string htmlSimulationPage(const LoadedJourney& source, const std::string& json);

/// The page of a comparison: `json` is the `journey-comparison/1` document `--format json`
/// prints; the maps of both specs, labelled `old` and `new`.
std::string htmlComparisonPage(const LoadedJourney& oldSource, const LoadedJourney& newSource,
                               const std::string& json);

}  // namespace journey::cli

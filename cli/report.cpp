#include "cli/report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "cli/common.h"
#include "compiler/map/graphviz.h"
#include "compiler/map/map.h"

#ifndef JOURNEY_VERSION
#define JOURNEY_VERSION "0.0.0"
#endif

namespace journey::cli {

bool htmlDestinationOk(const std::string& output) {
  if (!output.empty() || isatty(STDOUT_FILENO) == 0) return true;
  std::cerr << "journey: error: `--format html` writes a web page, not text for a terminal\n"
               "  = help: write it to a file with `-o report.html`, or redirect standard output\n";
  return false;
}

sim::html::MapFigure journeyMapFigure(const LoadedJourney& source) {
  sim::html::MapFigure figure;
  auto noMap = [&](std::string note) {
    std::cerr << "note: the report has no journey map of " << source.file << ": " << note << '\n';
    figure.note = "No journey map: " + std::move(note) + ".";
    return figure;
  };
  if (source.compilation == nullptr)
    return noMap(
        "it was made from a compiled machine (.jm), which has no map; simulate the spec "
        "to include it");
  auto dot = findDot();
  if (!dot)
    return noMap("Graphviz's `dot` is not installed (Debian and Ubuntu: the `graphviz` package)");
  const Compilation& compilation = *source.compilation;
  if (compilation.journey == nullptr || compilation.journey->journey == nullptr)
    return noMap("the spec could not be analysed");
  // Only errors the checks may report (simulate refuses the others) can be drawn in red.
  map::JourneyMap journeyMap =
      map::buildMap(*compilation.journey, compilation.sources, compilation.diagnostics.sorted());
  map::GraphvizResult drawn =
      map::runGraphviz(*dot, "svg", map::renderDot(journeyMap), dotTimeout());
  if (!drawn.ok || drawn.output.find("<svg") == std::string::npos) {
    return noMap(fmt::format("Graphviz could not draw it{}{}", drawn.error.empty() ? "" : ": ",
                             drawn.error));
  }
  figure.svg = std::move(drawn.output);
  return figure;
}

namespace {

std::string nameOf(const rt::Machine& machine) {
  return machine.display.empty() ? machine.name : machine.display;
}

}  // namespace

std::string htmlSimulationPage(const LoadedJourney& source, const std::string& json) {
  sim::html::Page page;
  page.kind = sim::html::PageKind::Simulation;
  page.title = fmt::format("{}: simulation report", nameOf(source.machine));
  page.json = json;
  page.generator = "journey " JOURNEY_VERSION;
  page.maps.push_back(journeyMapFigure(source));
  return sim::html::renderPage(page);
}

std::string htmlComparisonPage(const LoadedJourney& oldSource, const LoadedJourney& newSource,
                               const std::string& json) {
  std::string oldName = nameOf(oldSource.machine), newName = nameOf(newSource.machine);
  sim::html::Page page;
  page.kind = sim::html::PageKind::Comparison;
  page.title = oldName == newName ? fmt::format("{}: comparison of two versions", newName)
                                  : fmt::format("{} and {}: comparison", oldName, newName);
  page.json = json;
  page.generator = "journey " JOURNEY_VERSION;
  page.maps.push_back(journeyMapFigure(oldSource));
  page.maps.back().label = "old";
  page.maps.push_back(journeyMapFigure(newSource));
  page.maps.back().label = "new";
  return sim::html::renderPage(page);
}

}  // namespace journey::cli

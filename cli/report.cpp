#include "cli/report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "cli/common.h"
#include "compiler/driver/driver.h"
#include "compiler/map/graphviz.h"
#include "compiler/map/map.h"
#include "runtime/file.h"

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

sim::html::MapFigure journeyMapFigure(const std::string& file) {
  sim::html::MapFigure figure;
  auto noMap = [&](std::string note) {
    std::cerr << "note: the report has no journey map of " << file << ": " << note << '\n';
    figure.note = "No journey map: " + std::move(note) + ".";
    return figure;
  };
  DiskFileReader disk;
  std::string error;
  std::optional<std::string> bytes = disk.read(file, error);
  if (!bytes) return noMap(fmt::format("cannot read {}: {}", file, error));
  if (rt::looksLikeMachine(*bytes))
    return noMap(
        "it was made from a compiled machine (.jm), which has no map; simulate the spec "
        "to include it");
  auto dot = findDot();
  if (!dot)
    return noMap("Graphviz's `dot` is not installed (Debian and Ubuntu: the `graphviz` package)");
  auto compilation = compile(file, disk);
  if (compilation->journey == nullptr || compilation->journey->journey == nullptr)
    return noMap("the spec could not be analysed");
  // Only errors the checks may report (simulate refuses the others) can be drawn in red.
  map::JourneyMap journeyMap =
      map::buildMap(*compilation->journey, compilation->sources, compilation->diagnostics.sorted());
  map::GraphvizResult drawn =
      map::runGraphviz(*dot, "svg", map::renderDot(journeyMap), dotTimeout());
  if (!drawn.ok || drawn.output.find("<svg") == std::string::npos) {
    return noMap(fmt::format("Graphviz could not draw it{}{}", drawn.error.empty() ? "" : ": ",
                             drawn.error));
  }
  figure.svg = std::move(drawn.output);
  return figure;
}

std::string htmlSimulationPage(const SimulateOptions& options, const rt::Machine& machine,
                               const std::string& json) {
  sim::html::Page page;
  page.kind = sim::html::PageKind::Simulation;
  page.title = fmt::format("{}: simulation report",
                           machine.display.empty() ? machine.name : machine.display);
  page.json = json;
  page.generator = "journey " JOURNEY_VERSION;
  page.maps.push_back(journeyMapFigure(options.file));
  return sim::html::renderPage(page);
}

std::string htmlComparisonPage(const CompareOptions& options, const rt::Machine& oldMachine,
                               const rt::Machine& newMachine, const std::string& json) {
  auto name = [](const rt::Machine& m) { return m.display.empty() ? m.name : m.display; };
  sim::html::Page page;
  page.kind = sim::html::PageKind::Comparison;
  page.title = name(oldMachine) == name(newMachine)
                   ? fmt::format("{}: comparison of two versions", name(newMachine))
                   : fmt::format("{} and {}: comparison", name(oldMachine), name(newMachine));
  page.json = json;
  page.generator = "journey " JOURNEY_VERSION;
  page.maps.push_back(journeyMapFigure(options.oldFile));
  page.maps.back().label = "old";
  page.maps.push_back(journeyMapFigure(options.newFile));
  page.maps.back().label = "new";
  return sim::html::renderPage(page);
}

}  // namespace journey::cli

// The HTML report: one self-contained, offline page (docs/report.md). The page embeds a JSON
// document (for a simulation, exactly what `journey simulate --format json` prints), the chart
// library (Apache ECharts, inlined) and the journey maps as inline SVG; its script draws every
// chart and table from the JSON, so the page shows the JSON's numbers by construction.
//
// The same generator serves every kind of page: a kind names the JSON's shape and the script's
// renderer for it (see `PageKind`).
#pragma once

#include <string>
#include <vector>

namespace journey::sim::html {

enum class PageKind {
  /// One run: the JSON is a `journey-simulation/1` report.
  Simulation,
  /// Two versions compared (`journey compare`): the JSON is a `journey-comparison/1` document
  /// (docs/planning.md), its maps labelled `old` and `new` (report.js, `renderComparison`).
  Comparison,
};

/// A journey map to show, or why there is none.
struct MapFigure {
  /// What the map is of, when a page shows several ("old", "new").
  std::string label;
  /// Graphviz's SVG; everything before `<svg` (XML declaration, doctype) is dropped.
  std::string svg;
  /// Shown instead of the map when `svg` is empty ("Graphviz's dot is not installed").
  std::string note;
};

struct Page {
  PageKind kind = PageKind::Simulation;
  /// The page's <title>.
  std::string title;
  /// The JSON document the page renders, serialized.
  std::string json;
  std::vector<MapFigure> maps;
  /// "journey 0.1.0", in the page's footer and generator tag.
  std::string generator;
};

/// The page. Deterministic: the same page description gives the same bytes.
std::string renderPage(const Page& page);

}  // namespace journey::sim::html

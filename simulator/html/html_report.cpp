#include "simulator/html/html_report.h"

#include <string>
#include <string_view>

#include "support/html.h"

namespace journey::sim::html {

using support::escapeHtml;
using support::scriptSafeJson;

// Defined by the generated assets.cpp (embed.cpp): the files of simulator/html and
// third_party/echarts.
namespace assets {
extern const std::string_view echartsJs;
extern const std::string_view reportJs;
extern const std::string_view reportCss;
}  // namespace assets

namespace {

/// What the page may load: nothing. Its scripts and styles are inline; data: images are the
/// only other source ECharts could use. A request the page tried anyway is refused and logged.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const char* kindName(PageKind kind) {
  switch (kind) {
    case PageKind::Simulation:
      return "simulation";
    case PageKind::Comparison:
      return "comparison";
  }
  return "simulation";
}

/// The SVG element of Graphviz's output, its ids prefixed so that several maps can share a page.
std::string inlineSvg(std::string_view svg, std::size_t index) {
  auto start = svg.find("<svg");
  if (start == std::string_view::npos) return {};
  svg.remove_prefix(start);
  std::string out;
  out.reserve(svg.size());
  std::string prefix = "jr-map" + std::to_string(index) + "-";
  constexpr std::string_view kId = " id=\"";
  std::size_t at = 0;
  for (;;) {
    auto found = svg.find(kId, at);
    if (found == std::string_view::npos) break;
    out.append(svg.substr(at, found + kId.size() - at));
    out += prefix;
    at = found + kId.size();
  }
  out.append(svg.substr(at));
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  return out;
}

}  // namespace

std::string renderPage(const Page& page) {
  std::string out;
  out.reserve(assets::echartsJs.size() + page.json.size() + std::size_t{256} * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"";
  out += kContentSecurityPolicy;
  out += "\">\n";
  if (!page.generator.empty())
    out += "<meta name=\"generator\" content=\"" + escapeHtml(page.generator) + "\">\n";
  out += "<title>" + escapeHtml(page.title) + "</title>\n<style>\n";
  out += assets::reportCss;
  out += "</style>\n</head>\n<body data-kind=\"";
  out += kindName(page.kind);
  out += "\" data-generator=\"" + escapeHtml(page.generator) + "\">\n";
  out +=
      "<div id=\"jr-app\" class=\"jr-app\"><p class=\"jr-loading\">Drawing the report…</p>"
      "<noscript><p class=\"jr-note\">This report draws its charts and tables with JavaScript. "
      "Its numbers are in the JSON document at the end of this file.</p></noscript></div>\n";
  // The maps wait here, hidden, until the script moves them into their section.
  out += "<div id=\"jr-maps\" hidden>\n";
  for (std::size_t i = 0; i < page.maps.size(); ++i) {
    const MapFigure& map = page.maps[i];
    std::string svg = map.svg.empty() ? std::string() : inlineSvg(map.svg, i);
    out += "<div class=\"jr-map-source\" data-label=\"" + escapeHtml(map.label) + "\"";
    if (svg.empty()) {
      out += " data-note=\"" + escapeHtml(map.note.empty() ? "No map." : map.note) + "\">";
    } else {
      out += ">\n" + svg + "\n";
    }
    out += "</div>\n";
  }
  out += "</div>\n<script type=\"application/json\" id=\"jr-data\">\n";
  out += scriptSafeJson(page.json);
  if (!page.json.empty() && page.json.back() != '\n') out += '\n';
  out += "</script>\n<script>\n";
  out += assets::echartsJs;
  out += "\n</script>\n<script>\n";
  out += assets::reportJs;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace journey::sim::html

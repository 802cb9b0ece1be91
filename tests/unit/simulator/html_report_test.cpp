// The HTML report's page generator (simulator/html): what it inlines and how it escapes.
// tests/report opens real pages in Chromium.
#include "simulator/html/html_report.h"

#include <gtest/gtest.h>

#include <string>

namespace journey::sim::html {
namespace {

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

Page samplePage() {
  Page page;
  page.title = "Phones <& \"more\">";
  page.json = R"({"schema": "journey-simulation/1", "display": "</script><b>x</b> & y"})";
  page.generator = "journey 9.9";
  page.maps.push_back(
      {"", "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg width=\"1pt\"><g id=\"node1\"/></svg>\n",
       ""});
  return page;
}

TEST(HtmlReport, EscapesTextAndScriptContent) {
  std::string html = renderPage(samplePage());
  EXPECT_NE(html.find("<title>Phones &lt;&amp; &quot;more&quot;&gt;</title>"), std::string::npos);
  // The JSON cannot close its element: `</script` appears only where the page closes scripts.
  EXPECT_EQ(occurrences(html, "</script"), 3u);
  EXPECT_NE(html.find(R"("display": "\u003c/script\u003e\u003cb\u003ex\u003c/b\u003e \u0026 y")"),
            std::string::npos);
}

TEST(HtmlReport, InlinesEverythingAndRequestsNothing) {
  std::string html = renderPage(samplePage());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  // ECharts, the report's script and style are inside; nothing is loaded from elsewhere.
  EXPECT_NE(html.find("Licensed to the Apache Software Foundation"), std::string::npos);
  EXPECT_NE(html.find("renderSimulation"), std::string::npos);
  EXPECT_NE(html.find(".jr-chart"), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("<body data-kind=\"simulation\" data-generator=\"journey 9.9\">"),
            std::string::npos);
}

TEST(HtmlReport, MapIsInlineSvgWithPrefixedIds) {
  std::string html = renderPage(samplePage());
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  EXPECT_EQ(html.find("<!DOCTYPE svg"), std::string::npos);
  EXPECT_NE(html.find("<svg width=\"1pt\"><g id=\"jr-map0-node1\"/></svg>"), std::string::npos);

  Page noMap = samplePage();
  noMap.maps = {{"", "", "No journey map: Graphviz's `dot` is not installed."}};
  std::string withNote = renderPage(noMap);
  EXPECT_NE(withNote.find("data-note=\"No journey map: Graphviz&#39;s `dot` is not installed.\""),
            std::string::npos);
}

TEST(HtmlReport, SamePageSameBytes) {
  EXPECT_EQ(renderPage(samplePage()), renderPage(samplePage()));
  Page comparison = samplePage();
  comparison.kind = PageKind::Comparison;
  EXPECT_NE(renderPage(comparison).find("data-kind=\"comparison\""), std::string::npos);
}

}  // namespace
}  // namespace journey::sim::html

// Language server benchmark: what a user waits for in the editor.
//
//   lsp_bench [--repeat N] STAGES...      e.g. lsp_bench 1000 10000
//
// For each size, on a generated spec opened in an in-process server (lsp/server.h, the same
// code `journey lsp` runs, without the debounce wait and the pipe):
//   change→diagnostics  a one-character edit inside a stage in the middle of the document
//                       (`didChange`), until `publishDiagnostics` has been built and sent
//   completion          `textDocument/completion` after `-> ` in that stage, on a document
//                       with an edit not yet analysed (what happens while typing)
//   hover               `textDocument/hover` on a stage name, document analysed
// Medians over N runs. Targets: diagnostics under 50 ms at 1,000 stages and under
// 300 ms at 10,000.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "bench/size_runs.h"
#include "bench/spec_generator.h"
#include "lsp/server.h"
#include "lsp/text.h"

namespace {

using journey::bench::median;

using Clock = std::chrono::steady_clock;
using journey::lsp::Json;

double ms(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double, std::milli>(end - start).count();
}

Json position(const std::string& text, std::size_t offset) {
  journey::lsp::LineIndex lines(text);
  auto p = lines.position(static_cast<std::uint32_t>(offset));
  return {{"line", p.line}, {"character", p.character}};
}

}  // namespace

int main(int argc, char** argv) {
  auto [repeat, sizes] = journey::bench::parseSizeRuns(argc, argv, 15);
  std::printf("%-8s %8s %22s %14s %10s %10s\n", "stages", "MB", "change→diagnostics ms",
              "completion ms", "hover ms", "open ms");
  for (std::size_t stages : sizes) {
    std::string text = journey::bench::generateSpec(stages);
    const std::string uri = "file:///bench/synthetic.journey";
    Clock::time_point published;
    Json lastDiagnostics;
    Json lastResponse;
    std::ostringstream log;
    journey::lsp::Server server(
        journey::lsp::ServerOptions{std::chrono::milliseconds(0)},
        [&](const Json& message) {
          if (message.value("method", "") == "textDocument/publishDiagnostics") {
            published = Clock::now();
            lastDiagnostics = message["params"]["diagnostics"];
          } else {
            lastResponse = message;
          }
        },
        log);
    server.handle(
        {{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"}, {"params", Json::object()}});
    auto openStart = Clock::now();
    server.handle({{"jsonrpc", "2.0"},
                   {"method", "textDocument/didOpen"},
                   {"params", {{"textDocument", {{"uri", uri}, {"version", 1}, {"text", text}}}}}});
    double openMs = ms(openStart, published);
    if (!lastDiagnostics.empty()) {
      std::fprintf(stderr, "lsp_bench: the generated spec has diagnostics: %s\n",
                   lastDiagnostics.dump().substr(0, 400).c_str());
      return 1;
    }

    // The edit: `cost 0.10 USD` <-> `cost 0.11 USD` in the middle stage's touchpoint.
    std::string marker = "touchpoint T" + std::to_string(stages / 2) + " via web cost 0.1";
    std::size_t at = text.find(marker);
    if (at == std::string::npos) {
      std::fprintf(stderr, "lsp_bench: marker not found\n");
      return 1;
    }
    at += marker.size();
    Json from = position(text, at);
    Json to = position(text, at + 1);
    std::size_t arrow = text.find("-> {", at) + 3;
    Json arrowPosition = position(text, arrow);
    std::size_t stageName = text.find("S" + std::to_string(stages / 2 + 1), at);
    Json stagePosition = position(text, stageName);

    std::vector<double> change;
    std::vector<double> completion;
    std::vector<double> hover;
    int version = 1;
    for (int r = 0; r < repeat; ++r) {
      std::string digit = r % 2 == 0 ? "1" : "0";
      Json edit = {
          {"jsonrpc", "2.0"},
          {"method", "textDocument/didChange"},
          {"params",
           {{"textDocument", {{"uri", uri}, {"version", ++version}}},
            {"contentChanges", {{{"range", {{"start", from}, {"end", to}}}, {"text", digit}}}}}}};
      // Completion while the edit is not analysed yet.
      server.handle(edit);
      auto start = Clock::now();
      server.handle({{"jsonrpc", "2.0"},
                     {"id", version},
                     {"method", "textDocument/completion"},
                     {"params", {{"textDocument", {{"uri", uri}}}, {"position", arrowPosition}}}});
      completion.push_back(ms(start, Clock::now()));
      if (lastResponse["result"]["items"].size() < stages) {
        std::fprintf(stderr, "lsp_bench: completion offered too few stages\n");
        return 1;
      }
      start = Clock::now();
      server.flush(true);
      change.push_back(ms(start, published));
      if (!lastDiagnostics.empty()) {
        std::fprintf(stderr, "lsp_bench: diagnostics after the edit\n");
        return 1;
      }
      start = Clock::now();
      server.handle({{"jsonrpc", "2.0"},
                     {"id", -version},
                     {"method", "textDocument/hover"},
                     {"params", {{"textDocument", {{"uri", uri}}}, {"position", stagePosition}}}});
      hover.push_back(ms(start, Clock::now()));
    }
    std::printf("%-8zu %8.1f %22.1f %14.1f %10.2f %10.1f\n", stages,
                static_cast<double>(text.size()) / 1e6, median(change), median(completion),
                median(hover), openMs);
    std::fflush(stdout);
  }
  return 0;
}

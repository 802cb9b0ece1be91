// Front-end benchmark: parse + analyse generated specs of the given sizes.
//
//   frontend_bench [--repeat N] STAGES...      e.g. frontend_bench 10000 100000
//
// For each size it reports the median wall time of three phases over N runs, each measured in
// this same process so that ratios are meaningful on a noisy machine:
//   scan     read the text and validate UTF-8 (the floor any front end pays: the baseline)
//   parse    lex + parse + build the AST
//   analyse  parse + semantic analysis
//   checks   the journey checks alone, on the analysed journey
//   check    parse + analysis + journey checks (what `journey check` does)
//   format   the formatter alone, on the parsed module
//   fmt      parse + format (what `journey fmt` does)
// and the process's peak resident memory. Run one size per process for a clean peak figure.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/size_runs.h"
#include "bench/spec_generator.h"
#include "compiler/checks/checks.h"
#include "compiler/driver/driver.h"
#include "compiler/format/format.h"

namespace {

using journey::bench::median;

double seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

long peakRssMegabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  auto [repeat, sizes] = journey::bench::parseSizeRuns(argc, argv, 5);
  std::printf("%-8s %9s %10s %10s %10s %10s %10s %12s %10s %10s %10s %9s\n", "stages", "MB",
              "scan s", "parse s", "analyse s", "checks s", "check s", "check/scan", "format s",
              "fmt s", "fmt/check", "peak MB");
  for (std::size_t stages : sizes) {
    std::string text = journey::bench::generateSpec(stages);
    journey::MemoryFileReader reader;
    reader.set("synthetic.journey", text);
    std::vector<double> scan, parse, analyse, checksOnly, check, formatOnly, fmt;
    for (int run = 0; run < repeat; ++run) {
      auto start = std::chrono::steady_clock::now();
      std::string error;
      auto copy = reader.read("synthetic.journey", error);
      volatile std::size_t bad = journey::findInvalidUtf8(*copy);
      (void)bad;
      scan.push_back(seconds(start));

      start = std::chrono::steady_clock::now();
      auto parsed =
          journey::compile("synthetic.journey", reader, journey::CompileOptions{.parseOnly = true});
      parse.push_back(seconds(start));
      auto formatStart = std::chrono::steady_clock::now();
      std::string formatted = journey::format::formatModule(
          *parsed->root(), parsed->sources.file(parsed->root()->file));
      formatOnly.push_back(seconds(formatStart));
      fmt.push_back(seconds(start));
      if (formatted.empty()) {
        std::fprintf(stderr, "the formatter printed nothing\n");
        return 1;
      }
      formatted = {};
      parsed.reset();

      start = std::chrono::steady_clock::now();
      auto analysed = journey::compile("synthetic.journey", reader,
                                       journey::CompileOptions{.runChecks = false});
      analyse.push_back(seconds(start));
      start = std::chrono::steady_clock::now();
      journey::checks::runChecks(*analysed->journey, analysed->diagnostics);
      checksOnly.push_back(seconds(start));
      analysed.reset();

      start = std::chrono::steady_clock::now();
      auto checked = journey::compile("synthetic.journey", reader);
      check.push_back(seconds(start));
      if (checked->diagnostics.errorCount() != 0 || checked->diagnostics.warningCount() != 0) {
        std::fprintf(stderr, "generated spec has %zu errors and %zu warnings: fix the generator\n",
                     checked->diagnostics.errorCount(), checked->diagnostics.warningCount());
        return 1;
      }
    }
    std::printf("%-8zu %9.1f %10.4f %10.3f %10.3f %10.4f %10.3f %12.0f %10.3f %10.3f %10.2f %9ld\n",
                stages, static_cast<double>(text.size()) / 1e6, median(scan), median(parse),
                median(analyse), median(checksOnly), median(check), median(check) / median(scan),
                median(formatOnly), median(fmt), median(fmt) / median(check), peakRssMegabytes());
  }
  return 0;
}

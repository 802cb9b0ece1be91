// What the per-size benchmarks (frontend_bench, lsp_bench) share: their command line,
// `[--repeat R] STAGES...`, and the median they report over the repeats.
#pragma once

#include <cstddef>
#include <vector>

namespace journey::bench {

struct SizeRuns {
  int repeat = 1;
  /// Stage counts of the generated specs, in the order given.
  std::vector<std::size_t> sizes;
};

/// `--repeat R` (at least 1; `defaultRepeat` without it) and the sizes; 1,000 and 10,000
/// stages when none are given.
SizeRuns parseSizeRuns(int argc, char** argv, int defaultRepeat);

/// The middle value; of an even count, the upper of the two middle ones.
double median(std::vector<double> values);

}  // namespace journey::bench

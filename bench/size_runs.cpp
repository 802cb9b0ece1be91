#include "bench/size_runs.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace journey::bench {

SizeRuns parseSizeRuns(int argc, char** argv, int defaultRepeat) {
  SizeRuns runs;
  runs.repeat = defaultRepeat;
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument == "--repeat" && i + 1 < argc) {
      runs.repeat = std::max(1, std::atoi(argv[++i]));
    } else {
      runs.sizes.push_back(static_cast<std::size_t>(std::strtoull(argument.c_str(), nullptr, 10)));
    }
  }
  if (runs.sizes.empty()) runs.sizes = {1000, 10000};
  return runs;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace journey::bench

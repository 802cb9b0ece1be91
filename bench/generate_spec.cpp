// Writes a synthetic journey spec with the given number of stages to stdout:
//   generate_spec 10000 > big.journey
#include <cstdio>
#include <cstdlib>

#include "bench/spec_generator.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: generate_spec STAGES\n");
    return 2;
  }
  std::fputs(journey::bench::generateSpec(std::strtoull(argv[1], nullptr, 10)).c_str(), stdout);
  return 0;
}

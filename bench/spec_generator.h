// Synthetic journey specs of any size, for benchmarks and stress tests. The output checks
// clean: every stage is reachable, branches sum to 100%, names resolve.
#pragma once

#include <cstddef>
#include <string>

namespace journey::bench {

/// A journey with `stages` ordinary stages (plus goal and exit stages), three personas with
/// attributes, a touchpoint per stage, probabilistic and conditional branches, per-persona
/// overrides, and an event and a rule for every 10 stages.
std::string generateSpec(std::size_t stages);

}  // namespace journey::bench

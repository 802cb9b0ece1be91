// The counts gathered over many customers: run-time warnings by place, and the totals by
// persona.
#include "runtime/engine.h"

namespace journey::rt {

void Counters::merge(const Counters& other) {
  auto add = [](std::vector<std::uint64_t>& into, const std::vector<std::uint64_t>& from) {
    for (std::size_t i = 0; i < into.size() && i < from.size(); ++i)
      into[i] += from[i];
  };
  add(unrouted, other.unrouted);
  add(negativeDurations, other.negativeDurations);
  add(clampedProbabilities, other.clampedProbabilities);
  add(failures, other.failures);
}

CountTotals::CountTotals(const Machine& machine) {
  auto next = [this](std::size_t size) {
    Range range{blockSize_, size};
    blockSize_ += size;
    return range;
  };
  // The order of a customer's counts (Customer::Customer), then the first visits.
  visits_ = next(machine.stages.size());
  received_ = next(machine.touchpoints.size());
  ruleRuns_ = next(machine.rules.size());
  channelDropped_ = next(machine.channels.size());
  channelDeferred_ = next(machine.channels.size());
  channelCapped_ = next(machine.channels.size());
  ruleCapped_ = next(machine.rules.size());
  reached_ = next(machine.stages.size());
  totals_.assign(blockSize_ * machine.personas.size(), 0);
}

}  // namespace journey::rt

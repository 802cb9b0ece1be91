// The business-phone journey (examples/business_phone.journey) written by hand: hard-coded
// tables and branches, the runtime's Philox streams, samplers and time of day (shared like the
// samplers: what both share is not what the comparison measures), a binary-heap event loop. It
// is the yardstick of machine_bench: the straightforward C++ a good engineer would write
// for this one journey, following docs/semantics.md (activity, visit-tagged timers, the email
// cap ring, phone quiet hours with deferral, the condition rule evaluated after every step).
//
// It draws from the same streams in the order docs/semantics.md implies, which is the engine's
// order too: in every run so far its outcomes, costs and emotions equal the engine's exactly.
// machine_bench only requires agreement within sampling error (|z| <= 4.5) before it reports a
// ratio, so a baseline that drew in another order would still pass.
#pragma once

#include <array>
#include <cstdint>

namespace journey::bench::baseline {

enum Stage : std::uint8_t {
  Need,
  Research,
  Evaluate,
  Onboarding,
  Usage,
  Support,
  Renewal,
  Renewed,
  Advocacy,
  Churned,
  Lost,
  kStageCount
};

/// Sums over customers.
struct Totals {
  std::uint64_t customers = 0;
  /// Customers who ended in each stage (goal, exit, or in progress there at the horizon).
  std::array<std::uint64_t, kStageCount> endedAt{};
  std::array<std::uint64_t, kStageCount> visits{};
  std::array<double, kStageCount> timeInStage{};
  std::uint64_t converted = 0;
  std::uint64_t steps = 0;
  double timeToGoal = 0;
  double cost = 0, costSquares = 0;
  double emotion = 0, emotionSquares = 0;
  double value = 0;
  std::uint64_t emailDropped = 0, phoneDeferred = 0;
};

/// Customers [first, last) of a run with `seed`, added to `totals`.
void simulate(std::uint64_t seed, std::uint64_t first, std::uint64_t last, Totals& totals);

}  // namespace journey::bench::baseline

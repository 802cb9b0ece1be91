// Monte Carlo simulation: synthetic customers through a machine, tallied per persona.
//
// Customers are numbered 0..N-1; customer i's draws come from (seed, i) only. Customers are
// processed in fixed chunks whose tallies are merged in chunk order, so the results are
// bit-identical for any number of threads and either backend.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "runtime/engine.h"
#include "simulator/lifetime.h"

namespace journey::sim {

/// Customers who moved from one place to another, summed (a customer who makes a move twice
/// counts twice). `from` is a stage index or `kFromEntry`; `to` is a stage index or
/// `kEnded + outcome` for a customer whose journey ended where `from` is without a goal or an
/// exit: in progress at the horizon, unrouted at entry, looping, failed or stopped at the step
/// limit (`rt::Outcome`).
struct Flow {
  std::uint32_t from = 0;
  std::uint32_t to = 0;
  std::uint64_t count = 0;
};
inline constexpr std::uint32_t kFromEntry = 0xFFFF'FFFF;
inline constexpr std::uint32_t kEnded = 0x8000'0000;

/// Sums over the customers of one persona. Counts are exact; sums of doubles are added in a
/// fixed order.
struct Tally {
  explicit Tally(const rt::Machine& machine);

  std::uint64_t customers = 0;
  /// Finished at each goal or exit, or in progress in each stage at the horizon.
  std::vector<std::uint64_t> endedAt;  // by stage: goal/exit reached, or in progress there
  std::uint64_t unroutedAtEntry = 0, looping = 0, failed = 0, stepLimit = 0;
  /// By stage: where looping customers were stopped (semantics 4.12).
  std::vector<std::uint64_t> loopingIn;
  /// By event: looping customers stopped while one event kept occurring at one instant.
  std::vector<std::uint64_t> loopingOn;
  /// By stage: customers who went from it straight to a goal, or to an exit, and finished
  /// there. With `endedAt` of an ordinary stage (still there at the horizon), where the
  /// customers whose last ordinary stage it was went.
  std::vector<std::uint64_t> leftForGoal, leftForExit;
  std::uint64_t converted = 0;
  double timeToGoal = 0, timeToGoalSquares = 0;
  /// Time to goal in `kTimeBins` equal bins over [0, horizon].
  std::vector<std::uint64_t> timeToGoalBins;
  std::vector<std::uint64_t> reached;   // by stage: customers who entered it at least once
  std::vector<std::uint64_t> visits;    // by stage
  std::vector<double> timeInStage;      // by stage, seconds, summed over visits
  std::vector<double> emotionOnEntry;   // by stage, summed over visits
  std::vector<std::uint64_t> received;  // by touchpoint
  std::vector<std::uint64_t> channelDelivered, channelDropped, channelDeferred;
  /// Sends a channel's cap dropped or deferred (the rest of those: its quiet hours).
  std::vector<std::uint64_t> channelCapped;
  std::vector<double> channelCost;
  std::vector<std::uint64_t> ruleRuns, ruleCapped;
  double cost = 0, costSquares = 0;
  double value = 0, valueSquares = 0, costTimesValue = 0;
  /// Cost summed over converted customers, for the cost per conversion's interval.
  double costOfConverted = 0;
  double emotion = 0, emotionSquares = 0;
  double effort = 0;
  /// Items processed (stage transitions, events, timers), for throughput figures.
  std::uint64_t steps = 0;
  /// Milestones, declared KPIs, retention and lifetime value (empty for other journeys).
  LifetimeTally lifetime;

  /// Flows by `flowKey(from, to)`, only when `Options::flows`. Sparse: a journey of 1,000
  /// stages has a million possible moves, of which customers make few.
  std::unordered_map<std::uint64_t, std::uint64_t> flows;

  static constexpr int kTimeBins = 2000;

  /// rt::Customer::sums (timeInStage, emotionOnEntry, channelCost) as `add` sums them, in one
  /// loop; `merge` folds them into the named sums, which are complete in a tally made by
  /// merging, as simulate's and compare's results are.
  std::vector<double> sumSums;
  /// Each touchpoint's channel, for `channelDelivered`.
  std::vector<rt::Index> channelOf;

  /// A customer's outcome and sums. Its counts come from the rt::CountTotals the customers ran
  /// with (`addCounts`).
  void add(const rt::Customer& customer, double horizon);
  /// The counts of the customers of `persona` the engine added into `totals`.
  void addCounts(const rt::CountTotals& totals, rt::Index persona);
  /// Counts the customer's moves; the customer must have run with `recordPath`.
  void addFlows(const rt::Customer& customer);
  void merge(const Tally& other);
  /// The flows ordered by (from, to) index: the same order for any run.
  std::vector<Flow> sortedFlows() const;

  static std::uint64_t flowKey(std::uint32_t from, std::uint32_t to) {
    return (std::uint64_t{from} << 32) | to;
  }
};

struct Options {
  std::uint64_t customers = 100'000;
  std::uint64_t seed = 1;
  /// 0: one per hardware thread.
  unsigned threads = 0;
  /// Keep simulating until every headline proportion's 95% half-width is below this (0: off),
  /// doubling the count, up to `maxCustomers`.
  double untilPrecision = 0;
  std::uint64_t maxCustomers = 100'000'000;
  std::uint64_t maxSteps = 1'000'000;
  /// Count the moves between stages (`Tally::flows`), for the Sankey diagram of the HTML
  /// report. Costs a little time: the engine records each customer's actions.
  bool flows = false;
  /// Set from a signal handler: stop after the chunks in progress.
  const std::atomic<bool>* stop = nullptr;
  /// Called from one thread now and then with customers done so far and the target.
  std::function<void(std::uint64_t done, std::uint64_t target)> progress;
};

struct Results {
  explicit Results(const rt::Machine& machine) : counters(machine) {}

  /// One tally per persona, in machine order.
  std::vector<Tally> personas;
  rt::Counters counters;
  std::uint64_t customers = 0;
  bool interrupted = false;
  /// The precision target was not met within `maxCustomers`.
  bool precisionCapped = false;
  /// The tallies count flows (`Options::flows`).
  bool flows = false;
  double seconds = 0;

  /// Everyone: the personas merged in order.
  Tally overall() const;
};

/// Customers per chunk: the unit of work and of merging.
inline constexpr std::uint64_t kChunk = 4096;

Results simulate(const rt::Program& program, const Options& options);

/// The largest 95% half-width among the headline proportions (conversion, each goal and exit,
/// the primary KPI).
double headlineHalfWidth(const rt::Machine& machine, const Tally& tally);

}  // namespace journey::sim

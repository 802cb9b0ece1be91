// What a lifetime journey reports beyond the funnel: milestones reached and when, declared
// KPIs, retention over time and customer lifetime value. Tallied only for machines that use
// lifetime constructs (`rt::Machine::lifetime`), so other journeys pay nothing for it.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/engine.h"
#include "simulator/stats.h"

namespace journey::sim {

/// Sums over the customers of one persona, merged in a fixed order like `Tally`.
struct LifetimeTally {
  LifetimeTally() = default;
  explicit LifetimeTally(const rt::Machine& machine);

  bool empty() const { return !enabled; }
  void add(const rt::Customer& customer);
  void merge(const LifetimeTally& other);

  bool enabled = false;
  double horizon = 0;
  /// Milestone stages in declaration order.
  std::vector<rt::Index> milestones;
  /// By milestone: first-reach times (seconds) summed over the customers who reached it, their
  /// squares, and their histogram in `kTimeBins` bins over [0, horizon].
  std::vector<double> firstTime, firstTimeSquares;
  std::vector<std::uint64_t> firstTimeBins;
  /// By milestone, `kRepeatBuckets` counts: customers who reached it 1, 2, ..., 5 or more times.
  std::vector<std::uint64_t> repeats;

  /// By declared KPI: the sum and sum of squares of its per-customer values, and the customers
  /// for whom it could be evaluated (a division by zero leaves a customer out).
  std::vector<double> kpiSums, kpiSquares;
  std::vector<std::uint64_t> kpiCustomers;

  /// The retention grid (seconds, ending at the horizon) and, by grid period, the customers
  /// whose journey ended at an exit in (grid[k-1], grid[k]].
  std::vector<double> grid;
  std::vector<std::uint64_t> exitsByPeriod;

  /// Lifetime value (value minus cost, discounted when the spec says so): sum, squares, and a
  /// histogram on a logarithmic scale for its quantiles.
  double lifetimeValue = 0, lifetimeValueSquares = 0;
  std::vector<std::uint64_t> lifetimeValueBins;

  /// By stage, three counts: NPS answers from promoters, passives and detractors (empty when
  /// no touchpoint asks).
  std::vector<std::uint64_t> npsAnswers;

  static constexpr int kTimeBins = 2000;
  static constexpr int kRepeatBuckets = 5;
};

/// The retention grid for a horizon: weekly up to 26 weeks, monthly (30 days) up to 5 years,
/// else yearly; the horizon is always the last point.
std::vector<double> retentionGrid(double horizon);

/// Net promoter score of the answers in `counts` (promoters, passives, detractors, possibly by
/// stage: every third from `first`): percent promoters minus percent detractors, -100 to 100,
/// with a normal interval over the answers. `answers` is set to their number.
Interval netPromoterScore(const std::vector<std::uint64_t>& counts, std::size_t first,
                          std::size_t step, std::uint64_t& answers);

/// Quantiles of the histograms above; NaN without customers.
double firstTimeQuantile(const LifetimeTally& tally, std::size_t milestone, std::uint64_t reached,
                         double fraction);
double lifetimeValueQuantile(const LifetimeTally& tally, std::uint64_t customers, double fraction);

}  // namespace journey::sim

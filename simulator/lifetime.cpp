#include "simulator/lifetime.h"

#include <algorithm>
#include <cmath>

#include "simulator/sums.h"

namespace journey::sim {
namespace {

constexpr double kDay = 86400;

// Lifetime value's histogram: amounts below `kSmallest` in size share bin 0; above it, each
// sign has `kBinsPerSign` bins 1% wide on a logarithmic scale up to `kSmallest * e^(kBins/100)`.
constexpr double kSmallest = 0.01;
constexpr double kBinsPerUnit = 100;  // bins per unit of ln(|x| / kSmallest): 1% apart
constexpr int kBinsPerSign = 2800;    // up to about 1.5e10
constexpr int kValueBins = 1 + 2 * kBinsPerSign;

int valueBin(double x) {
  double size = std::fabs(x);
  if (!(size >= kSmallest)) return 0;
  double position = std::log(size / kSmallest) * kBinsPerUnit;
  int bin = 1 + std::min(kBinsPerSign - 1, static_cast<int>(position));
  return x < 0 ? kBinsPerSign + bin : bin;
}

// The middle of a bin on its scale.
double valueOfBin(int bin) {
  if (bin == 0) return 0;
  bool negative = bin > kBinsPerSign;
  int position = (negative ? bin - kBinsPerSign : bin) - 1;
  double size = kSmallest * std::exp((position + 0.5) / kBinsPerUnit);
  return negative ? -size : size;
}

}  // namespace

std::vector<double> retentionGrid(double horizon) {
  double step = horizon <= 26 * 7 * kDay    ? 7 * kDay
                : horizon <= 5 * 365 * kDay ? 30 * kDay
                                            : 365 * kDay;
  std::vector<double> grid;
  for (double t = step; t < horizon; t += step)
    grid.push_back(t);
  grid.push_back(horizon);
  return grid;
}

LifetimeTally::LifetimeTally(const rt::Machine& m) : enabled(m.lifetime), horizon(m.horizon) {
  if (!enabled) return;
  for (std::size_t s = 0; s < m.stages.size(); ++s)
    if (m.stages[s].milestone) milestones.push_back(static_cast<rt::Index>(s));
  firstTime.assign(milestones.size(), 0);
  firstTimeSquares.assign(milestones.size(), 0);
  firstTimeBins.assign(milestones.size() * kTimeBins, 0);
  repeats.assign(milestones.size() * kRepeatBuckets, 0);
  kpiSums.assign(m.kpis.size(), 0);
  kpiSquares.assign(m.kpis.size(), 0);
  kpiCustomers.assign(m.kpis.size(), 0);
  grid = retentionGrid(m.horizon);
  exitsByPeriod.assign(grid.size(), 0);
  lifetimeValueBins.assign(kValueBins, 0);
  if (m.hasSurveys()) npsAnswers.assign(3 * m.stages.size(), 0);
}

void LifetimeTally::add(const rt::Customer& c) {
  auto visits = c.visits();
  auto first = c.firstEntry();
  for (std::size_t i = 0; i < milestones.size(); ++i) {
    auto stage = static_cast<std::size_t>(milestones[i]);
    std::uint32_t count = visits[stage];
    if (count == 0) continue;
    double t = first[stage];
    firstTime[i] += t;
    firstTimeSquares[i] += t * t;
    auto bin = static_cast<std::size_t>(t / horizon * kTimeBins);
    ++firstTimeBins[i * kTimeBins + std::min<std::size_t>(bin, kTimeBins - 1)];
    ++repeats[i * kRepeatBuckets + std::min<std::size_t>(count, kRepeatBuckets) - 1];
  }
  const rt::Machine& m = c.machine();
  for (std::size_t k = 0; k < kpiSums.size(); ++k) {
    double y = c.evaluate(m.kpis[k].value);
    if (std::isnan(y)) continue;
    kpiSums[k] += y;
    kpiSquares[k] += y * y;
    ++kpiCustomers[k];
  }
  if (c.outcome() == rt::Outcome::Exit) {
    auto period = static_cast<std::size_t>(
        std::lower_bound(grid.begin(), grid.end(), c.outcomeTime()) - grid.begin());
    ++exitsByPeriod[std::min(period, grid.size() - 1)];
  }
  double v = c.lifetimeValue();
  lifetimeValue += v;
  lifetimeValueSquares += v * v;
  ++lifetimeValueBins[static_cast<std::size_t>(valueBin(v))];
  if (!npsAnswers.empty()) {
    auto answers = c.npsAnswers();
    for (std::size_t i = 0; i < npsAnswers.size(); ++i)
      npsAnswers[i] += answers[i];
  }
}

void LifetimeTally::merge(const LifetimeTally& o) {
  if (!enabled) return;
  addInto(firstTime, o.firstTime);
  addInto(firstTimeSquares, o.firstTimeSquares);
  addInto(firstTimeBins, o.firstTimeBins);
  addInto(repeats, o.repeats);
  addInto(kpiSums, o.kpiSums);
  addInto(kpiSquares, o.kpiSquares);
  addInto(kpiCustomers, o.kpiCustomers);
  addInto(exitsByPeriod, o.exitsByPeriod);
  lifetimeValue += o.lifetimeValue;
  lifetimeValueSquares += o.lifetimeValueSquares;
  addInto(lifetimeValueBins, o.lifetimeValueBins);
  addInto(npsAnswers, o.npsAnswers);
}

Interval netPromoterScore(const std::vector<std::uint64_t>& counts, std::size_t first,
                          std::size_t step, std::uint64_t& answers) {
  std::uint64_t promoters = 0, passives = 0, detractors = 0;
  for (std::size_t i = first; i + 2 < counts.size(); i += step) {
    promoters += counts[i];
    passives += counts[i + 1];
    detractors += counts[i + 2];
  }
  answers = promoters + passives + detractors;
  if (answers == 0) return {NAN, NAN, NAN};
  auto n = static_cast<double>(answers);
  double p = static_cast<double>(promoters) / n, d = static_cast<double>(detractors) / n;
  double score = p - d;
  double se = std::sqrt(std::max(0.0, p + d - score * score) / n);
  return {100 * score, 100 * (score - kZ95 * se), 100 * (score + kZ95 * se)};
}

double firstTimeQuantile(const LifetimeTally& t, std::size_t milestone, std::uint64_t reached,
                         double fraction) {
  if (reached == 0) return NAN;
  auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(reached))));
  std::uint64_t seen = 0;
  for (int b = 0; b < LifetimeTally::kTimeBins; ++b) {
    seen += t.firstTimeBins[milestone * LifetimeTally::kTimeBins + static_cast<std::size_t>(b)];
    if (seen >= rank) return (b + 0.5) * t.horizon / LifetimeTally::kTimeBins / kDay;
  }
  return t.horizon / kDay;
}

double lifetimeValueQuantile(const LifetimeTally& t, std::uint64_t customers, double fraction) {
  if (customers == 0 || t.lifetimeValueBins.empty()) return NAN;
  auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(customers))));
  // In increasing order of value: the negative bins from the largest size down, zero, then
  // the positive ones.
  std::uint64_t seen = 0;
  for (int b = kValueBins - 1; b > kBinsPerSign; --b) {
    seen += t.lifetimeValueBins[static_cast<std::size_t>(b)];
    if (seen >= rank) return valueOfBin(b);
  }
  for (int b = 0; b <= kBinsPerSign; ++b) {
    seen += t.lifetimeValueBins[static_cast<std::size_t>(b)];
    if (seen >= rank) return valueOfBin(b);
  }
  return NAN;
}

}  // namespace journey::sim

#include "simulator/simulate.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include "simulator/chunks.h"
#include "simulator/stats.h"
#include "simulator/sums.h"

namespace journey::sim {

Tally::Tally(const rt::Machine& m)
    : endedAt(m.stages.size()),
      loopingIn(m.stages.size()),
      loopingOn(m.events.size()),
      leftForGoal(m.stages.size()),
      leftForExit(m.stages.size()),
      timeToGoalBins(kTimeBins),
      reached(m.stages.size()),
      visits(m.stages.size()),
      timeInStage(m.stages.size()),
      emotionOnEntry(m.stages.size()),
      received(m.touchpoints.size()),
      channelDelivered(m.channels.size()),
      channelDropped(m.channels.size()),
      channelDeferred(m.channels.size()),
      channelCapped(m.channels.size()),
      channelCost(m.channels.size()),
      ruleRuns(m.rules.size()),
      ruleCapped(m.rules.size()),
      lifetime(m),
      sumSums(2 * m.stages.size() + m.channels.size()) {
  for (const rt::Touchpoint& touchpoint : m.touchpoints)
    channelOf.push_back(touchpoint.channel);
}

void Tally::add(const rt::Customer& c, double horizon) {
  ++customers;
  switch (c.outcome()) {
    case rt::Outcome::Goal:
    case rt::Outcome::Exit:
      if (c.outcomeStage() != rt::kNone) ++endedAt[c.outcomeStage()];
      if (c.previousStage() != rt::kNone)
        ++(c.outcome() == rt::Outcome::Goal ? leftForGoal : leftForExit)[c.previousStage()];
      break;
    case rt::Outcome::InProgress:
      if (c.outcomeStage() != rt::kNone) ++endedAt[c.outcomeStage()];
      break;
    case rt::Outcome::UnroutedAtEntry:
      ++unroutedAtEntry;
      break;
    case rt::Outcome::Looping:
      ++looping;
      if (c.outcomeStage() != rt::kNone) ++loopingIn[c.outcomeStage()];
      if (c.loopingEvent() != rt::kNone) ++loopingOn[c.loopingEvent()];
      break;
    case rt::Outcome::Failed:
      ++failed;
      break;
    case rt::Outcome::StepLimit:
      ++stepLimit;
      break;
  }
  if (c.outcome() == rt::Outcome::Goal) {
    ++converted;
    double t = c.outcomeTime();
    timeToGoal += t;
    timeToGoalSquares += t * t;
    auto bin = static_cast<std::size_t>(t / horizon * kTimeBins);
    ++timeToGoalBins[std::min<std::size_t>(bin, kTimeBins - 1)];
    costOfConverted += c.cost();
  }
  // Without a branch on whether a stage was visited (it mispredicts): an unvisited stage's
  // sums are +0.0, and adding +0.0 leaves a sum that starts at +0.0 bit for bit the same.
  auto sums = c.sums();
  for (std::size_t i = 0; i < sums.size(); ++i)
    sumSums[i] += sums[i];
  double customerCost = c.cost(), customerValue = c.value(), customerEmotion = c.emotion();
  cost += customerCost;
  costSquares += customerCost * customerCost;
  value += customerValue;
  valueSquares += customerValue * customerValue;
  costTimesValue += customerCost * customerValue;
  emotion += customerEmotion;
  emotionSquares += customerEmotion * customerEmotion;
  effort += c.effort();
  steps += c.steps();
  if (!lifetime.empty()) lifetime.add(c);
}

void Tally::addCounts(const rt::CountTotals& totals, rt::Index persona) {
  addInto(reached, totals.reached(persona));
  addInto(visits, totals.visits(persona));
  auto deliveries = totals.received(persona);
  addInto(received, deliveries);
  for (std::size_t t = 0; t < channelOf.size(); ++t)
    channelDelivered[channelOf[t]] += deliveries[t];
  addInto(channelDropped, totals.channelDropped(persona));
  addInto(channelDeferred, totals.channelDeferred(persona));
  addInto(channelCapped, totals.channelCapped(persona));
  addInto(ruleRuns, totals.ruleRuns(persona));
  addInto(ruleCapped, totals.ruleCapped(persona));
}

void Tally::addFlows(const rt::Customer& c) {
  std::uint32_t from = kFromEntry;
  for (rt::Index stage : c.path()) {
    auto to = static_cast<std::uint32_t>(stage);
    ++flows[flowKey(from, to)];
    from = to;
  }
  if (c.outcome() != rt::Outcome::Goal && c.outcome() != rt::Outcome::Exit)
    ++flows[flowKey(from, kEnded + static_cast<std::uint32_t>(c.outcome()))];
}

std::vector<Flow> Tally::sortedFlows() const {
  std::vector<Flow> sorted;
  sorted.reserve(flows.size());
  for (const auto& [key, count] : flows)
    sorted.push_back(
        {static_cast<std::uint32_t>(key >> 32), static_cast<std::uint32_t>(key), count});
  std::sort(sorted.begin(), sorted.end(), [](const Flow& a, const Flow& b) {
    return flowKey(a.from, a.to) < flowKey(b.from, b.to);
  });
  return sorted;
}

void Tally::merge(const Tally& o) {
  customers += o.customers;
  addInto(endedAt, o.endedAt);
  unroutedAtEntry += o.unroutedAtEntry;
  looping += o.looping;
  addInto(loopingIn, o.loopingIn);
  addInto(loopingOn, o.loopingOn);
  addInto(leftForGoal, o.leftForGoal);
  addInto(leftForExit, o.leftForExit);
  failed += o.failed;
  stepLimit += o.stepLimit;
  converted += o.converted;
  timeToGoal += o.timeToGoal;
  timeToGoalSquares += o.timeToGoalSquares;
  addInto(timeToGoalBins, o.timeToGoalBins);
  addInto(reached, o.reached);
  addInto(visits, o.visits);
  addInto(timeInStage, o.timeInStage);
  addInto(emotionOnEntry, o.emotionOnEntry);
  addInto(received, o.received);
  addInto(channelDelivered, o.channelDelivered);
  addInto(channelDropped, o.channelDropped);
  addInto(channelDeferred, o.channelDeferred);
  addInto(channelCapped, o.channelCapped);
  addInto(channelCost, o.channelCost);
  addInto(ruleRuns, o.ruleRuns);
  addInto(ruleCapped, o.ruleCapped);
  std::size_t at = 0;
  for (auto* into : {&timeInStage, &emotionOnEntry, &channelCost}) {
    for (auto& sum : *into)
      sum += o.sumSums[at++];
  }
  cost += o.cost;
  costSquares += o.costSquares;
  value += o.value;
  valueSquares += o.valueSquares;
  costTimesValue += o.costTimesValue;
  costOfConverted += o.costOfConverted;
  emotion += o.emotion;
  emotionSquares += o.emotionSquares;
  effort += o.effort;
  steps += o.steps;
  lifetime.merge(o.lifetime);
  for (const auto& [key, count] : o.flows)
    flows[key] += count;
}

Tally Results::overall() const {
  if (personas.empty()) return Tally(rt::Machine{});
  Tally all = personas.front();
  for (std::size_t p = 1; p < personas.size(); ++p)
    all.merge(personas[p]);
  return all;
}

double headlineHalfWidth(const rt::Machine& machine, const Tally& tally) {
  double widest = wilson(tally.converted, tally.customers).halfWidth();
  for (std::size_t s = 0; s < machine.stages.size(); ++s) {
    if (machine.stages[s].kind == rt::StageKind::Ordinary) continue;
    widest = std::max(widest, wilson(tally.endedAt[s], tally.customers).halfWidth());
  }
  // A primary KPI is the headline conversion: its precision counts too.
  for (std::size_t k = 0; k < machine.kpis.size() && !tally.lifetime.empty(); ++k) {
    if (!machine.kpis[k].primary) continue;
    auto holds = static_cast<std::uint64_t>(tally.lifetime.kpiSums[k]);
    widest = std::max(widest, wilson(holds, tally.lifetime.kpiCustomers[k]).halfWidth());
  }
  return widest;
}

namespace {

/// Runs customers [first, last) on `threads` threads, merging chunk tallies into `results` in
/// chunk order.
void runRange(const rt::Program& program, const Options& options, std::uint64_t first,
              std::uint64_t last, unsigned threads, Results& results,
              std::uint64_t progressTarget) {
  const rt::Machine& m = program.machine();
  /// A thread's customer and the tallies of its chunk.
  struct Worker {
    Worker(const rt::Program& program, const Options& options)
        : tallies(program.machine().personas.size(), Tally(program.machine())),
          counters(program.machine()),
          totals(program.machine()),
          customer(program, &counters,
                   rt::Customer::Options{false, options.maxSteps, options.flows, &totals}) {}
    std::vector<Tally> tallies;
    rt::Counters counters;
    rt::CountTotals totals;
    rt::Customer customer;
    std::uint64_t customers = 0;
  };
  auto compute = [&](std::unique_ptr<Worker>& w, std::uint64_t chunk) {
    std::uint64_t begin = first + chunk * kChunk;
    std::uint64_t end = std::min(last, begin + kChunk);
    for (auto& tally : w->tallies)
      tally = Tally(m);
    w->counters = rt::Counters(m);
    w->totals.clear();
    rt::Customer& customer = w->customer;
    for (std::uint64_t i = begin; i < end; ++i) {
      customer.start(options.seed, i);
      customer.advanceTo(m.horizon);
      customer.stopAtHorizon();
      w->tallies[customer.persona()].add(customer, m.horizon);
      if (options.flows) w->tallies[customer.persona()].addFlows(customer);
    }
    for (std::size_t p = 0; p < w->tallies.size(); ++p)
      w->tallies[p].addCounts(w->totals, static_cast<rt::Index>(p));
    w->customers = end - begin;
  };
  auto merge = [&](std::unique_ptr<Worker>& w, std::uint64_t) {
    for (std::size_t p = 0; p < w->tallies.size(); ++p)
      results.personas[p].merge(w->tallies[p]);
    results.counters.merge(w->counters);
    results.customers += w->customers;
    if (options.progress) options.progress(results.customers, progressTarget);
  };
  // The customer points into itself: the state lives on the heap, never moved.
  auto makeState = [&] { return std::make_unique<Worker>(program, options); };
  if (runChunksInOrder((last - first + kChunk - 1) / kChunk, threads, options.stop, makeState,
                       compute, merge))
    results.interrupted = true;
}

}  // namespace

Results simulate(const rt::Program& program, const Options& options) {
  const rt::Machine& m = program.machine();
  Results results(m);
  results.flows = options.flows;
  results.personas.assign(m.personas.size(), Tally(m));
  unsigned threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  auto started = std::chrono::steady_clock::now();
  std::uint64_t target = std::max<std::uint64_t>(1, options.customers);
  if (options.untilPrecision > 0) target = std::min(target, options.maxCustomers);
  std::uint64_t done = 0;
  for (;;) {
    runRange(program, options, done, target, threads, results,
             options.untilPrecision > 0 ? options.maxCustomers : target);
    done = target;
    if (results.interrupted || options.untilPrecision <= 0) break;
    if (headlineHalfWidth(m, results.overall()) < options.untilPrecision) break;
    if (target >= options.maxCustomers) {
      results.precisionCapped = true;
      break;
    }
    target = std::min(options.maxCustomers, target * 2);
  }
  results.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return results;
}

}  // namespace journey::sim

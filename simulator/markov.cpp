#include "simulator/markov.h"

#include <algorithm>
#include <cmath>

#include "simulator/markov_chain.h"
#include "simulator/markov_lifetime.h"
#include "simulator/markov_solve.h"

namespace journey::sim {
namespace {

void mix(MarkovAnswers& into, const MarkovAnswers& from, double w) {
  auto add = [w](std::vector<double>& a, const std::vector<double>& b) {
    if (a.empty()) a.assign(b.size(), 0);
    for (std::size_t i = 0; i < a.size(); ++i)
      if (b[i] != 0) a[i] += w * b[i];
  };
  into.horizon = from.horizon;
  into.unroutedAtEntry += w * from.unroutedAtEntry;
  add(into.endedAtHorizon, from.endedAtHorizon);
  add(into.endedEventually, from.endedEventually);
  into.neverFinishes += w * from.neverFinishes;
  into.conversionByHorizon += w * from.conversionByHorizon;
  into.conversionEventually += w * from.conversionEventually;
  add(into.visitsByHorizon, from.visitsByHorizon);
  add(into.visitsEventually, from.visitsEventually);
  add(into.timeInStageByHorizon, from.timeInStageByHorizon);
  add(into.timeInStageEventually, from.timeInStageEventually);
  into.timeToFinish += w * from.timeToFinish;
  into.timeInJourneyByHorizon += w * from.timeInJourneyByHorizon;
}

/// Milestones and retention for the population; a milestone's mean time is over those who
/// reach it, so it mixes with the shares that do.
void mixLifetime(MarkovAnswers& all, const std::vector<MarkovAnswers>& personas) {
  if (personas.empty() || personas.front().retentionGrid.empty()) return;
  std::size_t n = personas.front().milestoneByHorizon.size();
  all.milestoneByHorizon.assign(n, NAN);
  all.milestoneSecondsByHorizon.assign(n, NAN);
  for (std::size_t s = 0; s < n; ++s) {
    if (std::isnan(personas.front().milestoneByHorizon[s])) continue;
    double reached = 0, weighted = 0;
    for (const auto& p : personas) {
      reached += p.share * p.milestoneByHorizon[s];
      if (p.milestoneByHorizon[s] > 0)
        weighted += p.share * p.milestoneByHorizon[s] * p.milestoneSecondsByHorizon[s];
    }
    all.milestoneByHorizon[s] = reached;
    all.milestoneSecondsByHorizon[s] = reached > 0 ? weighted / reached : NAN;
  }
  all.retentionGrid = personas.front().retentionGrid;
  all.retention.assign(all.retentionGrid.size(), 0);
  for (const auto& p : personas)
    for (std::size_t k = 0; k < all.retention.size(); ++k)
      all.retention[k] += p.share * p.retention[k];
}

}  // namespace

MarkovAnalysis analyzeMarkov(const rt::Machine& machine, const MarkovOptions& options) {
  MarkovAnalysis analysis;
  double horizon = options.horizon > 0 ? options.horizon : machine.horizon;
  std::vector<MarkovAnswers> personas(machine.personas.size());
  for (std::size_t p = 0; p < machine.personas.size(); ++p) {
    auto chain = markov::buildChain(machine, static_cast<rt::Index>(p), analysis.obstacles);
    if (chain) {
      markov::solveChain(machine, *chain, horizon, personas[p]);
      markov::solveLifetime(machine, static_cast<rt::Index>(p), *chain, horizon, personas[p]);
    }
    personas[p].persona = machine.personas[p].name;
    personas[p].share = machine.personas[p].share;
  }
  if (!analysis.obstacles.empty()) return analysis;

  MarkovAnswers& all = analysis.overall;
  all.share = 1;
  bool costExact = true, emotionExact = true, valueExact = true, valueEventuallyExact = true;
  bool lifetimeExact = machine.lifetime;
  mixLifetime(all, personas);
  for (const MarkovAnswers& answers : personas) {
    double w = answers.share;
    mix(all, answers, w);
    auto addOptional = [w](std::optional<double>& a, const std::optional<double>& b, bool& exact) {
      if (!b) {
        exact = false;
        a.reset();
      }
      if (exact) a = a.value_or(0) + (*b != 0 ? w * *b : 0);
    };
    addOptional(all.costByHorizon, answers.costByHorizon, costExact);
    addOptional(all.costEventually, answers.costEventually, costExact);
    addOptional(all.emotionByHorizon, answers.emotionByHorizon, emotionExact);
    addOptional(all.emotionEventually, answers.emotionEventually, emotionExact);
    addOptional(all.valueByHorizon, answers.valueByHorizon, valueExact);
    addOptional(all.valueEventually, answers.valueEventually, valueEventuallyExact);
    addOptional(all.lifetimeValueByHorizon, answers.lifetimeValueByHorizon, lifetimeExact);
    for (const auto& reason : answers.notExact)
      if (std::find(all.notExact.begin(), all.notExact.end(), reason) == all.notExact.end())
        all.notExact.push_back(reason);
  }
  analysis.personas = std::move(personas);
  return analysis;
}

}  // namespace journey::sim

#include "simulator/markov.h"

#include <algorithm>

#include "simulator/markov_chain.h"
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

}  // namespace

MarkovAnalysis analyzeMarkov(const rt::Machine& machine, const MarkovOptions& options) {
  MarkovAnalysis analysis;
  double horizon = options.horizon > 0 ? options.horizon : machine.horizon;
  std::vector<MarkovAnswers> personas(machine.personas.size());
  for (std::size_t p = 0; p < machine.personas.size(); ++p) {
    auto chain = markov::buildChain(machine, static_cast<rt::Index>(p), analysis.obstacles);
    if (chain) markov::solveChain(machine, *chain, horizon, personas[p]);
    personas[p].persona = machine.personas[p].name;
    personas[p].share = machine.personas[p].share;
  }
  if (!analysis.obstacles.empty()) return analysis;

  MarkovAnswers& all = analysis.overall;
  all.share = 1;
  bool costExact = true, emotionExact = true, valueExact = true;
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
    addOptional(all.valueEventually, answers.valueEventually, valueExact);
    for (const auto& reason : answers.notExact)
      if (std::find(all.notExact.begin(), all.notExact.end(), reason) == all.notExact.end())
        all.notExact.push_back(reason);
  }
  analysis.personas = std::move(personas);
  return analysis;
}

}  // namespace journey::sim

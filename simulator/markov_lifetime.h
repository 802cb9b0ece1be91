// Exact answers for lifetime journeys that are chains (markov.h): milestones reached by the
// horizon and when, retention on the report's grid, and value and lifetime value earned by the
// horizon (per visit, per period, per event, discounted).
#pragma once

#include "runtime/machine.h"
#include "simulator/markov.h"
#include "simulator/markov_chain.h"

namespace journey::sim::markov {

/// Adds the lifetime answers of `persona`'s chain to `out` (a no-op for other journeys).
void solveLifetime(const rt::Machine& machine, rt::Index persona, const Chain& chain,
                   double horizon, MarkovAnswers& out);

}  // namespace journey::sim::markov

// Solving a persona's chain (markov_chain.h) for the answers of markov.h: by the horizon with
// one matrix exponential (Van Loan), eventually with one linear solve over the states that can
// finish.
#pragma once

#include "runtime/machine.h"
#include "simulator/markov.h"
#include "simulator/markov_chain.h"

namespace journey::sim::markov {

/// Fills `out` (all but the persona's name and share) with the chain's answers.
void solveChain(const rt::Machine& machine, const Chain& chain, double horizon, MarkovAnswers& out);

}  // namespace journey::sim::markov

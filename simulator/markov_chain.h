// A persona's journey as a continuous-time Markov chain, built from the machine (markov.h has
// the model): the states reachable from the entry, the generator, the entry distribution and
// the visits to each stage; or every obstacle that keeps it from being one.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/machine.h"
#include "simulator/markov.h"

namespace journey::sim::markov {

/// The chain of one persona over the m states reachable from the entry.
struct Chain {
  /// The machine's stages, n: of the 2n states, state i is stage i % n, fresh (i < n) or with
  /// its `after` spent.
  std::size_t stages = 0;
  /// By kept state: its index among the 2n states, and whether it is a goal or exit.
  std::vector<std::size_t> states;
  std::vector<std::uint8_t> absorbing;
  /// Q (m x m); c (m x n), entries into each stage per unit time in each state; alpha (m).
  Eigen::MatrixXd generator;
  Eigen::MatrixXd visitRates;
  Eigen::RowVectorXd entry;
  /// By stage: the visits at time 0 (the entry and the zero-delay stages it passes).
  std::vector<double> entryVisits;
  double unroutedAtEntry = 0;
  /// By stage: what a visit costs and does to emotion (its touchpoints); empty when not
  /// constant for the persona (`notExact` says why).
  std::optional<std::vector<double>> visitCost, visitEmotion;
  /// (goal, its value) for the goals that have one, in stage order; empty when a value is not
  /// constant for the persona.
  std::optional<std::vector<std::pair<std::size_t, double>>> goalValues;
  std::vector<std::string> notExact;

  std::size_t stageOf(Eigen::Index kept) const {
    return states[static_cast<std::size_t>(kept)] % stages;
  }
};

/// The chain of `persona`, or nothing after adding to `obstacles` what keeps it from being one
/// (an obstacle that another persona shares lists this persona too).
std::optional<Chain> buildChain(const rt::Machine& machine, rt::Index persona,
                                std::vector<MarkovObstacle>& obstacles);

}  // namespace journey::sim::markov

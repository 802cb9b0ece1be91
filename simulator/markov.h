// Exact answers for journeys that are continuous-time Markov chains (`journey analyze`).
//
// A journey is a CTMC for a persona when everything that moves its customers is memoryless and
// depends only on the stage: `after exponential(mean: M)` with a constant mean, spontaneous
// events (`every M`) with an `on E` transition in the stage, branch probabilities and
// conditions that fold to constants given the persona (its constant attributes, params, the
// vars' initial values), and no rules. Zero delays are instantaneous. Then, per persona:
//
//   states   the ordinary stages (timed), each also in a "spent" variant for a customer whose
//            `after` resolved to no stage (semantics 9.5: it is not retried), plus the goals and
//            exits (absorbing); zero-delay stages are eliminated (they are left at once);
//   rates    R[i][k] = sum of the rates of the jumps from i to k (self-jumps kept: a re-entry
//            is a visit), and the generator Q = R - diag(row sums of R);
//   visits   c_j(i) = expected entries into stage j per unit time spent in state i.
//
// With alpha the entry distribution, P(t) = exp(Q t) and L(t) = int_0^t exp(Q s) ds (one
// matrix exponential of a 2m x 2m block matrix, Van Loan), the answers by the horizon H are
// alpha P(H) (where customers are), alpha L(H) (expected time in each state) and
// v0 + alpha L(H) c_j (expected visits); eventually, alpha_A (-Q_AA)^-1 over the states A that
// can reach a goal or exit. Otherwise the analysis lists each construct that prevents it, with
// its place.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "runtime/machine.h"

namespace journey::sim {

/// Something that keeps a journey from being a CTMC (or keeps an answer from being exact).
struct MarkovObstacle {
  /// A stable short name: `non-exponential-delay`, `fixed-delay`, `state-dependent-delay`,
  /// `state-dependent-rate`, `state-dependent-branch`, `sampled-attribute`, `payload`,
  /// `rule`, `channel-cap`, `quiet-hours`, `response`, `zero-time-cycle`, `invalid-value`.
  std::string code;
  /// What it is and why it prevents an exact answer, in a sentence.
  std::string message;
  /// `file:line:column`, or empty when the machine does not record one (rules, stages):
  /// `subject` then names the declaration so that a caller with the sources can find it.
  std::string place;
  /// `rule NAME`, `stage NAME`, `event NAME`, `channel NAME`, `touchpoint NAME`.
  std::string subject;
  /// The personas it concerns, by name (every persona it concerns; empty: the journey).
  std::vector<std::string> personas;
};

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

/// Exact answers for one persona, or for the population (personas mixed by share).
struct MarkovAnswers {
  std::string persona;  // empty for the population
  double share = 1;
  /// The horizon they refer to, seconds.
  double horizon = 0;
  /// Customers the entry sends nowhere (semantics 3.4).
  double unroutedAtEntry = 0;
  /// By stage: for a goal or exit, the probability of having finished there by the horizon;
  /// for an ordinary stage, of being in progress there at the horizon (like `Tally::endedAt`).
  std::vector<double> endedAtHorizon;
  /// By stage: goals and exits, the probability of finishing there at any time.
  std::vector<double> endedEventually;
  /// Never reaching a goal or exit (stuck in a stage with no way out, or in a closed loop).
  double neverFinishes = 0;
  double conversionByHorizon = 0, conversionEventually = 0;
  /// By stage: expected visits (entries) per customer, by the horizon and at any time
  /// (`kInfinity` in a loop that is never left).
  std::vector<double> visitsByHorizon, visitsEventually;
  /// By stage: expected time spent in it per customer, seconds.
  std::vector<double> timeInStageByHorizon, timeInStageEventually;
  /// Expected time to finishing (goal or exit): `kInfinity` when some never finish.
  double timeToFinish = 0;
  /// Expected time in the journey up to the horizon: E[min(time to finish, horizon)].
  double timeInJourneyByHorizon = 0;
  /// Expected cost to serve, final emotion and goal value per customer, by the horizon and
  /// eventually; empty when a touchpoint's cost or emotion or a goal's value is not constant
  /// for the persona (`notExact` says which).
  std::optional<double> costByHorizon, costEventually;
  std::optional<double> emotionByHorizon, emotionEventually;
  std::optional<double> valueByHorizon, valueEventually;
  std::vector<std::string> notExact;

  // Lifetime journeys (`rt::Machine::lifetime`) only: ----------------------------------------
  /// By stage, for milestones (NaN elsewhere): the probability of reaching it by the horizon,
  /// and the mean time of the first entry of those who do, seconds.
  std::vector<double> milestoneByHorizon, milestoneSecondsByHorizon;
  /// The report's retention grid (seconds) and the probability of not having exited by each.
  std::vector<double> retentionGrid, retention;
  /// Expected lifetime value by the horizon: value minus cost, discounted as the spec says.
  std::optional<double> lifetimeValueByHorizon;
};

struct MarkovAnalysis {
  /// Empty when the journey is a CTMC for every persona.
  std::vector<MarkovObstacle> obstacles;
  /// Per persona in machine order, then the population; empty when there are obstacles.
  std::vector<MarkovAnswers> personas;
  MarkovAnswers overall;

  bool exact() const { return obstacles.empty(); }
};

struct MarkovOptions {
  /// Answers by this time instead of the machine's horizon (0: the machine's).
  double horizon = 0;
};

/// The exact answers, or every obstacle to them.
MarkovAnalysis analyzeMarkov(const rt::Machine& machine, const MarkovOptions& options = {});

}  // namespace journey::sim

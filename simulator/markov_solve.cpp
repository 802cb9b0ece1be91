#include "simulator/markov_solve.h"

#include <algorithm>
#include <unsupported/Eigen/MatrixFunctions>
#include <vector>

namespace journey::sim::markov {
namespace {

/// By the horizon: where customers are, how long they spent in each stage and how often they
/// entered it. One exponential of [[Q H, I], [0, 0]] gives exp(Q H) and, times H, the integral
/// of exp(Q s) over [0, H].
void solveByHorizon(const Chain& chain, double horizon, MarkovAnswers& out) {
  const Eigen::MatrixXd& q = chain.generator;
  const auto m = q.rows();
  const double h = horizon;
  Eigen::MatrixXd block = Eigen::MatrixXd::Zero(2 * m, 2 * m);
  block.topLeftCorner(m, m) = q * h;
  block.topRightCorner(m, m) = Eigen::MatrixXd::Identity(m, m);
  Eigen::MatrixXd e = block.exp();
  Eigen::RowVectorXd where = chain.entry * e.topLeftCorner(m, m);
  Eigen::RowVectorXd occupancy = chain.entry * e.topRightCorner(m, m) * h;

  out.horizon = h;
  Eigen::RowVectorXd visitsH = occupancy * chain.visitRates;
  for (std::size_t j = 0; j < chain.stages; ++j)
    out.visitsByHorizon[j] += visitsH(static_cast<Eigen::Index>(j));
  for (Eigen::Index i = 0; i < m; ++i) {
    std::size_t s = chain.stageOf(i);
    out.endedAtHorizon[s] += std::max(0.0, where(i));
    if (!chain.absorbing[static_cast<std::size_t>(i)]) {
      out.timeInStageByHorizon[s] += occupancy(i);
      out.timeInJourneyByHorizon += occupancy(i);
    }
  }
}

/// Which states can reach a goal or exit: the absorbing ones and those with a way to them.
std::vector<std::uint8_t> statesThatCanFinish(const Chain& chain) {
  const Eigen::MatrixXd& q = chain.generator;
  const auto m = q.rows();
  std::vector<std::uint8_t> canFinish(static_cast<std::size_t>(m), 0);
  for (Eigen::Index i = 0; i < m; ++i)
    if (chain.absorbing[static_cast<std::size_t>(i)]) canFinish[i] = 1;
  for (bool changed = true; changed;) {
    changed = false;
    for (Eigen::Index i = 0; i < m; ++i) {
      if (canFinish[i]) continue;
      for (Eigen::Index k = 0; k < m; ++k) {
        if (k != i && q(i, k) > 0 && canFinish[k]) {
          canFinish[i] = 1;
          changed = true;
          break;
        }
      }
    }
  }
  return canFinish;
}

/// Eventually: the states that can reach a goal or exit (A) are transient, with the expected
/// time in each alpha_A (-Q_AA)^-1; the others are trapped (a stage with no way out, a loop
/// that is never left).
void solveEventually(const Chain& chain, MarkovAnswers& out) {
  const Eigen::MatrixXd& q = chain.generator;
  const Eigen::RowVectorXd& a = chain.entry;
  const Eigen::MatrixXd& c = chain.visitRates;
  const auto m = q.rows();
  std::vector<std::uint8_t> canFinish = statesThatCanFinish(chain);
  auto absorbing = [&](Eigen::Index i) { return chain.absorbing[static_cast<std::size_t>(i)]; };
  std::vector<Eigen::Index> transient;
  for (Eigen::Index i = 0; i < m; ++i)
    if (canFinish[i] && !absorbing(i)) transient.push_back(i);
  const auto t = static_cast<Eigen::Index>(transient.size());
  Eigen::RowVectorXd occ = Eigen::RowVectorXd::Zero(m);
  if (t > 0) {
    Eigen::MatrixXd qt(t, t);
    Eigen::VectorXd at(t);
    for (Eigen::Index i = 0; i < t; ++i) {
      at(i) = a(transient[i]);
      for (Eigen::Index k = 0; k < t; ++k)
        qt(i, k) = q(transient[i], transient[k]);
    }
    Eigen::VectorXd x = (-qt).transpose().partialPivLu().solve(at);
    for (Eigen::Index i = 0; i < t; ++i)
      occ(transient[i]) = x(i);
  }
  // Flows out of the transient states into each absorbing or trapped state.
  Eigen::RowVectorXd flow = occ * q;
  double finished = 0;
  bool trappedReached = false;
  for (Eigen::Index i = 0; i < m; ++i) {
    std::size_t s = chain.stageOf(i);
    if (absorbing(i)) {
      double pr = std::max(0.0, a(i) + flow(i));
      out.endedEventually[s] += pr;
      finished += pr;
    } else if (!canFinish[i]) {
      trappedReached = true;  // reachable from the entry, so with positive probability
    }
  }
  // Only customers who reach a trapped state never finish; without one, what the sum of the
  // finished misses is rounding.
  out.neverFinishes = trappedReached ? std::max(0.0, 1 - chain.unroutedAtEntry - finished) : 0.0;
  Eigen::RowVectorXd visitsE = occ * c;
  for (std::size_t j = 0; j < chain.stages; ++j)
    out.visitsEventually[j] += visitsE(static_cast<Eigen::Index>(j));
  double timeE = 0;
  for (Eigen::Index i = 0; i < m; ++i) {
    std::size_t s = chain.stageOf(i);
    if (absorbing(i)) continue;
    if (canFinish[i]) {
      out.timeInStageEventually[s] += occ(i);
      timeE += occ(i);
      continue;
    }
    // Trapped: forever there; infinitely many visits where it keeps jumping.
    out.timeInStageEventually[s] = kInfinity;
    for (std::size_t j = 0; j < chain.stages; ++j)
      if (c(i, static_cast<Eigen::Index>(j)) > 0) out.visitsEventually[j] = kInfinity;
  }
  out.timeToFinish = timeE;
  if (trappedReached) out.timeToFinish = kInfinity;
}

/// Conversion, and cost, emotion and goal value per customer where they are exact.
void addTotals(const rt::Machine& machine, const Chain& chain, MarkovAnswers& out) {
  for (std::size_t s = 0; s < chain.stages; ++s) {
    if (machine.stages[s].kind != rt::StageKind::Goal) continue;
    out.conversionByHorizon += out.endedAtHorizon[s];
    out.conversionEventually += out.endedEventually[s];
  }
  auto total = [&](const std::vector<double>& visits, const std::vector<double>& per) {
    double sum = 0;
    for (std::size_t s = 0; s < chain.stages; ++s)
      if (per[s] != 0) sum += visits[s] * per[s];
    return sum;
  };
  if (chain.visitCost) {
    out.costByHorizon = total(out.visitsByHorizon, *chain.visitCost);
    out.costEventually = total(out.visitsEventually, *chain.visitCost);
  }
  if (chain.visitEmotion) {
    out.emotionByHorizon = total(out.visitsByHorizon, *chain.visitEmotion);
    out.emotionEventually = total(out.visitsEventually, *chain.visitEmotion);
  }
  if (chain.goalValues) {
    double valueH = 0, valueE = 0;
    for (auto [s, value] : *chain.goalValues) {
      valueH += out.endedAtHorizon[s] * value;
      valueE += out.endedEventually[s] * value;
    }
    out.valueByHorizon = valueH;
    out.valueEventually = valueE;
  }
}

}  // namespace

void solveChain(const rt::Machine& machine, const Chain& chain, double horizon,
                MarkovAnswers& out) {
  out.unroutedAtEntry = chain.unroutedAtEntry;
  out.endedAtHorizon.assign(chain.stages, 0);
  out.endedEventually.assign(chain.stages, 0);
  out.visitsByHorizon = chain.entryVisits;
  out.visitsEventually = chain.entryVisits;
  out.timeInStageByHorizon.assign(chain.stages, 0);
  out.timeInStageEventually.assign(chain.stages, 0);
  out.notExact = chain.notExact;
  solveByHorizon(chain, horizon, out);
  solveEventually(chain, out);
  addTotals(machine, chain, out);
}

}  // namespace journey::sim::markov

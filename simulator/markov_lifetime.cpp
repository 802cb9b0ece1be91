#include "simulator/markov_lifetime.h"

#include <fmt/format.h>

#include <cmath>
#include <unsupported/Eigen/MatrixFunctions>

#include "simulator/lifetime.h"
#include "simulator/markov_fold.h"

namespace journey::sim::markov {
namespace {

using rt::Index;
using rt::kNone;

/// alpha exp(Q' H) and the integral of alpha exp(Q' s) over [0, H], with Q' = Q - k I (k > 0
/// weighs time s by e^(-k s)): one exponential of [[Q' H, I], [0, 0]] (Van Loan).
struct Moments {
  Eigen::RowVectorXd where, occupancy;
};

Moments moments(const Chain& chain, double horizon, double discount = 0) {
  const auto m = chain.generator.rows();
  Eigen::MatrixXd block = Eigen::MatrixXd::Zero(2 * m, 2 * m);
  block.topLeftCorner(m, m) =
      (chain.generator - discount * Eigen::MatrixXd::Identity(m, m)) * horizon;
  block.topRightCorner(m, m) = Eigen::MatrixXd::Identity(m, m);
  Eigen::MatrixXd e = block.exp();
  return {chain.entry * e.topLeftCorner(m, m), chain.entry * e.topRightCorner(m, m) * horizon};
}

/// Milestone `stage`: the probability of a first entry by the horizon and the mean time of it
/// for those who made one, from the chain in which the milestone ends the journey.
void milestone(const rt::Machine& machine, Index persona, Index stage, double horizon,
               MarkovAnswers& out) {
  rt::Machine stopped = machine;
  stopped.stages[static_cast<std::size_t>(stage)].kind = rt::StageKind::Exit;
  std::vector<MarkovObstacle> ignored;
  auto chain = buildChain(stopped, persona, ignored);
  if (!chain) return;
  Moments at = moments(*chain, horizon);
  double reached = 0, integral = 0;
  for (Eigen::Index i = 0; i < chain->generator.rows(); ++i) {
    if (chain->stageOf(i) != static_cast<std::size_t>(stage)) continue;
    reached += std::max(0.0, at.where(i));
    integral += at.occupancy(i);
  }
  auto s = static_cast<std::size_t>(stage);
  out.milestoneByHorizon[s] = reached;
  // E[T | T <= H] = (H F(H) - int_0^H F(t) dt) / F(H), F the probability of a first entry by t.
  out.milestoneSecondsByHorizon[s] = reached > 0 ? (horizon * reached - integral) / reached : NAN;
}

/// What each stage's visit and time and each event's occurrence earn for the persona, when
/// constant; false (with the reason in `notExact`) otherwise.
struct Earnings {
  std::vector<double> perVisit, perSecond;
  /// By event: value times rate, summed over its stages: earned per second in each state.
  Eigen::VectorXd perSecondInState;
};

bool earnings(const rt::Machine& m, Index persona, const Chain& chain, Earnings& out,
              std::vector<std::string>& notExact) {
  Folder folder(m, persona);
  const std::size_t n = chain.stages;
  out.perVisit.assign(n, 0);
  out.perSecond.assign(n, 0);
  auto unknown = [&](const std::string& what, const Value& v, rt::ExprId id) {
    notExact.push_back(fmt::format("value: {} {} ({})", what, v.why, m.place(m.exprs[id].place)));
    return false;
  };
  for (std::size_t s = 0; s < n; ++s) {
    const rt::Stage& stage = m.stages[s];
    folder.setStage(static_cast<Index>(s));
    if (stage.value != kNone) {
      Value v = folder.fold(stage.value);
      if (!v.known) return unknown(fmt::format("stage `{}`'s value", stage.name), v, stage.value);
      out.perVisit[s] = v.v;
    }
    if (stage.periodValue != kNone) {
      Value v = folder.fold(stage.periodValue);
      if (!v.known)
        return unknown(fmt::format("stage `{}`'s value per period", stage.name), v,
                       stage.periodValue);
      out.perSecond[s] = v.v / stage.period;
    }
  }
  const auto states = chain.generator.rows();
  out.perSecondInState = Eigen::VectorXd::Zero(states);
  for (Eigen::Index i = 0; i < states; ++i)
    if (!chain.absorbing[static_cast<std::size_t>(i)])
      out.perSecondInState(i) = out.perSecond[chain.stageOf(i)];
  for (std::size_t e = 0; e < m.events.size(); ++e) {
    const rt::Event& event = m.events[e];
    if (event.value == kNone) continue;
    for (const auto& tp : m.touchpoints) {
      if (tp.responseEvent == static_cast<Index>(e)) {
        notExact.push_back(
            fmt::format("value: event `{}` also happens when touchpoint `{}` "
                        "emits it, which the chain does not count",
                        event.name, tp.name));
        return false;
      }
    }
    folder.setStage(kNone);
    folder.setEvent(static_cast<Index>(e));
    Value v = folder.fold(event.value);
    folder.setEvent(kNone);
    if (!v.known) return unknown(fmt::format("event `{}`'s value", event.name), v, event.value);
    rt::ExprId meanId = m.eventMean(static_cast<Index>(e), persona);
    if (meanId == kNone) continue;
    Value mean = folder.fold(meanId);
    if (!mean.known || mean.v <= 0)
      return unknown(fmt::format("event `{}`'s rate", event.name), mean, meanId);
    for (Eigen::Index i = 0; i < states; ++i) {
      std::size_t s = chain.stageOf(i);
      if (chain.absorbing[static_cast<std::size_t>(i)] ||
          !m.eventCanHappen(static_cast<Index>(e), static_cast<Index>(s)))
        continue;
      out.perSecondInState(i) += v.v / mean.v;
    }
  }
  return true;
}

/// Value (and lifetime value: value minus cost) earned by the horizon, weighing time t by
/// e^(-k t).
double earned(const Chain& chain, const Earnings& earnings, const Moments& at,
              const std::vector<double>* perVisitCost) {
  Eigen::RowVectorXd visits = at.occupancy * chain.visitRates;
  double total = at.occupancy * earnings.perSecondInState;
  for (std::size_t j = 0; j < chain.stages; ++j) {
    double entries = chain.entryVisits[j] + visits(static_cast<Eigen::Index>(j));
    double per = earnings.perVisit[j] - (perVisitCost != nullptr ? (*perVisitCost)[j] : 0);
    if (per != 0) total += entries * per;
  }
  return total;
}

}  // namespace

void solveLifetime(const rt::Machine& machine, Index persona, const Chain& chain, double horizon,
                   MarkovAnswers& out) {
  if (!machine.lifetime) return;
  const std::size_t n = chain.stages;
  out.milestoneByHorizon.assign(n, NAN);
  out.milestoneSecondsByHorizon.assign(n, NAN);
  for (std::size_t s = 0; s < n; ++s)
    if (machine.stages[s].milestone)
      milestone(machine, persona, static_cast<Index>(s), horizon, out);

  out.retentionGrid = retentionGrid(horizon);
  for (double t : out.retentionGrid) {
    Moments at = moments(chain, t);
    double exited = 0;
    for (Eigen::Index i = 0; i < chain.generator.rows(); ++i)
      if (machine.stages[chain.stageOf(i)].kind == rt::StageKind::Exit)
        exited += std::max(0.0, at.where(i));
    out.retention.push_back(1 - exited);
  }

  Earnings earn;
  if (!earnings(machine, persona, chain, earn, out.notExact)) {
    out.valueByHorizon.reset();
    out.valueEventually.reset();
    return;
  }
  Moments plain = moments(chain, horizon);
  out.valueByHorizon = earned(chain, earn, plain, nullptr);
  // Eventually: only the goals' values are known in closed form; with other values it waits
  // for the horizon.
  out.valueEventually.reset();
  if (!chain.visitCost) return;
  double k = machine.discountPeriod > 0 && machine.discountRate > 0
                 ? std::log1p(machine.discountRate) / machine.discountPeriod
                 : 0.0;
  Moments weighed = k > 0 ? moments(chain, horizon, k) : plain;
  out.lifetimeValueByHorizon = earned(chain, earn, weighed, &*chain.visitCost);
}

}  // namespace journey::sim::markov

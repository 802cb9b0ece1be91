#include "simulator/markov_chain.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "simulator/markov_fold.h"

namespace journey::sim::markov {
namespace {

using rt::BranchKind;
using rt::ExprId;
using rt::Index;
using rt::kNone;
using rt::Machine;
using rt::Op;
using rt::StageKind;
using rt::TargetKind;

std::string describeDuration(double seconds) {
  if (seconds >= 86400 && std::fmod(seconds, 86400) == 0)
    return fmt::format("{:g}d", seconds / 86400);
  if (seconds >= 3600 && std::fmod(seconds, 3600) == 0) return fmt::format("{:g}h", seconds / 3600);
  if (seconds >= 60 && std::fmod(seconds, 60) == 0) return fmt::format("{:g}m", seconds / 60);
  return fmt::format("{:g}s", seconds);
}

/// "in stage `S`" for a subject `stage S`, "in the entry" for `entry`.
std::string where(const std::string& subject) {
  if (subject == "entry") return "in the entry";
  auto space = subject.find(' ');
  if (space == std::string::npos) return subject;
  return fmt::format("in {} `{}`", subject.substr(0, space), subject.substr(space + 1));
}

/// Where a target sends customers: stages with probabilities, and the rest to no stage.
struct Resolved {
  std::vector<std::pair<Index, double>> stages;
  double unrouted = 0;
};

class ChainBuilder {
 public:
  ChainBuilder(const Machine& m, Index persona, std::vector<MarkovObstacle>& obstacles)
      : m_(m), p_(persona), folder_(m, persona), obstacles_(obstacles) {}

  std::optional<Chain> build();

 private:
  std::size_t n() const { return m_.stages.size(); }
  /// State of a stage, fresh or with its `after` spent.
  std::size_t fresh(Index stage) const { return static_cast<std::size_t>(stage); }
  std::size_t spent(Index stage) const { return n() + static_cast<std::size_t>(stage); }
  const std::string& personaName() const { return m_.personas[p_].name; }

  void obstacle(std::string code, std::string message, ExprId expr, std::string subject) {
    std::string place;
    if (expr != kNone) {
      Index at = m_.exprs[expr].place;
      if (at != kNone) place = m_.places[at];
    }
    addObstacle(std::move(code), std::move(message), std::move(place), std::move(subject));
  }
  void addObstacle(std::string code, std::string message, std::string place, std::string subject);
  /// An obstacle for an unknown value used where a constant is needed.
  void unknownValue(const Value& value, const std::string& what, ExprId expr,
                    const std::string& subject, const char* stateCode) {
    std::string code = value.kind == "state"    ? stateCode
                       : value.kind == "random" ? "non-exponential-delay"
                                                : value.kind;
    obstacle(code, fmt::format("{} {}", what, value.why), expr, subject);
  }

  // What keeps the persona's journey from being a chain beyond its stages' moves.
  void checkRule(const rt::Rule& rule);
  std::vector<std::string> ruleActions(const rt::Rule& rule, ExprId& placed);
  void checkResponse(const rt::Touchpoint& tp);
  void addTouchpoints(Chain& chain);

  // The stages' moves.
  bool resolve(Index target, double weight, Resolved& into, const std::string& subject);
  void buildStage(Index s);
  void buildAfter(Index s, const std::string& subject);
  bool expandVanishing(Index stage);
  bool expandVanishingLoops();
  void addJump(std::size_t from, Index stage, double rate);

  // The chain.
  std::vector<std::uint8_t> addRates();
  Eigen::VectorXd enter(const Resolved& entry, Chain& chain);
  void keepReachable(const Eigen::VectorXd& alpha, const std::vector<std::uint8_t>& absorbing,
                     Chain& chain);
  void addGoalValues(Chain& chain);

  const Machine& m_;
  Index p_;
  Folder folder_;
  std::vector<MarkovObstacle>& obstacles_;
  /// Whether an obstacle concerns this persona (a shared one adds no new obstacle).
  bool blocked_ = false;

  /// Timed stages' `after` rate (0: none); vanishing stages' immediate targets.
  std::vector<double> afterRate_;
  std::vector<Resolved> afterTargets_;
  std::vector<std::uint8_t> vanishing_;
  /// Events: per stage, (rate, where).
  std::vector<std::vector<std::pair<double, Resolved>>> eventJumps_;

  /// Vanishing stages, expanded: where they lead (timed or absorbing states) and the visits
  /// on the way (including their own).
  std::vector<std::vector<std::pair<std::size_t, double>>> vanishOut_;
  std::vector<std::vector<double>> vanishVisits_;
  std::vector<std::uint8_t> vanishState_;  // 0 new, 1 in progress, 2 done

  Eigen::MatrixXd rates_;   // 2n x 2n jump rates
  Eigen::MatrixXd visitC_;  // 2n x n: c_j(i)
};

void ChainBuilder::addObstacle(std::string code, std::string message, std::string place,
                               std::string subject) {
  blocked_ = true;
  // The same construct for several personas is one obstacle listing them.
  for (auto& o : obstacles_) {
    if (o.code == code && o.message == message && o.place == place && o.subject == subject) {
      if (std::find(o.personas.begin(), o.personas.end(), personaName()) == o.personas.end())
        o.personas.push_back(personaName());
      return;
    }
  }
  obstacles_.push_back(MarkovObstacle{
      std::move(code), std::move(message), std::move(place), std::move(subject), {personaName()}});
}

// ---------------------------------------------------------------------------------------------
// Rules and touchpoints

/// What the rule's actions do that a chain cannot hold; adds the obstacles of the channels it
/// sends through and sets `placed` to the first action's value when the rule has no place yet.
std::vector<std::string> ChainBuilder::ruleActions(const rt::Rule& rule, ExprId& placed) {
  std::vector<std::string> does;
  for (std::uint32_t i = 0; i < rule.actionCount; ++i) {
    const rt::Action& action = m_.actions[rule.firstAction + i];
    if (placed == kNone && action.value != kNone) placed = action.value;
    switch (action.kind) {
      case rt::ActionKind::Send: {
        const rt::Touchpoint& tp = m_.touchpoints[action.index];
        does.push_back(
            fmt::format("sends `{}` (cost and emotion that depend on when it runs)", tp.name));
        const rt::Channel& channel = m_.channels[tp.channel];
        if (channel.capCount > 0) {
          addObstacle(
              "channel-cap",
              fmt::format("channel `{}` caps what rules send through it at {} per {}: "
                          "whether a message is delivered depends on earlier ones",
                          channel.name, channel.capCount, describeDuration(channel.capWindow)),
              "", fmt::format("channel {}", channel.name));
        }
        if (channel.hasQuiet && channel.quietStart != channel.quietEnd) {
          addObstacle("quiet-hours",
                      fmt::format("channel `{}` has quiet hours: whether and when what rules "
                                  "send through it is delivered depends on the time of day",
                                  channel.name),
                      "", fmt::format("channel {}", channel.name));
        }
        break;
      }
      case rt::ActionKind::Set:
        does.push_back(fmt::format("sets `{}` (customer state)", m_.vars[action.index].name));
        break;
      case rt::ActionKind::Move:
        does.push_back("moves the customer (a transition outside the stages' own)");
        break;
      case rt::ActionKind::Wait:
        does.push_back("waits (a timer that outlives stages)");
        break;
      case rt::ActionKind::WaitFor:
        does.push_back(
            fmt::format("waits for `{}` (a suspended run)", m_.events[action.index].name));
        break;
      case rt::ActionKind::Stop:
        break;
    }
  }
  return does;
}

/// A rule that can run for the persona is an obstacle.
void ChainBuilder::checkRule(const rt::Rule& rule) {
  bool forPersona = rule.personaCount == 0;
  for (std::uint32_t i = 0; i < rule.personaCount && !forPersona; ++i)
    forPersona = m_.rulePersonas[rule.firstPersona + i] == p_;
  if (!forPersona) return;
  ExprId placed = rule.triggerValue != kNone ? rule.triggerValue : rule.condition;
  std::vector<std::string> does = ruleActions(rule, placed);
  static const char* kTriggers[] = {"on an event", "on enter",    "on leave",
                                    "on after",    "on inactive", "on a condition"};
  std::string trigger = kTriggers[static_cast<int>(rule.trigger)];
  if (rule.trigger == rt::TriggerKind::Event)
    trigger = fmt::format("on {}", m_.events[rule.triggerIndex].name);
  if (rule.trigger == rt::TriggerKind::Enter || rule.trigger == rt::TriggerKind::Leave)
    trigger += fmt::format(" {}", m_.stages[rule.triggerIndex].name);
  std::string what = does.empty() ? std::string("runs") : fmt::format("{}", fmt::join(does, "; "));
  if (rule.trigger == rt::TriggerKind::After || rule.trigger == rt::TriggerKind::Inactive)
    what += "; its trigger is a fixed timer";
  if (rule.trigger == rt::TriggerKind::Condition) what += "; its trigger watches the state";
  if (rule.capCount > 0) what += "; its cap counts earlier runs";
  obstacle("rule", fmt::format("rule `{}` ({}) {}", rule.name, trigger, what), placed,
           fmt::format("rule {}", rule.name));
}

/// A touchpoint's response is an obstacle when it can move someone.
void ChainBuilder::checkResponse(const rt::Touchpoint& tp) {
  Value p = folder_.fold(tp.responseProbability);
  if (p.known && p.v <= 0) return;
  // Harmless only if the event moves nobody of this persona anywhere.
  bool moves = false;
  for (const rt::Stage& other : m_.stages) {
    for (std::uint32_t k = 0; k < other.eventTransitionCount; ++k) {
      const rt::EventTransition& et = m_.eventTransitions[other.firstEventTransition + k];
      if (et.event == tp.responseEvent && m_.eventTarget(et, p_) != kNone) moves = true;
    }
  }
  if (moves) {
    obstacle("response",
             fmt::format("touchpoint `{}` responds with `{}` after a delay: a pending "
                         "response is state the stages do not hold",
                         tp.name, m_.events[tp.responseEvent].name),
             tp.responseProbability, fmt::format("touchpoint {}", tp.name));
  }
}

/// The stages' touchpoints: what a visit costs and does to emotion, when constant, and the
/// responses that can move someone.
void ChainBuilder::addTouchpoints(Chain& chain) {
  const std::size_t stages = n();
  std::vector<double> visitCost(stages, 0), visitEmotion(stages, 0);
  bool costExact = true, emotionExact = true;
  for (std::size_t s = 0; s < stages; ++s) {
    const rt::Stage& stage = m_.stages[s];
    folder_.setStage(static_cast<Index>(s));
    folder_.setEvent(kNone);
    for (std::uint32_t i = 0; i < stage.touchpointCount; ++i) {
      Index t = m_.stageTouchpoints[stage.firstTouchpoint + i];
      const rt::Touchpoint& tp = m_.touchpoints[t];
      visitCost[s] += m_.channels[tp.channel].cost;
      if (tp.cost != kNone) {
        Value c = folder_.fold(tp.cost);
        if (c.known) {
          visitCost[s] += c.v;
        } else if (costExact) {
          costExact = false;
          chain.notExact.push_back(fmt::format("cost: touchpoint `{}`'s cost {} ({})", tp.name,
                                               c.why, m_.place(m_.exprs[tp.cost].place)));
        }
      }
      if (tp.emotion != kNone) {
        Value e = folder_.fold(tp.emotion);
        if (e.known) {
          visitEmotion[s] += e.v;
        } else if (emotionExact) {
          emotionExact = false;
          chain.notExact.push_back(fmt::format("emotion: touchpoint `{}`'s emotion {} ({})",
                                               tp.name, e.why,
                                               m_.place(m_.exprs[tp.emotion].place)));
        }
      }
      if (tp.responseEvent != kNone) checkResponse(tp);
    }
  }
  if (costExact) chain.visitCost = std::move(visitCost);
  if (emotionExact) chain.visitEmotion = std::move(visitEmotion);
}

// ---------------------------------------------------------------------------------------------
// The stages' moves

bool ChainBuilder::resolve(Index target, double weight, Resolved& into,
                           const std::string& subject) {
  const rt::Target& t = m_.targets[target];
  if (t.kind == TargetKind::Stage) {
    into.stages.emplace_back(t.stage, weight);
    return true;
  }
  bool ok = true;
  if (t.kind == TargetKind::Chance) {
    // Semantics 9.2: one uniform u against the running sum of the clamped probabilities.
    double sum = 0;
    Index otherwise = kNone;
    for (std::uint32_t i = 0; i < t.branchCount; ++i) {
      const rt::Branch& branch = m_.branches[t.firstBranch + i];
      if (branch.kind == BranchKind::Otherwise) {
        otherwise = branch.target;
        continue;
      }
      Value p = folder_.fold(branch.value);
      if (!p.known) {
        unknownValue(p, fmt::format("{}, a branch probability", where(subject)), branch.value,
                     subject, "state-dependent-branch");
        ok = false;
        continue;
      }
      double q = std::clamp(p.v, 0.0, 1.0);
      double before = std::min(sum, 1.0);
      sum += q;
      double mass = std::min(sum, 1.0) - before;
      if (mass > 0) ok = resolve(branch.target, weight * mass, into, subject) && ok;
    }
    // Probabilities that add up to 1 but for the rounding of their sum leave nobody unrouted.
    double rest = 1 - std::min(sum, 1.0);
    if (rest <= t.branchCount * std::numeric_limits<double>::epsilon()) rest = 0;
    if (rest > 0) {
      if (otherwise != kNone) {
        ok = resolve(otherwise, weight * rest, into, subject) && ok;
      } else {
        into.unrouted += weight * rest;
      }
    }
    return ok;
  }
  // Conditional: the first condition that holds, else the `else`.
  for (std::uint32_t i = 0; i < t.branchCount; ++i) {
    const rt::Branch& branch = m_.branches[t.firstBranch + i];
    if (branch.kind == BranchKind::Else) return resolve(branch.target, weight, into, subject);
    Value c = folder_.fold(branch.value);
    if (!c.known) {
      unknownValue(c, fmt::format("{}, a branch condition", where(subject)), branch.value, subject,
                   "state-dependent-branch");
      return false;
    }
    if (c.v != 0) return resolve(branch.target, weight, into, subject);
  }
  into.unrouted += weight;
  return true;
}

/// The stage's `after`: an exponential rate, a zero delay (the stage vanishes) or obstacles.
void ChainBuilder::buildAfter(Index s, const std::string& subject) {
  const rt::Stage& stage = m_.stages[s];
  const rt::Transition& after = m_.after(s, p_);
  const rt::Expr& delay = m_.exprs[after.delay];
  const rt::Instr& last = m_.code[delay.begin + delay.size - 1];
  bool ok = true;
  if (!delay.constant && last.op == Op::Exponential) {
    Value mean = folder_.foldRange(after.delay, 0, delay.size - 1);
    if (!mean.known) {
      unknownValue(mean, fmt::format("in stage `{}`, the mean of an exponential delay", stage.name),
                   after.delay, subject, "state-dependent-delay");
      ok = false;
    } else if (!(mean.v > 0)) {
      obstacle("invalid-value",
               fmt::format("in stage `{}`, an exponential delay's mean is {} (not above "
                           "zero): the customer fails",
                           stage.name, mean.v),
               after.delay, subject);
      ok = false;
    } else {
      afterRate_[s] = 1 / mean.v;
    }
  } else {
    Value d = folder_.fold(after.delay);
    if (!d.known) {
      if (d.kind == "random") {
        obstacle("non-exponential-delay",
                 fmt::format("in stage `{}`, the `after` delay {}: only exponential delays "
                             "are memoryless",
                             stage.name, d.why),
                 after.delay, subject);
      } else {
        unknownValue(d, fmt::format("in stage `{}`, the `after` delay", stage.name), after.delay,
                     subject, "state-dependent-delay");
      }
      ok = false;
    } else if (d.v <= 0) {
      vanishing_[s] = 1;  // left at once (a negative duration is 0, semantics 1.5)
    } else {
      obstacle("fixed-delay",
               fmt::format("in stage `{}`, the `after` delay is a fixed {}: only exponential "
                           "delays are memoryless",
                           stage.name, describeDuration(d.v)),
               after.delay, subject);
      ok = false;
    }
  }
  // Resolved even after a bad delay, to list every obstacle at once.
  Resolved where;
  if (resolve(after.target, 1, where, subject) && ok) afterTargets_[s] = std::move(where);
}

void ChainBuilder::buildStage(Index s) {
  const rt::Stage& stage = m_.stages[s];
  std::string subject = fmt::format("stage {}", stage.name);
  folder_.setStage(s);
  folder_.setEvent(kNone);
  if (m_.after(s, p_).target != kNone) buildAfter(s, subject);
  for (std::uint32_t i = 0; i < stage.eventCount; ++i) {
    Index e = m_.stageEvents[stage.firstEvent + i];
    ExprId meanId = m_.eventMean(e, p_);
    if (meanId == kNone) continue;
    Index target = kNone;
    for (std::uint32_t k = 0; k < stage.eventTransitionCount; ++k) {
      const rt::EventTransition& t = m_.eventTransitions[stage.firstEventTransition + k];
      if (t.event == e) {
        target = m_.eventTarget(t, p_);
        break;
      }
    }
    if (target == kNone) continue;  // the event does not move the customer here
    std::string eventSubject = fmt::format("event {}", m_.events[e].name);
    folder_.setEvent(kNone);
    Value mean = folder_.fold(meanId);
    if (!mean.known) {
      unknownValue(mean, fmt::format("the mean interval of `{}`", m_.events[e].name), meanId,
                   eventSubject, "state-dependent-rate");
      continue;
    }
    if (!(mean.v > 0)) continue;  // semantics 6.1: no occurrence
    folder_.setEvent(e);
    Resolved where;
    if (resolve(target, 1, where, subject)) eventJumps_[s].emplace_back(1 / mean.v, where);
    folder_.setEvent(kNone);
  }
}

/// Where entering a vanishing stage leads; false on a zero-time loop (expandVanishingLoops).
bool ChainBuilder::expandVanishing(Index v) {
  if (vanishState_[v] == 2) return true;
  if (vanishState_[v] == 1) return false;
  vanishState_[v] = 1;
  std::map<std::size_t, double> out;
  std::vector<double> visits(n(), 0.0);
  visits[v] += 1;
  const Resolved& where = afterTargets_[v];
  if (where.unrouted > 0) out[spent(v)] += where.unrouted;
  for (auto [stage, q] : where.stages) {
    if (vanishing_[stage]) {
      if (!expandVanishing(stage)) return false;
      for (auto [state, r] : vanishOut_[stage])
        out[state] += q * r;
      for (std::size_t j = 0; j < n(); ++j)
        visits[j] += q * vanishVisits_[stage][j];
    } else {
      out[fresh(stage)] += q;
      visits[stage] += q;
    }
  }
  vanishOut_[v].assign(out.begin(), out.end());
  vanishVisits_[v] = std::move(visits);
  vanishState_[v] = 2;
  return true;
}

/// Where entering each vanishing stage leads when zero delays loop: an absorbing chain over the
/// vanishing stages, N = (I - P)^-1 times what leaves them. A loop that nothing leaves is an
/// obstacle: customers would circle it forever at one instant.
bool ChainBuilder::expandVanishingLoops() {
  const std::size_t stages = n();
  // Vanishing stages from which some zero-delay path leaves the vanishing stages.
  std::vector<std::uint8_t> leaves(stages, 0);
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t v = 0; v < stages; ++v) {
      if (!vanishing_[v] || leaves[v]) continue;
      bool out = afterTargets_[v].unrouted > 0;
      for (auto [stage, q] : afterTargets_[v].stages)
        out |= q > 0 && (!vanishing_[stage] || leaves[stage]);
      if (out) leaves[v] = changed = true;
    }
  }
  for (std::size_t v = 0; v < stages; ++v) {
    if (!vanishing_[v] || leaves[v]) continue;
    // Everything after `v` is as trapped as `v`: walk to a stage the walk comes back to.
    std::vector<std::uint8_t> seen(stages, 0);
    Index at = static_cast<Index>(v);
    while (!seen[at]) {
      seen[at] = 1;
      for (auto [stage, q] : afterTargets_[at].stages) {
        if (q > 0) {
          at = stage;
          break;
        }
      }
    }
    obstacle("zero-time-cycle",
             fmt::format("stage `{}` can be re-entered at the same instant through zero delays "
                         "(a zero-time loop that customers never leave)",
                         m_.stages[at].name),
             m_.after(at, p_).delay, fmt::format("stage {}", m_.stages[at].name));
    return false;
  }
  std::vector<Index> order;
  std::vector<Eigen::Index> row(stages, -1);
  for (std::size_t v = 0; v < stages; ++v) {
    if (!vanishing_[v]) continue;
    row[v] = static_cast<Eigen::Index>(order.size());
    order.push_back(static_cast<Index>(v));
  }
  const auto k = static_cast<Eigen::Index>(order.size());
  Eigen::MatrixXd loop = Eigen::MatrixXd::Identity(k, k);
  // Per vanishing stage: where it leads outside them (states) and the visits of one pass.
  Eigen::MatrixXd exits = Eigen::MatrixXd::Zero(k, static_cast<Eigen::Index>(2 * stages));
  Eigen::MatrixXd visits = Eigen::MatrixXd::Zero(k, static_cast<Eigen::Index>(stages));
  for (Eigen::Index i = 0; i < k; ++i) {
    Index v = order[static_cast<std::size_t>(i)];
    const Resolved& where = afterTargets_[v];
    visits(i, v) += 1;
    if (where.unrouted > 0) exits(i, static_cast<Eigen::Index>(spent(v))) += where.unrouted;
    for (auto [stage, q] : where.stages) {
      if (vanishing_[stage]) {
        loop(i, row[stage]) -= q;
      } else {
        exits(i, static_cast<Eigen::Index>(fresh(stage))) += q;
        visits(i, stage) += q;
      }
    }
  }
  Eigen::PartialPivLU<Eigen::MatrixXd> lu = loop.partialPivLu();
  Eigen::MatrixXd out = lu.solve(exits);
  Eigen::MatrixXd passes = lu.solve(visits);
  for (Eigen::Index i = 0; i < k; ++i) {
    Index v = order[static_cast<std::size_t>(i)];
    vanishOut_[v].clear();
    for (Eigen::Index state = 0; state < out.cols(); ++state) {
      if (out(i, state) > 0)
        vanishOut_[v].emplace_back(static_cast<std::size_t>(state), out(i, state));
    }
    vanishVisits_[v].assign(stages, 0);
    for (std::size_t j = 0; j < stages; ++j)
      vanishVisits_[v][j] = passes(i, static_cast<Eigen::Index>(j));
    vanishState_[v] = 2;
  }
  return true;
}

/// A jump at `rate` from state `from` into an entry of `stage`.
void ChainBuilder::addJump(std::size_t from, Index stage, double rate) {
  if (vanishing_[stage]) {
    for (auto [state, q] : vanishOut_[stage])
      rates_(static_cast<Eigen::Index>(from), static_cast<Eigen::Index>(state)) += rate * q;
    for (std::size_t j = 0; j < n(); ++j)
      visitC_(static_cast<Eigen::Index>(from), static_cast<Eigen::Index>(j)) +=
          rate * vanishVisits_[stage][j];
  } else {
    rates_(static_cast<Eigen::Index>(from), static_cast<Eigen::Index>(fresh(stage))) += rate;
    visitC_(static_cast<Eigen::Index>(from), stage) += rate;
  }
}

// ---------------------------------------------------------------------------------------------
// The chain

/// The jump rates between the 2n states and the visits they make; returns which states absorb.
std::vector<std::uint8_t> ChainBuilder::addRates() {
  const std::size_t stages = n();
  const std::size_t states = 2 * stages;
  rates_ =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(states), static_cast<Eigen::Index>(states));
  visitC_ =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(states), static_cast<Eigen::Index>(stages));
  std::vector<std::uint8_t> absorbing(states, 0);
  for (std::size_t s = 0; s < stages; ++s) {
    Index stage = static_cast<Index>(s);
    if (m_.stages[s].kind != StageKind::Ordinary) {
      absorbing[fresh(stage)] = 1;
      continue;
    }
    // Events act the same in both variants; the `after` only in the fresh one.
    for (std::size_t variant : {fresh(stage), spent(stage)}) {
      for (const auto& [rate, where] : eventJumps_[s]) {
        for (auto [to, q] : where.stages)
          addJump(variant, to, rate * q);
      }
    }
    if (!vanishing_[s] && afterRate_[s] > 0) {
      const Resolved& where = afterTargets_[s];
      for (auto [to, q] : where.stages)
        addJump(fresh(stage), to, afterRate_[s] * q);
      if (where.unrouted > 0)
        rates_(static_cast<Eigen::Index>(fresh(stage)), static_cast<Eigen::Index>(spent(stage))) +=
            afterRate_[s] * where.unrouted;
    }
  }
  return absorbing;
}

/// The entry: a distribution over the 2n states (timed and absorbing), and the visits at time 0.
Eigen::VectorXd ChainBuilder::enter(const Resolved& entry, Chain& chain) {
  const std::size_t stages = n();
  Eigen::VectorXd alpha = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(2 * stages));
  chain.entryVisits.assign(stages, 0);
  for (auto [stage, q] : entry.stages) {
    if (vanishing_[stage]) {
      for (auto [state, r] : vanishOut_[stage])
        alpha(static_cast<Eigen::Index>(state)) += q * r;
      for (std::size_t j = 0; j < stages; ++j)
        chain.entryVisits[j] += q * vanishVisits_[stage][j];
    } else {
      alpha(static_cast<Eigen::Index>(fresh(stage))) += q;
      chain.entryVisits[stage] += q;
    }
  }
  chain.unroutedAtEntry = entry.unrouted;
  return alpha;
}

/// The chain over the states reachable from the entry: its generator, entry and visit rates.
void ChainBuilder::keepReachable(const Eigen::VectorXd& alpha,
                                 const std::vector<std::uint8_t>& absorbing, Chain& chain) {
  const std::size_t states = 2 * n();
  std::vector<std::uint8_t> reachable(states, 0);
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < states; ++i) {
    if (alpha(static_cast<Eigen::Index>(i)) > 0) {
      reachable[i] = 1;
      todo.push_back(i);
    }
  }
  while (!todo.empty()) {
    std::size_t i = todo.back();
    todo.pop_back();
    for (std::size_t k = 0; k < states; ++k) {
      if (!reachable[k] && rates_(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) > 0) {
        reachable[k] = 1;
        todo.push_back(k);
      }
    }
  }
  std::vector<std::size_t>& keep = chain.states;
  for (std::size_t i = 0; i < states; ++i) {
    if (!reachable[i]) continue;
    keep.push_back(i);
    chain.absorbing.push_back(absorbing[i]);
  }
  const auto m = static_cast<Eigen::Index>(keep.size());
  Eigen::MatrixXd& q = chain.generator;
  q.resize(m, m);
  chain.visitRates.resize(m, static_cast<Eigen::Index>(n()));
  chain.entry.resize(m);
  for (Eigen::Index i = 0; i < m; ++i) {
    chain.entry(i) = alpha(static_cast<Eigen::Index>(keep[i]));
    chain.visitRates.row(i) = visitC_.row(static_cast<Eigen::Index>(keep[i]));
    double total = 0;
    for (Eigen::Index k = 0; k < m; ++k) {
      q(i, k) = rates_(static_cast<Eigen::Index>(keep[i]), static_cast<Eigen::Index>(keep[k]));
      if (k != i) total += q(i, k);
    }
    q(i, i) = -total;
  }
}

/// The goals' values, when constant for the persona.
void ChainBuilder::addGoalValues(Chain& chain) {
  std::vector<std::pair<std::size_t, double>> values;
  bool exact = true;
  for (std::size_t s = 0; s < n(); ++s) {
    const rt::Stage& stage = m_.stages[s];
    if (stage.kind != StageKind::Goal || stage.value == kNone) continue;
    folder_.setStage(static_cast<Index>(s));
    Value v = folder_.fold(stage.value);
    if (!v.known) {
      if (exact) {
        chain.notExact.push_back(fmt::format("value: goal `{}`'s value {} ({})", stage.name, v.why,
                                             m_.place(m_.exprs[stage.value].place)));
      }
      exact = false;
      continue;
    }
    values.emplace_back(s, v.v);
  }
  if (exact) chain.goalValues = std::move(values);
}

std::optional<Chain> ChainBuilder::build() {
  const std::size_t stages = n();
  afterRate_.assign(stages, 0);
  afterTargets_.assign(stages, {});
  vanishing_.assign(stages, 0);
  eventJumps_.assign(stages, {});
  vanishOut_.assign(stages, {});
  vanishVisits_.assign(stages, {});
  vanishState_.assign(stages, 0);

  for (const rt::Rule& rule : m_.rules)
    checkRule(rule);
  for (std::size_t s = 0; s < stages; ++s) {
    if (m_.stages[s].kind == StageKind::Ordinary) buildStage(static_cast<Index>(s));
  }
  Chain chain;
  chain.stages = stages;
  addTouchpoints(chain);
  folder_.setStage(kNone);
  Resolved entry;
  resolve(m_.entry, 1, entry, "entry");
  if (blocked_) return std::nullopt;

  // Zero-delay stages, expanded one by one, or all at once when their delays loop.
  bool looping = false;
  for (std::size_t s = 0; s < stages && !looping; ++s)
    looping = vanishing_[s] && !expandVanishing(static_cast<Index>(s));
  if (looping && !expandVanishingLoops()) return std::nullopt;
  std::vector<std::uint8_t> absorbing = addRates();
  Eigen::VectorXd alpha = enter(entry, chain);
  keepReachable(alpha, absorbing, chain);
  addGoalValues(chain);
  return chain;
}

}  // namespace

std::optional<Chain> buildChain(const rt::Machine& machine, rt::Index persona,
                                std::vector<MarkovObstacle>& obstacles) {
  return ChainBuilder(machine, persona, obstacles).build();
}

}  // namespace journey::sim::markov

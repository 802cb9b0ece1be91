#include "simulator/markov.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <map>
#include <unsupported/Eigen/MatrixFunctions>

namespace journey::sim {
namespace {

using rt::BranchKind;
using rt::ExprId;
using rt::Index;
using rt::kNone;
using rt::Machine;
using rt::Op;
using rt::StageKind;
using rt::TargetKind;

// ---------------------------------------------------------------------------------------------
// Folding expressions for one persona

/// A value known before the run (for every customer of the persona), or why it is not.
struct Value {
  bool known = false;
  double v = 0;
  /// Unknown: what it depends on (`reads emotion`, `draws from lognormal`, ...) and the kind
  /// of obstacle that makes (`state`, `sampled-attribute`, `payload`, `random`, `invalid`).
  std::string why;
  std::string kind;

  static Value of(double v) { return Value{true, v, {}, {}}; }
  static Value unknown(std::string kind, std::string why) {
    return Value{false, 0, std::move(why), std::move(kind)};
  }
};

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

/// Folds the machine's expressions for one persona: constant attributes, the vars' initial
/// values (no rule can change them in a chain), the persona, the current stage and, in the
/// branches of an `on E`, the event's constant payload fields.
class Folder {
 public:
  Folder(const Machine& m, Index persona) : m_(m), persona_(persona) {
    attributes_.resize(m.attributes.size());
    for (std::size_t a = 0; a < m.attributes.size(); ++a) {
      ExprId id = m.attribute(persona, static_cast<Index>(a));
      if (id == kNone) {
        attributes_[a] = Value::of(0);
        continue;
      }
      Value value = fold(id);
      if (!value.known) {
        value = Value::unknown("sampled-attribute",
                               fmt::format("reads the attribute `{}`, which is drawn per customer",
                                           m.attributes[a].name));
      }
      attributes_[a] = value;
    }
    for (const auto& var : m.vars)
      vars_.push_back(var.initial == kNone ? Value::of(0) : fold(var.initial));
  }

  /// The stage the customer is in while the expression is evaluated (kNone: at entry).
  void setStage(Index stage) { stage_ = stage; }
  /// The event whose payload branches may read (kNone: none).
  void setEvent(Index event) {
    payload_.clear();
    if (event == kNone) return;
    const rt::Event& e = m_.events[event];
    for (std::uint32_t i = 0; i < e.fieldCount; ++i) {
      const rt::PayloadField& field = m_.payloadFields[e.firstField + i];
      Value value = fold(field.value);
      if (!value.known) {
        value = Value::unknown(
            "payload", fmt::format("reads the payload field `{}.{}`, which {}", e.name, field.name,
                                   value.kind == "random" ? "is drawn at each occurrence"
                                                          : "is not constant"));
      }
      payload_.push_back(value);
    }
  }

  Value fold(ExprId id) { return foldRange(id, 0, m_.exprs[id].size); }

  /// Folds the code of `id` from `from` to `to` (exclusive): a prefix leaves the operands of
  /// its last instruction on the stack; this returns the top.
  Value foldRange(ExprId id, std::uint32_t from, std::uint32_t to) {
    const rt::Expr& expr = m_.exprs[id];
    if (expr.constant && from == 0 && to == expr.size) return Value::of(expr.value);
    std::vector<Value> stack;
    std::map<std::uint32_t, Value> joins;  // jumps whose condition was unknown
    const rt::Instr* code = m_.code.data() + expr.begin;
    auto binary = [&](auto&& f) {
      Value b = stack.back();
      stack.pop_back();
      Value& a = stack.back();
      if (!a.known) return;
      if (!b.known) {
        a = b;
        return;
      }
      a.v = f(a.v, b.v);
    };
    auto unary = [&](auto&& f) {
      Value& a = stack.back();
      if (a.known) a.v = f(a.v);
    };
    auto state = [&](const std::string& what) {
      stack.push_back(Value::unknown("state", fmt::format("reads {}", what)));
    };
    for (std::uint32_t pc = from; pc < to; ++pc) {
      if (auto join = joins.find(pc); join != joins.end() && !stack.empty())
        stack.back() = join->second;
      const rt::Instr& in = code[pc];
      switch (in.op) {
        case Op::Const:
          stack.push_back(Value::of(in.k));
          break;
        case Op::Var:
          stack.push_back(vars_[in.a]);
          break;
        case Op::Attribute:
          stack.push_back(attributes_[in.a]);
          break;
        case Op::Payload:
          if (in.a >= 0 && static_cast<std::size_t>(in.a) < payload_.size()) {
            stack.push_back(payload_[in.a]);
          } else {
            stack.push_back(Value::unknown("payload", "reads an event's payload"));
          }
          break;
        case Op::Emotion:
          state("`emotion`");
          break;
        case Op::Cost:
          state("`cost`");
          break;
        case Op::Time:
          state("`time`");
          break;
        case Op::TimeInStage:
          state("`time_in_stage`");
          break;
        case Op::Persona:
          stack.push_back(Value::of(persona_));
          break;
        case Op::Visits:
          state(fmt::format("`visits({})`", m_.stages[in.a].name));
          break;
        case Op::Received:
          state(fmt::format("`received({})`", m_.touchpoints[in.a].name));
          break;
        case Op::ReceivedChannel:
          state(fmt::format("`received({})`", m_.channels[in.a].name));
          break;
        case Op::InStage:
          stack.push_back(Value::of(stage_ == in.a ? 1 : 0));
          break;
        case Op::Neg:
          unary([](double x) { return -x; });
          break;
        case Op::Not:
          unary([](double x) { return x == 0 ? 1.0 : 0.0; });
          break;
        case Op::Add:
          binary([](double a, double b) { return a + b; });
          break;
        case Op::Sub:
          binary([](double a, double b) { return a - b; });
          break;
        case Op::Mul:
          binary([](double a, double b) { return a * b; });
          break;
        case Op::Div: {
          Value b = stack.back();
          if (b.known && b.v == 0) {
            stack.pop_back();
            stack.back() = Value::unknown("invalid", "divides by zero");
            break;
          }
          binary([](double a, double d) { return a / d; });
          break;
        }
        case Op::Lt:
          binary([](double a, double b) { return a < b ? 1.0 : 0.0; });
          break;
        case Op::Le:
          binary([](double a, double b) { return a <= b ? 1.0 : 0.0; });
          break;
        case Op::Gt:
          binary([](double a, double b) { return a > b ? 1.0 : 0.0; });
          break;
        case Op::Ge:
          binary([](double a, double b) { return a >= b ? 1.0 : 0.0; });
          break;
        case Op::Eq:
          binary([](double a, double b) { return a == b ? 1.0 : 0.0; });
          break;
        case Op::Ne:
          binary([](double a, double b) { return a != b ? 1.0 : 0.0; });
          break;
        case Op::Min:
          binary([](double a, double b) { return b < a ? b : a; });
          break;
        case Op::Max:
          binary([](double a, double b) { return a < b ? b : a; });
          break;
        case Op::Clamp: {
          Value hi = stack.back();
          stack.pop_back();
          Value lo = stack.back();
          stack.pop_back();
          Value& x = stack.back();
          if (!x.known) break;
          if (!lo.known || !hi.known) {
            x = !lo.known ? lo : hi;
            break;
          }
          double y = x.v < lo.v ? lo.v : x.v;
          x.v = hi.v < y ? hi.v : y;
          break;
        }
        case Op::Abs:
          unary([](double x) { return std::fabs(x); });
          break;
        case Op::Round:
          unary([](double x) { return std::round(x); });
          break;
        case Op::Floor:
          unary([](double x) { return std::floor(x); });
          break;
        case Op::Ceil:
          unary([](double x) { return std::ceil(x); });
          break;
        case Op::JumpIfFalse:
        case Op::JumpIfTrue: {
          Value& top = stack.back();
          if (!top.known) {
            // Either way: the value at the join is unknown.
            joins.emplace(static_cast<std::uint32_t>(in.a), top);
            stack.pop_back();
            break;
          }
          bool jump = in.op == Op::JumpIfFalse ? top.v == 0 : top.v != 0;
          if (jump) {
            pc = static_cast<std::uint32_t>(in.a) - 1;
          } else {
            stack.pop_back();
          }
          break;
        }
        case Op::Discrete: {
          std::size_t pops = 2 * static_cast<std::size_t>(in.a);
          stack.resize(stack.size() - pops);
          stack.push_back(Value::unknown("random", "draws from discrete"));
          break;
        }
        default: {  // the other distributions
          int pops = rt::opPops(in);
          stack.resize(stack.size() - static_cast<std::size_t>(pops));
          stack.push_back(
              Value::unknown("random", fmt::format("draws from {}", rt::opName(in.op))));
          break;
        }
      }
    }
    if (auto join = joins.find(to); join != joins.end() && !stack.empty())
      stack.back() = join->second;
    if (stack.empty()) return Value::unknown("invalid", "has no value");
    Value result = stack.back();
    if (result.known && std::isnan(result.v)) return Value::unknown("invalid", "is not a number");
    return result;
  }

 private:
  const Machine& m_;
  Index persona_;
  Index stage_ = kNone;
  std::vector<Value> attributes_, vars_, payload_;
};

// ---------------------------------------------------------------------------------------------
// The chain of one persona

/// Where a target sends customers: stages with probabilities, and the rest to no stage.
struct Resolved {
  std::vector<std::pair<Index, double>> stages;
  double unrouted = 0;
};

class ChainBuilder {
 public:
  ChainBuilder(const Machine& m, Index persona, double horizon,
               std::vector<MarkovObstacle>& obstacles)
      : m_(m), p_(persona), horizon_(horizon), folder_(m, persona), obstacles_(obstacles) {}

  /// Adds obstacles, or fills `out` with the answers.
  void run(MarkovAnswers& out);

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
  void addObstacle(std::string code, std::string message, std::string place, std::string subject) {
    // The same construct for several personas is one obstacle listing them.
    for (auto& o : obstacles_) {
      if (o.code == code && o.message == message && o.place == place && o.subject == subject) {
        if (std::find(o.personas.begin(), o.personas.end(), personaName()) == o.personas.end())
          o.personas.push_back(personaName());
        return;
      }
    }
    obstacles_.push_back(MarkovObstacle{std::move(code),
                                        std::move(message),
                                        std::move(place),
                                        std::move(subject),
                                        {personaName()}});
  }
  /// An obstacle for an unknown value used where a constant is needed.
  void unknownValue(const Value& value, const std::string& what, ExprId expr,
                    const std::string& subject, const char* stateCode) {
    std::string code = value.kind == "state"    ? stateCode
                       : value.kind == "random" ? "non-exponential-delay"
                                                : value.kind;
    obstacle(code, fmt::format("{} {}", what, value.why), expr, subject);
  }

  bool resolve(Index target, double weight, Resolved& into, const std::string& subject);
  void buildStage(Index s);
  void addJump(std::size_t from, Index stage, double rate);
  bool expandVanishing(Index stage);

  const Machine& m_;
  Index p_;
  double horizon_;
  Folder folder_;
  std::vector<MarkovObstacle>& obstacles_;

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
    double rest = 1 - std::min(sum, 1.0);
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

void ChainBuilder::buildStage(Index s) {
  const rt::Stage& stage = m_.stages[s];
  std::string subject = fmt::format("stage {}", stage.name);
  folder_.setStage(s);
  folder_.setEvent(kNone);
  const rt::Transition& after = m_.after(s, p_);
  if (after.target != kNone) {
    const rt::Expr& delay = m_.exprs[after.delay];
    const rt::Instr& last = m_.code[delay.begin + delay.size - 1];
    bool ok = true;
    if (!delay.constant && last.op == Op::Exponential) {
      Value mean = folder_.foldRange(after.delay, 0, delay.size - 1);
      if (!mean.known) {
        unknownValue(mean,
                     fmt::format("in stage `{}`, the mean of an exponential delay", stage.name),
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

/// Where entering a vanishing stage leads; false on a zero-time cycle.
bool ChainBuilder::expandVanishing(Index v) {
  if (vanishState_[v] == 2) return true;
  if (vanishState_[v] == 1) {
    obstacle("zero-time-cycle",
             fmt::format("stage `{}` can be re-entered at the same instant through zero delays "
                         "(a zero-time loop)",
                         m_.stages[v].name),
             m_.after(v, p_).delay, fmt::format("stage {}", m_.stages[v].name));
    return false;
  }
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

void ChainBuilder::run(MarkovAnswers& out) {
  std::size_t before = obstacles_.size();
  const std::size_t stages = n();
  afterRate_.assign(stages, 0);
  afterTargets_.assign(stages, {});
  vanishing_.assign(stages, 0);
  eventJumps_.assign(stages, {});
  vanishOut_.assign(stages, {});
  vanishVisits_.assign(stages, {});
  vanishState_.assign(stages, 0);

  // Rules: any that can run for the persona.
  for (const rt::Rule& rule : m_.rules) {
    bool forPersona = rule.personaCount == 0;
    for (std::uint32_t i = 0; i < rule.personaCount && !forPersona; ++i)
      forPersona = m_.rulePersonas[rule.firstPersona + i] == p_;
    if (!forPersona) continue;
    std::vector<std::string> does;
    ExprId placed = rule.triggerValue != kNone ? rule.triggerValue : rule.condition;
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
    static const char* kTriggers[] = {"on an event", "on enter",    "on leave",
                                      "on after",    "on inactive", "on a condition"};
    std::string trigger = kTriggers[static_cast<int>(rule.trigger)];
    if (rule.trigger == rt::TriggerKind::Event)
      trigger = fmt::format("on {}", m_.events[rule.triggerIndex].name);
    if (rule.trigger == rt::TriggerKind::Enter || rule.trigger == rt::TriggerKind::Leave)
      trigger += fmt::format(" {}", m_.stages[rule.triggerIndex].name);
    std::string what =
        does.empty() ? std::string("runs") : fmt::format("{}", fmt::join(does, "; "));
    if (rule.trigger == rt::TriggerKind::After || rule.trigger == rt::TriggerKind::Inactive)
      what += "; its trigger is a fixed timer";
    if (rule.trigger == rt::TriggerKind::Condition) what += "; its trigger watches the state";
    if (rule.capCount > 0) what += "; its cap counts earlier runs";
    obstacle("rule", fmt::format("rule `{}` ({}) {}", rule.name, trigger, what), placed,
             fmt::format("rule {}", rule.name));
  }

  for (std::size_t s = 0; s < stages; ++s) {
    if (m_.stages[s].kind == StageKind::Ordinary) buildStage(static_cast<Index>(s));
  }

  // Stage touchpoints: a response that can move someone; constant cost and emotion.
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
          out.notExact.push_back(fmt::format("cost: touchpoint `{}`'s cost {} ({})", tp.name, c.why,
                                             m_.place(m_.exprs[tp.cost].place)));
        }
      }
      if (tp.emotion != kNone) {
        Value e = folder_.fold(tp.emotion);
        if (e.known) {
          visitEmotion[s] += e.v;
        } else if (emotionExact) {
          emotionExact = false;
          out.notExact.push_back(fmt::format("emotion: touchpoint `{}`'s emotion {} ({})", tp.name,
                                             e.why, m_.place(m_.exprs[tp.emotion].place)));
        }
      }
      if (tp.responseEvent != kNone) {
        Value p = folder_.fold(tp.responseProbability);
        if (p.known && p.v <= 0) continue;
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
    }
  }
  folder_.setStage(kNone);
  Resolved entry;
  resolve(m_.entry, 1, entry, "entry");
  if (obstacles_.size() != before) return;

  // Zero-delay stages, expanded.
  for (std::size_t s = 0; s < stages; ++s) {
    if (vanishing_[s] && !expandVanishing(static_cast<Index>(s))) return;
  }

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

  // The entry: a distribution over timed and absorbing states, and the visits at time 0.
  Eigen::VectorXd alpha = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(states));
  std::vector<double> visits0(stages, 0);
  for (auto [stage, q] : entry.stages) {
    if (vanishing_[stage]) {
      for (auto [state, r] : vanishOut_[stage])
        alpha(static_cast<Eigen::Index>(state)) += q * r;
      for (std::size_t j = 0; j < stages; ++j)
        visits0[j] += q * vanishVisits_[stage][j];
    } else {
      alpha(static_cast<Eigen::Index>(fresh(stage))) += q;
      visits0[stage] += q;
    }
  }
  out.unroutedAtEntry = entry.unrouted;

  // Keep the states reachable from the entry: m of them, in `keep`.
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
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < states; ++i)
    if (reachable[i]) keep.push_back(i);
  const auto m = static_cast<Eigen::Index>(keep.size());
  Eigen::MatrixXd q(m, m);
  Eigen::MatrixXd c(m, static_cast<Eigen::Index>(stages));
  Eigen::RowVectorXd a(m);
  for (Eigen::Index i = 0; i < m; ++i) {
    a(i) = alpha(static_cast<Eigen::Index>(keep[i]));
    c.row(i) = visitC_.row(static_cast<Eigen::Index>(keep[i]));
    double total = 0;
    for (Eigen::Index k = 0; k < m; ++k) {
      q(i, k) = rates_(static_cast<Eigen::Index>(keep[i]), static_cast<Eigen::Index>(keep[k]));
      if (k != i) total += q(i, k);
    }
    q(i, i) = -total;
  }

  // By the horizon: one exponential of [[Q H, I], [0, 0]] gives exp(Q H) and, times H,
  // the integral of exp(Q s) over [0, H].
  const double h = horizon_;
  Eigen::MatrixXd block = Eigen::MatrixXd::Zero(2 * m, 2 * m);
  block.topLeftCorner(m, m) = q * h;
  block.topRightCorner(m, m) = Eigen::MatrixXd::Identity(m, m);
  Eigen::MatrixXd e = block.exp();
  Eigen::RowVectorXd where = a * e.topLeftCorner(m, m);
  Eigen::RowVectorXd occupancy = a * e.topRightCorner(m, m) * h;

  out.horizon = h;
  out.endedAtHorizon.assign(stages, 0);
  out.endedEventually.assign(stages, 0);
  out.visitsByHorizon = visits0;
  out.visitsEventually = visits0;
  out.timeInStageByHorizon.assign(stages, 0);
  out.timeInStageEventually.assign(stages, 0);
  auto stageOf = [&](std::size_t state) { return state % stages; };
  Eigen::RowVectorXd visitsH = occupancy * c;
  for (std::size_t j = 0; j < stages; ++j)
    out.visitsByHorizon[j] += visitsH(static_cast<Eigen::Index>(j));
  for (Eigen::Index i = 0; i < m; ++i) {
    std::size_t s = stageOf(keep[i]);
    out.endedAtHorizon[s] += std::max(0.0, where(i));
    if (!absorbing[keep[i]]) {
      out.timeInStageByHorizon[s] += occupancy(i);
      out.timeInJourneyByHorizon += occupancy(i);
    }
  }

  // Eventually: the states that can reach a goal or exit (A) are transient; the others are
  // trapped (a stage with no way out, a loop that is never left).
  std::vector<std::uint8_t> canFinish(static_cast<std::size_t>(m), 0);
  for (Eigen::Index i = 0; i < m; ++i)
    if (absorbing[keep[i]]) canFinish[i] = 1;
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
  std::vector<Eigen::Index> transient;
  for (Eigen::Index i = 0; i < m; ++i)
    if (canFinish[i] && !absorbing[keep[i]]) transient.push_back(i);
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
    std::size_t s = stageOf(keep[i]);
    if (absorbing[keep[i]]) {
      double pr = std::max(0.0, a(i) + flow(i));
      out.endedEventually[s] += pr;
      finished += pr;
    } else if (!canFinish[i]) {
      trappedReached = true;  // reachable from the entry, so with positive probability
    }
  }
  out.neverFinishes = std::max(0.0, 1 - entry.unrouted - finished);
  Eigen::RowVectorXd visitsE = occ * c;
  for (std::size_t j = 0; j < stages; ++j)
    out.visitsEventually[j] += visitsE(static_cast<Eigen::Index>(j));
  double timeE = 0;
  for (Eigen::Index i = 0; i < m; ++i) {
    std::size_t s = stageOf(keep[i]);
    if (absorbing[keep[i]]) continue;
    if (canFinish[i]) {
      out.timeInStageEventually[s] += occ(i);
      timeE += occ(i);
      continue;
    }
    // Trapped: forever there; infinitely many visits where it keeps jumping.
    out.timeInStageEventually[s] = kInfinity;
    for (std::size_t j = 0; j < stages; ++j)
      if (c(i, static_cast<Eigen::Index>(j)) > 0) out.visitsEventually[j] = kInfinity;
  }
  out.timeToFinish = trappedReached ? kInfinity : timeE;

  for (std::size_t s = 0; s < stages; ++s) {
    if (m_.stages[s].kind != StageKind::Goal) continue;
    out.conversionByHorizon += out.endedAtHorizon[s];
    out.conversionEventually += out.endedEventually[s];
  }
  auto total = [&](const std::vector<double>& visits, const std::vector<double>& per) {
    double sum = 0;
    for (std::size_t s = 0; s < stages; ++s)
      if (per[s] != 0) sum += visits[s] * per[s];
    return sum;
  };
  if (costExact) {
    out.costByHorizon = total(out.visitsByHorizon, visitCost);
    out.costEventually = total(out.visitsEventually, visitCost);
  }
  if (emotionExact) {
    out.emotionByHorizon = total(out.visitsByHorizon, visitEmotion);
    out.emotionEventually = total(out.visitsEventually, visitEmotion);
  }
  // Goal values, when constant for the persona.
  bool valueExact = true;
  double valueH = 0, valueE = 0;
  for (std::size_t s = 0; s < stages; ++s) {
    const rt::Stage& stage = m_.stages[s];
    if (stage.kind != StageKind::Goal || stage.value == kNone) continue;
    folder_.setStage(static_cast<Index>(s));
    Value v = folder_.fold(stage.value);
    if (!v.known) {
      if (valueExact) {
        out.notExact.push_back(fmt::format("value: goal `{}`'s value {} ({})", stage.name, v.why,
                                           m_.place(m_.exprs[stage.value].place)));
      }
      valueExact = false;
      continue;
    }
    valueH += out.endedAtHorizon[s] * v.v;
    valueE += out.endedEventually[s] * v.v;
  }
  if (valueExact) {
    out.valueByHorizon = valueH;
    out.valueEventually = valueE;
  }
}

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
    ChainBuilder builder(machine, static_cast<Index>(p), horizon, analysis.obstacles);
    builder.run(personas[p]);
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

#include "runtime/verify.h"

#include <fmt/format.h>

#include <cmath>
#include <numeric>

namespace journey::rt {
namespace {

constexpr int kMaxStack = 256;

class Verifier {
 public:
  explicit Verifier(const Machine& machine) : m_(machine) {}

  std::vector<std::string> run() {
    checkTables();
    if (!errors_.empty()) return errors_;  // the rest indexes these tables
    for (std::size_t i = 0; i < m_.exprs.size(); ++i)
      checkExpr(static_cast<ExprId>(i));
    for (std::size_t i = 0; i < m_.targets.size(); ++i)
      checkTarget(static_cast<Index>(i));
    checkDeclarations();
    return errors_;
  }

 private:
  template <typename... Args>
  void error(fmt::format_string<Args...> format, Args&&... args) {
    if (errors_.size() < 50) errors_.push_back(fmt::format(format, std::forward<Args>(args)...));
  }

  bool inRange(Index index, std::size_t size) const {
    return index >= 0 && static_cast<std::size_t>(index) < size;
  }
  bool rangeOk(std::uint32_t first, std::uint32_t count, std::size_t size) const {
    return static_cast<std::uint64_t>(first) + count <= size;
  }

  void checkTables() {
    std::size_t p = m_.personas.size(), s = m_.stages.size(), e = m_.events.size();
    if (p == 0) error("the machine has no persona");
    if (s == 0) error("the machine has no stage");
    if (m_.personaAttributes.size() != p * m_.attributes.size())
      error("persona attribute table has {} entries, expected {}", m_.personaAttributes.size(),
            p * m_.attributes.size());
    if (m_.afters.size() != s * p)
      error("transition table has {} entries, expected {}", m_.afters.size(), s * p);
    if (m_.eventMeans.size() != e * p)
      error("event rate table has {} entries, expected {}", m_.eventMeans.size(), e * p);
    if (m_.eventInStage.size() != e * s)
      error("event-in-stage table has {} entries, expected {}", m_.eventInStage.size(), e * s);
    if (!(m_.horizon > 0) || !std::isfinite(m_.horizon))
      error("the horizon {} is not a positive number of seconds", m_.horizon);
    double shares = 0;
    for (const auto& persona : m_.personas) {
      if (!(persona.share > 0 && persona.share <= 1))
        error("persona `{}` has share {}, outside (0, 1]", persona.name, persona.share);
      shares += persona.share;
    }
    if (p > 0 && std::fabs(shares - 1) > 1e-9) error("persona shares add up to {}, not 1", shares);
    for (const auto& expr : m_.exprs) {
      if (!rangeOk(expr.begin, expr.size, m_.code.size()) || expr.size == 0) {
        error("an expression's code [{}, +{}) lies outside the code ({} instructions)", expr.begin,
              expr.size, m_.code.size());
      }
      if (expr.place != kNone && !inRange(expr.place, m_.places.size()))
        error("an expression's place {} is out of range", expr.place);
    }
    if (!inRange(m_.entry, m_.targets.size()))
      error("the entry target {} is out of range", m_.entry);
  }

  void checkExprId(ExprId id, std::string_view what, bool optional = true) {
    if (id == kNone && optional) return;
    if (!inRange(id, m_.exprs.size())) error("{}: expression {} is out of range", what, id);
  }
  void checkTargetId(Index id, std::string_view what, bool optional = false) {
    if (id == kNone && optional) return;
    if (!inRange(id, m_.targets.size())) error("{}: target {} is out of range", what, id);
  }

  std::size_t maxPayloadFields() const {
    std::size_t most = 0;
    for (const auto& event : m_.events)
      most = std::max<std::size_t>(most, event.fieldCount);
    return most;
  }

  void checkExpr(ExprId id) {
    const Expr& expr = m_.exprs[id];
    const Instr* code = m_.code.data() + expr.begin;
    std::vector<int> depthAt(expr.size + 1, -1);
    int depth = 0;
    bool reachable = true;
    for (std::uint32_t pc = 0; pc < expr.size; ++pc) {
      const Instr& instr = code[pc];
      if (static_cast<int>(instr.op) >= kOpCount) {
        error("expression {}: instruction {} has an unknown operation {}", id, pc,
              static_cast<int>(instr.op));
        return;
      }
      if (depthAt[pc] >= 0) {
        if (reachable && depthAt[pc] != depth) {
          error("expression {}: stack depths {} and {} meet at instruction {}", id, depthAt[pc],
                depth, pc);
          return;
        }
        depth = depthAt[pc];
        reachable = true;
      }
      if (!reachable) {
        error("expression {}: instruction {} cannot be reached", id, pc);
        return;
      }
      if (!checkOperand(id, pc, instr)) return;
      int pops = opPops(instr);
      if (depth < pops) {
        error("expression {}: `{}` at instruction {} needs {} values, the stack has {}", id,
              opName(instr.op), pc, pops, depth);
        return;
      }
      if (instr.op == Op::JumpIfFalse || instr.op == Op::JumpIfTrue) {
        if (instr.a <= static_cast<Index>(pc) || static_cast<std::uint32_t>(instr.a) > expr.size) {
          error("expression {}: jump at instruction {} to {} is not forward within the expression",
                id, pc, instr.a);
          return;
        }
        int& at = depthAt[static_cast<std::size_t>(instr.a)];
        if (at >= 0 && at != depth) {
          error("expression {}: stack depths {} and {} meet at instruction {}", id, at, depth,
                instr.a);
          return;
        }
        at = depth;
      }
      depth = depth - pops + opPushes(instr.op);
      if (depth > kMaxStack) {
        error("expression {}: the stack grows beyond {} values", id, kMaxStack);
        return;
      }
    }
    if (depthAt[expr.size] >= 0 && depthAt[expr.size] != depth) {
      error("expression {}: stack depths {} and {} meet at its end", id, depthAt[expr.size], depth);
      return;
    }
    if (depth != 1) {
      error("expression {}: leaves {} values on the stack, not 1", id, depth);
      return;
    }
    if (expr.constant && (expr.size != 1 || code[0].op != Op::Const || code[0].k != expr.value))
      error("expression {}: marked constant but its code is not that constant", id);
  }

  bool checkOperand(ExprId id, std::uint32_t pc, const Instr& instr) {
    std::size_t limit = 0;
    const char* what = nullptr;
    switch (instr.op) {
      case Op::Var:
        limit = m_.vars.size(), what = "var";
        break;
      case Op::Attribute:
        limit = m_.attributes.size(), what = "attribute";
        break;
      case Op::Payload:
        limit = maxPayloadFields(), what = "payload field";
        break;
      case Op::Visits:
      case Op::InStage:
        limit = m_.stages.size(), what = "stage";
        break;
      case Op::Received:
        limit = m_.touchpoints.size(), what = "touchpoint";
        break;
      case Op::ReceivedChannel:
        limit = m_.channels.size(), what = "channel";
        break;
      case Op::Occurrences:
        limit = m_.events.size(), what = "event";
        break;
      case Op::Discrete:
        if (instr.a < 1 || instr.a > kMaxStack / 2) {
          error("expression {}: `discrete` at instruction {} has {} entries", id, pc, instr.a);
          return false;
        }
        return true;
      default:
        return true;
    }
    if (!inRange(instr.a, limit)) {
      error("expression {}: `{}` at instruction {} names {} {}, out of range", id, opName(instr.op),
            pc, what, instr.a);
      return false;
    }
    return true;
  }

  void checkTarget(Index id) {
    const Target& target = m_.targets[id];
    std::string what = fmt::format("target {}", id);
    if (target.kind == TargetKind::Stage) {
      if (!inRange(target.stage, m_.stages.size()))
        error("{}: stage {} is out of range", what, target.stage);
      return;
    }
    if (!rangeOk(target.firstBranch, target.branchCount, m_.branches.size()) ||
        target.branchCount == 0) {
      error("{}: its branches lie outside the branch table", what);
      return;
    }
    for (std::uint32_t i = 0; i < target.branchCount; ++i) {
      const Branch& branch = m_.branches[target.firstBranch + i];
      bool chance = target.kind == TargetKind::Chance;
      bool fits = chance
                      ? (branch.kind == BranchKind::Chance || branch.kind == BranchKind::Otherwise)
                      : (branch.kind == BranchKind::If || branch.kind == BranchKind::Else);
      if (!fits)
        error("{}: branch {} does not fit a {} block", what, i, chance ? "chance" : "condition");
      bool needsValue = branch.kind == BranchKind::Chance || branch.kind == BranchKind::If;
      if (needsValue) checkExprId(branch.value, what, false);
      // Children come after their parent: resolution always terminates.
      if (!inRange(branch.target, m_.targets.size()) || branch.target <= id)
        error("{}: branch {} leads to target {}, which is not a later target", what, i,
              branch.target);
    }
  }

  void checkDeclarations() {
    std::size_t p = m_.personas.size();
    for (ExprId id : m_.personaAttributes)
      checkExprId(id, "attribute");
    for (const auto& var : m_.vars)
      checkExprId(var.initial, fmt::format("var `{}`", var.name), false);
    for (const auto& channel : m_.channels) {
      if (channel.capCount > 0 && !(channel.capWindow > 0))
        error("channel `{}`: a cap needs a window above 0", channel.name);
      if (channel.capCount > kMaxCapCount)
        error("channel `{}`: a cap above {} messages", channel.name, kMaxCapCount);
      if (channel.hasQuiet && !(channel.quietStart >= 0 && channel.quietStart < 86400 &&
                                channel.quietEnd >= 0 && channel.quietEnd < 86400))
        error("channel `{}`: quiet hours outside a day", channel.name);
    }
    for (std::size_t s = 0; s < m_.stages.size(); ++s) {
      const Stage& stage = m_.stages[s];
      std::string what = fmt::format("stage `{}`", stage.name);
      if (!rangeOk(stage.firstTouchpoint, stage.touchpointCount, m_.stageTouchpoints.size()) ||
          !rangeOk(stage.firstEventTransition, stage.eventTransitionCount,
                   m_.eventTransitions.size()) ||
          !rangeOk(stage.firstEvent, stage.eventCount, m_.stageEvents.size())) {
        error("{}: a range lies outside its table", what);
        continue;
      }
      for (std::uint32_t i = 0; i < stage.touchpointCount; ++i)
        if (!inRange(m_.stageTouchpoints[stage.firstTouchpoint + i], m_.touchpoints.size()))
          error("{}: touchpoint out of range", what);
      for (std::uint32_t i = 0; i < stage.eventCount; ++i)
        if (!inRange(m_.stageEvents[stage.firstEvent + i], m_.events.size()))
          error("{}: event out of range", what);
      for (std::uint32_t i = 0; i < stage.eventTransitionCount; ++i) {
        const EventTransition& t = m_.eventTransitions[stage.firstEventTransition + i];
        if (!inRange(t.event, m_.events.size())) error("{}: `on` names event {}", what, t.event);
        if (!rangeOk(t.firstTarget, static_cast<std::uint32_t>(p), m_.eventTargets.size())) {
          error("{}: `on` targets lie outside their table", what);
          continue;
        }
        for (std::size_t q = 0; q < p; ++q)
          checkTargetId(m_.eventTargets[t.firstTarget + q], what, true);
      }
      checkExprId(stage.value, what);
      checkExprId(stage.periodValue, what);
      if (stage.periodValue != kNone &&
          (stage.kind != StageKind::Ordinary || !(stage.period > 0) || std::isinf(stage.period)))
        error("{}: a value per period needs an ordinary stage and a period > 0", what);
      if (stage.milestone && stage.kind != StageKind::Ordinary)
        error("{}: only an ordinary stage can be a milestone", what);
      for (std::size_t q = 0; q < p; ++q) {
        const Transition& t = m_.afters[s * p + q];
        if ((t.delay == kNone) != (t.target == kNone))
          error("{}: an `after` needs both a delay and a target", what);
        checkExprId(t.delay, what);
        checkTargetId(t.target, what, true);
      }
    }
    for (const auto& tp : m_.touchpoints) {
      std::string what = fmt::format("touchpoint `{}`", tp.name);
      if (!inRange(tp.channel, m_.channels.size()))
        error("{}: channel {} is out of range", what, tp.channel);
      if (tp.stage != kNone && !inRange(tp.stage, m_.stages.size()))
        error("{}: stage out of range", what);
      checkExprId(tp.cost, what);
      checkExprId(tp.emotion, what);
      checkExprId(tp.duration, what);
      checkExprId(tp.responseProbability, what);
      checkExprId(tp.responseDelay, what);
      checkExprId(tp.nps, what);
      if ((tp.responseProbability == kNone) != (tp.responseEvent == kNone))
        error("{}: a response needs a probability and an event", what);
      if (tp.responseEvent != kNone && !inRange(tp.responseEvent, m_.events.size()))
        error("{}: response event out of range", what);
    }
    for (const auto& event : m_.events) {
      if (!rangeOk(event.firstField, event.fieldCount, m_.payloadFields.size()))
        error("event `{}`: payload fields lie outside their table", event.name);
      checkExprId(event.value, fmt::format("event `{}`", event.name));
    }
    for (const auto& kpi : m_.kpis)
      checkExprId(kpi.value, fmt::format("KPI `{}`", kpi.name), false);
    if (!(m_.discountRate >= 0 && m_.discountRate <= 1) || !(m_.discountPeriod >= 0) ||
        std::isinf(m_.discountPeriod))
      error("the discount is {} per {} s: it needs a rate in [0, 1] and a period >= 0",
            m_.discountRate, m_.discountPeriod);
    for (const auto& field : m_.payloadFields)
      checkExprId(field.value, "payload field", false);
    for (ExprId id : m_.eventMeans)
      checkExprId(id, "event rate");
    for (const auto& rule : m_.rules)
      checkRule(rule);
  }

  void checkRule(const Rule& rule) {
    std::string what = fmt::format("rule `{}`", rule.name);
    switch (rule.trigger) {
      case TriggerKind::Event:
        if (!inRange(rule.triggerIndex, m_.events.size()))
          error("{}: trigger event out of range", what);
        break;
      case TriggerKind::Enter:
      case TriggerKind::Leave:
        if (!inRange(rule.triggerIndex, m_.stages.size()))
          error("{}: trigger stage out of range", what);
        break;
      case TriggerKind::After:
      case TriggerKind::Inactive:
      case TriggerKind::Condition:
        checkExprId(rule.triggerValue, what, false);
        break;
      default:
        error("{}: unknown trigger {}", what, static_cast<int>(rule.trigger));
    }
    if (rule.payloadEvent != kNone && !inRange(rule.payloadEvent, m_.events.size()))
      error("{}: payload event out of range", what);
    checkExprId(rule.condition, what);
    if (rule.capCount == 0 && rule.capWindow != 0) error("{}: a cap window without a count", what);
    if (rule.capWindow > 0 && rule.capCount > kMaxCapCount)
      error("{}: a cap above {} runs in a window", what, kMaxCapCount);
    if (!rangeOk(rule.firstStage, rule.stageCount, m_.ruleStages.size()) ||
        !rangeOk(rule.firstPersona, rule.personaCount, m_.rulePersonas.size()) ||
        !rangeOk(rule.firstAction, rule.actionCount, m_.actions.size())) {
      error("{}: a range lies outside its table", what);
      return;
    }
    for (std::uint32_t i = 0; i < rule.stageCount; ++i)
      if (!inRange(m_.ruleStages[rule.firstStage + i], m_.stages.size()))
        error("{}: `in` stage out of range", what);
    for (std::uint32_t i = 0; i < rule.personaCount; ++i)
      if (!inRange(m_.rulePersonas[rule.firstPersona + i], m_.personas.size()))
        error("{}: `for` persona out of range", what);
    for (std::uint32_t i = 0; i < rule.actionCount; ++i) {
      const Action& action = m_.actions[rule.firstAction + i];
      switch (action.kind) {
        case ActionKind::Send:
          if (!inRange(action.index, m_.touchpoints.size()))
            error("{}: `send` touchpoint out of range", what);
          break;
        case ActionKind::Set:
          if (!inRange(action.index, m_.vars.size())) error("{}: `set` var out of range", what);
          checkExprId(action.value, what, false);
          break;
        case ActionKind::Move:
          checkTargetId(action.index, what);
          break;
        case ActionKind::Wait:
          checkExprId(action.value, what, false);
          break;
        case ActionKind::WaitFor:
          if (!inRange(action.index, m_.events.size()))
            error("{}: `wait for` event out of range", what);
          checkExprId(action.value, what);
          break;
        case ActionKind::Stop:
          break;
        default:
          error("{}: unknown action {}", what, static_cast<int>(action.kind));
      }
    }
  }

  const Machine& m_;
  std::vector<std::string> errors_;
};

}  // namespace

std::vector<std::string> verify(const Machine& machine) {
  return Verifier(machine).run();
}

}  // namespace journey::rt

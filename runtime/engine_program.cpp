// What a Program derives from its machine once: rule groups and ranks, what each condition reads,
// the expression slots, the deliveries and stage-entry plans, the constant chances.
#include <algorithm>
#include <numeric>

#include "runtime/engine.h"

namespace journey::rt {

Program::Program(const Machine& machine, const CompiledExpr* compiled)
    : m_(machine), compiled_(compiled), stageCount_(machine.stages.size()) {
  std::size_t ruleCount = m_.rules.size();
  std::vector<Index> order(ruleCount);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [this](Index a, Index b) {
    return m_.rules[a].priority > m_.rules[b].priority;
  });
  groupRank_.resize(ruleCount);
  for (std::size_t i = 0; i < ruleCount; ++i)
    groupRank_[order[i]] = static_cast<std::uint32_t>(i);

  eventRules_.resize(m_.events.size());
  enterRules_.resize(m_.stages.size());
  leaveRules_.resize(m_.stages.size());
  for (Index r : order) {
    const Rule& rule = m_.rules[r];
    switch (rule.trigger) {
      case TriggerKind::Event:
        eventRules_[rule.triggerIndex].push_back(r);
        break;
      case TriggerKind::Enter:
        enterRules_[rule.triggerIndex].push_back(r);
        break;
      case TriggerKind::Leave:
        leaveRules_[rule.triggerIndex].push_back(r);
        break;
      default:
        break;
    }
  }
  for (std::size_t r = 0; r < ruleCount; ++r) {
    const Rule& rule = m_.rules[r];
    Index index = static_cast<Index>(r);
    if (rule.trigger == TriggerKind::After) afterRules_.push_back(index);
    if (rule.trigger == TriggerKind::Inactive) inactiveRules_.push_back(index);
    if (rule.trigger == TriggerKind::Condition) conditionRules_.push_back(index);
  }
  conditionReads_.resize(ruleCount);
  for (Index r : conditionRules_) {
    const Expr& expr = m_.exprs[m_.rules[r].triggerValue];
    std::uint8_t reads = expr.sampled ? ReadsAlways : 0;
    for (std::uint32_t i = 0; i < expr.size; ++i) {
      switch (m_.code[expr.begin + i].op) {
        case Op::Var:
          reads |= ReadsVars;
          break;
        case Op::Emotion:
          reads |= ReadsEmotion;
          break;
        case Op::Cost:
          reads |= ReadsCost;
          break;
        case Op::Visits:
        case Op::InStage:
          reads |= ReadsStage;
          break;
        case Op::Received:
        case Op::ReceivedChannel:
          reads |= ReadsReceived;
          break;
        case Op::Time:
        case Op::TimeInStage:
        case Op::Payload:
        case Op::Value:
        case Op::Occurrences:
          reads |= ReadsAlways;
          break;
        default:
          break;
      }
    }
    conditionReads_[r] = reads;
    anyConditionReads_ |= reads;
  }
  slots_.resize(m_.exprs.size());
  for (std::size_t e = 0; e < m_.exprs.size(); ++e) {
    const Expr& expr = m_.exprs[e];
    slots_[e].id = static_cast<ExprId>(e);
    slots_[e].constant = expr.constant;
    slots_[e].value = expr.constant ? expr.value : 0;
    if (!expr.constant && compiled_ != nullptr) slots_[e].function = compiled_[e];
  }
  buildPlans();
  for (const auto& event : m_.events)
    maxPayloadFields_ = std::max<std::size_t>(maxPayloadFields_, event.fieldCount);
  for (const auto& channel : m_.channels) {
    channelRing_.push_back(ringSize_);
    ringSize_ += channel.capCount;
  }
  for (const auto& rule : m_.rules) {
    ruleRing_.push_back(ringSize_);
    if (rule.capWindow > 0) ringSize_ += rule.capCount;
  }
}

Program::ExprSlot Program::slotOrNone(ExprId id) const {
  return id == kNone ? ExprSlot{} : slot(id);
}

void Program::buildPlans() {
  for (std::size_t t = 0; t < m_.touchpoints.size(); ++t) {
    const Touchpoint& tp = m_.touchpoints[t];
    const Channel& channel = m_.channels[tp.channel];
    Delivery d;
    d.touchpoint = static_cast<Index>(t);
    d.channel = tp.channel;
    d.cost = channel.cost;
    if (tp.cost != kNone && slot(tp.cost).constant) {
      d.cost += slot(tp.cost).value;
    } else {
      d.costExpr = tp.cost;
    }
    d.hasEmotion = tp.emotion != kNone;
    d.emotion = slotOrNone(tp.emotion);
    d.hasNps = tp.nps != kNone;
    d.nps = slotOrNone(tp.nps);
    d.hasEffort = tp.duration != kNone;
    d.effort = slotOrNone(tp.duration);
    d.capped = channel.capCount > 0;
    d.responds = tp.responseEvent != kNone;
    d.direct =
        !(channel.hasQuiet && channel.quietStart != channel.quietEnd) && channel.capCount == 0;
    deliveries_.push_back(d);
  }
  struct Ranges {
    std::size_t firstDelivery, deliveryCount, firstClock, clockCount, firstTimer, timerCount;
  };
  std::size_t personaCount = m_.personas.size();
  std::vector<Ranges> ranges;
  for (std::size_t s = 0; s < m_.stages.size(); ++s) {
    const Stage& stage = m_.stages[s];
    std::size_t firstDelivery = stageDeliveries_.size();
    for (std::uint32_t i = 0; i < stage.touchpointCount; ++i)
      stageDeliveries_.push_back(deliveries_[m_.stageTouchpoints[stage.firstTouchpoint + i]]);
    for (std::size_t p = 0; p < personaCount; ++p) {
      Ranges r{firstDelivery, stage.touchpointCount, clocks_.size(), 0, timers_.size(), 0};
      Entry e;
      e.kind = stage.kind;
      e.earns =
          stage.kind == StageKind::Ordinary && (stage.value != kNone || stage.periodValue != kNone);
      const Transition& after = m_.after(static_cast<Index>(s), static_cast<Index>(p));
      e.afterTarget = after.target;
      if (after.target != kNone && m_.targets[after.target].kind == TargetKind::Stage)
        e.afterStage = m_.targets[after.target].stage;
      if (after.target != kNone) e.afterDelay = slotOrNone(after.delay);
      for (std::uint32_t i = 0; i < stage.eventCount; ++i) {
        Index event = m_.stageEvents[stage.firstEvent + i];
        ExprId mean = m_.eventMean(event, static_cast<Index>(p));
        if (mean != kNone) clocks_.push_back(Clock{event, slot(mean)});
      }
      r.clockCount = clocks_.size() - r.firstClock;
      for (Index rule : afterRules_) {
        const Rule& x = m_.rules[rule];
        bool inStage = x.stageCount == 0, forPersona = x.personaCount == 0;
        for (std::uint32_t i = 0; i < x.stageCount && !inStage; ++i)
          inStage = m_.ruleStages[x.firstStage + i] == static_cast<Index>(s);
        for (std::uint32_t i = 0; i < x.personaCount && !forPersona; ++i)
          forPersona = m_.rulePersonas[x.firstPersona + i] == static_cast<Index>(p);
        if (inStage && forPersona) timers_.push_back(Timer{rule, slot(x.triggerValue)});
      }
      r.timerCount = timers_.size() - r.firstTimer;
      entries_.push_back(e);
      ranges.push_back(r);
    }
  }
  // The spans point into vectors that are complete now.
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Ranges& r = ranges[i];
    entries_[i].deliveries =
        std::span<const Delivery>(stageDeliveries_).subspan(r.firstDelivery, r.deliveryCount);
    entries_[i].clocks = std::span<const Clock>(clocks_).subspan(r.firstClock, r.clockCount);
    entries_[i].timers = std::span<const Timer>(timers_).subspan(r.firstTimer, r.timerCount);
  }
  // By persona, then stage: a customer keeps its persona's row (Customer::begin).
  std::vector<Entry> byPersona(entries_.size());
  for (std::size_t s = 0; s < m_.stages.size(); ++s)
    for (std::size_t p = 0; p < personaCount; ++p)
      byPersona[p * m_.stages.size() + s] = entries_[s * personaCount + p];
  entries_ = std::move(byPersona);
  for (Index rule : inactiveRules_)
    inactivityTimers_.push_back(Timer{rule, slot(m_.rules[rule].triggerValue)});
  buildChances();
}

void Program::buildChances() {
  chancesOf_.assign(m_.targets.size(), -1);
  struct Range {
    std::size_t target, first, count;
    Index otherwise;
  };
  std::vector<Range> ranges;
  for (std::size_t t = 0; t < m_.targets.size(); ++t) {
    const Target& target = m_.targets[t];
    if (target.kind != TargetKind::Chance) continue;
    bool constant = true;
    for (std::uint32_t i = 0; i < target.branchCount && constant; ++i) {
      const Branch& branch = m_.branches[target.firstBranch + i];
      if (branch.kind == BranchKind::Otherwise) continue;
      const ExprSlot& chance = slot(branch.value);
      constant = chance.constant && chance.value >= 0 && chance.value <= 1;
    }
    if (!constant) continue;
    Range range{t, chanceSums_.size(), 0, kNone};
    double sum = 0;
    for (std::uint32_t i = 0; i < target.branchCount; ++i) {
      const Branch& branch = m_.branches[target.firstBranch + i];
      if (branch.kind == BranchKind::Otherwise) {
        range.otherwise = branch.target;
        continue;
      }
      sum += slot(branch.value).value;
      chanceSums_.push_back(sum);
      chanceTargets_.push_back(branch.target);
    }
    range.count = chanceSums_.size() - range.first;
    ranges.push_back(range);
  }
  for (const Range& range : ranges) {
    chancesOf_[range.target] = static_cast<std::int32_t>(chances_.size());
    chances_.push_back(Chances{
        std::span<const double>(chanceSums_).subspan(range.first, range.count),
        std::span<const Index>(chanceTargets_).subspan(range.first, range.count), range.otherwise});
  }
}

}  // namespace journey::rt

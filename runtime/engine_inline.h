// The engine's small functions that run on every step and that several of its files call: defined
// here so that each of those files inlines them (a call into another file cannot be inlined).
// Private to the engine's files.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "runtime/engine.h"

namespace journey::rt {

/// Semantics 4.12 and 7.1.6: stage entries or condition rounds at one instant.
inline constexpr int kInstantBound = 1000;

constexpr std::uint64_t orderKey(unsigned itemClass, unsigned sub, std::uint32_t order) {
  return (static_cast<std::uint64_t>(itemClass) << 61) | (static_cast<std::uint64_t>(sub) << 59) |
         order;
}

template <typename F>
void Customer::guarded(F&& body) {
  try {
    body();
  } catch (const Stop&) {
    // stopWith has recorded the outcome.
  }
}

// ---------------------------------------------------------------------------------------------
// The pending items

void Customer::push(double time, ItemKind kind, std::uint32_t order, Index index, std::uint32_t tag,
                    bool spontaneous) {
  // Class and sub-class of each kind (5.2): events, rule timers and resumed waits, held
  // messages. The first class, the stage's `after`, is not in the array (`stageAfterDue_`).
  static constexpr std::uint8_t kClass[] = {1, 2, 2, 2, 2, 3};
  static constexpr std::uint8_t kSub[] = {0, 0, 1, 2, 3, 0};
  auto k = static_cast<std::size_t>(kind);
  Item item{time, orderKey(kClass[k], kSub[k], order), kind, spontaneous, index, tag};
  pending_.insert(item);
}

// ---------------------------------------------------------------------------------------------
// Stages

void Customer::moveTo(Index stage) {
  for (;;) {
    enterStage(stage);
    if (finished_ || pendingMove_ == kNone) return;
    stage = pendingMove_;
    pendingMove_ = kNone;
  }
}

void Customer::applyPendingMove() {
  if (pendingMove_ == kNone || finished_) return;
  Index stage = pendingMove_;
  pendingMove_ = kNone;
  moveTo(stage);
}

/// 2.3: an event occurrence or a stage entry restarts the inactivity timers (7.1.4).
void Customer::activity() {
  for (const Program::Timer& timer : tables_.inactivityTimers) {
    Index r = timer.rule;
    double due = context_.now + duration(timer.delay);
    inactiveDue_[r] = due;
    if (!inactiveArmed_[r]) {
      inactiveArmed_[r] = 1;
      push(due, ItemKind::RuleInactive, static_cast<std::uint32_t>(r), r, 0);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Events

void Customer::startClock(Index event, const Program::ExprSlot& mean) {
  double value = eval(mean);
  if (!(value > 0)) return;  // 6.1: a mean not above zero draws no occurrence
  double delay = -value * std::log(1.0 - journey_.uniform());
  push(context_.now + delay, ItemKind::Event, static_cast<std::uint32_t>(event), event, visit_,
       true);
}

// ---------------------------------------------------------------------------------------------
// Rules

bool Customer::clausesHold(const Rule& rule, const double* payload) {
  if (rule.personaCount > 0) {
    bool found = false;
    for (std::uint32_t i = 0; i < rule.personaCount && !found; ++i)
      found = tables_.rulePersonas[rule.firstPersona + i] == context_.persona;
    if (!found) return false;
  }
  if (rule.stageCount > 0) {
    bool found = false;
    for (std::uint32_t i = 0; i < rule.stageCount && !found; ++i)
      found = tables_.ruleStages[rule.firstStage + i] == context_.stage;
    if (!found) return false;
  }
  if (rule.condition != kNone) {
    const double* saved = context_.payload;
    context_.payload = payload;
    bool holds = eval(rule.condition) != 0;
    context_.payload = saved;
    if (!holds) return false;
  }
  return true;
}

void Customer::release(Index slot) {
  runs_[slot].active = false;
  freeRuns_.push_back(slot);
}

void Customer::evaluateConditions() {
  if ((changed_ & tables_.anyConditionReads) != 0 && collectFiredConditions()) runConditionRounds();
}

bool Customer::collectFiredConditions() {
  fired_.clear();
  std::uint8_t changed = changed_;
  changed_ = Program::ReadsAlways;
  for (Index r : program_.conditionRules()) {
    if ((program_.conditionReads(r) & changed) == 0) continue;  // its value cannot differ
    bool value = eval(tables_.rules[r].triggerValue) != 0;
    if (value && conditionValue_[r] == 0) fired_.push_back(r);
    conditionValue_[r] = value ? 1 : 0;
  }
  return !fired_.empty();
}

// ---------------------------------------------------------------------------------------------
// Deliveries

/// 8.4: a delivery.
void Customer::deliverTouchpoint(const Program::Delivery& delivery, bool byRule) {
  double cost = delivery.cost;
  if (delivery.costExpr != kNone) [[unlikely]]
    cost += eval(delivery.costExpr);
  context_.cost += cost;
  if (discounting_) [[unlikely]]
    discountedCost_ += cost * discountFactor(context_.now);
  channelCost_[delivery.channel] += cost;
  changed_ |= Program::ReadsCost | Program::ReadsReceived;
  if (delivery.hasEmotion) {
    context_.emotion += eval(delivery.emotion);
    changed_ |= Program::ReadsEmotion;
  }
  ++received_[delivery.touchpoint];
  ++totals_.received[delivery.touchpoint];
  ++receivedChannel_[delivery.channel];
  if (delivery.capped) {
    const Channel& channel = tables_.channels[delivery.channel];
    std::uint32_t& count = ringCount_[delivery.channel];
    ring_[program_.channelRing(delivery.channel) + count % channel.capCount] = context_.now;
    ++count;
  }
  if (delivery.hasEffort) effort_ += duration(delivery.effort);
  if (delivery.hasNps) [[unlikely]]
    answerNps(delivery.nps);
  record(ActionRecord::Kind::Deliver, delivery.touchpoint, byRule ? 1 : 0);
  if (delivery.responds) respond(delivery.touchpoint);
}

}  // namespace journey::rt

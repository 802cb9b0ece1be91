// Time: the pending items taken in order (semantics 5.2), events (6) and rule timers (7.2).
#include <algorithm>
#include <cmath>
#include <limits>

#include "runtime/engine.h"
#include "runtime/engine_inline.h"

namespace journey::rt {

void Customer::advanceTo(double time) {
  time = std::min(time, m_.horizon);
  while (!finished_) {
    // 5.2: the stage's `after` goes first among the items due at one instant.
    bool stageAfter = pending_.empty() || stageAfterDue_ <= pending_.back().time;
    double due = stageAfter ? stageAfterDue_ : pending_.back().time;
    if (!(due <= time)) break;
    guarded([&] {
      if ((stageAfter ? stageAfterStep() : step()) && !finished_) evaluateConditions();
    });
  }
  if (!finished_ && time > context_.now) context_.now = time;
}

void Customer::deliver(Index event, std::span<const double> payload) {
  if (finished_) return;
  guarded([&] {
    handleEvent(event, false, visit_, payload);
    if (!finished_) evaluateConditions();
  });
}

/// 4.8: the current visit's `after` came due (it is never a cancelled one: a new visit replaces
/// it).
bool Customer::stageAfterStep() {
  if (++steps_ > options_.maxSteps) [[unlikely]]
    stopWith(Outcome::StepLimit);
  context_.now = stageAfterDue_;
  stageAfterDue_ = std::numeric_limits<double>::infinity();
  const Program::Entry& entry = tables_.entries[context_.stage];
  Index stage = entry.afterStage != kNone ? entry.afterStage : resolveBranches(entry.afterTarget);
  if (stage != kNone) moveTo(stage);
  return true;
}

/// The next item: a step, or no step at all when it was cancelled (4.4: with its visit, or a
/// run that ended): dropping it evaluates no condition at its time (7.1.6). An inactivity timer
/// that found activity since it was set moves to its new due time the same way. One switch
/// decides both (a second dispatch on the kind cost an indirect branch per item).
bool Customer::step() {
  Item item = pending_.back();
  switch (item.kind) {
    case ItemKind::Event:
      if (item.spontaneous && item.tag != visit_) return drop();
      take(item);
      handleEvent(item.index, item.spontaneous, item.tag, {});
      return true;
    case ItemKind::RuleAfter:
      if (item.tag != visit_) return drop();
      take(item);
      runTimers(item.kind, item.index);
      return true;
    case ItemKind::RuleInactive: {
      Index rule = item.index;
      double due = inactiveDue_[rule];
      if (due > item.time) {
        pending_.popBack();
        inactiveArmed_[rule] = 0;
        if (std::isfinite(due)) {
          inactiveArmed_[rule] = 1;
          push(due, ItemKind::RuleInactive, static_cast<std::uint32_t>(rule), rule, 0);
        }
        return false;
      }
      take(item);
      inactiveArmed_[rule] = 0;
      runTimers(item.kind, rule);
      return true;
    }
    case ItemKind::WaitEnd:
    case ItemKind::WaitTimeout:
    case ItemKind::Held:
      break;
  }
  const Run& run = runs_[item.index];
  if (!run.active || run.generation != item.tag) return drop();
  take(item);
  switch (item.kind) {
    case ItemKind::WaitEnd:
      resume(item.index);
      break;
    case ItemKind::WaitTimeout:
      // The time limit passed first: the remaining actions are dropped (7.4.5).
      waiting_.erase(std::find(waiting_.begin(), waiting_.end(), item.index));
      release(item.index);
      break;
    default: {  // Held
      Index touchpoint = run.touchpoint;
      Index rule = run.rule;
      if (!clausesHold(tables_.rules[rule], payloadOf(item.index))) {
        increment(channelDropped_[tables_.touchpoints[touchpoint].channel]);
        record(ActionRecord::Kind::Drop, touchpoint);
        release(item.index);
        break;
      }
      send(touchpoint, item.index, rule, payloadOf(item.index));
      break;
    }
  }
  return true;
}

/// `on after` and `on inactive` timers due at one instant form one group (7.2.1).
void Customer::runTimers(ItemKind kind, Index first) {
  group_.clear();
  group_.push_back(first);
  if (kind == ItemKind::RuleInactive) inactiveDue_[first] = std::numeric_limits<double>::infinity();
  while (!pending_.empty() && pending_.back().time == context_.now &&
         pending_.back().kind == kind) {
    Item item = pending_.back();
    pending_.popBack();
    if (kind == ItemKind::RuleAfter) {
      if (item.tag == visit_) group_.push_back(item.index);
    } else {
      inactiveArmed_[item.index] = 0;
      double due = inactiveDue_[item.index];
      if (due > item.time) {
        if (std::isfinite(due)) {
          inactiveArmed_[item.index] = 1;
          push(due, ItemKind::RuleInactive, static_cast<std::uint32_t>(item.index), item.index, 0);
        }
      } else {
        inactiveDue_[item.index] = std::numeric_limits<double>::infinity();
        group_.push_back(item.index);
      }
    }
  }
  std::sort(group_.begin(), group_.end(),
            [this](Index a, Index b) { return program_.groupRank(a) < program_.groupRank(b); });
  runGroup(group_, nullptr, Mode::Normal);
  applyPendingMove();
}

// ---------------------------------------------------------------------------------------------
// Events

void Customer::scheduleEvent(Index event) {
  ExprId mean = m_.eventMean(event, context_.persona);
  if (mean != kNone) startClock(event, tables_.slots[mean]);
}

void Customer::handleEvent(Index event, bool spontaneous, std::uint32_t visit,
                           std::span<const double> given) {
  if (spontaneous && visit != visit_) return;  // its clock was cancelled with the visit
  Index stage = context_.stage;
  if (stage == kNone || !m_.eventCanHappen(event, stage)) return;  // 6.3.1: lost
  std::uint32_t visitAtStart = visit_;
  // 6.3.2: the payload.
  const Event& e = tables_.events[event];
  for (std::uint32_t i = 0; i < e.fieldCount; ++i) {
    eventPayload_[i] = i < given.size() ? given[i] : eval(m_.payloadFields[e.firstField + i].value);
  }
  // 13.3: the occurrence counts, and earns its value.
  ++occurrences_[event];
  if (e.value != kNone) [[unlikely]] {
    context_.payload = eventPayload_.data();
    earn(eval(e.value));
    context_.payload = noPayload_.data();
  }
  activity();  // 6.3.3
  // 6.3.4: runs waiting for this event, in the order they began waiting.
  if (!waiting_.empty()) {
    std::vector<Index> ready;
    for (Index slot : waiting_)
      if (runs_[slot].waitEvent == event) ready.push_back(slot);
    for (Index slot : ready) {
      waiting_.erase(std::find(waiting_.begin(), waiting_.end(), slot));
      if (finished_) break;
      if (clausesHold(tables_.rules[runs_[slot].rule], payloadOf(slot))) {
        resume(slot);
      } else {
        release(slot);
      }
    }
    if (finished_) return;
  }
  // 6.3.5: the `on E` rules, with this payload.
  context_.payload = eventPayload_.data();
  runGroup(tables_.eventRules[event], eventPayload_.data(), Mode::Normal);
  applyPendingMove();
  if (finished_) return;
  // 6.3.6: the stage's own transition, if the customer is still in the same visit.
  if (visit_ == visitAtStart) {
    const Stage& s = tables_.stages[stage];
    for (std::uint32_t i = 0; i < s.eventTransitionCount; ++i) {
      const EventTransition& t = m_.eventTransitions[s.firstEventTransition + i];
      if (t.event != event) continue;
      Index target = m_.eventTarget(t, context_.persona);
      if (target == kNone) break;
      context_.payload = eventPayload_.data();
      Index to = resolve(target);
      context_.payload = noPayload_.data();
      if (to != kNone) moveTo(to);
      break;
    }
  }
  context_.payload = noPayload_.data();
  // 6.3.7: the next spontaneous occurrence.
  if (spontaneous && !finished_ && visit_ == visitAtStart) scheduleEvent(event);
}

}  // namespace journey::rt

// Rules: caps, runs and their actions, suspended runs (semantics 7.3, 7.4), condition rounds
// (7.1.6).
#include <algorithm>
#include <vector>

#include "runtime/engine.h"
#include "runtime/engine_inline.h"

namespace journey::rt {

bool Customer::capAllows(Index r) {
  const Rule& rule = tables_.rules[r];
  if (rule.capCount == 0) return true;
  if (rule.capWindow <= 0) return ruleRuns_[r] < rule.capCount;
  std::uint32_t count = ringCount_[m_.channels.size() + r];
  if (count < rule.capCount) return true;
  // The oldest of the last N runs: the ring's next slot.
  double oldest = ring_[program_.ruleRing(r) + count % rule.capCount];
  return !(oldest + rule.capWindow > context_.now);
}

void Customer::runRules(std::span<const Index> rules, const double* payload, Mode mode) {
  for (Index r : rules) {
    if (finished_) return;
    const Rule& rule = tables_.rules[r];
    if (!clausesHold(rule, payload)) continue;
    if (!capAllows(r)) {
      increment(ruleCapped_[r]);
      continue;
    }
    ++ruleRuns_[r];
    ++totals_.ruleRuns[r];
    if (rule.capCount > 0 && rule.capWindow > 0) {
      std::uint32_t& count = ringCount_[m_.channels.size() + r];
      ring_[program_.ruleRing(r) + count % rule.capCount] = context_.now;
      ++count;
    }
    record(ActionRecord::Kind::RuleRun, r);
    RunEnd end = execute(r, 0, payload, mode);
    if (end == RunEnd::Stopped || end == RunEnd::Moved) return;
  }
}

Customer::RunEnd Customer::execute(Index r, std::uint32_t pc, const double* payload, Mode mode) {
  const Rule& rule = tables_.rules[r];
  const double* saved = context_.payload;
  context_.payload = payload;
  struct Restore {
    EvalContext& context;
    const double* saved;
    ~Restore() { context.payload = saved; }
  } restore{context_, saved};
  for (; pc < rule.actionCount; ++pc) {
    if (finished_) return RunEnd::Stopped;
    const Action& action = tables_.actions[rule.firstAction + pc];
    switch (action.kind) {
      case ActionKind::Send: {
        // Most channels hold nothing back: their sends need neither quiet hours nor caps.
        const Program::Delivery& delivery = tables_.deliveries[action.index];
        if (delivery.direct) {
          deliverTouchpoint(delivery, true);
        } else {
          send(action.index, kNone, r, payload);
        }
        break;
      }
      case ActionKind::Set:
        vars_[action.index] = eval(action.value);
        changed_ |= Program::ReadsVars;
        record(ActionRecord::Kind::Set, action.index);
        break;
      case ActionKind::Move: {
        if (mode != Mode::Normal) return RunEnd::Moved;  // ignored (4.3, 11.2)
        Index stage = resolve(action.index);
        if (stage != kNone) pendingMove_ = stage;
        return RunEnd::Moved;
      }
      case ActionKind::Wait: {
        if (mode == Mode::Terminal) return RunEnd::Completed;
        double delay = duration(action.value);
        Index slot = suspend(r, pc + 1, payload);
        push(context_.now + delay, ItemKind::WaitEnd, static_cast<std::uint32_t>(r), slot,
             runs_[slot].generation);
        return RunEnd::Suspended;
      }
      case ActionKind::WaitFor: {
        if (mode == Mode::Terminal) return RunEnd::Completed;
        double limit = action.value == kNone ? 0 : duration(action.value);
        Index slot = suspend(r, pc + 1, payload);
        runs_[slot].waitEvent = action.index;
        waiting_.push_back(slot);
        if (action.value != kNone) {
          push(context_.now + limit, ItemKind::WaitTimeout, static_cast<std::uint32_t>(r), slot,
               runs_[slot].generation);
        }
        return RunEnd::Suspended;
      }
      case ActionKind::Stop:
        return RunEnd::Stopped;
    }
  }
  return RunEnd::Completed;
}

Index Customer::suspend(Index rule, std::uint32_t pc, const double* payload) {
  Index slot;
  if (!freeRuns_.empty()) {
    slot = freeRuns_.back();
    freeRuns_.pop_back();
  } else {
    slot = static_cast<Index>(runs_.size());
    runs_.emplace_back();
    runPayloads_.resize(runs_.size() * payloadStride_);
  }
  Run& run = runs_[slot];
  run.rule = rule;
  run.pc = pc;
  ++run.generation;
  run.active = true;
  run.waitEvent = kNone;
  run.touchpoint = kNone;
  const Rule& r = tables_.rules[rule];
  if (payload != nullptr && r.payloadEvent != kNone) {
    std::uint32_t fields = tables_.events[r.payloadEvent].fieldCount;
    std::copy(payload, payload + fields, payloadOf(slot));
  }
  return slot;
}

/// 7.4.4: a run resumes only if the customer has not finished and its `in` and `if` hold.
void Customer::resume(Index slot) {
  Run run = runs_[slot];
  const Rule& rule = tables_.rules[run.rule];
  if (finished_ || !clausesHold(rule, payloadOf(slot))) {
    release(slot);
    return;
  }
  // Copy the payload out: the slot is free for reuse once released.
  double payload[64];
  std::size_t fields =
      rule.payloadEvent == kNone ? 0 : tables_.events[rule.payloadEvent].fieldCount;
  std::vector<double> large;
  double* copy = payload;
  if (fields > 64) {
    large.assign(payloadOf(slot), payloadOf(slot) + fields);
    copy = large.data();
  } else {
    std::copy(payloadOf(slot), payloadOf(slot) + fields, payload);
  }
  release(slot);
  execute(run.rule, run.pc, fields > 0 ? copy : nullptr, Mode::Normal);
  applyPendingMove();
}

/// Runs the conditions that fired, then evaluates again (what they did can make others true),
/// for at most kInstantBound rounds.
void Customer::runConditionRounds() {
  for (int round = 1;; ++round) {
    std::sort(fired_.begin(), fired_.end(),
              [this](Index a, Index b) { return program_.groupRank(a) < program_.groupRank(b); });
    runGroup(fired_, nullptr, Mode::Normal);
    applyPendingMove();
    if (finished_) return;
    if (round >= kInstantBound) stopWith(Outcome::Looping);
    if (!collectFiredConditions()) return;
  }
}

}  // namespace journey::rt

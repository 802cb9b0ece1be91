// Stages: targets resolved through their branches (semantics 4.6) and what entering a stage does
// (4.3 to 4.9, 11.2).
#include <limits>

#include "runtime/engine.h"
#include "runtime/engine_inline.h"

namespace journey::rt {

Index Customer::resolveBranches(Index target) {
  for (;;) {
    const Target& t = tables_.targets[target];
    if (t.kind == TargetKind::Stage) return t.stage;
    Index next = kNone, fallback = kNone;
    if (const Program::Chances* chances = program_.chances(target)) {
      double u = journey_.uniform();
      for (std::size_t i = 0; i < chances->sums.size(); ++i) {
        if (u < chances->sums[i]) {
          next = chances->targets[i];
          break;
        }
      }
      fallback = chances->otherwise;
    } else if (t.kind == TargetKind::Chance) {
      double u = journey_.uniform();
      double sum = 0;
      for (std::uint32_t i = 0; i < t.branchCount && next == kNone; ++i) {
        const Branch& branch = tables_.branches[t.firstBranch + i];
        if (branch.kind == BranchKind::Otherwise) {
          fallback = branch.target;
          continue;
        }
        sum += probability(branch.value);
        if (u < sum) next = branch.target;
      }
    } else {
      for (std::uint32_t i = 0; i < t.branchCount && next == kNone; ++i) {
        const Branch& branch = tables_.branches[t.firstBranch + i];
        if (branch.kind == BranchKind::Else) {
          fallback = branch.target;
          continue;
        }
        if (eval(branch.value) != 0) next = branch.target;
      }
    }
    if (next == kNone) next = fallback;
    if (next == kNone) {
      if (counters_ != nullptr) ++counters_->unrouted[target];
      return kNone;
    }
    target = next;
  }
}

void Customer::enterStage(Index stage) {
  double now = context_.now;
  if (now != instant_) {
    instant_ = now;
    entriesThisInstant_ = 0;
  }
  if (++entriesThisInstant_ > kInstantBound) stopWith(Outcome::Looping);

  Index from = context_.stage;
  if (from != kNone) {
    // 4.3: `leave` rules, still in the old stage; their moves are ignored.
    runGroup(tables_.leaveRules[from], nullptr, Mode::Leave);
    if (finished_) return;
    pendingMove_ = kNone;
    timeInStage_[from] += now - context_.stageEnteredAt;
    settleAccrual();
  }
  // 4.4, 4.5: a new visit cancels what belonged to the old one. Removing those items now keeps
  // the pending array short (a customer in a support loop would otherwise collect them).
  if (from != kNone) {
    std::uint32_t old = visit_;
    pending_.eraseIf([old](const Item& item) {
      return item.tag == old && (item.kind == ItemKind::RuleAfter ||
                                 (item.kind == ItemKind::Event && item.spontaneous));
    });
  }
  ++visit_;
  stageAfterDue_ = std::numeric_limits<double>::infinity();  // the old visit's: cancelled (4.4)
  previousStage_ = from;
  context_.stage = stage;
  context_.stageEnteredAt = now;
  std::uint32_t visits = ++visits_[stage];
  firstEntry_[stage] = visits == 1 ? now : firstEntry_[stage];
  ++totals_.visits[stage];
  totals_.reached[stage] += visits == 1 ? 1 : 0;
  changed_ |= Program::ReadsStage;
  emotionOnEntry_[stage] += context_.emotion;
  record(ActionRecord::Kind::Enter, stage);
  if (options_.recordPath) path_.push_back(stage);
  activity();

  const Program::Entry& entry = tables_.entries[stage];
  for (const Program::Delivery& delivery : entry.deliveries)
    deliverTouchpoint(delivery, false);

  if (entry.kind != StageKind::Ordinary) {
    // 11.2: `enter` rules without moves or waits, the goal's value, then the end.
    runGroup(tables_.enterRules[stage], nullptr, Mode::Terminal);
    if (finished_) return;
    pendingMove_ = kNone;
    ExprId value = tables_.stages[stage].value;
    if (value != kNone) earn(eval(value));
    finish(entry.kind == StageKind::Goal ? Outcome::Goal : Outcome::Exit, stage);
    return;
  }

  if (entry.earns) [[unlikely]]
    earnOnEntry(stage);
  // 4.8: what the stage needs.
  if (entry.afterTarget != kNone) stageAfterDue_ = now + duration(entry.afterDelay);
  for (const Program::Clock& clock : entry.clocks)
    startClock(clock.event, clock.mean);
  for (const Program::Timer& timer : entry.timers) {
    push(now + duration(timer.delay), ItemKind::RuleAfter, static_cast<std::uint32_t>(timer.rule),
         timer.rule, visit_);
  }
  // 4.9: `enter` rules; a move among them is taken by `moveTo`.
  runGroup(tables_.enterRules[stage], nullptr, Mode::Normal);
}

void Customer::earnOnEntry(Index stage) {
  const Stage& s = tables_.stages[stage];
  if (s.value != kNone) earn(eval(s.value));
  if (s.periodValue != kNone) context_.valueRate = eval(s.periodValue) / s.period;
}

}  // namespace journey::rt

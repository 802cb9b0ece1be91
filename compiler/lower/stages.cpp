// Stages, their per-persona `after` and `on` transitions, and the targets those lead to.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "compiler/lower/lowerer.h"
#include "compiler/sema/types.h"

namespace journey::lower {

using rt::Index;
using rt::kNone;

namespace {

// Semantics 9.2: chances that add up to 100% (within what `branch-sum` allows) are a
// distribution. The draw compares one uniform number in [0, 1) against their running sum, so
// the last chance takes exactly what the ones before it leave: the running sum reaches 1.0 and
// every draw lands on a branch. Returns the last chance's new value when its written value
// misses 1.0 by rounding.
std::optional<double> exactLastChance(const std::vector<double>& chances) {
  if (chances.empty()) return std::nullopt;
  double before = 0;
  for (std::size_t i = 0; i + 1 < chances.size(); ++i)
    before += chances[i];
  double total = before + chances.back();
  if (total == 1.0 || std::fabs(total - 1) > sema::kSumTolerance || before > 1) return std::nullopt;
  double last = 1 - before;
  while (before + last < 1)
    last = std::nextafter(last, 2.0);
  return last;
}

}  // namespace

void Lowerer::stages() {
  std::size_t p = j_.personas.size();
  m_.afters.assign(j_.stages.size() * p, rt::Transition{});
  for (std::size_t s = 0; s < j_.stages.size(); ++s) {
    const ast::StageDecl* stage = j_.stages[s];
    rt::Stage out;
    out.name = stage->name.text;
    if (stage->display) out.display = stage->display->value;
    out.kind = stage->stageKind == ast::StageKind::Goal   ? rt::StageKind::Goal
               : stage->stageKind == ast::StageKind::Exit ? rt::StageKind::Exit
                                                          : rt::StageKind::Ordinary;
    out.milestone = stage->milestone;
    m_.lifetime = m_.lifetime || stage->milestone;
    out.firstTouchpoint = static_cast<std::uint32_t>(m_.stageTouchpoints.size());
    std::vector<const ast::StageItem*> afters;
    std::vector<std::pair<std::string, std::vector<const ast::StageItem*>>> ons;
    for (const auto& item : stage->items) {
      switch (item.kind) {
        case ast::StageItemKind::Touchpoint:
          m_.stageTouchpoints.push_back(lookup(touchpointIndex_, item.touchpoint.get()));
          ++out.touchpointCount;
          break;
        case ast::StageItemKind::After:
          afters.push_back(&item);
          break;
        case ast::StageItemKind::On: {
          auto it = std::find_if(ons.begin(), ons.end(),
                                 [&](const auto& on) { return on.first == item.event.text; });
          if (it == ons.end()) {
            ons.emplace_back(item.event.text, std::vector<const ast::StageItem*>{});
            it = ons.end() - 1;
          }
          it->second.push_back(&item);
          break;
        }
        case ast::StageItemKind::Value:
          if (item.period) {
            out.periodValue = add(item.value.get());
            out.period = constant(item.period.get());
            m_.lifetime = true;
          } else {
            out.value = add(item.value.get());
            m_.lifetime = m_.lifetime || out.kind != rt::StageKind::Goal;
          }
          break;
      }
    }
    if (out.kind == rt::StageKind::Ordinary) {
      auto personasOf = [](const ast::StageItem& item) -> const auto& {
        return item.personas;
      };
      auto chosen = perPersona(afters, personasOf);
      std::map<const ast::StageItem*, rt::Transition> lowered;
      for (std::size_t q = 0; q < p; ++q) {
        const ast::StageItem* item = chosen[q];
        if (item == nullptr || !item->target) continue;
        auto [it, added] = lowered.emplace(item, rt::Transition{});
        if (added) it->second = rt::Transition{add(item->value.get()), target(*item->target)};
        m_.afters[s * p + q] = it->second;
      }
      out.firstEventTransition = static_cast<std::uint32_t>(m_.eventTransitions.size());
      for (const auto& [event, items] : ons) {
        rt::EventTransition transition;
        transition.event = declNamed(eventIndex_, event);
        transition.firstTarget = static_cast<std::uint32_t>(m_.eventTargets.size());
        auto chosenOn = perPersona(items, personasOf);
        std::map<const ast::StageItem*, Index> targets;
        std::vector<Index> perPersonaTargets(p, kNone);
        for (std::size_t q = 0; q < p; ++q) {
          const ast::StageItem* item = chosenOn[q];
          if (item == nullptr || !item->target) continue;
          auto [it, added] = targets.emplace(item, kNone);
          if (added) it->second = target(*item->target);
          perPersonaTargets[q] = it->second;
        }
        m_.eventTargets.insert(m_.eventTargets.end(), perPersonaTargets.begin(),
                               perPersonaTargets.end());
        m_.eventTransitions.push_back(transition);
        ++out.eventTransitionCount;
      }
    }
    m_.stages.push_back(std::move(out));
  }
  // The events that can happen in each stage and have a rate for someone: their clocks start
  // on entry (semantics 6.1).
  for (std::size_t s = 0; s < m_.stages.size(); ++s) {
    rt::Stage& stage = m_.stages[s];
    stage.firstEvent = static_cast<std::uint32_t>(m_.stageEvents.size());
    if (stage.kind != rt::StageKind::Ordinary) continue;
    for (std::size_t e = 0; e < m_.events.size(); ++e) {
      if (!m_.eventInStage[e * m_.stages.size() + s]) continue;
      bool hasRate = false;
      for (std::size_t q = 0; q < p && !hasRate; ++q)
        hasRate = m_.eventMeans[e * p + q] != kNone;
      if (!hasRate) continue;
      m_.stageEvents.push_back(static_cast<Index>(e));
      ++stage.eventCount;
    }
  }
}

Index Lowerer::stageTarget(std::string_view stage, SourceRange range) {
  Index id = static_cast<Index>(m_.targets.size());
  rt::Target t;
  t.kind = rt::TargetKind::Stage;
  t.stage = stageNamed(stage);
  t.place = place(range);
  m_.targets.push_back(t);
  return id;
}

Index Lowerer::target(const ast::Target& t) {
  if (!t.isBlock) return stageTarget(t.stage.text, t.range);
  Index id = static_cast<Index>(m_.targets.size());
  m_.targets.emplace_back();
  bool chance = !t.branches.empty() && (t.branches.front().kind == ast::BranchKind::Chance ||
                                        t.branches.front().kind == ast::BranchKind::Otherwise);
  // The chances, when all are constant, and the branch whose chance makes them add up to 1.
  std::optional<double> lastChance;
  std::size_t lastChanceBranch = t.branches.size();
  if (chance) {
    std::vector<double> chances;
    bool constant = true;
    for (std::size_t i = 0; i < t.branches.size() && constant; ++i) {
      if (t.branches[i].kind != ast::BranchKind::Chance) continue;
      Lowered value = expr(*t.branches[i].value);
      constant = value.constant;
      chances.push_back(value.value);
      lastChanceBranch = i;
    }
    if (constant) lastChance = exactLastChance(chances);
  }
  auto first = static_cast<std::uint32_t>(m_.branches.size());
  m_.branches.resize(m_.branches.size() + t.branches.size());
  for (std::size_t i = 0; i < t.branches.size(); ++i) {
    const ast::Branch& branch = t.branches[i];
    rt::Branch out;
    switch (branch.kind) {
      case ast::BranchKind::Chance:
        out.kind = rt::BranchKind::Chance;
        out.value = lastChance && i == lastChanceBranch
                        ? add(Lowered::of(*lastChance), valueType(branch.value->type.kind), false,
                              place(branch.value->range))
                        : add(branch.value.get());
        out.target = stageTarget(branch.stage.text, branch.range);
        break;
      case ast::BranchKind::Otherwise:
        out.kind = rt::BranchKind::Otherwise;
        out.target = stageTarget(branch.stage.text, branch.range);
        break;
      case ast::BranchKind::If:
        out.kind = rt::BranchKind::If;
        out.value = add(branch.value.get());
        out.target = branch.target ? target(*branch.target) : stageTarget("", branch.range);
        break;
      case ast::BranchKind::Else:
        out.kind = rt::BranchKind::Else;
        out.target = branch.target ? target(*branch.target) : stageTarget("", branch.range);
        break;
    }
    m_.branches[first + i] = out;
  }
  rt::Target& block = m_.targets[id];
  block.kind = chance ? rt::TargetKind::Chance : rt::TargetKind::Condition;
  block.firstBranch = first;
  block.branchCount = static_cast<std::uint32_t>(t.branches.size());
  block.place = place(t.range);
  return id;
}

}  // namespace journey::lower

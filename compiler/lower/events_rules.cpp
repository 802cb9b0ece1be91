// Events with their per-persona rates, vars, and rules with their triggers and actions.
#include <algorithm>
#include <map>

#include "compiler/lower/lowerer.h"

namespace journey::lower {
namespace {

using rt::Index;
using rt::kNone;

// Adds `index` to a rule's range of `list` (from `first`, `count` long) unless it is there.
void addOnce(std::vector<Index>& list, std::uint32_t first, Index index, std::uint32_t& count) {
  if (index == kNone) return;
  if (std::find(list.begin() + first, list.end(), index) != list.end()) return;
  list.push_back(index);
  ++count;
}

}  // namespace

void Lowerer::events() {
  std::size_t p = j_.personas.size(), s = j_.stages.size();
  m_.eventMeans.assign(j_.events.size() * p, kNone);
  m_.eventInStage.assign(j_.events.size() * s, 0);
  for (std::size_t e = 0; e < j_.events.size(); ++e) {
    const ast::EventDecl* event = j_.events[e];
    rt::Event out;
    out.name = event->name.text;
    if (event->display) out.display = event->display->value;
    out.firstField = static_cast<std::uint32_t>(m_.payloadFields.size());
    bool hasIn = false;
    std::vector<const ast::EventItem*> every;
    for (const auto& item : event->items) {
      switch (item.kind) {
        case ast::EventItemKind::In:
          hasIn = true;
          for (const auto& stage : item.names) {
            Index index = stageNamed(stage.text);
            if (index != kNone) m_.eventInStage[e * s + static_cast<std::size_t>(index)] = 1;
          }
          break;
        case ast::EventItemKind::Every:
          every.push_back(&item);
          break;
        case ast::EventItemKind::Payload:
          m_.payloadFields.push_back(
              {item.name.text,
               item.value ? valueType(item.value->type.kind) : rt::ValueType::Number,
               add(item.value.get())});
          ++out.fieldCount;
          break;
        case ast::EventItemKind::Value:
          out.value = add(item.value.get());
          m_.lifetime = true;
          break;
      }
    }
    if (!hasIn) std::fill_n(m_.eventInStage.begin() + static_cast<std::ptrdiff_t>(e * s), s, 1);
    auto chosen = perPersona(
        every, [](const ast::EventItem& item) -> const auto& { return item.names; });
    std::map<const ast::EventItem*, rt::ExprId> means;
    for (std::size_t q = 0; q < p; ++q) {
      const ast::EventItem* item = chosen[q];
      if (item == nullptr) continue;
      auto [it, added] = means.emplace(item, kNone);
      if (added) it->second = add(item->value.get());
      m_.eventMeans[e * p + q] = it->second;
    }
    m_.events.push_back(std::move(out));
  }
}

void Lowerer::vars() {
  for (const ast::ValueDecl* var : j_.vars) {
    rt::Var out;
    out.name = var->name.text;
    out.type = var->value ? valueType(var->value->type.kind) : rt::ValueType::Number;
    out.initial = var->value ? add(var->value.get())
                             : add(Lowered::of(0), out.type, false, place(var->name.range));
    m_.vars.push_back(std::move(out));
  }
}

void Lowerer::rules() {
  for (const ast::RuleDecl* rule : j_.rules) {
    rt::Rule out;
    out.name = rule->name.text;
    if (rule->display) out.display = rule->display->value;
    out.firstStage = static_cast<std::uint32_t>(m_.ruleStages.size());
    out.firstPersona = static_cast<std::uint32_t>(m_.rulePersonas.size());
    out.firstAction = static_cast<std::uint32_t>(m_.actions.size());
    bool hasTrigger = false;
    std::vector<const ast::Expr*> conditions;
    for (const auto& item : rule->items) {
      switch (item.kind) {
        case ast::RuleItemKind::On:
          if (!hasTrigger && item.trigger) {
            hasTrigger = true;
            trigger(*item.trigger, out);
          }
          break;
        case ast::RuleItemKind::In:
          for (const auto& stage : item.names)
            addOnce(m_.ruleStages, out.firstStage, stageNamed(stage.text), out.stageCount);
          break;
        case ast::RuleItemKind::For:
          for (const auto& persona : item.names)
            addOnce(m_.rulePersonas, out.firstPersona, personaNamed(persona.text),
                    out.personaCount);
          break;
        case ast::RuleItemKind::If:
          conditions.push_back(item.value.get());
          break;
        case ast::RuleItemKind::Priority:
          out.priority = constant(item.value.get());
          break;
        case ast::RuleItemKind::Cap:
          out.capCount = capCount(item.value.get());
          out.capWindow = item.second ? constant(item.second.get()) : 0;
          break;
        case ast::RuleItemKind::Send:
          m_.actions.push_back(
              {rt::ActionKind::Send, declNamed(touchpointIndex_, item.name.text), kNone});
          break;
        case ast::RuleItemKind::Set:
          m_.actions.push_back(
              {rt::ActionKind::Set, declNamed(varIndex_, item.name.text), add(item.value.get())});
          break;
        case ast::RuleItemKind::Move:
          m_.actions.push_back(
              {rt::ActionKind::Move, item.target ? target(*item.target) : kNone, kNone});
          break;
        case ast::RuleItemKind::WaitFor:
          m_.actions.push_back({rt::ActionKind::WaitFor, declNamed(eventIndex_, item.name.text),
                                add(item.value.get())});
          break;
        case ast::RuleItemKind::Wait:
          m_.actions.push_back({rt::ActionKind::Wait, kNone, add(item.value.get())});
          break;
        case ast::RuleItemKind::Stop:
          m_.actions.push_back({rt::ActionKind::Stop, kNone, kNone});
          break;
      }
    }
    out.actionCount = static_cast<std::uint32_t>(m_.actions.size() - out.firstAction);
    if (!conditions.empty()) out.condition = conjunction(conditions);
    m_.rules.push_back(std::move(out));
  }
}

void Lowerer::trigger(const ast::Trigger& t, rt::Rule& out) {
  switch (t.kind) {
    case ast::TriggerKind::Enter:
      out.trigger = rt::TriggerKind::Enter;
      out.triggerIndex = stageNamed(t.stage.text);
      break;
    case ast::TriggerKind::Leave:
      out.trigger = rt::TriggerKind::Leave;
      out.triggerIndex = stageNamed(t.stage.text);
      break;
    case ast::TriggerKind::After:
      out.trigger = rt::TriggerKind::After;
      out.triggerValue = add(t.value.get());
      break;
    case ast::TriggerKind::Inactive:
      out.trigger = rt::TriggerKind::Inactive;
      out.triggerValue = add(t.value.get());
      break;
    case ast::TriggerKind::Expr:
      if (t.value && t.value->kind == ast::ExprKind::Name &&
          ast::as<ast::NameExpr>(*t.value).symbol == ast::SymbolKind::Event) {
        out.trigger = rt::TriggerKind::Event;
        out.triggerIndex = lookup(eventIndex_, ast::as<ast::NameExpr>(*t.value).declaration);
        out.payloadEvent = out.triggerIndex;
      } else {
        out.trigger = rt::TriggerKind::Condition;
        out.triggerValue = add(t.value.get());
      }
      break;
  }
}

}  // namespace journey::lower

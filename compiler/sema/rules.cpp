// Rules: their clauses, their trigger, and their actions in order.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/sema/analyzer.h"

namespace journey::sema {

using ast::TypeKind;

namespace {

std::string_view ruleKeyword(ast::RuleItemKind kind) {
  switch (kind) {
    case ast::RuleItemKind::On:
      return "on";
    case ast::RuleItemKind::In:
      return "in";
    case ast::RuleItemKind::For:
      return "for";
    case ast::RuleItemKind::If:
      return "if";
    case ast::RuleItemKind::Priority:
      return "priority";
    case ast::RuleItemKind::Cap:
      return "cap";
    case ast::RuleItemKind::Send:
      return "send";
    case ast::RuleItemKind::Move:
      return "move";
    case ast::RuleItemKind::Set:
      return "set";
    case ast::RuleItemKind::WaitFor:
    case ast::RuleItemKind::Wait:
      return "wait";
    case ast::RuleItemKind::Stop:
      return "stop";
  }
  return "";
}

}  // namespace

void Analyzer::checkRule(ast::RuleDecl& rule) {
  RuleClauses clauses = firstClauses(rule);
  const ast::RuleItem* on = clauses[static_cast<std::size_t>(ast::RuleItemKind::On)];
  const ast::RuleItem* scopeItem = clauses[static_cast<std::size_t>(ast::RuleItemKind::For)];
  checkRuleIsComplete(rule, on != nullptr);

  std::vector<const ast::PersonaDecl*> personas = rulePersonas(rule, scopeItem);
  PersonaScope scope = scopeItem != nullptr
                           ? PersonaScope{PersonaScope::Kind::Only, &personas, nullptr}
                           : allPersonas();
  std::unordered_set<std::string_view> reported;

  // The trigger first: an event trigger makes its payload readable in the whole rule.
  const ast::EventDecl* event = nullptr;
  for (auto& item : rule.items) {
    if (item.kind != ast::RuleItemKind::On || !item.trigger) continue;
    const ast::EventDecl* triggering = checkTrigger(*item.trigger, customerPlace(scope, &reported));
    if (&item == on) event = triggering;
  }
  checkRuleItems(rule, customerPlace(scope, &reported, event));
}

Analyzer::RuleClauses Analyzer::firstClauses(const ast::RuleDecl& rule) {
  RuleClauses clauses{};
  for (const auto& item : rule.items) {
    if (item.isAction()) continue;
    auto& first = clauses[static_cast<std::size_t>(item.kind)];
    if (first != nullptr) {
      std::string_view keyword = ruleKeyword(item.kind);
      Diagnostic& d =
          report(DiagnosticKind::DuplicateSetting, keywordRange(item.range, keyword),
                 fmt::format("`{}` is given twice in rule `{}`", keyword, rule.name.text));
      d.labels.push_back({keywordRange(first->range, keyword), "first given here"});
      d.help = item.kind == ast::RuleItemKind::On
                   ? "a rule has one trigger: split it into two rules"
               : item.kind == ast::RuleItemKind::If ? "combine the conditions with `and`"
                                                    : "remove one of them";
    } else {
      first = &item;
    }
  }
  return clauses;
}

void Analyzer::checkRuleIsComplete(const ast::RuleDecl& rule, bool hasTrigger) {
  std::string_view ruleName = rule.name.text;
  if (ruleName.empty()) return;
  if (!hasTrigger) {
    report(DiagnosticKind::MissingTrigger, rule.name.range,
           fmt::format("rule `{}` has no trigger", ruleName))
        .help =
        "add `on` and what starts the rule: `on enter Stage`, `on event_name`, `on after 3d` or "
        "a condition such as `on emotion < -2`";
  }
  bool hasAction = std::any_of(rule.items.begin(), rule.items.end(),
                               [](const ast::RuleItem& item) { return item.isAction(); });
  if (!hasAction) {
    report(DiagnosticKind::MissingAction, rule.name.range,
           fmt::format("rule `{}` has no actions", ruleName))
        .help = "add what it does: `send`, `move`, `set`, `wait` or `stop`";
  }
}

std::vector<const ast::PersonaDecl*> Analyzer::rulePersonas(const ast::RuleDecl& rule,
                                                            const ast::RuleItem* scopeItem) {
  // Every `for` list is resolved (its names reported); the first one scopes the rule.
  std::vector<const ast::PersonaDecl*> personas;
  for (const auto& item : rule.items) {
    if (item.kind != ast::RuleItemKind::For) continue;
    std::unordered_map<const ast::PersonaDecl*, const ast::Identifier*> seen;
    auto resolved = resolvePersonas(item.names, seen, {});
    if (&item == scopeItem) personas = std::move(resolved);
  }
  return personas;
}

const ast::EventDecl* Analyzer::checkTrigger(ast::Trigger& trigger, const Place& place) {
  switch (trigger.kind) {
    case ast::TriggerKind::Enter:
    case ast::TriggerKind::Leave:
      resolve(trigger.stage, bit(NameKind::Stage), "stage");
      return nullptr;
    case ast::TriggerKind::After:
    case ast::TriggerKind::Inactive: {
      Folded value = checkExpected(trigger.value.get(), place, TypeKind::Duration);
      if (value.ok() && value.constant && value.value < 0) {
        report(DiagnosticKind::InvalidValue, trigger.value->range,
               fmt::format("a duration cannot be negative, found `{}`",
                           shown(trigger.value.get(), value)));
      }
      return nullptr;
    }
    case ast::TriggerKind::Expr:
      return checkEventOrCondition(trigger.value.get(), place);
  }
  return nullptr;
}

const ast::EventDecl* Analyzer::checkEventOrCondition(ast::Expr* value, const Place& place) {
  if (value != nullptr && value->kind == ast::ExprKind::Name) {
    auto& name = ast::as<ast::NameExpr>(*value);
    const Symbol* symbol = lookup(name.name.text);
    if (symbol != nullptr && symbol->kind == NameKind::Event) {
      name.symbol = ast::SymbolKind::Event;
      name.declaration = symbol->decl;
      return static_cast<const ast::EventDecl*>(symbol->decl);
    }
    if (symbol != nullptr && symbol->kind != NameKind::Param && symbol->kind != NameKind::Var &&
        symbol->kind != NameKind::Persona) {
      Diagnostic& d = report(DiagnosticKind::WrongKindOfName, name.name.range,
                             fmt::format("`{}` is {}, not an event or a condition", name.name.text,
                                         describe(*symbol)));
      if (symbol->range.valid()) {
        d.labels.push_back({symbol->range, fmt::format("`{}` is declared here", name.name.text)});
      }
      if (symbol->kind == NameKind::Stage) {
        d.help =
            fmt::format("`on enter {0}` runs the rule when customers enter `{0}`", name.name.text);
      }
      value->type = ast::Type{TypeKind::Error, false};
      return nullptr;
    }
    if (symbol == nullptr && !name.name.text.empty() && attributes_.count(name.name.text) == 0 &&
        findCustomerState(name.name.text) == nullptr) {
      Diagnostic& d = report(DiagnosticKind::UnknownName, name.name.range,
                             fmt::format("unknown event `{}`", name.name.text));
      addDidYouMean(d, name.name, suggest(name.name.text, bit(NameKind::Event), false));
      offerEventDeclaration(d, name.name);
      value->type = ast::Type{TypeKind::Error, false};
      return nullptr;
    }
  }
  checkExpected(value, place, TypeKind::Bool);
  return nullptr;
}

void Analyzer::checkRuleItems(ast::RuleDecl& rule, const Place& place) {
  const ast::RuleItem* ender = nullptr;
  bool warned = false;
  for (auto& item : rule.items) {
    // A `stop` after the end changes nothing either way: only actions that would do something warn.
    if (item.isAction() && item.kind != ast::RuleItemKind::Stop && ender != nullptr && !warned) {
      warned = true;
      std::string_view endKeyword = ruleKeyword(ender->kind);
      Diagnostic& d =
          report(DiagnosticKind::UnreachableAction, item.range,
                 fmt::format("`{}` after `{}` never runs", ruleKeyword(item.kind), endKeyword));
      d.labels.push_back({keywordRange(ender->range, endKeyword), "the rule ends here"});
      d.help = fmt::format("remove it, or move it before `{}`", endKeyword);
    }
    switch (item.kind) {
      case ast::RuleItemKind::On:
      case ast::RuleItemKind::For:
        break;
      case ast::RuleItemKind::In:
        for (const auto& id : item.names)
          resolve(id, bit(NameKind::Stage), "stage");
        break;
      case ast::RuleItemKind::If:
        checkExpected(item.value.get(), place, TypeKind::Bool);
        break;
      case ast::RuleItemKind::Priority:
        checkExpected(
            item.value.get(),
            constantPlace("a `priority`", "a rule's priority is fixed: use a literal or a param"),
            TypeKind::Number);
        break;
      case ast::RuleItemKind::Cap:
        checkCap(item.value.get(), item.second.get(),
                 constantPlace("a `cap`", "a rule's cap is fixed: use literals and params"));
        break;
      case ast::RuleItemKind::Send:
        resolve(item.name, bit(NameKind::Touchpoint), "touchpoint");
        break;
      case ast::RuleItemKind::Move:
        checkTarget(item.target.get(), place, TargetUse::Move);
        if (ender == nullptr) ender = &item;
        break;
      case ast::RuleItemKind::Set:
        checkSet(item, place);
        break;
      case ast::RuleItemKind::WaitFor:
        resolve(item.name, bit(NameKind::Event), "event");
        if (item.value) {
          Folded value = checkExpected(item.value.get(), place, TypeKind::Duration);
          if (value.ok() && value.constant && value.value < 0) {
            report(DiagnosticKind::InvalidValue, item.value->range,
                   fmt::format("a duration cannot be negative, found `{}`",
                               shown(item.value.get(), value)));
          }
        }
        break;
      case ast::RuleItemKind::Wait: {
        Place sampled = place;
        sampled.sampling = true;
        Folded value = checkExpected(item.value.get(), sampled, TypeKind::Duration);
        if (value.ok() && value.constant && value.value < 0) {
          report(
              DiagnosticKind::InvalidValue, item.value->range,
              fmt::format("a wait cannot be negative, found `{}`", shown(item.value.get(), value)));
        }
        break;
      }
      case ast::RuleItemKind::Stop:
        if (ender == nullptr) ender = &item;
        break;
    }
  }
}

void Analyzer::checkSet(ast::RuleItem& item, const Place& place) {
  TypeKind expected = TypeKind::Unknown;
  bool targetOk = false;
  std::string_view name = item.name.text;
  if (!name.empty()) {
    const Symbol* symbol = lookup(name);
    if (symbol != nullptr && symbol->kind == NameKind::Var) {
      const auto* var = static_cast<const ast::ValueDecl*>(symbol->decl);
      targetOk = true;
      if (var != nullptr && var->value) {
        TypeKind kind = var->value->type.kind;
        if (kind == TypeKind::Error || kind == TypeKind::Unknown) targetOk = false;
        expected = kind;
      }
    } else if (symbol != nullptr) {
      Diagnostic& d = report(DiagnosticKind::AssignToConstant, item.name.range,
                             fmt::format("`{}` is {}, not a `var`", name, describe(*symbol)));
      if (symbol->range.valid())
        d.labels.push_back({symbol->range, fmt::format("`{}` is declared here", name)});
      if (symbol->kind == NameKind::Param) {
        d.help = fmt::format("declare `{}` with `var` to change it during the simulation", name);
      }
    } else if (auto description = describeNonDeclaration(name)) {
      Diagnostic& d = report(DiagnosticKind::AssignToConstant, item.name.range,
                             fmt::format("`{}` is {}, not a `var`", name, *description));
      d.help = "`set` changes a `var`; declare one with `var name = value`";
    } else {
      Diagnostic& d = report(DiagnosticKind::UnknownName, item.name.range,
                             fmt::format("unknown var `{}`", name));
      auto suggestion = suggest(name, bit(NameKind::Var), false);
      addDidYouMean(d, item.name, suggestion);
      if (!suggestion) d.help = fmt::format("declare it first: `var {} = ...`", name);
    }
  }
  Folded folded = checkExpected(item.value.get(), place, TypeKind::Unknown);
  if (targetOk && folded.ok() && folded.type.kind != expected) {
    Diagnostic& d = report(
        DiagnosticKind::TypeMismatch, item.value->range,
        fmt::format("expected `{}`, found `{}`", typeName(expected), typeName(folded.type.kind)));
    const Symbol* symbol = lookup(name);
    d.labels.push_back(
        {symbol->range, fmt::format("`{}` is a `{}` var", name, typeName(expected))});
  }
}

}  // namespace journey::sema

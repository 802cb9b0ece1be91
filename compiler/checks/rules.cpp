#include "compiler/checks/rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "compiler/ast/walk.h"
#include "compiler/sema/types.h"

namespace journey::checks {
using sema::joinNames;

namespace {

// Canonical text of an expression, for telling equal condition triggers apart.
std::string exprText(const ast::Expr* expr) {
  if (expr == nullptr) return "?";
  switch (expr->kind) {
    case ast::ExprKind::Literal: {
      const auto& literal = ast::as<ast::LiteralExpr>(*expr);
      return literal.literal == ast::LiteralKind::String ? literal.text
                                                         : fmt::format("{}", literal.value);
    }
    case ast::ExprKind::Name:
      return ast::as<ast::NameExpr>(*expr).name.text;
    case ast::ExprKind::Member: {
      const auto& member = ast::as<ast::MemberExpr>(*expr);
      return member.object.text + "." + member.member.text;
    }
    case ast::ExprKind::Call: {
      const auto& call = ast::as<ast::CallExpr>(*expr);
      std::string text = call.callee.text + "(";
      for (std::size_t i = 0; i < call.arguments.size(); ++i) {
        if (i > 0) text += ", ";
        if (call.arguments[i].name) text += call.arguments[i].name->text + ": ";
        text += exprText(call.arguments[i].value.get());
      }
      return text + ")";
    }
    case ast::ExprKind::Unary: {
      const auto& unary = ast::as<ast::UnaryExpr>(*expr);
      return std::string("(") + ast::spelling(unary.op) + " " + exprText(unary.operand.get()) + ")";
    }
    case ast::ExprKind::Binary: {
      const auto& binary = ast::as<ast::BinaryExpr>(*expr);
      return "(" + exprText(binary.lhs.get()) + " " + ast::spelling(binary.op) + " " +
             exprText(binary.rhs.get()) + ")";
    }
    default:
      return "?";
  }
}

void collectTargetStages(const ast::Target& target, std::set<std::string>& out) {
  if (!target.isBlock) {
    out.insert(target.stage.text);
    return;
  }
  for (const auto& branch : target.branches) {
    if (branch.kind == ast::BranchKind::Chance || branch.kind == ast::BranchKind::Otherwise) {
      out.insert(branch.stage.text);
    } else if (branch.target) {
      collectTargetStages(*branch.target, out);
    }
  }
}

bool sortedIncludes(const std::vector<std::size_t>& big, const std::vector<std::size_t>& small) {
  return std::includes(big.begin(), big.end(), small.begin(), small.end());
}

std::vector<std::size_t> sortedIntersection(const std::vector<std::size_t>& a,
                                            const std::vector<std::size_t>& b) {
  std::vector<std::size_t> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// What a rule is, in the terms the checks need.
struct RuleInfo {
  const ast::RuleDecl* decl = nullptr;
  std::size_t order = 0;
  const ast::Trigger* trigger = nullptr;
  const ast::RuleItem* in = nullptr;
  const ast::RuleItem* forItem = nullptr;
  const ast::RuleItem* ifItem = nullptr;
  const ast::RuleItem* cap = nullptr;
  double priority = 0;
  /// Persona indices the rule applies to, sorted.
  std::vector<std::size_t> personas;
  /// Stage indices it can run in, sorted; `allStages` when nothing narrows it.
  std::vector<std::size_t> stages;
  bool allStages = true;
  /// The event of an event trigger.
  const ast::EventDecl* event = nullptr;
  std::string triggerKey;
  /// The `move` that runs before any `wait`, and the stages it leads to.
  const ast::RuleItem* immediateMove = nullptr;
  std::set<std::string> moveTargets;
  /// The `stop` or `move` that ends the group, when no `wait` comes before it.
  const ast::RuleItem* ender = nullptr;
};

class RuleChecker {
 public:
  RuleChecker(const sema::CheckedJourney& journey, const JourneyGraph& graph,
              const Evaluator& evaluator, DiagnosticSink& sink)
      : journey_(journey), graph_(graph), evaluator_(evaluator), sink_(sink) {
    for (std::size_t i = 0; i < journey.stages.size(); ++i)
      stageIndex_[journey.stages[i]->name.text] = i;
    for (std::size_t i = 0; i < journey.personas.size(); ++i)
      personaIndex_[journey.personas[i]->name.text] = i;
    for (const auto* touchpoint : journey.touchpoints) {
      for (const auto& item : touchpoint->items) {
        if (item.kind == ast::TouchpointItemKind::Response) emitted_.insert(item.name.text);
      }
    }
    for (std::size_t i = 0; i < journey.rules.size(); ++i)
      rules_.push_back(describeRule(*journey.rules[i], i));
  }

  void run() {
    for (const auto& rule : rules_) {
      if (rule.trigger == nullptr) continue;
      checkWaits(rule);
      checkImpossible(rule);
    }
    checkRaces();
  }

 private:
  // -------------------------------------------------------------------------------------------
  // What rules are

  RuleInfo describeRule(const ast::RuleDecl& decl, std::size_t order) {
    RuleInfo info;
    info.decl = &decl;
    info.order = order;
    for (const auto& item : decl.items) {
      switch (item.kind) {
        case ast::RuleItemKind::On:
          if (item.trigger) info.trigger = &*item.trigger;
          break;
        case ast::RuleItemKind::In:
          info.in = &item;
          break;
        case ast::RuleItemKind::For:
          info.forItem = &item;
          break;
        case ast::RuleItemKind::If:
          info.ifItem = &item;
          break;
        case ast::RuleItemKind::Cap:
          info.cap = &item;
          break;
        case ast::RuleItemKind::Priority:
          if (auto p = journey_.constant(item.value.get())) info.priority = *p;
          break;
        default:
          break;
      }
    }
    if (info.forItem != nullptr) {
      for (const auto& name : info.forItem->names) {
        if (auto it = personaIndex_.find(name.text); it != personaIndex_.end())
          info.personas.push_back(it->second);
      }
    } else {
      for (std::size_t p = 0; p < journey_.personas.size(); ++p)
        info.personas.push_back(p);
    }
    std::sort(info.personas.begin(), info.personas.end());
    info.personas.erase(std::unique(info.personas.begin(), info.personas.end()),
                        info.personas.end());
    if (info.in != nullptr) {
      info.allStages = false;
      for (const auto& name : info.in->names) {
        if (auto it = stageIndex_.find(name.text); it != stageIndex_.end())
          info.stages.push_back(it->second);
      }
    }
    if (info.trigger != nullptr) {
      const ast::Trigger& t = *info.trigger;
      switch (t.kind) {
        case ast::TriggerKind::Enter:
        case ast::TriggerKind::Leave: {
          info.triggerKey =
              (t.kind == ast::TriggerKind::Enter ? "enter:" : "leave:") + t.stage.text;
          auto it = stageIndex_.find(t.stage.text);
          std::vector<std::size_t> only;
          if (it != stageIndex_.end()) only.push_back(it->second);
          info.stages = info.allStages ? only : sortedIntersection(sortedCopy(info.stages), only);
          info.allStages = false;
          break;
        }
        case ast::TriggerKind::After:
        case ast::TriggerKind::Inactive: {
          auto d = journey_.constant(t.value.get());
          info.triggerKey = (t.kind == ast::TriggerKind::After ? "after:" : "inactive:") +
                            (d ? fmt::format("{}", *d) : exprText(t.value.get()));
          break;
        }
        case ast::TriggerKind::Expr:
          if (t.value && t.value->kind == ast::ExprKind::Name &&
              ast::as<ast::NameExpr>(*t.value).symbol == ast::SymbolKind::Event) {
            const auto* decl = ast::as<ast::NameExpr>(*t.value).declaration;
            if (decl != nullptr && decl->kind == ast::DeclKind::Event)
              info.event = &ast::as<ast::EventDecl>(*decl);
            info.triggerKey = "event:" + ast::as<ast::NameExpr>(*t.value).name.text;
          } else {
            info.triggerKey = "condition:" + exprText(t.value.get());
          }
          break;
      }
    }
    std::sort(info.stages.begin(), info.stages.end());
    info.stages.erase(std::unique(info.stages.begin(), info.stages.end()), info.stages.end());
    bool waited = false;
    for (const auto& item : decl.items) {
      if (item.kind == ast::RuleItemKind::Wait || item.kind == ast::RuleItemKind::WaitFor)
        waited = true;
      if (item.kind != ast::RuleItemKind::Move && item.kind != ast::RuleItemKind::Stop) continue;
      if (!waited) {
        info.ender = &item;
        if (item.kind == ast::RuleItemKind::Move && item.target) {
          info.immediateMove = &item;
          collectTargetStages(*item.target, info.moveTargets);
        }
      }
      break;
    }
    return info;
  }

  static std::vector<std::size_t> sortedCopy(std::vector<std::size_t> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  std::string triggerText(const RuleInfo& rule) const {
    const ast::Trigger& t = *rule.trigger;
    switch (t.kind) {
      case ast::TriggerKind::Enter:
        return fmt::format("on entering `{}`", t.stage.text);
      case ast::TriggerKind::Leave:
        return fmt::format("on leaving `{}`", t.stage.text);
      case ast::TriggerKind::After:
        return "on the same `after` timer";
      case ast::TriggerKind::Inactive:
        return "on the same `inactive` timer";
      case ast::TriggerKind::Expr:
        if (rule.event != nullptr) return fmt::format("on `{}`", rule.event->name.text);
        return "on the same condition";
    }
    return "on the same trigger";
  }

  const std::string& personaName(std::size_t p) const { return journey_.personas[p]->name.text; }

  // Whether `event` can occur for customers of `persona` in `stage` (docs/semantics.md 6.1): a
  // rate for them, or some touchpoint's response emits it; and the stage is among its stages.
  bool eventOccurs(const ast::EventDecl& event, std::size_t persona, std::size_t stage) const {
    if (graph_.terminal(stage)) return false;
    bool hasRate = emitted_.count(event.name.text) > 0;
    bool inStage = true;
    for (const auto& item : event.items) {
      if (item.kind == ast::EventItemKind::Every) {
        bool applies = item.names.empty();
        for (const auto& name : item.names)
          applies |= name.text == personaName(persona);
        hasRate |= applies;
      }
      if (item.kind == ast::EventItemKind::In) {
        inStage = false;
        for (const auto& name : item.names)
          inStage |= name.text == graph_.name(stage);
      }
    }
    return hasRate && inStage;
  }

  bool hasRate(const ast::EventDecl& event, std::size_t persona) const {
    if (emitted_.count(event.name.text) > 0) return true;
    for (const auto& item : event.items) {
      if (item.kind != ast::EventItemKind::Every) continue;
      if (item.names.empty()) return true;
      for (const auto& name : item.names) {
        if (name.text == personaName(persona)) return true;
      }
    }
    return false;
  }

  const ast::EventItem* eventStages(const ast::EventDecl& event) const {
    for (const auto& item : event.items) {
      if (item.kind == ast::EventItemKind::In) return &item;
    }
    return nullptr;
  }

  // Whether `event` can occur for `persona` in one of `rule`'s stages (any ordinary stage when the
  // rule has no `in`).
  bool occursInScope(const ast::EventDecl& event, const RuleInfo& rule, std::size_t persona) const {
    if (!rule.allStages) {
      for (auto s : rule.stages) {
        if (eventOccurs(event, persona, s)) return true;
      }
      return false;
    }
    if (!hasRate(event, persona)) return false;
    const ast::EventItem* in = eventStages(event);
    if (in == nullptr) {
      for (std::size_t s = 0; s < graph_.stages.size(); ++s) {
        if (!graph_.terminal(s)) return true;
      }
      return false;
    }
    for (const auto& name : in->names) {
      auto it = stageIndex_.find(name.text);
      if (it != stageIndex_.end() && !graph_.terminal(it->second)) return true;
    }
    return false;
  }

  std::string whereEventOccurs(const ast::EventDecl& event, std::size_t persona) const {
    if (!hasRate(event, persona)) {
      return fmt::format("`{}` has no `every` rate for `{}` and no touchpoint response emits it",
                         event.name.text, personaName(persona));
    }
    const ast::EventItem* in = eventStages(event);
    std::vector<std::string> names;
    if (in != nullptr) {
      for (const auto& name : in->names)
        names.push_back(name.text);
    }
    return fmt::format("`{}` occurs only in {}", event.name.text, joinNames(names, " and "));
  }

  std::vector<std::string> stageNames(const RuleInfo& rule) const {
    std::vector<std::string> names;
    for (auto s : rule.stages)
      names.push_back(graph_.name(s));
    return names;
  }

  // -------------------------------------------------------------------------------------------
  // wait-without-timeout

  void checkWaits(const RuleInfo& rule) {
    for (const auto& item : rule.decl->items) {
      if (item.kind != ast::RuleItemKind::WaitFor || item.value) continue;
      auto it = journey_.declarations.find(item.name.text);
      if (it == journey_.declarations.end() || it->second->kind != ast::DeclKind::Event) continue;
      const auto& event = ast::as<ast::EventDecl>(*it->second);
      // Without `in`, the wait ends wherever the event occurs.
      RuleInfo scope = rule;
      scope.allStages = rule.in == nullptr;
      std::vector<std::string> never;
      std::size_t first = 0;
      for (auto p : rule.personas) {
        if (occursInScope(event, scope, p)) continue;
        if (never.empty()) first = p;
        never.push_back(personaName(p));
      }
      if (never.empty()) continue;
      std::string who = never.size() == 1 ? fmt::format("customers of `{}`", never.front())
                                          : fmt::format("customers of {}", joinNames(never));
      std::string where =
          scope.allStages ? "anywhere" : fmt::format("in {}", joinNames(stageNames(rule), " or "));
      Diagnostic& d = sink_.report(
          DiagnosticKind::WaitWithoutTimeout, item.range,
          fmt::format(
              "rule `{}` waits for `{}` without a time limit, but `{}` never occurs for {} {}",
              rule.decl->name.text, event.name.text, event.name.text, who, where));
      d.notes.push_back(whereEventOccurs(event, first) +
                        "; the wait goes on until the customer finishes or the horizon");
      if (rule.in != nullptr)
        d.labels.push_back(
            {rule.in->range, "the wait can end only while the customer is in these stages"});
      d.labels.push_back({event.name.range, fmt::format("`{}` is declared here", event.name.text)});
      d.help = fmt::format(
          "add `within DURATION` to end the wait, or wait for an event that occurs {}", where);
    }
  }

  // -------------------------------------------------------------------------------------------
  // impossible-rule

  Diagnostic& reportImpossible(const RuleInfo& rule, SourceRange at, std::string why) {
    Diagnostic& d =
        sink_.report(DiagnosticKind::ImpossibleRule, at,
                     fmt::format("rule `{}` can never run: {}", rule.decl->name.text, why));
    return d;
  }

  const std::vector<Reachability>& reaches() {
    if (reaches_.empty()) {
      for (const auto& persona : graph_.personas)
        reaches_.push_back(reachableFromEntry(graph_, persona));
    }
    return reaches_;
  }

  void checkImpossible(const RuleInfo& rule) {
    const ast::Trigger& t = *rule.trigger;
    // `enter S` / `leave S` while `in` leaves S out: the customer is in S when they fire.
    if ((t.kind == ast::TriggerKind::Enter || t.kind == ast::TriggerKind::Leave) &&
        rule.in != nullptr && rule.stages.empty() && stageIndex_.count(t.stage.text) > 0) {
      Diagnostic& d = reportImpossible(
          rule, t.range,
          fmt::format("it fires on {} `{}`, which is not in its `in` list",
                      t.kind == ast::TriggerKind::Enter ? "entering" : "leaving", t.stage.text));
      d.labels.push_back({rule.in->range, "the rule applies only in these stages"});
      d.help = fmt::format("add `{}` to the `in` list, or remove the `in` clause", t.stage.text);
      return;
    }
    if (rule.personas.empty()) return;
    // An event trigger whose event occurs in none of the rule's stages for any of its personas.
    if (rule.event != nullptr) {
      bool occurs = false;
      for (auto p : rule.personas)
        occurs = occurs || occursInScope(*rule.event, rule, p);
      if (!occurs) {
        std::string where =
            rule.allStages ? "" : fmt::format(" in {}", joinNames(stageNames(rule), " or "));
        std::vector<std::string> who;
        for (auto p : rule.personas)
          who.push_back(personaName(p));
        Diagnostic& d = reportImpossible(
            rule, t.range,
            fmt::format("it fires on `{}`, which never occurs for customers of {}{}",
                        rule.event->name.text, joinNames(who, " or "), where));
        d.notes.push_back(whereEventOccurs(*rule.event, rule.personas.front()));
        if (rule.in != nullptr)
          d.labels.push_back({rule.in->range, "the rule applies only in these stages"});
        d.labels.push_back(
            {rule.event->name.range, fmt::format("`{}` is declared here", rule.event->name.text)});
        d.help = fmt::format(
            "give `{}` a rate or a stage where the rule applies, or trigger the rule on another "
            "event",
            rule.event->name.text);
        return;
      }
    }
    // A scope nobody in it reaches: the rule's personas never get to its stages (while someone
    // else does; stages nobody reaches are `unreachable-stage`).
    if (!rule.allStages && !rule.stages.empty()) {
      const auto& reach = reaches();
      bool scopeReached = false;
      bool anyoneReaches = false;
      for (std::size_t p = 0; p < reach.size(); ++p) {
        bool inScope = std::binary_search(rule.personas.begin(), rule.personas.end(), p);
        for (auto s : rule.stages) {
          if (!reach[p].reached[s]) continue;
          anyoneReaches = true;
          scopeReached = scopeReached || inScope;
        }
      }
      if (!scopeReached && anyoneReaches) {
        std::vector<std::string> who;
        for (auto p : rule.personas)
          who.push_back(personaName(p));
        Diagnostic& d =
            reportImpossible(rule, rule.decl->name.range,
                             fmt::format("customers of {} never reach {}", joinNames(who, " or "),
                                         joinNames(stageNames(rule), " or ")));
        if (rule.forItem != nullptr)
          d.labels.push_back({rule.forItem->range, "the rule applies only to these personas"});
        if (rule.in != nullptr) d.labels.push_back({rule.in->range, "and only in these stages"});
        d.help =
            "check the rule's `for` and `in` lists against the stages each persona goes through";
        return;
      }
    }
    // Conditions that never hold, by the ranges of what they read.
    const ast::Expr* condition = nullptr;
    const char* what = nullptr;
    SourceRange at;
    if (t.kind == ast::TriggerKind::Expr && rule.event == nullptr && t.value) {
      condition = t.value.get();
      what = "its trigger condition";
      at = t.range;
      checkCondition(rule, condition, what, at, false);
      if (impossibleReported_) return;
    }
    if (rule.ifItem != nullptr && rule.ifItem->value) {
      checkCondition(rule, rule.ifItem->value.get(), "its `if` condition",
                     rule.ifItem->value->range, true);
    }
  }

  void checkCondition(const RuleInfo& rule, const ast::Expr* condition, const char* what,
                      SourceRange at, bool restrictStages) {
    impossibleReported_ = false;
    for (auto p : rule.personas) {
      EvalContext context;
      context.persona = p;
      if (restrictStages && rule.in != nullptr) context.stages = &rule.in->names;
      ValueSet value = evaluator_.evaluate(*condition, context);
      if (value.canBeTrue()) return;
    }
    impossibleReported_ = true;
    Diagnostic& d = reportImpossible(rule, at, fmt::format("{} never holds", what));
    // The ranges of what the condition reads, for the rule's personas.
    std::vector<const ast::Expr*> reads;
    collectReads(condition, reads);
    std::set<std::string> seen;
    for (const auto* read : reads) {
      auto key = valueKey(*read);
      if (!key || !seen.insert(*key).second || *key == "persona") continue;
      std::vector<std::string> parts;
      std::string previous;
      bool same = true;
      for (auto p : rule.personas) {
        EvalContext context;
        context.persona = p;
        std::string range =
            describe(evaluator_.evaluate(*read, context), read->type.kind, journey_);
        if (!parts.empty() && range != previous) same = false;
        previous = range;
        parts.push_back(fmt::format("{} for `{}`", range, personaName(p)));
      }
      if (read->kind == ast::ExprKind::Name &&
          ast::as<ast::NameExpr>(*read).symbol != ast::SymbolKind::Attribute) {
        d.notes.push_back(fmt::format("`{}` is {}", *key, previous));
      } else if (same && rule.personas.size() > 1) {
        d.notes.push_back(
            fmt::format("`{}` is {} for every persona the rule applies to", *key, previous));
      } else {
        std::string text;
        for (std::size_t i = 0; i < parts.size(); ++i)
          text += (i > 0 ? ", " : "") + parts[i];
        d.notes.push_back(fmt::format("`{}` is {}", *key, text));
      }
    }
    d.help = "check the condition's comparisons against the values it reads";
  }

  // The values a condition reads, in source order (not what a read value's arguments read).
  static void collectReads(const ast::Expr* expr, std::vector<const ast::Expr*>& out) {
    if (expr == nullptr) return;
    if (valueKey(*expr)) {
      out.push_back(expr);
      return;
    }
    ast::forEachChild(*expr, [&](const ast::Expr& child) { collectReads(&child, out); });
  }

  // -------------------------------------------------------------------------------------------
  // conflicting-rules, shadowed-rule

  bool scopesOverlap(const RuleInfo& a, const RuleInfo& b) const {
    if (sortedIntersection(a.personas, b.personas).empty()) return false;
    if (a.allStages || b.allStages) return true;
    return !sortedIntersection(a.stages, b.stages).empty();
  }

  // A persona for whom both rules' `if` conditions can hold at once, if any.
  std::optional<std::size_t> bothCanRun(const RuleInfo& a, const RuleInfo& b) const {
    for (auto p : sortedIntersection(a.personas, b.personas)) {
      EvalContext context;
      context.persona = p;
      if (a.ifItem != nullptr && a.ifItem->value) {
        if (!evaluator_.evaluate(*a.ifItem->value, context).canBeTrue()) continue;
        if (auto set = evaluator_.conditionSet(*a.ifItem->value, context))
          context.constraints[set->first] = set->second;
      }
      if (b.ifItem != nullptr && b.ifItem->value &&
          !evaluator_.evaluate(*b.ifItem->value, context).canBeTrue())
        continue;
      return p;
    }
    return std::nullopt;
  }

  // Whether the rule always ends its group for every customer in its scope: no cap, an `if`
  // that always holds, and a `stop` or `move` before any `wait`.
  bool alwaysEnds(const RuleInfo& rule) const {
    if (rule.ender == nullptr || rule.cap != nullptr) return false;
    if (rule.ifItem == nullptr) return true;
    if (!rule.ifItem->value) return false;
    for (auto p : rule.personas) {
      EvalContext context;
      context.persona = p;
      if (rule.in != nullptr) context.stages = &rule.in->names;
      if (evaluator_.evaluate(*rule.ifItem->value, context).canBeFalse()) return false;
    }
    return true;
  }

  bool runsBefore(const RuleInfo& a, const RuleInfo& b) const {
    return a.priority > b.priority || (a.priority == b.priority && a.order < b.order);
  }

  void checkRaces() {
    std::unordered_map<std::string, std::vector<std::size_t>> groups;
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < rules_.size(); ++i) {
      if (rules_[i].trigger == nullptr) continue;
      auto [it, added] = groups.try_emplace(rules_[i].triggerKey);
      if (added) keys.push_back(rules_[i].triggerKey);
      it->second.push_back(i);
    }
    for (const auto& key : keys)
      checkGroup(groups[key]);
  }

  // Candidate pairs within one group whose stage scopes can overlap, found through the stages
  // they list (rules without `in` pair with every rule).
  template <typename Visit>
  void forEachCandidate(const std::vector<std::size_t>& firsts,
                        const std::vector<std::size_t>& group, Visit visit) {
    std::unordered_map<std::size_t, std::vector<std::size_t>> byStage;
    std::vector<std::size_t> everywhere;
    for (auto r : group) {
      if (rules_[r].allStages) {
        everywhere.push_back(r);
      } else {
        for (auto s : rules_[r].stages)
          byStage[s].push_back(r);
      }
    }
    for (auto a : firsts) {
      std::set<std::size_t> seen;
      auto consider = [&](std::size_t b) {
        if (b != a && seen.insert(b).second) visit(a, b);
      };
      if (rules_[a].allStages) {
        for (auto b : group)
          consider(b);
        continue;
      }
      for (auto b : everywhere)
        consider(b);
      for (auto s : rules_[a].stages) {
        for (auto b : byStage[s])
          consider(b);
      }
    }
  }

  void checkGroup(const std::vector<std::size_t>& group) {
    if (group.size() < 2) return;
    // Moves in `leave` rules are ignored, and so are moves on entering a goal or an exit.
    const ast::Trigger& trigger = *rules_[group.front()].trigger;
    bool movesCount = trigger.kind != ast::TriggerKind::Leave;
    if (trigger.kind == ast::TriggerKind::Enter) {
      auto it = stageIndex_.find(trigger.stage.text);
      movesCount = it != stageIndex_.end() && !graph_.terminal(it->second);
    }
    std::vector<std::size_t> movers;
    std::vector<std::size_t> enders;
    for (auto r : group) {
      if (movesCount && rules_[r].immediateMove != nullptr) movers.push_back(r);
      if (alwaysEnds(rules_[r])) enders.push_back(r);
    }
    std::set<std::pair<std::size_t, std::size_t>> conflicts;
    forEachCandidate(movers, movers, [&](std::size_t a, std::size_t b) {
      const RuleInfo& first = rules_[std::min(a, b)];
      const RuleInfo& second = rules_[std::max(a, b)];
      if (first.priority != second.priority || first.moveTargets == second.moveTargets) return;
      if (!conflicts.insert({first.order, second.order}).second || !scopesOverlap(first, second))
        return;
      auto persona = bothCanRun(first, second);
      if (!persona) return;
      reportConflict(first, second, *persona);
    });
    std::set<std::size_t> shadowed;
    forEachCandidate(enders, group, [&](std::size_t h, std::size_t r) {
      const RuleInfo& high = rules_[h];
      const RuleInfo& low = rules_[r];
      if (!runsBefore(high, low) || shadowed.count(r) > 0) return;
      if (conflicts.count({std::min(high.order, low.order), std::max(high.order, low.order)}) > 0)
        return;
      if (!sortedIncludes(high.personas, low.personas)) return;
      if (!high.allStages && (low.allStages || !sortedIncludes(high.stages, low.stages))) return;
      shadowed.insert(r);
      reportShadowed(high, low);
    });
  }

  std::string targetText(const std::set<std::string>& targets) const {
    std::vector<std::string> names(targets.begin(), targets.end());
    return joinNames(names, " or ");
  }

  void reportConflict(const RuleInfo& first, const RuleInfo& second, std::size_t persona) {
    std::vector<std::size_t> stages = first.allStages ? second.stages
                                      : second.allStages
                                          ? first.stages
                                          : sortedIntersection(first.stages, second.stages);
    std::string where = stages.empty() ? "" : fmt::format(" in `{}`", graph_.name(stages.front()));
    Diagnostic& d =
        sink_.report(DiagnosticKind::ConflictingRules, second.decl->name.range,
                     fmt::format("rules `{}` and `{}` both run {} with priority {} and move "
                                 "customers to different stages",
                                 first.decl->name.text, second.decl->name.text, triggerText(first),
                                 sema::formatNumber(first.priority)));
    d.notes.push_back(
        fmt::format("a customer of `{}`{} runs `{}` first, because it is declared first, and goes "
                    "to {}; `{}` never runs for them",
                    personaName(persona), where, first.decl->name.text,
                    targetText(first.moveTargets), second.decl->name.text));
    d.labels.push_back(
        {first.immediateMove->range,
         fmt::format("`{}` moves to {}", first.decl->name.text, targetText(first.moveTargets))});
    d.labels.push_back(
        {second.immediateMove->range,
         fmt::format("`{}` moves to {}", second.decl->name.text, targetText(second.moveTargets))});
    d.help =
        "give the rule that should win a higher `priority`, or narrow their `in`, `for` or `if` so "
        "that they do not overlap";
  }

  void reportShadowed(const RuleInfo& high, const RuleInfo& low) {
    Diagnostic& d = sink_.report(
        DiagnosticKind::ShadowedRule, low.decl->name.range,
        fmt::format("rule `{}` never runs: `{}` runs before it {} and always ends the group",
                    low.decl->name.text, high.decl->name.text, triggerText(low)));
    if (high.priority != low.priority) {
      d.notes.push_back(
          fmt::format("`{}` has priority {} and `{}` priority {}; `{}` applies wherever `{}` does",
                      high.decl->name.text, sema::formatNumber(high.priority), low.decl->name.text,
                      sema::formatNumber(low.priority), high.decl->name.text, low.decl->name.text));
    } else {
      d.notes.push_back(fmt::format(
          "both have priority {} and `{}` is declared first; it applies wherever `{}` does",
          sema::formatNumber(high.priority), high.decl->name.text, low.decl->name.text));
    }
    d.labels.push_back(
        {high.decl->name.range, fmt::format("`{}` runs first", high.decl->name.text)});
    d.labels.push_back({high.ender->range, high.ender->kind == ast::RuleItemKind::Stop
                                               ? std::string("and stops the group here")
                                               : std::string("and ends the group with this move")});
    d.help = fmt::format(
        "give `{}` a higher priority than `{}`, or narrow `{}` with `in`, `for` or `if`",
        low.decl->name.text, high.decl->name.text, high.decl->name.text);
  }

  const sema::CheckedJourney& journey_;
  const JourneyGraph& graph_;
  const Evaluator& evaluator_;
  DiagnosticSink& sink_;
  std::unordered_map<std::string, std::size_t> stageIndex_;
  std::unordered_map<std::string, std::size_t> personaIndex_;
  std::set<std::string> emitted_;
  std::vector<RuleInfo> rules_;
  std::vector<Reachability> reaches_;
  bool impossibleReported_ = false;
};

}  // namespace

void checkRules(const sema::CheckedJourney& journey, const JourneyGraph& graph,
                const Evaluator& evaluator, DiagnosticSink& sink) {
  RuleChecker(journey, graph, evaluator, sink).run();
}

void checkRulesAndDeclarations(const sema::CheckedJourney& journey, const JourneyGraph& graph,
                               DiagnosticSink& sink) {
  Evaluator evaluator(journey);
  checkRules(journey, graph, evaluator, sink);
  checkSplits(journey, evaluator, sink);
}

}  // namespace journey::checks

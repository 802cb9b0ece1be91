#include "compiler/checks/stage_graph.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <deque>
#include <optional>
#include <unordered_map>

namespace journey::checks {
namespace {

bool names(const std::vector<ast::Identifier>& list, std::string_view name) {
  for (const auto& id : list) {
    if (id.text == name) return true;
  }
  return false;
}

class GraphBuilder {
 public:
  GraphBuilder(const sema::CheckedJourney& journey, JourneyGraph& graph)
      : journey_(journey), graph_(graph) {
    for (std::size_t i = 0; i < journey.stages.size(); ++i)
      index_[journey.stages[i]->name.text] = i;
    for (const auto* touchpoint : journey.touchpoints) {
      for (const auto& item : touchpoint->items) {
        if (item.kind == ast::TouchpointItemKind::Response)
          respondedEvents_.push_back(item.name.text);
      }
    }
  }

  void build(PersonaGraph& persona) {
    persona.outgoing.assign(graph_.stages.size(), {});
    persona.leavingEvents.assign(graph_.stages.size(), {});
    persona.leavesAnyInstant.assign(graph_.stages.size(), false);
    if (journey_.entry != nullptr) {
      for (auto [stage, chance] : targetsOf(journey_.entry->target))
        persona.entries.push_back(stage);
    }
    for (std::size_t stage = 0; stage < graph_.stages.size(); ++stage)
      addStageEdges(persona, stage);
    for (const auto* rule : journey_.rules)
      addRuleEdges(persona, *rule);
    for (std::size_t e = 0; e < persona.edges.size(); ++e)
      persona.outgoing[persona.edges[e].from].push_back(e);
  }

 private:
  std::optional<std::size_t> stageIndex(const ast::Identifier& name) const {
    auto it = index_.find(name.text);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }

  // Every stage a target can lead to, with the probability of leading there (kUnknownChance
  // when conditions decide). A branch whose probability is a constant 0 leads nowhere;
  // conditions are not evaluated: any branch may be taken.
  void addTargets(const ast::Target& target,
                  std::vector<std::pair<std::size_t, double>>& out) const {
    if (!target.isBlock) {
      if (auto stage = stageIndex(target.stage)) out.emplace_back(*stage, 1.0);
      return;
    }
    double sum = 0;
    bool known = true;
    for (const auto& branch : target.branches) {
      std::optional<double> p;
      if (branch.kind == ast::BranchKind::Chance) p = journey_.constant(branch.value.get());
      switch (branch.kind) {
        case ast::BranchKind::Chance:
          if (p && *p <= 0) break;
          known = known && p.has_value();
          sum += p.value_or(0);
          if (auto stage = stageIndex(branch.stage))
            out.emplace_back(*stage, p.value_or(kUnknownChance));
          break;
        case ast::BranchKind::Otherwise:
          if (auto stage = stageIndex(branch.stage))
            out.emplace_back(*stage, known ? std::max(0.0, 1 - sum) : kUnknownChance);
          break;
        case ast::BranchKind::If:
        case ast::BranchKind::Else:
          if (!branch.target) break;
          std::size_t first = out.size();
          addTargets(*branch.target, out);
          for (std::size_t i = first; i < out.size(); ++i)
            out[i].second = kUnknownChance;
          break;
      }
    }
  }

  // The stages a target can lead to.
  std::vector<std::pair<std::size_t, double>> targetsOf(const ast::Target& target) const {
    std::vector<std::pair<std::size_t, double>> out;
    addTargets(target, out);
    return out;
  }

  // A duration that is the same constant for every customer once folded: a constant, or a
  // distribution that cannot vary (`fixed(0d)`, `uniform(2d, 2d)`, `normal(1d, 0d)`).
  std::optional<double> constantDuration(const ast::Expr* e) const {
    if (e == nullptr) return std::nullopt;
    if (auto value = journey_.constant(e)) return value;
    // Sema keeps the folded values of whole places only, not of a call's arguments.
    if (e->kind == ast::ExprKind::Literal) return ast::as<ast::LiteralExpr>(*e).value;
    if (e->kind != ast::ExprKind::Call) return std::nullopt;
    const auto& call = ast::as<ast::CallExpr>(*e);
    // The argument for parameter `name`: named, or else at `position`.
    auto argument = [&](std::size_t position, std::string_view name) -> std::optional<double> {
      for (std::size_t i = 0; i < call.arguments.size(); ++i) {
        const auto& a = call.arguments[i];
        if (a.name ? a.name->text == name : i == position) return constantDuration(a.value.get());
      }
      return std::nullopt;
    };
    if (call.callee.text == "fixed") return argument(0, "value");
    if (call.callee.text == "uniform") {
      auto min = argument(0, "min");
      auto max = argument(1, "max");
      if (min && max && *min == *max) return min;
    }
    if (call.callee.text == "normal") {
      auto sd = argument(1, "sd");
      if (sd && *sd == 0) return argument(0, "mean");
    }
    return std::nullopt;
  }

  // The item of `kind` that applies to `persona`: its override, else the default.
  template <typename Match>
  std::vector<const ast::StageItem*> applicable(const ast::StageDecl& stage,
                                                const PersonaGraph& persona,
                                                ast::StageItemKind kind, Match sameGroup) const {
    std::vector<const ast::StageItem*> result;
    for (const auto& item : stage.items) {
      if (item.kind != kind || !names(item.personas, persona.persona->name.text)) continue;
      result.push_back(&item);
    }
    for (const auto& item : stage.items) {
      if (item.kind != kind || !item.personas.empty()) continue;
      bool overridden = false;
      for (const auto* chosen : result)
        overridden |= sameGroup(*chosen, item);
      if (!overridden) result.push_back(&item);
    }
    return result;
  }

  void addStageEdges(PersonaGraph& persona, std::size_t stage) {
    const ast::StageDecl& decl = *graph_.stages[stage];
    auto always = [](const ast::StageItem&, const ast::StageItem&) { return true; };
    for (const auto* item : applicable(decl, persona, ast::StageItemKind::After, always)) {
      if (!item->target) continue;
      auto delay = constantDuration(item->value.get());
      bool zero = delay && *delay <= 0;
      if (zero) persona.leavesAnyInstant[stage] = true;
      for (auto [to, chance] : targetsOf(*item->target))
        persona.edges.push_back({stage, to, EdgeKind::After, item->range, zero, chance});
    }
    auto sameEvent = [](const ast::StageItem& a, const ast::StageItem& b) {
      return a.event.text == b.event.text;
    };
    for (const auto* item : applicable(decl, persona, ast::StageItemKind::On, sameEvent)) {
      if (!item->target || !eventOccurs(item->event.text, persona, stage)) continue;
      persona.leavingEvents[stage].push_back(item->event.text);
      for (auto [to, chance] : targetsOf(*item->target))
        persona.edges.push_back({stage, to, EdgeKind::OnEvent, item->range, false, chance});
    }
  }

  const ast::EventDecl* event(std::string_view name) const {
    auto it = journey_.declarations.find(name);
    if (it == journey_.declarations.end() || it->second->kind != ast::DeclKind::Event)
      return nullptr;
    return &ast::as<ast::EventDecl>(*it->second);
  }

  // Whether customers of `persona` can emit `name` while in `stage`: it has a rate for them
  // (default or their own) and `stage` is among its stages, or some touchpoint's response
  // emits it.
  bool eventOccurs(std::string_view name, const PersonaGraph& persona, std::size_t stage) const {
    const ast::EventDecl* decl = event(name);
    if (decl == nullptr) return false;
    for (const auto& emitted : respondedEvents_) {
      if (emitted == name) return true;
    }
    bool hasRate = false;
    bool inStage = true;
    for (const auto& item : decl->items) {
      if (item.kind == ast::EventItemKind::Every &&
          (item.names.empty() || names(item.names, persona.persona->name.text))) {
        hasRate = true;
      }
      if (item.kind == ast::EventItemKind::In) inStage = names(item.names, graph_.name(stage));
    }
    return hasRate && inStage && !graph_.terminal(stage);
  }

  void addRuleEdges(PersonaGraph& persona, const ast::RuleDecl& rule) {
    const ast::Trigger* trigger = nullptr;
    const std::vector<ast::Identifier>* in = nullptr;
    bool forPersona = true;
    // The rule can only fire in the stages its conditions name with `in_stage(S)`.
    std::vector<std::string> inStage;
    for (const auto& item : rule.items) {
      if (item.kind == ast::RuleItemKind::On && item.trigger) {
        trigger = &*item.trigger;
        if (trigger->kind == ast::TriggerKind::Expr) collectInStage(trigger->value.get(), inStage);
      }
      if (item.kind == ast::RuleItemKind::If) collectInStage(item.value.get(), inStage);
      if (item.kind == ast::RuleItemKind::In) in = &item.names;
      if (item.kind == ast::RuleItemKind::For)
        forPersona = names(item.names, persona.persona->name.text);
    }
    if (trigger == nullptr || !forPersona) return;
    // Moves in `leave` rules are ignored (docs/semantics.md): the customer is already going.
    if (trigger->kind == ast::TriggerKind::Leave) return;
    std::string eventName;
    if (trigger->kind == ast::TriggerKind::Expr && trigger->value &&
        trigger->value->kind == ast::ExprKind::Name &&
        ast::as<ast::NameExpr>(*trigger->value).symbol == ast::SymbolKind::Event) {
      eventName = ast::as<ast::NameExpr>(*trigger->value).name.text;
    }
    // The stages the rule can fire in: its `in` list, narrowed by `enter S` and `in_stage(S)`;
    // all ordinary stages only when nothing narrows it (this keeps the graph linear in size).
    std::vector<std::size_t> scope;
    if (in != nullptr) {
      for (const auto& name : *in) {
        if (auto stage = stageIndex(name)) scope.push_back(*stage);
      }
    } else if (trigger->kind == ast::TriggerKind::Enter) {
      if (auto stage = stageIndex(trigger->stage)) scope.push_back(*stage);
    } else if (!inStage.empty()) {
      if (auto it = index_.find(inStage.front()); it != index_.end()) scope.push_back(it->second);
    } else {
      for (std::size_t stage = 0; stage < graph_.stages.size(); ++stage)
        scope.push_back(stage);
    }
    for (std::size_t stage : scope) {
      if (graph_.terminal(stage)) continue;
      bool excluded = false;
      for (const auto& name : inStage)
        excluded |= name != graph_.name(stage);
      if (excluded) continue;
      if (trigger->kind == ast::TriggerKind::Enter && trigger->stage.text != graph_.name(stage))
        continue;
      if (!eventName.empty() && !eventOccurs(eventName, persona, stage)) continue;
      if (!eventName.empty()) addEmissions(persona, rule, stage, eventName);
      bool waited = false;
      for (const auto& item : rule.items) {
        if (item.kind == ast::RuleItemKind::Wait || item.kind == ast::RuleItemKind::WaitFor)
          waited = true;
        if (item.kind != ast::RuleItemKind::Move || !item.target) continue;
        if (!eventName.empty()) {
          persona.leavingEvents[stage].push_back(eventName);
        } else if (trigger->kind == ast::TriggerKind::Expr) {
          persona.leavesAnyInstant[stage] = true;
        }
        // Conditions fire on becoming true: a loop through one needs it to turn false and true
        // again, which the checks cannot see; only `enter` rules count as instant.
        bool zero = !waited && trigger->kind == ast::TriggerKind::Enter;
        for (auto [to, chance] : targetsOf(*item.target))
          persona.edges.push_back({stage, to, EdgeKind::RuleMove, item.range, zero, chance});
      }
    }
  }

  // Whether an occurrence of `name` counts in `stage` (semantics 6.3.1): the event has no `in`
  // or lists the stage.
  bool eventAllowedIn(std::string_view name, std::size_t stage) const {
    const ast::EventDecl* decl = event(name);
    if (decl == nullptr || graph_.terminal(stage)) return false;
    for (const auto& item : decl->items) {
      if (item.kind == ast::EventItemKind::In && !names(item.names, graph_.name(stage)))
        return false;
    }
    return true;
  }

  const ast::TouchpointDecl* touchpoint(std::string_view name) const {
    auto it = journey_.declarations.find(name);
    if (it == journey_.declarations.end() || it->second->kind != ast::DeclKind::Touchpoint)
      return nullptr;
    return &ast::as<ast::TouchpointDecl>(*it->second);
  }

  // Whether a channel can hold a message back: a cap or quiet hours.
  bool channelHolds(std::string_view name) const {
    auto it = journey_.declarations.find(name);
    if (it == journey_.declarations.end() || it->second->kind != ast::DeclKind::Channel)
      return false;
    const auto& items = ast::as<ast::ChannelDecl>(*it->second).items;
    return std::any_of(items.begin(), items.end(), [](const ast::ChannelItem& item) {
      return item.kind != ast::ChannelItemKind::Cost;
    });
  }

  // The rule's sends, before its first `wait`, that emit an event at once in `stage`.
  void addEmissions(PersonaGraph& persona, const ast::RuleDecl& rule, std::size_t stage,
                    const std::string& event) const {
    for (const auto& item : rule.items) {
      // An `if` or a `cap` can hold the rule back: the checks cannot tell how often.
      if (item.kind == ast::RuleItemKind::If || item.kind == ast::RuleItemKind::Cap) return;
    }
    for (const auto& item : rule.items) {
      if (item.kind == ast::RuleItemKind::Wait || item.kind == ast::RuleItemKind::WaitFor ||
          item.kind == ast::RuleItemKind::Stop)
        return;
      if (item.kind != ast::RuleItemKind::Send) continue;
      const ast::TouchpointDecl* sent = touchpoint(item.name.text);
      if (sent == nullptr) continue;
      const ast::TouchpointItem* response = nullptr;
      bool held = false;
      for (const auto& tpItem : sent->items) {
        if (tpItem.kind == ast::TouchpointItemKind::Response) response = &tpItem;
        if (tpItem.kind == ast::TouchpointItemKind::Via) held = channelHolds(tpItem.name.text);
      }
      if (response == nullptr || held || !eventAllowedIn(response->name.text, stage)) continue;
      if (response->delay) {
        auto delay = constantDuration(response->delay.get());
        if (!delay || *delay > 0) continue;
      }
      auto chance = journey_.constant(response->value.get());
      if (!chance || *chance <= 0) continue;
      persona.emissions.push_back(
          {stage, event, response->name.text, &rule, sent, item.range, std::min(*chance, 1.0)});
    }
  }

  const sema::CheckedJourney& journey_;
  JourneyGraph& graph_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::string> respondedEvents_;
};

using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

template <typename Keep>
Components components(const JourneyGraph& graph, const PersonaGraph& persona, Keep keep) {
  BoostGraph g(graph.stages.size());
  for (const auto& edge : persona.edges) {
    if (keep(edge)) boost::add_edge(edge.from, edge.to, g);
  }
  Components result;
  result.component.resize(graph.stages.size());
  result.count = static_cast<std::size_t>(boost::strong_components(
      g, boost::make_iterator_property_map(result.component.begin(),
                                           boost::get(boost::vertex_index, g))));
  return result;
}

}  // namespace

void collectInStage(const ast::Expr* condition, std::vector<std::string>& stages) {
  if (condition == nullptr) return;
  if (condition->kind == ast::ExprKind::Binary) {
    const auto& binary = ast::as<ast::BinaryExpr>(*condition);
    if (binary.op == ast::BinaryOp::And) {
      collectInStage(binary.lhs.get(), stages);
      collectInStage(binary.rhs.get(), stages);
    }
    return;
  }
  if (condition->kind != ast::ExprKind::Call) return;
  const auto& call = ast::as<ast::CallExpr>(*condition);
  if (call.callee.text != "in_stage" || call.arguments.size() != 1 || !call.arguments[0].value ||
      call.arguments[0].value->kind != ast::ExprKind::Name) {
    return;
  }
  stages.push_back(ast::as<ast::NameExpr>(*call.arguments[0].value).name.text);
}

JourneyGraph buildGraph(const sema::CheckedJourney& journey) {
  JourneyGraph graph;
  graph.stages = journey.stages;
  GraphBuilder builder(journey, graph);
  for (const auto* persona : journey.personas) {
    PersonaGraph built;
    built.persona = persona;
    builder.build(built);
    graph.personas.push_back(std::move(built));
  }
  return graph;
}

Reachability reachableFromEntry(const JourneyGraph& graph, const PersonaGraph& persona) {
  Reachability reach;
  reach.reached.assign(graph.stages.size(), false);
  reach.parentEdge.assign(graph.stages.size(), kNoEdge);
  std::deque<std::size_t> queue;
  for (auto entry : persona.entries) {
    if (!reach.reached[entry]) {
      reach.reached[entry] = true;
      queue.push_back(entry);
    }
  }
  while (!queue.empty()) {
    std::size_t stage = queue.front();
    queue.pop_front();
    for (auto e : persona.outgoing[stage]) {
      std::size_t to = persona.edges[e].to;
      if (reach.reached[to]) continue;
      reach.reached[to] = true;
      reach.parentEdge[to] = e;
      queue.push_back(to);
    }
  }
  return reach;
}

std::vector<std::size_t> witnessPath(const PersonaGraph& persona, const Reachability& reach,
                                     std::size_t stage) {
  std::vector<std::size_t> path;
  if (!reach.reached[stage]) return path;
  for (std::size_t at = stage;; at = persona.edges[reach.parentEdge[at]].from) {
    path.push_back(at);
    if (reach.parentEdge[at] == kNoEdge) break;
  }
  return {path.rbegin(), path.rend()};
}

Components stronglyConnectedAll(const JourneyGraph& graph, const PersonaGraph& persona) {
  return components(graph, persona, [](const Edge&) { return true; });
}

Components stronglyConnectedZeroTime(const JourneyGraph& graph, const PersonaGraph& persona) {
  return components(graph, persona, [](const Edge& edge) { return edge.zeroTime; });
}

}  // namespace journey::checks

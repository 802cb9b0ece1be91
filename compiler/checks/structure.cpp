#include "compiler/checks/structure.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "compiler/sema/types.h"

namespace journey::checks {
using sema::joinNames;

namespace {

// At most this many stages on a witness path get a secondary location of their own.
constexpr std::size_t kMaxPathLabels = 8;

std::string pathText(const JourneyGraph& graph, const std::vector<std::size_t>& path) {
  std::string text;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (i > 0) text += " -> ";
    text += graph.name(path[i]);
  }
  return text;
}

// One finding about a stage (or a set of stages), gathered across the personas it affects.
struct Finding {
  std::vector<std::string> personas;
  /// The first affected persona's graph and witness path to the stage.
  const PersonaGraph* persona = nullptr;
  std::vector<std::size_t> path;
  std::vector<std::size_t> members;
  /// Zero-time loops: the chance that a customer in the first stage comes back to it at once,
  /// when the loop is one simple cycle of constant chances (negative when not known).
  double returnChance = -1;
};

void addPathLabels(Diagnostic& d, const JourneyGraph& graph, const PersonaGraph& persona,
                   const Reachability& reach, const std::vector<std::size_t>& path) {
  for (std::size_t i = 1; i < path.size() && i <= kMaxPathLabels; ++i) {
    std::size_t edge = reach.parentEdge[path[i]];
    if (edge == kNoEdge) continue;
    d.labels.push_back(
        {persona.edges[edge].where,
         fmt::format("from `{}` to `{}`", graph.name(path[i - 1]), graph.name(path[i]))});
  }
}

std::string whoReaches(const Finding& finding, const JourneyGraph& graph) {
  std::string who = finding.personas.size() == 1
                        ? fmt::format("a customer of `{}`", finding.personas.front())
                        : fmt::format("customers of {}", joinNames(finding.personas));
  bool one = finding.personas.size() == 1;
  if (finding.path.size() == 1) return fmt::format("{} {} there", who, one ? "starts" : "start");
  return fmt::format("{} {} it by {}", who, one ? "reaches" : "reach",
                     pathText(graph, finding.path));
}

// Journey-level touchpoints that no rule can send, and events that can never occur: no rate
// for any persona and no touchpoint response emits them, or all their stages are unreachable.
// Touchpoints and events of unreachable stages are covered by `unreachable-stage`.
void checkUnreachableTouchpointsAndEvents(const sema::CheckedJourney& journey,
                                          const JourneyGraph& graph,
                                          const std::vector<bool>& reachedByAnyone,
                                          DiagnosticSink& sink) {
  std::unordered_map<std::string_view, std::size_t> stageIndex;
  for (std::size_t s = 0; s < graph.stages.size(); ++s)
    stageIndex[graph.name(s)] = s;
  // A list of stage names is live when some customer reaches one of them (or it is absent:
  // everywhere).
  auto live = [&](const std::vector<ast::Identifier>* stages) {
    if (stages == nullptr || stages->empty()) return true;
    for (const auto& name : *stages) {
      auto it = stageIndex.find(name.text);
      if (it != stageIndex.end() && reachedByAnyone[it->second]) return true;
    }
    return false;
  };

  std::set<std::string_view> sent;
  for (const auto* rule : journey.rules) {
    const std::vector<ast::Identifier>* in = nullptr;
    for (const auto& item : rule->items) {
      if (item.kind == ast::RuleItemKind::In) in = &item.names;
    }
    if (!live(in)) continue;
    for (const auto& item : rule->items) {
      if (item.kind == ast::RuleItemKind::Send) sent.insert(item.name.text);
    }
  }
  std::set<std::string_view> emitted;
  for (const auto* touchpoint : journey.touchpoints) {
    for (const auto& item : touchpoint->items) {
      if (item.kind == ast::TouchpointItemKind::Response) emitted.insert(item.name.text);
    }
  }

  for (const auto* touchpoint : journey.touchpoints) {
    if (touchpoint->stage != nullptr || sent.count(touchpoint->name.text) > 0) continue;
    sink.report(DiagnosticKind::UnreachableTouchpoint, touchpoint->name.range,
                fmt::format("touchpoint `{}` is never sent: no rule that can run sends it",
                            touchpoint->name.text))
        .help = fmt::format(
        "send it from a rule (`send {}`), declare it in the stage where customers meet it, or "
        "remove it",
        touchpoint->name.text);
  }

  for (const auto* event : journey.events) {
    if (emitted.count(event->name.text) > 0) continue;
    bool hasRate = false;
    const std::vector<ast::Identifier>* in = nullptr;
    for (const auto& item : event->items) {
      if (item.kind == ast::EventItemKind::Every) hasRate = true;
      if (item.kind == ast::EventItemKind::In) in = &item.names;
    }
    if (!hasRate) {
      sink.report(DiagnosticKind::UnreachableEvent, event->name.range,
                  fmt::format("event `{}` never occurs: it has no `every` rate and no touchpoint "
                              "response emits it",
                              event->name.text))
          .help = fmt::format(
          "give it a rate (`every 7d`) or emit it from a touchpoint (`response 10% emits {}`)",
          event->name.text);
    } else if (!live(in)) {
      sink.report(DiagnosticKind::UnreachableEvent, event->name.range,
                  fmt::format("event `{}` never occurs: no customer reaches any of its stages",
                              event->name.text))
          .help = "check its `in` stages";
    }
  }
}

// The fix for a dead end: a transition to the journey's first exit once the horizon is
// reached, which lets customers leave without changing what happens within the horizon.
std::optional<Fix> exitTransition(const sema::CheckedJourney& journey,
                                  const ast::StageDecl& stage) {
  const ast::StageDecl* exit = nullptr;
  for (const auto* candidate : journey.stages) {
    if (candidate->stageKind == ast::StageKind::Exit) {
      exit = candidate;
      break;
    }
  }
  if (exit == nullptr || journey.horizon == nullptr || !journey.horizon->value ||
      journey.horizon->value->kind != ast::ExprKind::Literal)
    return std::nullopt;
  std::string transition = fmt::format(
      "after {} -> {}", ast::as<ast::LiteralExpr>(*journey.horizon->value).text, exit->name.text);
  SourceRange range = stage.range;
  if (!stage.hasBody) return Fix{{range.file, range.end, range.end}, " { " + transition + " }"};
  if (stage.items.empty()) {
    // Just after the opening brace of `stage X {}`.
    return Fix{{range.file, range.end - 1, range.end - 1}, " " + transition + " "};
  }
  std::uint32_t end = stage.items.back().range.end;
  bool inJourney = journey.journey != nullptr && stage.range.file == journey.journey->range.file;
  std::string indent(inJourney ? 4 : 2, ' ');
  return Fix{{range.file, end, end}, "\n" + indent + transition};
}

// Every persona's findings, gathered stage by stage across the personas they affect.
struct Findings {
  std::vector<bool> reachedByAnyone;
  std::map<std::size_t, Finding> deadEnds;
  // Keyed by the trap's first stage, as are zero-time cycles.
  std::map<std::size_t, Finding> traps;
  std::map<std::size_t, Finding> zeroTimeCycles;
  std::map<std::size_t, Finding> zeroTimeLoops;
  std::vector<std::string> neverConvert;
  std::vector<std::string> converts;
  /// One per persona, in the graph's order.
  std::vector<Reachability> reaches;

  const Reachability& reachOf(const JourneyGraph& graph, const PersonaGraph* persona) const {
    return reaches[static_cast<std::size_t>(persona - graph.personas.data())];
  }
};

// Adds the persona to the finding about `key`; the first persona found gives the witness path.
Finding& record(std::map<std::size_t, Finding>& findings, std::size_t key,
                std::vector<std::size_t> members, const PersonaGraph& persona,
                const Reachability& reach) {
  Finding& finding = findings[key];
  finding.personas.push_back(persona.persona->name.text);
  if (finding.persona == nullptr) {
    finding.persona = &persona;
    finding.path = witnessPath(persona, reach, key);
    finding.members = std::move(members);
  }
  return finding;
}

// Stages from which a goal or an exit can still be reached (backwards from terminals).
std::vector<bool> canFinishFrom(const JourneyGraph& graph, const PersonaGraph& persona) {
  std::size_t stageCount = graph.stages.size();
  std::vector<std::vector<std::size_t>> incoming(stageCount);
  for (std::size_t e = 0; e < persona.edges.size(); ++e)
    incoming[persona.edges[e].to].push_back(e);
  std::vector<bool> canFinish(stageCount, false);
  std::vector<std::size_t> stack;
  for (std::size_t s = 0; s < stageCount; ++s) {
    if (graph.terminal(s)) {
      canFinish[s] = true;
      stack.push_back(s);
    }
  }
  while (!stack.empty()) {
    std::size_t s = stack.back();
    stack.pop_back();
    for (auto e : incoming[s]) {
      std::size_t from = persona.edges[e].from;
      if (!canFinish[from]) {
        canFinish[from] = true;
        stack.push_back(from);
      }
    }
  }
  return canFinish;
}

// The stages of each component, in stage order.
std::vector<std::vector<std::size_t>> membersOf(const Components& components) {
  std::vector<std::vector<std::size_t>> members(components.count);
  for (std::size_t s = 0; s < components.component.size(); ++s)
    members[components.component[s]].push_back(s);
  return members;
}

// Dead ends: reachable ordinary stages with no way out at all.
void findDeadEnds(const JourneyGraph& graph, const PersonaGraph& persona, const Reachability& reach,
                  std::map<std::size_t, Finding>& deadEnds) {
  for (std::size_t s = 0; s < graph.stages.size(); ++s) {
    if (reach.reached[s] && !graph.terminal(s) && persona.outgoing[s].empty())
      record(deadEnds, s, {s}, persona, reach);
  }
}

// Traps: cycles of reachable stages from which no goal or exit can be reached.
void findTraps(const JourneyGraph& graph, const PersonaGraph& persona, const Reachability& reach,
               std::map<std::size_t, Finding>& traps) {
  std::vector<bool> canFinish = canFinishFrom(graph, persona);
  Components all = stronglyConnectedAll(graph, persona);
  for (const auto& component : membersOf(all)) {
    std::size_t first = component.front();
    if (!reach.reached[first] || canFinish[first] || graph.terminal(first)) continue;
    bool cyclic = component.size() > 1;
    for (auto e : persona.outgoing[first])
      cyclic |= persona.edges[e].to == first;
    if (!cyclic) continue;
    // Report the loop customers end up circling: one that no edge leaves.
    bool closed = true;
    for (auto s : component) {
      for (auto e : persona.outgoing[s])
        closed &= all.component[persona.edges[e].to] == all.component[first];
    }
    if (closed) record(traps, first, component, persona, reach);
  }
}

// Chances below this are rounding: a loop that leaves with no more is not left.
constexpr double kNoChance = 1e-9;

// The chance that a customer in `first` comes back to it at once, when the zero-time loop is
// one simple cycle whose instant moves are `after` transitions with constant chances: the
// product of the chances along it. Negative when not known.
double returnChance(const PersonaGraph& persona, const Components& zero,
                    const std::vector<std::size_t>& loop) {
  std::size_t component = zero.component[loop.front()];
  std::size_t at = loop.front();
  double chance = 1;
  for (std::size_t step = 0; step < loop.size(); ++step) {
    std::optional<std::size_t> next;
    double along = 0;
    for (auto e : persona.outgoing[at]) {
      const Edge& edge = persona.edges[e];
      if (!edge.zeroTime) continue;
      if (edge.kind != EdgeKind::After) return -1;
      if (zero.component[edge.to] != component) continue;
      if (edge.chance < 0 || (next && *next != edge.to)) return -1;
      next = edge.to;
      along += edge.chance;
    }
    if (!next) return -1;
    chance *= along;
    at = *next;
  }
  return at == loop.front() ? chance : -1;
}

// Zero-time loops: stages joined by moves that take no time. Customers who can leave the loop
// by a move that takes no time almost surely do (a warning); a loop with no such way out is
// circled forever (an error).
void findZeroTimeCycles(const JourneyGraph& graph, const PersonaGraph& persona,
                        const Reachability& reach, Findings& findings) {
  Components zero = stronglyConnectedZeroTime(graph, persona);
  for (const auto& component : membersOf(zero)) {
    std::size_t first = component.front();
    if (!reach.reached[first]) continue;
    bool cyclic = component.size() > 1;
    for (auto e : persona.outgoing[first]) {
      cyclic |= persona.edges[e].zeroTime && persona.edges[e].to == first;
    }
    if (!cyclic) continue;
    bool leaves = false;
    for (auto s : component) {
      for (auto e : persona.outgoing[s]) {
        const Edge& edge = persona.edges[e];
        bool out = zero.component[edge.to] != zero.component[first];
        leaves |= edge.zeroTime && out && (edge.chance < 0 || edge.chance > kNoChance);
      }
    }
    double back = returnChance(persona, zero, component);
    if (!leaves || back >= 1 - kNoChance) {
      record(findings.zeroTimeCycles, first, component, persona, reach);
      continue;
    }
    Finding& finding = record(findings.zeroTimeLoops, first, component, persona, reach);
    if (finding.persona == &persona) finding.returnChance = back;
  }
}

Findings findAcrossPersonas(const JourneyGraph& graph) {
  std::size_t stageCount = graph.stages.size();
  Findings findings;
  findings.reachedByAnyone.assign(stageCount, false);
  findings.reaches.reserve(graph.personas.size());
  for (const auto& persona : graph.personas) {
    findings.reaches.push_back(reachableFromEntry(graph, persona));
    const Reachability& reach = findings.reaches.back();
    bool reachesGoal = false;
    for (std::size_t s = 0; s < stageCount; ++s) {
      findings.reachedByAnyone[s] = findings.reachedByAnyone[s] || reach.reached[s];
      reachesGoal |= reach.reached[s] && graph.stages[s]->stageKind == ast::StageKind::Goal;
    }
    (reachesGoal ? findings.converts : findings.neverConvert).push_back(persona.persona->name.text);
    findDeadEnds(graph, persona, reach, findings.deadEnds);
    findTraps(graph, persona, reach, findings.traps);
    findZeroTimeCycles(graph, persona, reach, findings);
  }
  return findings;
}

void reportDeadEnds(const sema::CheckedJourney& journey, const JourneyGraph& graph,
                    const Findings& findings, DiagnosticSink& sink) {
  for (const auto& [stage, finding] : findings.deadEnds) {
    const ast::StageDecl& decl = *graph.stages[stage];
    Diagnostic& d =
        sink.report(DiagnosticKind::DeadEnd, decl.name.range,
                    fmt::format("customers can enter `{}` and never leave it", graph.name(stage)));
    d.notes.push_back(whoReaches(finding, graph) + " and can never leave");
    d.help = fmt::format(
        "add an `after` transition or a rule that moves customers on, or declare `{}` a `goal` or "
        "an `exit`",
        graph.name(stage));
    addPathLabels(d, graph, *finding.persona, findings.reachOf(graph, finding.persona),
                  finding.path);
    d.fix = exitTransition(journey, decl);
  }
}

std::vector<std::string> stageNames(const JourneyGraph& graph,
                                    const std::vector<std::size_t>& stages) {
  std::vector<std::string> names;
  names.reserve(stages.size());
  for (auto s : stages)
    names.push_back(graph.name(s));
  return names;
}

void reportTraps(const JourneyGraph& graph, const Findings& findings, DiagnosticSink& sink) {
  for (const auto& [first, finding] : findings.traps) {
    std::vector<std::string> names = stageNames(graph, finding.members);
    Diagnostic& d = sink.report(
        DiagnosticKind::Trap, graph.stages[first]->name.range,
        fmt::format("customers who reach {} can never reach a goal or an exit", joinNames(names)));
    d.notes.push_back(whoReaches(finding, graph) +
                      fmt::format(" and then {} only among {}",
                                  finding.personas.size() == 1 ? "moves" : "move",
                                  joinNames(names)));
    d.help =
        "give one of these stages a way out: a transition or a rule that leads to a goal or an "
        "exit";
    for (auto s : finding.members) {
      if (s != first)
        d.labels.push_back(
            {graph.stages[s]->name.range, fmt::format("`{}` is part of the loop", graph.name(s))});
    }
    addPathLabels(d, graph, *finding.persona, findings.reachOf(graph, finding.persona),
                  finding.path);
  }
}

// The instant moves that make the loop, as secondary locations.
void addLoopLabels(Diagnostic& d, const JourneyGraph& graph, const Finding& finding) {
  std::set<std::size_t> inLoop(finding.members.begin(), finding.members.end());
  for (const auto& edge : finding.persona->edges) {
    if (edge.zeroTime && inLoop.count(edge.from) > 0 && inLoop.count(edge.to) > 0) {
      d.labels.push_back({edge.where, fmt::format("`{}` -> `{}` takes no time",
                                                  graph.name(edge.from), graph.name(edge.to))});
    }
  }
}

void reportZeroTimeCycles(const JourneyGraph& graph, const Findings& findings,
                          DiagnosticSink& sink) {
  for (const auto& [first, finding] : findings.zeroTimeCycles) {
    std::vector<std::string> names = stageNames(graph, finding.members);
    Diagnostic& d = sink.report(
        DiagnosticKind::ZeroTimeCycle, graph.stages[first]->name.range,
        fmt::format("customers can loop through {} without any time passing", joinNames(names)));
    d.notes.push_back(whoReaches(finding, graph));
    d.help = "put a delay in the loop: a positive `after`, or a `wait` before the rule's `move`";
    addLoopLabels(d, graph, finding);
  }
}

void reportZeroTimeLoops(const JourneyGraph& graph, const Findings& findings,
                         DiagnosticSink& sink) {
  for (const auto& [first, finding] : findings.zeroTimeLoops) {
    std::vector<std::string> names = stageNames(graph, finding.members);
    Diagnostic& d =
        sink.report(DiagnosticKind::ZeroTimeLoop, graph.stages[first]->name.range,
                    fmt::format("customers can loop through {} without any time passing before "
                                "they leave the loop",
                                joinNames(names)));
    d.notes.push_back(whoReaches(finding, graph));
    if (finding.returnChance >= 0) {
      d.notes.push_back(fmt::format(
          "a customer in `{}` comes back to it at once with probability {}: {:.3g} rounds on "
          "average",
          graph.name(first), sema::formatPercent(finding.returnChance),
          1 / (1 - finding.returnChance)));
    } else {
      d.notes.push_back(
          "the loop has ways out that take no time: customers almost surely leave it");
    }
    d.help =
        "a customer who enters stages more than 1,000 times at one instant is stopped as "
        "looping; put a delay in the loop if going round should take time";
    addLoopLabels(d, graph, finding);
  }
}

// `noConversion`: the journey has goals and no persona reaches one.
void reportUnreachableStages(const JourneyGraph& graph, const Findings& findings, bool noConversion,
                             DiagnosticSink& sink) {
  for (std::size_t s = 0; s < graph.stages.size(); ++s) {
    if (findings.reachedByAnyone[s]) continue;
    // Unreachable goals are the subject of `goal-unreachable` when no goal can be reached.
    if (noConversion && graph.stages[s]->stageKind == ast::StageKind::Goal) continue;
    sink.report(DiagnosticKind::UnreachableStage, graph.stages[s]->name.range,
                fmt::format("no customer can reach stage `{}`", graph.name(s)))
        .help = "lead customers here from another stage or rule, or remove the stage";
  }
}

// No persona reaching a goal is one finding about the journey; otherwise each persona that
// never converts is one.
void reportGoalsNeverReached(const sema::CheckedJourney& journey, const JourneyGraph& graph,
                             const Findings& findings, bool noConversion, DiagnosticSink& sink) {
  if (noConversion) {
    Diagnostic& d = sink.report(DiagnosticKind::GoalUnreachable, journey.journey->name.range,
                                "no customer of any persona can reach a goal");
    d.help = "lead a transition or a rule into one of the goal stages";
    for (const auto* stage : graph.stages) {
      if (stage->stageKind == ast::StageKind::Goal) {
        d.labels.push_back(
            {stage->name.range, fmt::format("goal `{}` is never reached", stage->name.text)});
      }
    }
    return;
  }
  for (const auto& name : findings.neverConvert) {
    const ast::PersonaDecl* persona = journey.persona(name);
    sink.report(DiagnosticKind::PersonaNeverConverts, persona->name.range,
                fmt::format("customers of `{}` can never reach a goal", name))
        .help = "check the transitions and `for` overrides that apply to this persona";
  }
}

}  // namespace

void checkStructure(const sema::CheckedJourney& journey, const JourneyGraph& graph,
                    DiagnosticSink& sink) {
  Findings findings = findAcrossPersonas(graph);
  reportDeadEnds(journey, graph, findings, sink);
  reportTraps(graph, findings, sink);
  reportZeroTimeCycles(graph, findings, sink);
  reportZeroTimeLoops(graph, findings, sink);
  checkUnreachableTouchpointsAndEvents(journey, graph, findings.reachedByAnyone, sink);
  bool anyGoal = false;
  for (const auto* stage : graph.stages)
    anyGoal |= stage->stageKind == ast::StageKind::Goal;
  bool noConversion = anyGoal && findings.converts.empty();
  reportUnreachableStages(graph, findings, noConversion, sink);
  if (anyGoal) reportGoalsNeverReached(journey, graph, findings, noConversion, sink);
}

}  // namespace journey::checks

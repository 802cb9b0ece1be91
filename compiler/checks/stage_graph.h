// The journey as graphs of stages, one per persona: which stage a customer of that persona can
// move to from which, and by what (a transition, an event, a rule). The checks run on these.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "compiler/sema/sema.h"

namespace journey::checks {

enum class EdgeKind {
  /// A stage's `after D -> ...` transition.
  After,
  /// A stage's `on EVENT -> ...` transition.
  OnEvent,
  /// A rule's `move` action.
  RuleMove,
};

/// An edge's chance when conditions decide it.
inline constexpr double kUnknownChance = -1;

struct Edge {
  std::size_t from;
  std::size_t to;
  EdgeKind kind;
  /// The transition or `move` that makes the move, for witnesses.
  SourceRange where;
  /// True when the move can happen without any time passing (an `after` whose delay is 0 for
  /// every customer, or a rule that moves on entering a stage without waiting first).
  bool zeroTime = false;
  /// The probability that the transition or move, once made, leads along this edge: known for
  /// a single stage and for constant chances, negative (kUnknownChance) when conditions decide.
  double chance = kUnknownChance;
};

/// Occurrences of event `from` in `stage` that set off occurrences of `to` in the same stage
/// without any time passing: a rule triggered by `from` sends, before any `wait`, a touchpoint
/// whose response emits `to` with no delay. Only sends nothing can hold back count (no `if` or
/// `cap` on the rule, no cap or quiet hours on the channel), with a constant response chance.
struct InstantEmission {
  std::size_t stage;
  std::string from, to;
  const ast::RuleDecl* rule;
  const ast::TouchpointDecl* touchpoint;
  /// The `send`.
  SourceRange where;
  double chance;
};

/// What customers of one persona can do.
struct PersonaGraph {
  const ast::PersonaDecl* persona = nullptr;
  /// Stages the entry can put them in.
  std::vector<std::size_t> entries;
  std::vector<Edge> edges;
  /// Adjacency: indices into `edges` leaving each stage.
  std::vector<std::vector<std::size_t>> outgoing;
  std::vector<InstantEmission> emissions;
  /// Per stage, the events whose occurrences there can move the customer out (a stage's `on E`
  /// transition or an `on E` rule's `move`), and whether anything else can move a customer out
  /// at the instant of an occurrence (an `after` that takes no time, a condition rule's `move`).
  std::vector<std::vector<std::string>> leavingEvents;
  std::vector<bool> leavesAnyInstant;
};

struct JourneyGraph {
  /// Stages by index; the index is the position in CheckedJourney::stages.
  std::vector<const ast::StageDecl*> stages;
  std::vector<PersonaGraph> personas;

  bool terminal(std::size_t stage) const {
    return stages[stage]->stageKind != ast::StageKind::Ordinary;
  }
  const std::string& name(std::size_t stage) const { return stages[stage]->name.text; }
};

JourneyGraph buildGraph(const sema::CheckedJourney& journey);

/// Appends the stages a condition restricts a rule or trigger to: those named by `in_stage(S)`
/// in its top-level `and`, in source order.
void collectInStage(const ast::Expr* condition, std::vector<std::string>& stages);

/// Shortest paths from the persona's entries: `parentEdge[s]` is the edge that first reaches
/// stage s (npos for entries and unreachable stages), `reached[s]` whether s is reachable.
struct Reachability {
  std::vector<bool> reached;
  std::vector<std::size_t> parentEdge;
};

inline constexpr std::size_t kNoEdge = static_cast<std::size_t>(-1);

Reachability reachableFromEntry(const JourneyGraph& graph, const PersonaGraph& persona);

/// The stages from an entry to `stage`, along the shortest path; empty when unreachable.
std::vector<std::size_t> witnessPath(const PersonaGraph& persona, const Reachability& reach,
                                     std::size_t stage);

/// Strongly connected components of the persona's graph (Boost.Graph); `component[s]` is the
/// component of stage s. Only edges for which `keep` is true count.
struct Components {
  std::vector<std::size_t> component;
  std::size_t count = 0;
};

Components stronglyConnectedAll(const JourneyGraph& graph, const PersonaGraph& persona);
Components stronglyConnectedZeroTime(const JourneyGraph& graph, const PersonaGraph& persona);

}  // namespace journey::checks

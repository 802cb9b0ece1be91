// The journey map: a picture-neutral model of a checked journey (stages in journey order with
// their touchpoints and emotion, transitions with probability and delay, rules from their
// trigger, the checks' findings), and its renderers: Graphviz DOT and Mermaid. `journey graph`
// prints it; see docs/graph.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/sema/sema.h"
#include "compiler/source/source.h"

namespace journey::map {

/// A diagnostic as the map shows it: next to the stage or rule it is about, else in a box.
struct Finding {
  std::string code;
  Severity severity = Severity::Warning;
  /// The diagnostic's message without its backticks: a picture is not a terminal.
  std::string message;
  std::uint32_t line = 0;
};

struct Touchpoint {
  std::string name;
  /// The display string, else the name.
  std::string label;
  std::string channel;
  /// The constant emotion of a delivery; computed emotions are in `emotionText`.
  std::optional<double> emotion;
  std::string emotionText;
};

struct Stage {
  std::string name;
  /// The display string, else the name.
  std::string label;
  ast::StageKind kind = ast::StageKind::Ordinary;
  /// Written `milestone`: an ordinary stage that reports count as reaching a milestone.
  bool milestone = false;
  /// The entry can put customers here.
  bool entry = false;
  /// Some customer of the map's personas can get here.
  bool reached = true;
  std::vector<Touchpoint> touchpoints;
  /// Sum of the constant emotions of the touchpoints delivered on entry; nullopt when none has
  /// an emotion.
  std::optional<double> emotion;
  std::vector<Finding> findings;
};

enum class EdgeKind {
  /// From the start to the entry stages.
  Entry,
  /// A stage's `after D -> ...`.
  After,
  /// A stage's `on EVENT -> ...`.
  OnEvent,
  /// A rule: from its trigger (a stage for `enter`/`leave`, a trigger node otherwise) to the
  /// stage it moves customers to or acts in. Drawn dashed.
  Rule,
};

/// A trigger of rules that is not a stage: an event, `after D`, `inactive D` or a condition.
struct Trigger {
  /// Node id, unique in the map: `rule:NAME` or `event:NAME`, never a stage's name (names have
  /// no ':').
  std::string id;
  std::string label;
  enum class Kind { Event, Time, Condition } kind = Kind::Event;
};

struct Edge {
  EdgeKind kind = EdgeKind::After;
  /// Stage names, `start`-less: Entry edges have an empty `from`; Rule edges may start at a
  /// trigger node's id.
  std::string from;
  std::string to;
  /// What makes the move: "after exp 10d", "on demo_requested", "on enter".
  std::string trigger;
  /// One line per branch that leads here ("30%", "if has_it_team: 55%"), or per rule for a
  /// rule edge ("Escalate: send ManagerCall, stop").
  std::vector<std::string> lines;
  /// Personas the edge is for, when not everyone's ("Enterprise"); empty when a persona was
  /// chosen for the map.
  std::string personas;
  std::vector<Finding> findings;
};

struct JourneyMap {
  std::string name;
  /// The journey's display string, else its name.
  std::string title;
  /// "horizon 2y · SmallBiz 75% · Enterprise 25%", or "persona Enterprise · horizon 2y".
  std::string subtitle;
  /// The persona the map is drawn for; empty for all personas.
  std::string persona;
  /// In journey order: breadth first from the entry, then stages no customer reaches.
  std::vector<Stage> stages;
  std::vector<Trigger> triggers;
  std::vector<Edge> edges;
  /// Findings about neither a stage nor a drawn rule (unused declarations, ...).
  std::vector<Finding> findings;
};

struct MapOptions {
  /// Draw the map for this persona only: its transitions (overrides applied), its rules and
  /// the stages it reaches. Null for everyone, with persona-specific items labelled.
  const ast::PersonaDecl* persona = nullptr;
};

/// Builds the map of a journey that analysed without language errors. `findings` are the
/// diagnostics to show (warnings and errors of the journey checks), in any order.
JourneyMap buildMap(const sema::CheckedJourney& journey, const SourceManager& sources,
                    const std::vector<const Diagnostic*>& findings, const MapOptions& options = {});

/// Graphviz DOT, left to right, stages as HTML-like tables.
std::string renderDot(const JourneyMap& map);

/// A Mermaid `flowchart LR` for Markdown.
std::string renderMermaid(const JourneyMap& map);

/// Helpers shared by the renderers and tests.
std::string formatDuration(double seconds);
std::string formatPercent(double fraction);

}  // namespace journey::map

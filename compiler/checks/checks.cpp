#include "compiler/checks/checks.h"

#include "compiler/checks/event_loops.h"
#include "compiler/checks/rules.h"
#include "compiler/checks/stage_graph.h"
#include "compiler/checks/structure.h"
#include "compiler/checks/unused.h"

namespace journey::checks {

void runChecks(const sema::CheckedJourney& journey, DiagnosticSink& sink) {
  if (journey.journey == nullptr || journey.stages.empty() || journey.personas.empty()) return;
  JourneyGraph graph = buildGraph(journey);
  checkStructure(journey, graph, sink);
  checkEventLoops(graph, sink);
  checkRulesAndDeclarations(journey, graph, sink);
  checkUnused(journey, sink);
}

}  // namespace journey::checks

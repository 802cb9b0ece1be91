// Loops of events that take no time: an occurrence sets off a rule whose message's response
// emits, at once, an event that sets the rule off again.
#pragma once

#include "compiler/checks/stage_graph.h"
#include "compiler/diagnostics/diagnostic.h"

namespace journey::checks {

void checkEventLoops(const JourneyGraph& graph, DiagnosticSink& sink);

}  // namespace journey::checks

// Structural checks on the stage graphs: dead ends, traps, unreachable stages and goals,
// zero-time cycles.
#pragma once

#include "compiler/checks/stage_graph.h"
#include "compiler/diagnostics/diagnostic.h"

namespace journey::checks {

void checkStructure(const sema::CheckedJourney& journey, const JourneyGraph& graph,
                    DiagnosticSink& sink);

}  // namespace journey::checks

// Checks on rules, branches and declarations: waits without a time limit, rules that can
// never run, conditional branches with gaps or overlaps, rules that race or shadow each other. See
// docs/checks.md.
#pragma once

#include "compiler/checks/intervals.h"
#include "compiler/checks/stage_graph.h"
#include "compiler/diagnostics/diagnostic.h"

namespace journey::checks {

/// `wait-without-timeout`, `impossible-rule`, `conflicting-rules`, `shadowed-rule`.
void checkRules(const sema::CheckedJourney& journey, const JourneyGraph& graph,
                const Evaluator& evaluator, DiagnosticSink& sink);

/// `split-gap`, `split-overlap`.
void checkSplits(const sema::CheckedJourney& journey, const Evaluator& evaluator,
                 DiagnosticSink& sink);

/// Runs all of the above.
void checkRulesAndDeclarations(const sema::CheckedJourney& journey, const JourneyGraph& graph,
                               DiagnosticSink& sink);

}  // namespace journey::checks

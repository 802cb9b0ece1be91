// Journey verification: defects in a journey that type-checks (dead ends, traps, unreachable
// stages and goals, zero-time cycles, ...). Runs on a CheckedJourney without errors; every
// finding is a diagnostic with a stable code, a witness path where one exists, and secondary
// locations on the stages along it. See docs/checks.md.
#pragma once

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/sema/sema.h"

namespace journey::checks {

/// Runs every check on `journey` and reports findings to `sink`.
void runChecks(const sema::CheckedJourney& journey, DiagnosticSink& sink);

}  // namespace journey::checks

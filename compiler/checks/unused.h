// `unused-param`, `unused-var`, `unused-attribute`, `unused-channel`: declarations of the
// journey file that nothing reads.
#pragma once

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/sema/sema.h"

namespace journey::checks {

void checkUnused(const sema::CheckedJourney& journey, DiagnosticSink& sink);

}  // namespace journey::checks

// Checks a machine before anything runs it: every index in range, every expression's code
// well-formed (stack depths, forward jumps), every table the size the others imply. A machine
// from a file or a foreign producer must pass this; the engine then trusts it.
#pragma once

#include <string>
#include <vector>

#include "runtime/machine.h"

namespace journey::rt {

/// The problems found, in plain sentences; empty when the machine is well-formed.
std::vector<std::string> verify(const Machine& machine);

}  // namespace journey::rt

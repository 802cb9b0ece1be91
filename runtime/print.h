// A readable listing of a machine (`journey dump --stage=machine`).
#pragma once

#include <string>

#include "runtime/machine.h"

namespace journey::rt {

std::string print(const Machine& machine);
/// One expression, as infix text rebuilt from its code (`(seats * 25) > 100`).
std::string printExpr(const Machine& machine, ExprId id);

}  // namespace journey::rt

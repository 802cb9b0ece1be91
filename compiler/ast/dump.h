// `journey dump --stage=ast`: the AST as indented text, one node per line with its location.
#pragma once

#include <ostream>

#include "compiler/ast/ast.h"
#include "compiler/source/source.h"

namespace journey::ast {

void dump(std::ostream& out, const Module& module, const SourceManager& sources);

}  // namespace journey::ast

// The canonical layout of `.journey` files (`journey fmt`).
#pragma once

#include <string>

#include "compiler/ast/ast.h"
#include "compiler/source/source.h"

namespace journey::format {

/// Prints `module` in canonical layout, keeping every comment. `module` must have parsed
/// without syntax errors; `file` is its source, used to place comments and blank lines.
/// Idempotent: formatting the result again gives the same text.
std::string formatModule(const ast::Module& module, const SourceFile& file);

}  // namespace journey::format

// Incremental parsing for the editor: after an edit, only the declarations the edit touches
// are parsed again; the others are moved over from the previous tree with their ranges
// shifted. ANTLR parsing is most of the cost of checking a large journey (bench/README.md), so
// this is what keeps diagnostics fast on a 10,000-stage document.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "compiler/ast/ast.h"
#include "compiler/source/source.h"

namespace journey::lsp {

/// Builds the module for `file` (the edited text) from `previous`, the module of the same file
/// before the edit (its text `previousText`), which must have parsed without any diagnostic.
/// Parses only the declarations the edit touched; the new ones must parse without any
/// diagnostic either. Moves the other declarations out of `previous` (their slots become null):
/// it must not be analysed again. Returns null, with `previous` untouched, when that is not
/// possible: the edit is outside the journey's declarations, the new declarations have syntax
/// or lexical problems, or the file is a library. The caller then parses the whole file.
std::unique_ptr<ast::Module> reparse(ast::Module& previous, std::string_view previousText,
                                     const SourceFile& file);

/// Moves every range in `decl` by `delta` bytes and clears what semantic analysis wrote
/// (types, resolved names), so that the declaration can be analysed again.
void shiftAndReset(ast::Decl& decl, std::int64_t delta);

}  // namespace journey::lsp

// Parsing: source text to AST. The only module that sees ANTLR or its generated code.
#pragma once

#include <memory>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/source/source.h"

namespace journey::parse {

/// Limits that keep hostile input from exhausting the stack or memory.
inline constexpr std::size_t kMaxNesting = 256;
inline constexpr std::size_t kMaxFileBytes = 64u << 20;

/// Parses a whole file. Every problem goes to `sink`; the module is always returned, with
/// `hasSyntaxErrors` set when parts of it had to be skipped.
std::unique_ptr<ast::Module> parseFile(const SourceFile& file, DiagnosticSink& sink);

/// Parses a lone expression, e.g. the value of `--set discount=15%`. Returns null after
/// reporting to `sink` when it is not one.
ast::ExprPtr parseExpression(const SourceFile& file, DiagnosticSink& sink);

}  // namespace journey::parse

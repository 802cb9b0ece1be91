#include "compiler/sema/sema.h"
namespace journey::sema {
const ast::StageDecl* CheckedJourney::stage(std::string_view) const { return nullptr; }
const ast::PersonaDecl* CheckedJourney::persona(std::string_view) const { return nullptr; }
std::unique_ptr<CheckedJourney> analyze(const std::vector<ast::Module*>&, DiagnosticSink&) { return std::make_unique<CheckedJourney>(); }
std::optional<double> checkOverride(const CheckedJourney&, std::string_view, ast::Expr&, DiagnosticSink&) { return std::nullopt; }
}

#include "compiler/sema/sema.h"

#include <fmt/format.h>

#include "compiler/sema/analyzer.h"
#include "compiler/sema/types.h"

namespace journey::sema {

const ast::StageDecl* CheckedJourney::stage(std::string_view name) const {
  auto it = declarations.find(name);
  if (it == declarations.end() || it->second->kind != ast::DeclKind::Stage) return nullptr;
  return &ast::as<ast::StageDecl>(*it->second);
}

const ast::PersonaDecl* CheckedJourney::persona(std::string_view name) const {
  auto it = declarations.find(name);
  if (it == declarations.end() || it->second->kind != ast::DeclKind::Persona) return nullptr;
  return &ast::as<ast::PersonaDecl>(*it->second);
}

const ast::ValueDecl* CheckedJourney::param(std::string_view name) const {
  auto it = declarations.find(name);
  if (it == declarations.end() || it->second->kind != ast::DeclKind::Param) return nullptr;
  return &ast::as<ast::ValueDecl>(*it->second);
}

const Attribute* CheckedJourney::attribute(std::string_view name) const {
  for (const auto& attribute : attributes) {
    if (attribute.name == name) return &attribute;
  }
  return nullptr;
}

std::optional<double> CheckedJourney::constant(const ast::Expr* expr) const {
  auto it = constants.find(expr);
  if (it == constants.end()) return std::nullopt;
  return it->second;
}

std::unique_ptr<CheckedJourney> analyze(const std::vector<ast::Module*>& modules,
                                        DiagnosticSink& sink, const SourceManager* sources) {
  auto journey = std::make_unique<CheckedJourney>();
  Analyzer analyzer(*journey, journey.get(), sink);
  analyzer.sources_ = sources;
  analyzer.run(modules);
  return journey;
}

void Analyzer::loadFinished() {
  for (const auto& [name, decl] : j_.declarations) {
    NameKind kind = NameKind::Rule;
    switch (decl->kind) {
      case ast::DeclKind::Param:
        kind = NameKind::Param;
        break;
      case ast::DeclKind::Var:
        kind = NameKind::Var;
        break;
      case ast::DeclKind::Persona:
        kind = NameKind::Persona;
        break;
      case ast::DeclKind::Stage:
        kind = NameKind::Stage;
        break;
      case ast::DeclKind::Touchpoint:
        kind = NameKind::Touchpoint;
        break;
      case ast::DeclKind::Channel:
        kind = NameKind::Channel;
        break;
      case ast::DeclKind::Event:
        kind = NameKind::Event;
        break;
      default:
        break;
    }
    const auto& named = static_cast<const ast::NamedDecl&>(*decl);
    names_.insert_or_assign(std::string_view(name), Symbol{kind, decl, name, named.name.range});
  }
  for (std::size_t i = 0; i < j_.attributes.size(); ++i)
    attributes_[j_.attributes[i].name].index = i;
  for (std::size_t i = 0; i < j_.personas.size(); ++i)
    personaIndex_.emplace(j_.personas[i], i);
}

std::optional<double> Analyzer::checkOverride(std::string_view name, ast::Expr& value) {
  const Symbol* symbol = lookup(name);
  if (symbol == nullptr || symbol->decl == nullptr) {
    Diagnostic& d =
        report(DiagnosticKind::UnknownName, value.range, fmt::format("unknown param `{}`", name));
    if (auto suggestion = suggest(name, bit(NameKind::Param), false)) {
      d.help = fmt::format("did you mean `{}`?", *suggestion);
    } else if (j_.params.empty()) {
      d.help = "this journey declares no params";
    }
    return std::nullopt;
  }
  if (symbol->kind != NameKind::Param) {
    Diagnostic& d = report(DiagnosticKind::WrongKindOfName, value.range,
                           fmt::format("`{}` is {}, not a param", name, describe(*symbol)));
    if (symbol->range.valid())
      d.labels.push_back({symbol->range, fmt::format("`{}` is declared here", name)});
    d.help = "only params can be set with `--set`";
    return std::nullopt;
  }
  const auto& param = ast::as<ast::ValueDecl>(*symbol->decl);
  if (!param.value) return std::nullopt;
  ast::TypeKind expected = param.value->type.kind;
  Place place;
  place.customer = false;
  place.what = "a `--set` value";
  place.constantHelp =
      "an override is fixed before the simulation starts: use a literal or other params";
  Folded folded = check(&value, place);
  if (!folded.ok()) return std::nullopt;
  // A param whose own value had errors has no type to check against.
  if (expected == ast::TypeKind::Error || expected == ast::TypeKind::Unknown) return std::nullopt;
  if (folded.type.kind != expected) {
    Diagnostic& d = report(
        DiagnosticKind::TypeMismatch, value.range,
        fmt::format("expected `{}`, found `{}`", typeName(expected), typeName(folded.type.kind)));
    d.notes.push_back(fmt::format("param `{}` is `{}`", name, typeName(expected)));
    if (folded.type.kind == ast::TypeKind::Number && value.kind == ast::ExprKind::Literal) {
      const auto& text = ast::as<ast::LiteralExpr>(value).text;
      if (expected == ast::TypeKind::Duration)
        d.help = fmt::format("durations need a unit, e.g. `{}d`", text);
      if (expected == ast::TypeKind::Money) {
        d.help = fmt::format("money needs a currency, e.g. `{} {}`", text,
                             j_.currency.empty() ? "USD" : j_.currency);
      }
    }
    return std::nullopt;
  }
  if (!folded.constant) return std::nullopt;
  return folded.type.kind == ast::TypeKind::String ? 0.0 : folded.value;
}

std::optional<double> checkOverride(const CheckedJourney& journey, std::string_view name,
                                    ast::Expr& value, DiagnosticSink& sink) {
  Analyzer analyzer(journey, nullptr, sink);
  analyzer.loadFinished();
  return analyzer.checkOverride(name, value);
}

}  // namespace journey::sema

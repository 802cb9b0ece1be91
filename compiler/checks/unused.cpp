// `unused-param`, `unused-var`, `unused-attribute`, `unused-channel`: declarations of the
// journey file that nothing reads. Declarations in files brought in by `use` are shared by
// several journeys and are not reported.
#include "compiler/checks/unused.h"

#include <fmt/format.h>

#include <set>
#include <unordered_map>

#include "compiler/ast/walk.h"

namespace journey::checks {
namespace {

class ReadCollector {
 public:
  std::set<std::string> params, vars, attributes;

  void collect(const sema::CheckedJourney& journey) {
    if (journey.horizon != nullptr) decl(*journey.horizon);
    if (journey.entry != nullptr) decl(*journey.entry);
    for (const auto* p : journey.params)
      decl(*p);
    for (const auto* v : journey.vars)
      decl(*v);
    for (const auto& channel : journey.channels) {
      if (channel.declaration != nullptr) decl(*channel.declaration);
    }
    for (const auto* persona : journey.personas)
      decl(*persona);
    // A stage's own touchpoints are read with the stage.
    for (const auto* stage : journey.stages)
      decl(*stage);
    for (const auto* t : journey.touchpoints) {
      if (t->stage == nullptr) decl(*t);
    }
    for (const auto* event : journey.events)
      decl(*event);
    for (const auto* rule : journey.rules)
      decl(*rule);
    for (const auto* kpi : journey.kpis)
      decl(*kpi);
    if (journey.discount != nullptr) decl(*journey.discount);
  }

 private:
  void decl(const ast::Decl& d) {
    ast::forEachExpr(
        d, [&](const ast::Expr& root) { ast::walk(root, [&](const ast::Expr& e) { read(e); }); });
  }

  void read(const ast::Expr& e) {
    if (e.kind != ast::ExprKind::Name) return;
    const auto& name = ast::as<ast::NameExpr>(e);
    if (name.symbol == ast::SymbolKind::Param) params.insert(name.name.text);
    if (name.symbol == ast::SymbolKind::Var) vars.insert(name.name.text);
    if (name.symbol == ast::SymbolKind::Attribute) attributes.insert(name.name.text);
  }
};

}  // namespace

void checkUnused(const sema::CheckedJourney& journey, DiagnosticSink& sink) {
  if (journey.journey == nullptr) return;
  FileId root = journey.journey->range.file;
  ReadCollector reads;
  reads.collect(journey);

  for (const auto* param : journey.params) {
    if (param->range.file != root || reads.params.count(param->name.text) > 0) continue;
    sink.report(DiagnosticKind::UnusedParam, param->name.range,
                fmt::format("param `{}` is declared but never read", param->name.text))
        .help = "read it where it matters, or remove it";
  }

  std::unordered_map<std::string, std::vector<SourceRange>> sets;
  for (const auto* rule : journey.rules) {
    for (const auto& item : rule->items) {
      if (item.kind == ast::RuleItemKind::Set) sets[item.name.text].push_back(item.name.range);
    }
  }
  for (const auto* var : journey.vars) {
    if (var->range.file != root || reads.vars.count(var->name.text) > 0) continue;
    auto it = sets.find(var->name.text);
    bool isSet = it != sets.end();
    Diagnostic& d =
        sink.report(DiagnosticKind::UnusedVar, var->name.range,
                    isSet ? fmt::format("var `{}` is set but never read", var->name.text)
                          : fmt::format("var `{}` is declared but never read", var->name.text));
    if (isSet) {
      for (const auto& range : it->second)
        d.labels.push_back({range, "set here"});
    }
    d.help = "read it in a condition or a value, or remove it and its `set` actions";
  }

  for (const auto& attribute : journey.attributes) {
    if (reads.attributes.count(attribute.name) > 0 || attribute.definitions.empty()) continue;
    const ast::PersonaItem* first = nullptr;
    for (const auto* definition : attribute.definitions) {
      if (definition->range.file == root) {
        first = definition;
        break;
      }
    }
    if (first == nullptr) continue;
    Diagnostic& d =
        sink.report(DiagnosticKind::UnusedAttribute, first->name.range,
                    fmt::format("attribute `{}` is defined but never read", attribute.name));
    for (const auto* definition : attribute.definitions) {
      if (definition != first) d.labels.push_back({definition->name.range, "also defined here"});
    }
    d.help = "read it in a condition or a value, or remove it from the personas";
  }

  std::set<std::string> via;
  for (const auto* touchpoint : journey.touchpoints) {
    for (const auto& item : touchpoint->items) {
      if (item.kind == ast::TouchpointItemKind::Via) via.insert(item.name.text);
    }
  }
  for (const auto& channel : journey.channels) {
    if (channel.declaration == nullptr || channel.declaration->range.file != root ||
        via.count(channel.name) > 0)
      continue;
    sink.report(DiagnosticKind::UnusedChannel, channel.declaration->name.range,
                fmt::format("channel `{}` is declared but no touchpoint goes via it", channel.name))
        .help = "send a touchpoint via it, or remove the declaration";
  }
}

}  // namespace journey::checks

#include <cctype>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "lsp/features.h"
#include "lsp/protocol.h"

namespace journey::lsp {
namespace {

int lspSymbolKind(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::Journey:
      return 2;  // Module
    case SymbolKind::Stage:
    case SymbolKind::Milestone:
    case SymbolKind::Goal:
    case SymbolKind::Exit:
      return 5;  // Class
    case SymbolKind::Persona:
      return 23;  // Struct
    case SymbolKind::Channel:
      return 11;  // Interface
    case SymbolKind::Touchpoint:
      return 6;  // Method
    case SymbolKind::Event:
      return 24;  // Event
    case SymbolKind::Rule:
      return 12;  // Function
    case SymbolKind::Param:
      return 14;  // Constant
    case SymbolKind::Var:
      return 13;  // Variable
    case SymbolKind::Kpi:
      return 16;  // Number
    case SymbolKind::Attribute:
      return 7;  // Property
    case SymbolKind::Field:
      return 8;  // Field
  }
  return 13;
}

Json documentSymbol(const Analysis& a, const std::string& name, SymbolKind kind,
                    const std::string& detail, SourceRange range, SourceRange selection) {
  Json result = {{"name", name},
                 {"kind", lspSymbolKind(kind)},
                 {"range", toJson(a.range(range))},
                 {"selectionRange", toJson(a.range(selection))},
                 {"children", Json::array()}};
  std::string text = std::string(kindName(kind));
  if (!detail.empty()) text += " “" + detail + "”";
  result["detail"] = text;
  return result;
}

std::optional<Json> declSymbol(const Analysis& a, const ast::Decl& decl) {
  auto kind = declaredKind(decl);
  if (!kind) return std::nullopt;
  const auto& named = ast::as<ast::NamedDecl>(decl);
  if (named.name.text.empty() || !named.name.range.valid()) return std::nullopt;
  Json children = Json::array();
  switch (decl.kind) {
    case ast::DeclKind::Persona:
      for (const auto& item : ast::as<ast::PersonaDecl>(decl).items) {
        if (item.kind == ast::PersonaItemKind::Attribute && !item.name.text.empty())
          children.push_back(documentSymbol(a, item.name.text, SymbolKind::Attribute, "",
                                            item.range, item.name.range));
      }
      break;
    case ast::DeclKind::Stage:
      for (const auto& item : ast::as<ast::StageDecl>(decl).items) {
        if (item.touchpoint) {
          if (auto child = declSymbol(a, *item.touchpoint)) children.push_back(*child);
        }
      }
      break;
    case ast::DeclKind::Event:
      for (const auto& item : ast::as<ast::EventDecl>(decl).items) {
        if (item.kind == ast::EventItemKind::Payload && !item.name.text.empty())
          children.push_back(documentSymbol(a, item.name.text, SymbolKind::Field, "", item.range,
                                            item.name.range));
      }
      break;
    default:
      break;
  }
  Json result = documentSymbol(a, named.name.text, *kind, named.display ? named.display->value : "",
                               decl.range, named.name.range);
  result["children"] = std::move(children);
  return result;
}

// Case-insensitive subsequence match, as editors filter symbol lists.
bool matches(std::string_view name, std::string_view query) {
  std::size_t at = 0;
  for (char c : name) {
    if (at < query.size() && std::tolower(static_cast<unsigned char>(c)) ==
                                 std::tolower(static_cast<unsigned char>(query[at])))
      ++at;
  }
  return at == query.size();
}

}  // namespace

Json documentSymbols(const Analysis& a) {
  Json result = Json::array();
  const ast::Module* module = a.module(a.root);
  if (module == nullptr) return result;
  for (const auto& item : module->items) {
    if (item.journey) {
      const auto& block = *item.journey;
      if (block.name.text.empty()) continue;
      Json journey =
          documentSymbol(a, block.name.text, SymbolKind::Journey,
                         block.display ? block.display->value : "", block.range, block.name.range);
      for (const auto& decl : block.decls) {
        if (auto child = declSymbol(a, *decl)) journey["children"].push_back(*child);
      }
      result.push_back(std::move(journey));
    }
    if (item.decl) {
      if (auto symbol = declSymbol(a, *item.decl)) result.push_back(*symbol);
    }
  }
  return result;
}

Json workspaceSymbols(const std::vector<const Analysis*>& analyses, const std::string& query) {
  Json result = Json::array();
  std::set<std::pair<std::string, std::uint32_t>> seen;
  for (const Analysis* a : analyses) {
    for (const auto& symbol : a->index.symbols()) {
      if (!matches(symbol.name, query)) continue;
      for (const auto& range : symbol.definitions) {
        std::string uri = a->uri(range.file);
        if (!seen.emplace(uri, range.begin).second) continue;
        Json info = {{"name", symbol.name},
                     {"kind", lspSymbolKind(symbol.kind)},
                     {"location", location(*a, range)}};
        if (symbol.event != nullptr) info["containerName"] = symbol.event->name.text;
        if (symbol.decl != nullptr && symbol.decl->kind == ast::DeclKind::Touchpoint) {
          const auto* stage = ast::as<ast::TouchpointDecl>(*symbol.decl).stage;
          if (stage != nullptr) info["containerName"] = stage->name.text;
        }
        result.push_back(std::move(info));
        if (result.size() >= 2000) return result;
      }
    }
  }
  return result;
}

}  // namespace journey::lsp

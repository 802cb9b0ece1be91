#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>

#include "compiler/sema/builtins.h"
#include "lsp/features.h"
#include "lsp/protocol.h"

namespace journey::lsp {
namespace {

const std::set<std::string, std::less<>>& keywords() {
  static const std::set<std::string, std::less<>> words = {
      "use",       "journey", "horizon", "entry", "param",      "var",      "channel",
      "persona",   "stage",   "goal",    "exit",  "touchpoint", "event",    "rule",
      "milestone", "kpi",     "after",   "on",    "in",         "for",      "if",
      "else",      "every",   "send",    "move",  "set",        "wait",     "stop",
      "true",      "false",   "and",     "or",    "not",        "discrete", "otherwise"};
  return words;
}

}  // namespace

Json prepareRename(const Analysis& a, std::uint32_t offset, std::string& error) {
  if (a.root == kNoFile) return nullptr;
  const Occurrence* occurrence = a.index.at(a.root, offset);
  if (occurrence == nullptr) return nullptr;
  const Symbol& symbol = a.index.symbol(occurrence->symbol);
  if (symbol.builtin || symbol.definitions.empty()) {
    error = fmt::format("`{}` is a built-in channel: it cannot be renamed", symbol.name);
    return nullptr;
  }
  return {{"range", toJson(a.range(occurrence->range))}, {"placeholder", symbol.name}};
}

Json rename(const Analysis& a, std::uint32_t offset, const std::string& newName,
            std::string& error) {
  if (a.root == kNoFile) {
    error = "the document could not be read";
    return nullptr;
  }
  if (a.hasSyntaxErrors()) {
    error = "fix the syntax errors first: renaming needs a file that parses";
    return nullptr;
  }
  const Occurrence* occurrence = a.index.at(a.root, offset);
  if (occurrence == nullptr) {
    error = "there is no name to rename here";
    return nullptr;
  }
  const Symbol& symbol = a.index.symbol(occurrence->symbol);
  if (symbol.builtin || symbol.definitions.empty()) {
    error = fmt::format("`{}` is a built-in channel: it cannot be renamed", symbol.name);
    return nullptr;
  }
  if (!isIdentifier(newName)) {
    error = fmt::format(
        "`{}` is not a valid name: use a letter or `_`, then letters, digits and `_`", newName);
    return nullptr;
  }
  if (keywords().count(newName) > 0) {
    error = fmt::format("`{}` is a keyword", newName);
    return nullptr;
  }
  if (sema::isReservedName(newName) && symbol.kind != SymbolKind::Field) {
    error = fmt::format("`{}` is a built-in name and cannot be declared", newName);
    return nullptr;
  }
  if (symbol.kind == SymbolKind::Kpi) {
    auto builtins = sema::builtinKpiNames();
    if (std::find(builtins.begin(), builtins.end(), newName) != builtins.end()) {
      error = fmt::format("`{}` is a KPI every simulation reports", newName);
      return nullptr;
    }
  }
  if (newName != symbol.name) {
    const Symbol* clash = nullptr;
    if (symbol.kind == SymbolKind::Field) {
      clash = a.index.find("field:" + symbol.event->name.text + "." + newName);
    } else {
      clash = a.index.find(newName);
      if (clash == nullptr) clash = a.index.find("attr:" + newName);
      if (clash != nullptr && clash->builtin && symbol.kind != SymbolKind::Channel) clash = nullptr;
    }
    if (clash != nullptr) {
      error = fmt::format("`{}` is already declared as a {}", newName, kindName(clash->kind));
      return nullptr;
    }
    if (symbol.kind == SymbolKind::Channel && sema::isBuiltinChannel(newName)) {
      error = fmt::format("`{}` is a built-in channel", newName);
      return nullptr;
    }
  }
  Json changes = Json::object();
  for (const auto& o : a.index.occurrencesOf(occurrence->symbol)) {
    std::string uri = a.uri(o.range.file);
    if (!changes.contains(uri)) changes[uri] = Json::array();
    changes[uri].push_back({{"range", toJson(a.range(o.range))}, {"newText", newName}});
  }
  return {{"changes", changes}};
}

}  // namespace journey::lsp

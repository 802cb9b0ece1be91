// Every name in a compilation: where each symbol is declared and every place it is used.
// Built from the AST alone, so that it also works on a file with syntax errors (partly).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compiler/ast/ast.h"

namespace journey::lsp {

enum class SymbolKind {
  Journey,
  Stage,
  /// A `milestone`: an ordinary stage that reports count as reaching a milestone.
  Milestone,
  Goal,
  Exit,
  Persona,
  Channel,
  Touchpoint,
  Event,
  Rule,
  Param,
  Var,
  Kpi,
  /// A persona attribute: one symbol for the name across every persona that defines it.
  Attribute,
  /// A field of an event's payload (`cart_abandoned.cart_value`).
  Field,
};

/// "stage", "persona", ...: the word the language uses.
std::string_view kindName(SymbolKind kind);

/// The kind of symbol a declaration names (a stage's keyword makes it a Milestone, a Goal or an
/// Exit); none for `horizon`, `entry` and `discount`, which name nothing.
std::optional<SymbolKind> declaredKind(const ast::Decl& decl);

struct Symbol {
  SymbolKind kind = SymbolKind::Stage;
  std::string name;
  /// Unique within the index: the name for declarations, `attr:NAME` for attributes,
  /// `field:EVENT.NAME` for payload fields.
  std::string key;
  /// The declaration; null for attributes, fields and built-in channels.
  const ast::Decl* decl = nullptr;
  /// Where the name is declared (several for an attribute or a duplicate definition).
  std::vector<SourceRange> definitions;
  /// A built-in channel (`email`, ...) that the spec does not declare.
  bool builtin = false;
  /// Attribute: the persona items that define it, with their personas.
  std::vector<std::pair<const ast::PersonaDecl*, const ast::PersonaItem*>> attributeItems;
  /// Field: the event and the payload item.
  const ast::EventDecl* event = nullptr;
  const ast::EventItem* field = nullptr;
  /// The journey block, for SymbolKind::Journey.
  const ast::JourneyBlock* journey = nullptr;
};

struct Occurrence {
  SourceRange range;
  std::uint32_t symbol;
  bool definition;
};

class Index {
 public:
  static Index build(const std::vector<const ast::Module*>& modules);

  const std::vector<Symbol>& symbols() const { return symbols_; }
  const Symbol& symbol(std::uint32_t id) const { return symbols_.at(id); }
  /// The symbol for `key` (see Symbol::key), or null.
  const Symbol* find(std::string_view key) const;
  std::optional<std::uint32_t> findId(std::string_view key) const;
  /// The name at `offset` of `file` (offset may be just past the name's end), or null.
  const Occurrence* at(FileId file, std::uint32_t offset) const;
  /// Every occurrence of a symbol, in every file, definitions included.
  std::vector<Occurrence> occurrencesOf(std::uint32_t symbol) const;
  /// The occurrences in one file, sorted by position.
  const std::vector<Occurrence>& occurrences(FileId file) const;

 private:
  friend class IndexBuilder;
  std::vector<Symbol> symbols_;
  std::unordered_map<std::string, std::uint32_t> byKey_;
  std::unordered_map<FileId, std::vector<Occurrence>> byFile_;
};

}  // namespace journey::lsp

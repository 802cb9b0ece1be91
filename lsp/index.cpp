#include "lsp/index.h"

#include <algorithm>

#include "compiler/ast/walk.h"
#include "compiler/sema/builtins.h"

namespace journey::lsp {

std::string_view kindName(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::Journey:
      return "journey";
    case SymbolKind::Stage:
      return "stage";
    case SymbolKind::Milestone:
      return "milestone";
    case SymbolKind::Goal:
      return "goal";
    case SymbolKind::Exit:
      return "exit";
    case SymbolKind::Persona:
      return "persona";
    case SymbolKind::Channel:
      return "channel";
    case SymbolKind::Touchpoint:
      return "touchpoint";
    case SymbolKind::Event:
      return "event";
    case SymbolKind::Rule:
      return "rule";
    case SymbolKind::Param:
      return "param";
    case SymbolKind::Var:
      return "var";
    case SymbolKind::Kpi:
      return "kpi";
    case SymbolKind::Attribute:
      return "attribute";
    case SymbolKind::Field:
      return "payload field";
  }
  return "name";
}

std::optional<SymbolKind> declaredKind(const ast::Decl& decl) {
  switch (decl.kind) {
    case ast::DeclKind::Horizon:
    case ast::DeclKind::Entry:
    case ast::DeclKind::Discount:
      return std::nullopt;
    case ast::DeclKind::Param:
      return SymbolKind::Param;
    case ast::DeclKind::Var:
      return SymbolKind::Var;
    case ast::DeclKind::Channel:
      return SymbolKind::Channel;
    case ast::DeclKind::Persona:
      return SymbolKind::Persona;
    case ast::DeclKind::Stage:
      switch (ast::as<ast::StageDecl>(decl).stageKind) {
        case ast::StageKind::Goal:
          return SymbolKind::Goal;
        case ast::StageKind::Exit:
          return SymbolKind::Exit;
        case ast::StageKind::Ordinary:
          return ast::as<ast::StageDecl>(decl).milestone ? SymbolKind::Milestone
                                                         : SymbolKind::Stage;
      }
      return SymbolKind::Stage;
    case ast::DeclKind::Touchpoint:
      return SymbolKind::Touchpoint;
    case ast::DeclKind::Event:
      return SymbolKind::Event;
    case ast::DeclKind::Rule:
      return SymbolKind::Rule;
    case ast::DeclKind::Kpi:
      return SymbolKind::Kpi;
  }
  return std::nullopt;
}

class IndexBuilder {
 public:
  explicit IndexBuilder(Index& index) : index_(index) {}

  void declarations(const ast::Module& module) {
    for (const auto& item : module.items) {
      if (item.journey) {
        const ast::JourneyBlock& block = *item.journey;
        if (valid(block.name)) {
          auto id = define(SymbolKind::Journey, block.name.text, block.name.text, nullptr,
                           block.name.range);
          index_.symbols_[id].journey = &block;
        }
        for (const auto& decl : block.decls)
          declaration(*decl);
      }
      if (item.decl) declaration(*item.decl);
    }
  }

  void references(const ast::Module& module) {
    for (const auto& item : module.items) {
      if (item.journey) {
        for (const auto& decl : item.journey->decls)
          uses(*decl);
      }
      if (item.decl) uses(*item.decl);
    }
  }

  void finish() {
    for (auto& [file, list] : index_.byFile_) {
      std::sort(list.begin(), list.end(), [](const Occurrence& a, const Occurrence& b) {
        return a.range.begin < b.range.begin;
      });
    }
  }

 private:
  static bool valid(const ast::Identifier& id) { return !id.text.empty() && id.range.valid(); }

  std::uint32_t define(SymbolKind kind, const std::string& name, const std::string& key,
                       const ast::Decl* decl, SourceRange range) {
    auto it = index_.byKey_.find(key);
    std::uint32_t id;
    if (it == index_.byKey_.end()) {
      id = static_cast<std::uint32_t>(index_.symbols_.size());
      Symbol symbol;
      symbol.kind = kind;
      symbol.name = name;
      symbol.key = key;
      symbol.decl = decl;
      index_.symbols_.push_back(std::move(symbol));
      index_.byKey_.emplace(key, id);
    } else {
      id = it->second;
    }
    index_.symbols_[id].definitions.push_back(range);
    index_.byFile_[range.file].push_back({range, id, true});
    return id;
  }

  void declaration(const ast::Decl& decl) {
    auto kind = declaredKind(decl);
    if (!kind) return;
    const auto& named = ast::as<ast::NamedDecl>(decl);
    if (!valid(named.name)) return;
    switch (decl.kind) {
      case ast::DeclKind::Persona: {
        const auto& persona = ast::as<ast::PersonaDecl>(decl);
        for (const auto& item : persona.items) {
          if (item.kind != ast::PersonaItemKind::Attribute || !valid(item.name)) continue;
          auto id = define(SymbolKind::Attribute, item.name.text, "attr:" + item.name.text, nullptr,
                           item.name.range);
          index_.symbols_[id].attributeItems.emplace_back(&persona, &item);
        }
        break;
      }
      case ast::DeclKind::Stage:
        for (const auto& item : ast::as<ast::StageDecl>(decl).items) {
          if (item.touchpoint) declaration(*item.touchpoint);
        }
        break;
      case ast::DeclKind::Event: {
        const auto& event = ast::as<ast::EventDecl>(decl);
        for (const auto& item : event.items) {
          if (item.kind != ast::EventItemKind::Payload || !valid(item.name)) continue;
          std::string key = "field:" + event.name.text + "." + item.name.text;
          auto id = define(SymbolKind::Field, item.name.text, key, nullptr, item.name.range);
          index_.symbols_[id].event = &event;
          index_.symbols_[id].field = &item;
        }
        break;
      }
      default:
        break;
    }
    define(*kind, named.name.text, named.name.text, &decl, named.name.range);
  }

  void record(std::uint32_t id, const SourceRange& range) {
    if (range.file != lastFile_ || lastList_ == nullptr) {
      lastFile_ = range.file;
      lastList_ = &index_.byFile_[range.file];
    }
    lastList_->push_back({range, id, false});
  }

  // A name that refers to a declaration (or a built-in channel) in the one namespace.
  void ref(const ast::Identifier& id) {
    if (!valid(id)) return;
    auto it = index_.byKey_.find(id.text);
    if (it != index_.byKey_.end()) {
      record(it->second, id.range);
      return;
    }
    if (sema::isBuiltinChannel(id.text)) {
      Symbol symbol;
      symbol.kind = SymbolKind::Channel;
      symbol.name = id.text;
      symbol.key = id.text;
      symbol.builtin = true;
      auto symbolId = static_cast<std::uint32_t>(index_.symbols_.size());
      index_.symbols_.push_back(std::move(symbol));
      index_.byKey_.emplace(id.text, symbolId);
      record(symbolId, id.range);
    }
  }

  void refs(const std::vector<ast::Identifier>& ids) {
    for (const auto& id : ids)
      ref(id);
  }

  void expr(const ast::Expr* e) {
    if (e != nullptr) ast::walk(*e, [&](const ast::Expr& node) { reference(node); });
  }

  // A name or a payload field read in an expression.
  void reference(const ast::Expr& e) {
    switch (e.kind) {
      case ast::ExprKind::Name: {
        const auto& name = ast::as<ast::NameExpr>(e);
        if (!valid(name.name)) return;
        if (name.symbol == ast::SymbolKind::Builtin) return;
        if (name.symbol != ast::SymbolKind::Attribute) {
          auto it = index_.byKey_.find(name.name.text);
          if (it != index_.byKey_.end()) {
            record(it->second, name.name.range);
            return;
          }
          if (sema::isBuiltinChannel(name.name.text)) {
            ref(name.name);
            return;
          }
        }
        auto it = index_.byKey_.find("attr:" + name.name.text);
        if (it != index_.byKey_.end()) record(it->second, name.name.range);
        return;
      }
      case ast::ExprKind::Member: {
        const auto& member = ast::as<ast::MemberExpr>(e);
        ref(member.object);
        if (!valid(member.member)) return;
        auto it = index_.byKey_.find("field:" + member.object.text + "." + member.member.text);
        if (it != index_.byKey_.end()) record(it->second, member.member.range);
        return;
      }
      default:
        return;
    }
  }

  void target(const ast::Target* t) {
    if (t == nullptr) return;
    if (!t->isBlock) ref(t->stage);
    for (const auto& branch : t->branches) {
      if (branch.kind == ast::BranchKind::Chance || branch.kind == ast::BranchKind::Otherwise)
        ref(branch.stage);
      expr(branch.value.get());
      target(branch.target.get());
    }
  }

  void touchpoint(const ast::TouchpointDecl& decl) {
    for (const auto& item : decl.items) {
      if (item.kind == ast::TouchpointItemKind::Via ||
          item.kind == ast::TouchpointItemKind::Response)
        ref(item.name);
      expr(item.value.get());
      expr(item.delay.get());
    }
  }

  void uses(const ast::Decl& decl) {
    switch (decl.kind) {
      case ast::DeclKind::Horizon:
        expr(ast::as<ast::HorizonDecl>(decl).value.get());
        return;
      case ast::DeclKind::Entry:
        target(&ast::as<ast::EntryDecl>(decl).target);
        return;
      case ast::DeclKind::Param:
      case ast::DeclKind::Var:
        expr(ast::as<ast::ValueDecl>(decl).value.get());
        return;
      case ast::DeclKind::Channel:
        for (const auto& item : ast::as<ast::ChannelDecl>(decl).items) {
          expr(item.first.get());
          expr(item.second.get());
        }
        return;
      case ast::DeclKind::Persona:
        for (const auto& item : ast::as<ast::PersonaDecl>(decl).items)
          expr(item.value.get());
        return;
      case ast::DeclKind::Stage:
        for (const auto& item : ast::as<ast::StageDecl>(decl).items) {
          refs(item.personas);
          expr(item.value.get());
          expr(item.period.get());
          if (item.kind == ast::StageItemKind::On) ref(item.event);
          target(item.target.get());
          if (item.touchpoint) touchpoint(*item.touchpoint);
        }
        return;
      case ast::DeclKind::Touchpoint:
        touchpoint(ast::as<ast::TouchpointDecl>(decl));
        return;
      case ast::DeclKind::Event:
        for (const auto& item : ast::as<ast::EventDecl>(decl).items) {
          refs(item.names);
          expr(item.value.get());
        }
        return;
      case ast::DeclKind::Rule:
        for (const auto& item : ast::as<ast::RuleDecl>(decl).items) {
          if (item.trigger) {
            if (item.trigger->kind == ast::TriggerKind::Enter ||
                item.trigger->kind == ast::TriggerKind::Leave)
              ref(item.trigger->stage);
            expr(item.trigger->value.get());
          }
          refs(item.names);
          if (item.kind == ast::RuleItemKind::Send || item.kind == ast::RuleItemKind::Set ||
              item.kind == ast::RuleItemKind::WaitFor)
            ref(item.name);
          expr(item.value.get());
          expr(item.second.get());
          target(item.target.get());
        }
        return;
      case ast::DeclKind::Kpi:
        expr(ast::as<ast::KpiDecl>(decl).value.get());
        return;
      case ast::DeclKind::Discount: {
        const auto& discount = ast::as<ast::DiscountDecl>(decl);
        expr(discount.rate.get());
        expr(discount.period.get());
        return;
      }
    }
  }

  Index& index_;
  FileId lastFile_ = kNoFile;
  std::vector<Occurrence>* lastList_ = nullptr;
};

Index Index::build(const std::vector<const ast::Module*>& modules) {
  Index index;
  IndexBuilder builder(index);
  for (const auto* module : modules)
    builder.declarations(*module);
  for (const auto* module : modules)
    builder.references(*module);
  builder.finish();
  return index;
}

const Symbol* Index::find(std::string_view key) const {
  auto it = byKey_.find(std::string(key));
  return it == byKey_.end() ? nullptr : &symbols_[it->second];
}

std::optional<std::uint32_t> Index::findId(std::string_view key) const {
  auto it = byKey_.find(std::string(key));
  if (it == byKey_.end()) return std::nullopt;
  return it->second;
}

const Occurrence* Index::at(FileId file, std::uint32_t offset) const {
  auto it = byFile_.find(file);
  if (it == byFile_.end()) return nullptr;
  const auto& list = it->second;
  auto after =
      std::upper_bound(list.begin(), list.end(), offset,
                       [](std::uint32_t o, const Occurrence& x) { return o < x.range.begin; });
  if (after == list.begin()) return nullptr;
  const Occurrence& candidate = *(after - 1);
  return offset <= candidate.range.end ? &candidate : nullptr;
}

std::vector<Occurrence> Index::occurrencesOf(std::uint32_t symbol) const {
  std::vector<Occurrence> result;
  for (const auto& [file, list] : byFile_) {
    for (const auto& occurrence : list) {
      if (occurrence.symbol == symbol) result.push_back(occurrence);
    }
  }
  std::sort(result.begin(), result.end(), [](const Occurrence& a, const Occurrence& b) {
    return a.range.file != b.range.file ? a.range.file < b.range.file
                                        : a.range.begin < b.range.begin;
  });
  return result;
}

const std::vector<Occurrence>& Index::occurrences(FileId file) const {
  static const std::vector<Occurrence> none;
  auto it = byFile_.find(file);
  return it == byFile_.end() ? none : it->second;
}

}  // namespace journey::lsp

#include "lsp/incremental.h"

#include <algorithm>

#include "compiler/ast/walk.h"
#include "compiler/parse/parse.h"

namespace journey::lsp {
namespace {

class Shifter {
 public:
  explicit Shifter(std::int64_t delta) : delta_(delta) {}

  void range(SourceRange& r) const {
    if (!r.valid()) return;
    r.begin = static_cast<std::uint32_t>(r.begin + delta_);
    r.end = static_cast<std::uint32_t>(r.end + delta_);
  }
  void id(ast::Identifier& i) const { range(i.range); }
  void ids(std::vector<ast::Identifier>& list) const {
    for (auto& i : list)
      id(i);
  }

  void expr(ast::Expr* e) const {
    if (e != nullptr) ast::walk(*e, [&](ast::Expr& node) { shift(node); });
  }

  // One expression's own ranges and analysis, without its sub-expressions.
  void shift(ast::Expr& e) const {
    range(e.range);
    if (e.kind != ast::ExprKind::Error) e.type = ast::Type{};
    switch (e.kind) {
      case ast::ExprKind::Name: {
        auto& name = ast::as<ast::NameExpr>(e);
        id(name.name);
        name.symbol = ast::SymbolKind::Unresolved;
        name.declaration = nullptr;
        break;
      }
      case ast::ExprKind::Member: {
        auto& member = ast::as<ast::MemberExpr>(e);
        id(member.object);
        id(member.member);
        member.declaration = nullptr;
        break;
      }
      case ast::ExprKind::Call: {
        auto& call = ast::as<ast::CallExpr>(e);
        id(call.callee);
        for (auto& argument : call.arguments) {
          if (argument.name) id(*argument.name);
        }
        break;
      }
      case ast::ExprKind::Unary:
        range(ast::as<ast::UnaryExpr>(e).opRange);
        break;
      case ast::ExprKind::Binary:
        range(ast::as<ast::BinaryExpr>(e).opRange);
        break;
      case ast::ExprKind::Discrete:
      case ast::ExprKind::Literal:
      case ast::ExprKind::Error:
        break;
    }
  }

  void target(ast::Target* t) const {
    if (t == nullptr) return;
    range(t->range);
    id(t->stage);
    for (auto& branch : t->branches) {
      range(branch.range);
      id(branch.stage);
      expr(branch.value.get());
      target(branch.target.get());
    }
  }

  void named(ast::NamedDecl& decl) const {
    id(decl.name);
    if (decl.display) range(decl.display->range);
  }

  void touchpoint(ast::TouchpointDecl& decl) const {
    range(decl.range);
    named(decl);
    for (auto& item : decl.items) {
      range(item.range);
      id(item.name);
      expr(item.value.get());
      expr(item.delay.get());
    }
  }

  void decl(ast::Decl& d) const {
    switch (d.kind) {
      case ast::DeclKind::Horizon:
        range(d.range);
        expr(ast::as<ast::HorizonDecl>(d).value.get());
        return;
      case ast::DeclKind::Entry:
        range(d.range);
        target(&ast::as<ast::EntryDecl>(d).target);
        return;
      case ast::DeclKind::Param:
      case ast::DeclKind::Var: {
        auto& value = ast::as<ast::ValueDecl>(d);
        range(d.range);
        named(value);
        expr(value.value.get());
        return;
      }
      case ast::DeclKind::Channel: {
        auto& channel = ast::as<ast::ChannelDecl>(d);
        range(d.range);
        named(channel);
        for (auto& item : channel.items) {
          range(item.range);
          expr(item.first.get());
          expr(item.second.get());
        }
        return;
      }
      case ast::DeclKind::Persona: {
        auto& persona = ast::as<ast::PersonaDecl>(d);
        range(d.range);
        named(persona);
        for (auto& item : persona.items) {
          range(item.range);
          id(item.name);
          expr(item.value.get());
        }
        return;
      }
      case ast::DeclKind::Stage: {
        auto& stage = ast::as<ast::StageDecl>(d);
        range(d.range);
        named(stage);
        for (auto& item : stage.items) {
          range(item.range);
          ids(item.personas);
          expr(item.value.get());
          expr(item.period.get());
          id(item.event);
          target(item.target.get());
          if (item.touchpoint) touchpoint(*item.touchpoint);
        }
        return;
      }
      case ast::DeclKind::Touchpoint:
        touchpoint(ast::as<ast::TouchpointDecl>(d));
        return;
      case ast::DeclKind::Event: {
        auto& event = ast::as<ast::EventDecl>(d);
        range(d.range);
        named(event);
        for (auto& item : event.items) {
          range(item.range);
          ids(item.names);
          id(item.name);
          expr(item.value.get());
        }
        return;
      }
      case ast::DeclKind::Rule: {
        auto& rule = ast::as<ast::RuleDecl>(d);
        range(d.range);
        named(rule);
        for (auto& item : rule.items) {
          range(item.range);
          if (item.trigger) {
            range(item.trigger->range);
            id(item.trigger->stage);
            expr(item.trigger->value.get());
          }
          ids(item.names);
          id(item.name);
          expr(item.value.get());
          expr(item.second.get());
          target(item.target.get());
        }
        return;
      }
      case ast::DeclKind::Kpi: {
        auto& kpi = ast::as<ast::KpiDecl>(d);
        range(d.range);
        named(kpi);
        expr(kpi.value.get());
        if (kpi.primary) range(*kpi.primary);
        return;
      }
      case ast::DeclKind::Discount: {
        auto& discount = ast::as<ast::DiscountDecl>(d);
        range(d.range);
        expr(discount.rate.get());
        expr(discount.period.get());
        return;
      }
    }
  }

 private:
  std::int64_t delta_;
};

}  // namespace

void shiftAndReset(ast::Decl& decl, std::int64_t delta) {
  Shifter(delta).decl(decl);
}

std::unique_ptr<ast::Module> reparse(ast::Module& previous, std::string_view oldText,
                                     const SourceFile& file) {
  std::string_view newText = file.text();
  if (previous.hasSyntaxErrors || previous.items.size() != 1 || !previous.items[0].journey)
    return nullptr;
  ast::JourneyBlock& journey = *previous.items[0].journey;
  auto& decls = journey.decls;
  if (decls.empty() ||
      std::any_of(decls.begin(), decls.end(), [](const ast::DeclPtr& d) { return !d; }))
    return nullptr;

  // What changed: everything between the common prefix and the common suffix.
  std::size_t limit = std::min(oldText.size(), newText.size());
  std::size_t prefix = 0;
  while (prefix < limit && oldText[prefix] == newText[prefix])
    ++prefix;
  std::size_t suffix = 0;
  while (suffix < limit - prefix &&
         oldText[oldText.size() - 1 - suffix] == newText[newText.size() - 1 - suffix])
    ++suffix;
  if (prefix == oldText.size() && prefix == newText.size()) {
    // The text is the same (a library it uses changed): analyse the same tree again.
    auto module = std::make_unique<ast::Module>();
    module->file = file.id();
    module->uses = std::move(previous.uses);
    module->comments = std::move(previous.comments);
    for (auto& decl : decls)
      shiftAndReset(*decl, 0);
    auto block = std::make_unique<ast::JourneyBlock>();
    block->range = journey.range;
    block->name = journey.name;
    block->doc = journey.doc;
    block->display = journey.display;
    block->decls = std::move(decls);
    ast::TopItem item;
    item.journey = std::move(block);
    module->items.push_back(std::move(item));
    return module;
  }
  std::size_t changedEnd = oldText.size() - suffix;
  auto delta =
      static_cast<std::int64_t>(newText.size()) - static_cast<std::int64_t>(oldText.size());

  // Each declaration owns the text from the end of the one before it to its own end, so that
  // an edit in its doc comment parses it again.
  std::size_t first = decls.size();
  std::size_t last = 0;
  for (std::size_t i = 0; i < decls.size(); ++i) {
    std::size_t ownBegin = i == 0 ? decls[0]->range.begin : decls[i - 1]->range.end;
    std::size_t ownEnd = decls[i]->range.end;
    if (ownBegin <= changedEnd && prefix <= ownEnd) {
      first = std::min(first, i);
      last = std::max(last, i);
    }
  }
  if (first == decls.size()) return nullptr;
  std::size_t begin = first == 0 ? decls[0]->range.begin : decls[first - 1]->range.end;
  if (prefix < begin || changedEnd > decls[last]->range.end) return nullptr;
  auto end = static_cast<std::size_t>(static_cast<std::int64_t>(decls[last]->range.end) + delta);
  if (end < begin || end > newText.size()) return nullptr;
  // A `///` after the `}` that ends the previous declaration is a plain comment in context but
  // would start a line of the fragment.
  std::string_view restOfLine = newText.substr(begin, newText.find('\n', begin) - begin);
  if (restOfLine.find("//") != std::string_view::npos) return nullptr;

  // Parse the touched declarations on their own, in a file of just their text.
  SourceFile fragment(file.id(), file.path(), std::string(newText.substr(begin, end - begin)));
  DiagnosticSink fragmentSink;
  auto parsed = parse::parseFile(fragment, fragmentSink);
  if (parsed->hasSyntaxErrors || !fragmentSink.empty() || !parsed->uses.empty()) return nullptr;
  for (const auto& item : parsed->items) {
    if (item.journey || !item.decl) return nullptr;
  }

  // Splice: declarations before, the new ones, the shifted ones after.
  auto module = std::make_unique<ast::Module>();
  module->file = file.id();
  module->uses = std::move(previous.uses);
  std::vector<ast::DeclPtr> spliced;
  spliced.reserve(decls.size() + parsed->items.size());
  for (std::size_t i = 0; i < first; ++i) {
    shiftAndReset(*decls[i], 0);
    spliced.push_back(std::move(decls[i]));
  }
  for (auto& item : parsed->items) {
    shiftAndReset(*item.decl, static_cast<std::int64_t>(begin));
    spliced.push_back(std::move(item.decl));
  }
  for (std::size_t i = last + 1; i < decls.size(); ++i) {
    shiftAndReset(*decls[i], delta);
    spliced.push_back(std::move(decls[i]));
  }
  auto block = std::make_unique<ast::JourneyBlock>();
  block->range = journey.range;
  block->range.end = static_cast<std::uint32_t>(block->range.end + delta);
  block->name = journey.name;
  block->doc = journey.doc;
  block->display = journey.display;
  block->decls = std::move(spliced);
  ast::TopItem item;
  item.journey = std::move(block);
  module->items.push_back(std::move(item));

  for (auto& comment : previous.comments) {
    if (comment.range.end <= begin) module->comments.push_back(std::move(comment));
  }
  for (auto& comment : parsed->comments) {
    comment.range.begin += static_cast<std::uint32_t>(begin);
    comment.range.end += static_cast<std::uint32_t>(begin);
    module->comments.push_back(std::move(comment));
  }
  std::size_t oldEnd = end - delta;
  for (auto& comment : previous.comments) {
    if (comment.range.begin >= oldEnd) {
      comment.range.begin = static_cast<std::uint32_t>(comment.range.begin + delta);
      comment.range.end = static_cast<std::uint32_t>(comment.range.end + delta);
      module->comments.push_back(std::move(comment));
    }
  }
  // `previous` keeps its journey block, with the moved declarations now null: the old index
  // may still point at the declarations that were parsed again until it is dropped.
  return module;
}

}  // namespace journey::lsp

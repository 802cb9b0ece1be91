#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/walk.h"
#include "compiler/sema/builtins.h"
#include "lsp/describe.h"
#include "lsp/features.h"
#include "lsp/protocol.h"

namespace journey::lsp {
namespace {

std::string percent(double value) {
  return fmt::format("{:.4g}%", value * 100);
}

const sema::CheckedJourney* checked(const Analysis& a) {
  return a.compilation->journey.get();
}

std::optional<double> constant(const Analysis& a, const ast::Expr* e) {
  if (e == nullptr || checked(a) == nullptr) return std::nullopt;
  return checked(a)->constant(e);
}

// `Paid 30%, Lost 70%`, `if seats >= 10 -> A, else -> B`, `-> Stage`.
std::string describeTarget(const Analysis& a, const ast::Target& target) {
  if (!target.isBlock) return target.stage.text;
  std::vector<std::string> parts;
  double sum = 0;
  bool known = true;
  for (const auto& branch : target.branches) {
    if (branch.kind == ast::BranchKind::Chance) {
      auto value = constant(a, branch.value.get());
      if (value) {
        sum += *value;
        parts.push_back(fmt::format("{} {}", branch.stage.text, percent(*value)));
      } else {
        known = false;
        parts.push_back(fmt::format("{} {}", branch.stage.text, snippet(a, branch.value->range)));
      }
    }
  }
  for (const auto& branch : target.branches) {
    switch (branch.kind) {
      case ast::BranchKind::Otherwise:
        parts.push_back(known ? fmt::format("{} {}", branch.stage.text, percent(1 - sum))
                              : fmt::format("{} otherwise", branch.stage.text));
        break;
      case ast::BranchKind::If:
        parts.push_back(fmt::format("if {} → {}", snippet(a, branch.value->range, 60),
                                    branch.target ? describeTarget(a, *branch.target) : "?"));
        break;
      case ast::BranchKind::Else:
        parts.push_back(
            fmt::format("else → {}", branch.target ? describeTarget(a, *branch.target) : "?"));
        break;
      default:
        break;
    }
  }
  std::string joined;
  for (const auto& part : parts)
    joined += (joined.empty() ? "" : ", ") + part;
  return "{ " + joined + " }";
}

std::string personaList(const std::vector<ast::Identifier>& ids) {
  std::string result;
  for (const auto& id : ids)
    result += (result.empty() ? "" : ", ") + id.text;
  return result;
}

std::vector<std::string> facts(const Analysis& a, const Symbol& symbol) {
  std::vector<std::string> lines;
  switch (symbol.kind) {
    case SymbolKind::Journey: {
      const auto* j = checked(a);
      if (j != nullptr) {
        if (j->horizon) lines.push_back("horizon " + snippet(a, j->horizon->value->range));
        if (j->entry) lines.push_back("entry → " + describeTarget(a, j->entry->target));
        lines.push_back(fmt::format("{} personas, {} stages, {} events, {} rules",
                                    j->personas.size(), j->stages.size(), j->events.size(),
                                    j->rules.size()));
      }
      break;
    }
    case SymbolKind::Stage:
    case SymbolKind::Milestone:
    case SymbolKind::Goal:
    case SymbolKind::Exit: {
      const auto& stage = ast::as<ast::StageDecl>(*symbol.decl);
      bool moves = false;
      for (const auto& item : stage.items) {
        std::string scope =
            item.personas.empty() ? "" : fmt::format("for {} ", personaList(item.personas));
        switch (item.kind) {
          case ast::StageItemKind::Touchpoint:
            if (item.touchpoint) lines.push_back("touchpoint " + item.touchpoint->name.text);
            break;
          case ast::StageItemKind::After:
            moves = true;
            if (item.target && item.value)
              lines.push_back(fmt::format("{}after {} → {}", scope,
                                          snippet(a, item.value->range, 60),
                                          describeTarget(a, *item.target)));
            break;
          case ast::StageItemKind::On:
            moves = true;
            if (item.target)
              lines.push_back(fmt::format("{}on {} → {}", scope, item.event.text,
                                          describeTarget(a, *item.target)));
            break;
          case ast::StageItemKind::Value:
            if (item.value)
              lines.push_back("value " + snippet(a, item.value->range) +
                              (item.period ? " per " + snippet(a, item.period->range) : ""));
            break;
        }
      }
      if ((symbol.kind == SymbolKind::Stage || symbol.kind == SymbolKind::Milestone) && !moves)
        lines.push_back("no transitions: customers leave only when a rule moves them");
      if (symbol.kind == SymbolKind::Milestone)
        lines.push_back("a milestone: reports count the customers who reach it");
      if (symbol.kind == SymbolKind::Goal) lines.push_back("the journey succeeds here");
      if (symbol.kind == SymbolKind::Exit) lines.push_back("the journey ends here without success");
      break;
    }
    case SymbolKind::Persona: {
      const auto& persona = ast::as<ast::PersonaDecl>(*symbol.decl);
      for (const auto& item : persona.items) {
        if (!item.value) continue;
        if (item.kind == ast::PersonaItemKind::Share) {
          auto value = constant(a, item.value.get());
          lines.push_back("share " + (value ? percent(*value) : snippet(a, item.value->range)));
        } else {
          lines.push_back(fmt::format("{} = {}", item.name.text, snippet(a, item.value->range)));
        }
      }
      break;
    }
    case SymbolKind::Channel: {
      if (symbol.builtin || symbol.decl == nullptr) {
        lines.emplace_back("built-in channel, not configured here");
        break;
      }
      if (sema::isBuiltinChannel(symbol.name)) lines.emplace_back("built-in channel, configured");
      for (const auto& item : ast::as<ast::ChannelDecl>(*symbol.decl).items)
        lines.push_back(snippet(a, item.range));
      break;
    }
    case SymbolKind::Touchpoint: {
      const auto& touchpoint = ast::as<ast::TouchpointDecl>(*symbol.decl);
      lines.push_back(touchpoint.stage != nullptr
                          ? fmt::format("delivered on entering `{}`", touchpoint.stage->name.text)
                          : "journey-level: rules `send` it");
      for (const auto& item : touchpoint.items)
        lines.push_back(snippet(a, item.range));
      break;
    }
    case SymbolKind::Event:
      for (const auto& item : ast::as<ast::EventDecl>(*symbol.decl).items)
        lines.push_back(snippet(a, item.range));
      break;
    case SymbolKind::Rule:
      for (const auto& item : ast::as<ast::RuleDecl>(*symbol.decl).items)
        lines.push_back(snippet(a, item.range));
      break;
    case SymbolKind::Param:
    case SymbolKind::Var: {
      const auto& value = ast::as<ast::ValueDecl>(*symbol.decl);
      if (!value.value) break;
      if (value.value->type.kind != ast::TypeKind::Unknown &&
          value.value->type.kind != ast::TypeKind::Error)
        lines.push_back(fmt::format("type `{}`", ast::typeName(value.value->type.kind)));
      lines.push_back(fmt::format("{} = {}", symbol.kind == SymbolKind::Param ? "value" : "initial",
                                  snippet(a, value.value->range)));
      break;
    }
    case SymbolKind::Kpi: {
      const auto& kpi = ast::as<ast::KpiDecl>(*symbol.decl);
      if (kpi.primary) lines.emplace_back("primary: what `conversion` means in reports and gates");
      if (!kpi.value) break;
      ast::TypeKind type = kpi.value->type.kind;
      if (type == ast::TypeKind::Bool) {
        lines.emplace_back("type `bool`: the share of customers for whom it holds");
      } else if (type != ast::TypeKind::Unknown && type != ast::TypeKind::Error) {
        lines.push_back(fmt::format("type `{}`: the mean per customer", ast::typeName(type)));
      }
      lines.push_back("= " + snippet(a, kpi.value->range));
      break;
    }
    case SymbolKind::Attribute: {
      if (const auto* j = checked(a)) {
        if (const auto* attribute = j->attribute(symbol.name))
          lines.push_back(fmt::format("type `{}`", ast::typeName(attribute->type.kind)));
      }
      for (const auto& [persona, item] : symbol.attributeItems) {
        if (item->value)
          lines.push_back(
              fmt::format("{}: {}", persona->name.text, snippet(a, item->value->range)));
      }
      break;
    }
    case SymbolKind::Field:
      if (symbol.event != nullptr)
        lines.push_back("payload of event `" + symbol.event->name.text + "`");
      if (symbol.field != nullptr && symbol.field->value)
        lines.push_back("= " + snippet(a, symbol.field->value->range));
      break;
  }
  return lines;
}

// The word of `text` around `offset`, with its byte range.
std::pair<std::uint32_t, std::uint32_t> wordAt(std::string_view text, std::uint32_t offset) {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text.size()));
  std::uint32_t begin = offset;
  while (begin > 0 && isWordChar(text[begin - 1]))
    --begin;
  std::uint32_t end = offset;
  while (end < text.size() && isWordChar(text[end]))
    ++end;
  return {begin, end};
}

// Whether an expression of the root file reads a name that begins at `begin`: `value` in
// `kpi worth = value` is customer state, the `value` of `value 100 USD` is a keyword.
bool readsNameAt(const Analysis& a, std::uint32_t begin) {
  const ast::Module* module = a.module(a.root);
  if (module == nullptr) return false;
  bool found = false;
  auto search = [&](const ast::Decl& decl) {
    ast::forEachExpr(decl, [&](const ast::Expr& top) {
      ast::walk(top, [&](const ast::Expr& e) {
        if (e.kind == ast::ExprKind::Name && e.range.file == a.root && e.range.begin == begin)
          found = true;
      });
    });
  };
  for (const auto& item : module->items) {
    if (item.journey) {
      for (const auto& decl : item.journey->decls)
        if (decl) search(*decl);
    }
    if (item.decl) search(*item.decl);
  }
  return found;
}

std::string builtinHover(const Analysis& a, std::string_view word, std::uint32_t begin) {
  const auto* state = sema::findCustomerState(word);
  if (state != nullptr && readsNameAt(a, begin))
    return fmt::format("**customer state** `{}`: `{}`\n\n{}", state->name,
                       ast::typeName(state->type), state->description);
  if (const auto* function = sema::findFunction(word)) {
    std::string params;
    for (auto p : function->parameters)
      params += (params.empty() ? "" : ", ") + std::string(p);
    return fmt::format("**built-in {}** `{}({})`",
                       function->distribution ? "distribution" : "function", function->name,
                       params);
  }
  if (sema::isBuiltinChannel(word))
    return fmt::format("**channel** `{}`\n\nbuilt-in channel", word);
  return {};
}

}  // namespace

Json hover(const Analysis& a, std::uint32_t offset) {
  if (a.root == kNoFile) return nullptr;
  const Occurrence* occurrence = a.index.at(a.root, offset);
  if (occurrence == nullptr) {
    auto [begin, end] = wordAt(a.file(a.root).text(), offset);
    if (begin == end) return nullptr;
    std::string text =
        builtinHover(a, std::string_view(a.file(a.root).text()).substr(begin, end - begin), begin);
    if (text.empty()) return nullptr;
    return {{"contents", {{"kind", "markdown"}, {"value", text}}},
            {"range", toJson(a.range(SourceRange{a.root, begin, end}))}};
  }
  const Symbol& symbol = a.index.symbol(occurrence->symbol);
  std::string text = fmt::format("**{}** `{}`", kindName(symbol.kind), symbol.name);
  std::string display = displayOf(symbol);
  if (!display.empty()) text += fmt::format(" — “{}”", display);
  std::string doc = docOf(symbol);
  if (!doc.empty()) text += "\n\n" + doc;
  auto lines = facts(a, symbol);
  if (!lines.empty()) {
    text += "\n\n---\n";
    for (const auto& line : lines)
      text += "\n- " + line;
  }
  if (!symbol.definitions.empty() && symbol.definitions.front().file != a.root)
    text += fmt::format("\n\n*declared in `{}`*", a.file(symbol.definitions.front().file).path());
  return {{"contents", {{"kind", "markdown"}, {"value", text}}},
          {"range", toJson(a.range(occurrence->range))}};
}

}  // namespace journey::lsp

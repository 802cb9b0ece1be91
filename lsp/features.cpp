#include "lsp/features.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "compiler/format/format.h"
#include "compiler/sema/builtins.h"

namespace journey::lsp {
namespace {

Json toJson(const Position& p) {
  return {{"line", p.line}, {"character", p.character}};
}
Json toJson(const Range& r) {
  return {{"start", toJson(r.start)}, {"end", toJson(r.end)}};
}

Json location(const Analysis& a, const SourceRange& range) {
  return {{"uri", a.uri(range.file)}, {"range", toJson(a.range(range))}};
}

// The source text of a range on one line: whitespace runs collapsed, long text shortened.
std::string snippet(const Analysis& a, const SourceRange& range, std::size_t limit = 120) {
  if (!range.valid() || range.file >= a.compilation->sources.size()) return {};
  const std::string& text = a.file(range.file).text();
  std::size_t end = std::min<std::size_t>(range.end, text.size());
  std::size_t begin = std::min<std::size_t>(range.begin, end);
  std::string result;
  bool space = false;
  for (std::size_t i = begin; i < end; ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !result.empty();
      continue;
    }
    if (space) result += ' ';
    space = false;
    result += c;
  }
  if (result.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(result[cut]) & 0xc0) == 0x80)
      --cut;
    result = result.substr(0, cut) + "…";
  }
  return result;
}

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
            if (item.value) lines.push_back("value " + snippet(a, item.value->range));
            break;
        }
      }
      if (symbol.kind == SymbolKind::Stage && !moves)
        lines.push_back("no transitions: customers leave only when a rule moves them");
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

std::string docOf(const Symbol& symbol) {
  if (symbol.journey != nullptr) return symbol.journey->doc;
  if (symbol.decl != nullptr) return symbol.decl->doc;
  return {};
}

std::string displayOf(const Symbol& symbol) {
  if (symbol.journey != nullptr && symbol.journey->display) return symbol.journey->display->value;
  if (symbol.decl != nullptr && symbol.decl->kind != ast::DeclKind::Horizon &&
      symbol.decl->kind != ast::DeclKind::Entry) {
    const auto& named = ast::as<ast::NamedDecl>(*symbol.decl);
    if (named.display) return named.display->value;
  }
  return {};
}

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
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

std::string builtinHover(std::string_view word) {
  if (const auto* state = sema::findCustomerState(word))
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

// ---------------------------------------------------------------------------------------------
// Diagnostics

int severityCode(Severity severity) {
  switch (severity) {
    case Severity::Error:
      return 1;
    case Severity::Warning:
      return 2;
    case Severity::Note:
      return 3;
  }
  return 1;
}

// Where a diagnostic in a `use`d file shows in the document: the `use` that brings the file in.
SourceRange usePlace(const Analysis& a, FileId file) {
  const ast::Module* root = a.module(a.root);
  if (root == nullptr || root->uses.empty()) return SourceRange{a.root, 0, 0};
  auto directory = std::filesystem::path(a.file(a.root).path()).parent_path();
  const std::string& target = a.file(file).path();
  for (const auto& use : root->uses) {
    if (normalisePath((directory / use.path.value).string()) == target) return use.range;
  }
  return root->uses.front().range;
}

Json toLsp(const Analysis& a, const Diagnostic& d) {
  std::string message = d.message;
  for (const auto& note : d.notes)
    message += "\nnote: " + note;
  if (!d.help.empty()) message += "\nhelp: " + d.help;
  SourceRange place = d.range;
  Json related = Json::array();
  if (!place.valid()) {
    place = SourceRange{a.root, 0, 0};
  } else if (place.file != a.root) {
    related.push_back({{"location", location(a, d.range)}, {"message", "the problem is here"}});
    LineColumn at = a.file(d.range.file).lineColumn(d.range.begin);
    message = fmt::format("in `{}` (line {}): {}", a.file(d.range.file).path(), at.line, message);
    place = usePlace(a, d.range.file);
  }
  for (const auto& label : d.labels) {
    if (label.range.valid())
      related.push_back({{"location", location(a, label.range)}, {"message", label.message}});
  }
  Json result = {{"range", toJson(a.range(place))},
                 {"severity", severityCode(d.severity)},
                 {"code", std::string(d.code())},
                 {"source", "journey"},
                 {"message", message}};
  if (!related.empty()) result["relatedInformation"] = std::move(related);
  return result;
}

}  // namespace

Json diagnostics(const Analysis& a) {
  Json result = Json::array();
  if (a.root == kNoFile) return result;
  for (const Diagnostic* d : a.compilation->diagnostics.sorted())
    result.push_back(toLsp(a, *d));
  return result;
}

Json diagnosticsIn(const Analysis& a, FileId file) {
  Json result = Json::array();
  for (const Diagnostic* d : a.compilation->diagnostics.sorted()) {
    if (!d->range.valid() || d->range.file != file) continue;
    std::string message = d->message;
    for (const auto& note : d->notes)
      message += "\nnote: " + note;
    if (!d->help.empty()) message += "\nhelp: " + d->help;
    Json related = Json::array();
    for (const auto& label : d->labels) {
      if (label.range.valid())
        related.push_back({{"location", location(a, label.range)}, {"message", label.message}});
    }
    Json item = {{"range", toJson(a.range(d->range))},
                 {"severity", severityCode(d->severity)},
                 {"code", std::string(d->code())},
                 {"source", "journey"},
                 {"message", message}};
    if (!related.empty()) item["relatedInformation"] = std::move(related);
    result.push_back(std::move(item));
  }
  return result;
}

bool isLibrary(const Analysis& a) {
  const ast::Module* module = a.module(a.root);
  if (module == nullptr || module->items.empty()) return false;
  return std::none_of(module->items.begin(), module->items.end(),
                      [](const ast::TopItem& item) { return item.journey != nullptr; });
}

Json hover(const Analysis& a, std::uint32_t offset) {
  if (a.root == kNoFile) return nullptr;
  const Occurrence* occurrence = a.index.at(a.root, offset);
  if (occurrence == nullptr) {
    auto [begin, end] = wordAt(a.file(a.root).text(), offset);
    if (begin == end) return nullptr;
    std::string text =
        builtinHover(std::string_view(a.file(a.root).text()).substr(begin, end - begin));
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

Json definition(const Analysis& a, std::uint32_t offset) {
  if (a.root == kNoFile) return nullptr;
  const Occurrence* occurrence = a.index.at(a.root, offset);
  if (occurrence == nullptr) return nullptr;
  Json result = Json::array();
  for (const auto& range : a.index.symbol(occurrence->symbol).definitions)
    result.push_back(location(a, range));
  return result;
}

Json references(const Analysis& a, std::uint32_t offset, bool includeDeclaration) {
  if (a.root == kNoFile) return nullptr;
  const Occurrence* occurrence = a.index.at(a.root, offset);
  if (occurrence == nullptr) return nullptr;
  Json result = Json::array();
  for (const auto& o : a.index.occurrencesOf(occurrence->symbol)) {
    if (o.definition && !includeDeclaration) continue;
    result.push_back(location(a, o.range));
  }
  return result;
}

namespace {

int lspSymbolKind(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::Journey:
      return 2;  // Module
    case SymbolKind::Stage:
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
  if (decl.kind == ast::DeclKind::Horizon || decl.kind == ast::DeclKind::Entry) return std::nullopt;
  const auto& named = ast::as<ast::NamedDecl>(decl);
  if (named.name.text.empty() || !named.name.range.valid()) return std::nullopt;
  SymbolKind kind = SymbolKind::Stage;
  Json children = Json::array();
  switch (decl.kind) {
    case ast::DeclKind::Param:
      kind = SymbolKind::Param;
      break;
    case ast::DeclKind::Var:
      kind = SymbolKind::Var;
      break;
    case ast::DeclKind::Channel:
      kind = SymbolKind::Channel;
      break;
    case ast::DeclKind::Persona:
      kind = SymbolKind::Persona;
      for (const auto& item : ast::as<ast::PersonaDecl>(decl).items) {
        if (item.kind == ast::PersonaItemKind::Attribute && !item.name.text.empty())
          children.push_back(documentSymbol(a, item.name.text, SymbolKind::Attribute, "",
                                            item.range, item.name.range));
      }
      break;
    case ast::DeclKind::Stage: {
      const auto& stage = ast::as<ast::StageDecl>(decl);
      kind = stage.stageKind == ast::StageKind::Goal   ? SymbolKind::Goal
             : stage.stageKind == ast::StageKind::Exit ? SymbolKind::Exit
                                                       : SymbolKind::Stage;
      for (const auto& item : stage.items) {
        if (item.touchpoint) {
          if (auto child = declSymbol(a, *item.touchpoint)) children.push_back(*child);
        }
      }
      break;
    }
    case ast::DeclKind::Touchpoint:
      kind = SymbolKind::Touchpoint;
      break;
    case ast::DeclKind::Event:
      kind = SymbolKind::Event;
      for (const auto& item : ast::as<ast::EventDecl>(decl).items) {
        if (item.kind == ast::EventItemKind::Payload && !item.name.text.empty())
          children.push_back(documentSymbol(a, item.name.text, SymbolKind::Field, "", item.range,
                                            item.name.range));
      }
      break;
    case ast::DeclKind::Rule:
      kind = SymbolKind::Rule;
      break;
    default:
      return std::nullopt;
  }
  Json result = documentSymbol(a, named.name.text, kind, named.display ? named.display->value : "",
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

// ---------------------------------------------------------------------------------------------
// Rename

namespace {

const std::set<std::string, std::less<>>& keywords() {
  static const std::set<std::string, std::less<>> words = {
      "use",     "journey", "horizon", "entry",    "param",      "var",   "channel",
      "persona", "stage",   "goal",    "exit",     "touchpoint", "event", "rule",
      "after",   "on",      "in",      "for",      "if",         "else",  "every",
      "send",    "move",    "set",     "wait",     "stop",       "true",  "false",
      "and",     "or",      "not",     "discrete", "otherwise"};
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
  if (symbol.kind == SymbolKind::Journey) {
    // The journey's name is referred to nowhere else: renaming it is a plain edit.
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

// ---------------------------------------------------------------------------------------------
// Completion

namespace {

enum class TokenKind { Word, Number, String, Punct };

struct Token {
  TokenKind kind;
  std::string_view text;
  std::uint32_t begin;
};

// A small lexer for completion contexts: words, numbers with their suffixes, strings and
// punctuation; comments are skipped. It never fails. `open` is set when the text ends inside
// a comment or a string.
std::vector<Token> lex(std::string_view text, bool& open) {
  std::vector<Token> tokens;
  open = false;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n')
        ++i;
      open = i == text.size();
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      auto end = text.find("*/", i + 2);
      open = end == std::string_view::npos;
      i = open ? text.size() : end + 2;
    } else if (c == '"') {
      std::size_t start = i++;
      while (i < text.size() && text[i] != '"' && text[i] != '\n') {
        if (text[i] == '\\') ++i;
        ++i;
      }
      open = i >= text.size();
      if (i < text.size() && text[i] == '"') ++i;
      tokens.push_back(
          {TokenKind::String, text.substr(start, i - start), static_cast<std::uint32_t>(start)});
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      std::size_t start = i;
      while (i < text.size() && (isWordChar(text[i]) || text[i] == '.' || text[i] == '%'))
        ++i;
      tokens.push_back(
          {TokenKind::Number, text.substr(start, i - start), static_cast<std::uint32_t>(start)});
    } else if (isWordChar(c)) {
      std::size_t start = i;
      while (i < text.size() && isWordChar(text[i]))
        ++i;
      tokens.push_back(
          {TokenKind::Word, text.substr(start, i - start), static_cast<std::uint32_t>(start)});
    } else {
      std::size_t length = 1;
      std::string_view two = text.substr(i, 2);
      if (two == "->" || two == "<=" || two == ">=" || two == "==" || two == "!=" || two == "..")
        length = 2;
      tokens.push_back({TokenKind::Punct, text.substr(i, length), static_cast<std::uint32_t>(i)});
      i += length;
    }
  }
  return tokens;
}

struct CompletionBuilder {
  Json items = Json::array();
  std::set<std::string> seen;

  void add(const std::string& label, int kind, const std::string& detail = {},
           const std::string& documentation = {}) {
    if (!seen.insert(label).second) return;
    Json item = {{"label", label}, {"kind", kind}};
    if (!detail.empty()) item["detail"] = detail;
    if (!documentation.empty())
      item["documentation"] = {{"kind", "markdown"}, {"value", documentation}};
    items.push_back(std::move(item));
  }
  void keywords(std::initializer_list<const char*> words) {
    for (const char* word : words)
      add(word, 14);
  }
};

int completionKind(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::Journey:
      return 9;  // Module
    case SymbolKind::Stage:
    case SymbolKind::Goal:
    case SymbolKind::Exit:
      return 7;  // Class
    case SymbolKind::Persona:
      return 22;  // Struct
    case SymbolKind::Channel:
      return 20;  // EnumMember
    case SymbolKind::Touchpoint:
      return 2;  // Method
    case SymbolKind::Event:
      return 23;  // Event
    case SymbolKind::Rule:
      return 3;  // Function
    case SymbolKind::Param:
      return 21;  // Constant
    case SymbolKind::Var:
      return 6;  // Variable
    case SymbolKind::Attribute:
      return 10;  // Property
    case SymbolKind::Field:
      return 5;  // Field
  }
  return 1;
}

}  // namespace

Json completion(const std::string& text, std::uint32_t offset, const Analysis& names,
                const Analysis* fallback) {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text.size()));
  std::string_view before(text.data(), offset);
  bool insideCommentOrString = false;
  auto tokens = lex(before, insideCommentOrString);
  if (insideCommentOrString) return Json::array();
  // The token being typed, if the cursor touches it, is not context.
  std::optional<Token> partial;
  if (!tokens.empty() && tokens.back().kind != TokenKind::Punct &&
      tokens.back().kind != TokenKind::String &&
      tokens.back().begin + tokens.back().text.size() == offset) {
    partial = tokens.back();
    tokens.pop_back();
  }
  CompletionBuilder out;
  LineIndex lines(text);

  // A number being typed: offer its units.
  if (partial && partial->kind == TokenKind::Number) {
    std::string_view digits = partial->text;
    std::size_t end = 0;
    while (end < digits.size() && (std::isdigit(static_cast<unsigned char>(digits[end])) != 0 ||
                                   digits[end] == '_' || digits[end] == '.'))
      ++end;
    std::string number(digits.substr(0, end));
    Range range{lines.position(partial->begin), lines.position(offset)};
    auto unit = [&](const std::string& suffix, const std::string& detail) {
      std::string label = number + suffix;
      out.items.push_back({{"label", label},
                           {"kind", 11},
                           {"detail", detail},
                           {"filterText", label},
                           {"textEdit", {{"range", toJson(range)}, {"newText", label}}}});
    };
    for (auto [suffix, detail] :
         std::initializer_list<std::pair<const char*, const char*>>{{"s", "seconds"},
                                                                    {"m", "minutes"},
                                                                    {"h", "hours"},
                                                                    {"d", "days"},
                                                                    {"w", "weeks"},
                                                                    {"mo", "months (30 days)"},
                                                                    {"y", "years (365 days)"},
                                                                    {"%", "percent"}})
      unit(suffix, detail);
    std::string currency = checked(names) != nullptr ? checked(names)->currency : "";
    for (const char* code : {"USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "INR", "CNY"}) {
      if (currency.empty() || currency == code) unit(std::string(" ") + code, "money");
    }
    return out.items;
  }

  // The innermost open brace and what opened it.
  std::string block = "top";
  std::size_t blockStart = 0;
  {
    std::vector<std::pair<std::string, std::size_t>> stack;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i].text == "{") {
        std::string owner = "unknown";
        if (i > 0 && (tokens[i - 1].text == "->" || tokens[i - 1].text == "entry" ||
                      tokens[i - 1].text == "move")) {
          owner = "branches";
        } else if (i > 0 && tokens[i - 1].text == "discrete") {
          owner = "discrete";
        } else {
          for (std::size_t k = i; k > 0 && k + 4 > i; --k) {
            std::string_view w = tokens[k - 1].text;
            if (w == "journey" || w == "stage" || w == "goal" || w == "exit" || w == "persona" ||
                w == "channel" || w == "event" || w == "rule") {
              owner = std::string(w);
              break;
            }
          }
        }
        stack.emplace_back(owner, i + 1);
      } else if (tokens[i].text == "}" && !stack.empty()) {
        stack.pop_back();
      }
    }
    if (!stack.empty()) std::tie(block, blockStart) = stack.back();
  }
  auto prev = [&](std::size_t back) -> std::string_view {
    return tokens.size() > back ? tokens[tokens.size() - 1 - back].text : std::string_view{};
  };
  // For a list `for A, B, |`: the keyword before the list.
  auto listKeyword = [&]() -> std::pair<std::string_view, std::string_view> {
    std::size_t i = tokens.size();
    if (i > 0 && tokens[i - 1].text == ",") {
      --i;
      while (i >= 2 && tokens[i - 1].kind == TokenKind::Word && tokens[i - 2].text == ",")
        i -= 2;
      if (i >= 1 && tokens[i - 1].kind == TokenKind::Word) --i;
    }
    if (i == 0) return {};
    return {tokens[i - 1].text, i >= 2 ? tokens[i - 2].text : std::string_view{}};
  };

  std::vector<const Symbol*> symbols;
  std::set<std::string_view> keys;
  for (const auto* a : {&names, fallback}) {
    if (a == nullptr) continue;
    for (const auto& s : a->index.symbols()) {
      if (keys.insert(s.key).second) symbols.push_back(&s);
    }
  }
  auto addNames = [&](std::initializer_list<SymbolKind> kinds) {
    for (const Symbol* s : symbols) {
      if (std::find(kinds.begin(), kinds.end(), s->kind) == kinds.end()) continue;
      std::string detail = std::string(kindName(s->kind));
      std::string display = displayOf(*s);
      if (!display.empty()) detail += " “" + display + "”";
      out.add(s->name, completionKind(s->kind), detail, docOf(*s));
    }
  };
  auto stages = [&] { addNames({SymbolKind::Stage, SymbolKind::Goal, SymbolKind::Exit}); };
  auto channels = [&] {
    addNames({SymbolKind::Channel});
    for (auto name : sema::builtinChannels())
      out.add(std::string(name), 20, "built-in channel");
  };
  auto expressionNames = [&] {
    addNames({SymbolKind::Param, SymbolKind::Var, SymbolKind::Attribute, SymbolKind::Persona});
    for (const auto& state : sema::customerState())
      out.add(std::string(state.name), 6,
              fmt::format("customer state: {}", ast::typeName(state.type)),
              std::string(state.description));
    for (const auto& function : sema::builtinFunctions())
      out.add(std::string(function.name), 3, function.distribution ? "distribution" : "function");
    out.keywords({"true", "false", "not", "and", "or", "persona"});
  };

  std::string_view p1 = prev(0);
  std::string_view p2 = prev(1);
  auto [list, beforeList] = listKeyword();

  if (p1 == "." && prev(1) != "" && tokens.size() >= 2 &&
      tokens[tokens.size() - 2].kind == TokenKind::Word) {
    std::string prefix = "field:" + std::string(p2) + ".";
    for (const Symbol* s : symbols) {
      if (s->key.rfind(prefix, 0) == 0) out.add(s->name, 5, "payload field");
    }
    return out.items;
  }
  if (p1 == "->" || p1 == "entry" || p1 == "move" || p1 == "enter" || p1 == "leave") {
    stages();
    return out.items;
  }
  if (list == "in") {
    stages();
    return out.items;
  }
  if (list == "for") {
    if (beforeList == "wait") {
      addNames({SymbolKind::Event});
    } else {
      addNames({SymbolKind::Persona});
    }
    return out.items;
  }
  if (p1 == "via") {
    channels();
    return out.items;
  }
  if (p1 == "send") {
    addNames({SymbolKind::Touchpoint});
    return out.items;
  }
  if (p1 == "emits") {
    addNames({SymbolKind::Event});
    return out.items;
  }
  if (p1 == "set") {
    addNames({SymbolKind::Var});
    return out.items;
  }
  if (p1 == "wait") {
    out.keywords({"for"});
    return out.items;
  }
  if (p1 == "on") {
    addNames({SymbolKind::Event});
    if (block == "rule") {
      out.keywords({"enter", "leave", "after", "inactive"});
      expressionNames();
    }
    return out.items;
  }
  if (block == "branches") {
    bool branchStart = p1 == "{" || p1 == "," || p1 == "otherwise" ||
                       (!tokens.empty() && tokens.back().kind == TokenKind::Number);
    if (branchStart) {
      stages();
      out.keywords({"if", "else"});
      return out.items;
    }
    if (!tokens.empty() && tokens.back().kind == TokenKind::Word &&
        names.index.find(p1) != nullptr) {
      out.keywords({"otherwise"});
      return out.items;
    }
  }
  static const std::set<std::string_view> expressionStarts = {
      "=",        "if",       "(",       "+",      "-",        "*",     "/",  "<",
      ">",        "<=",       ">=",      "==",     "!=",       "and",   "or", "not",
      "value",    "cost",     "emotion", "share",  "every",    "after", ":",  "priority",
      "duration", "response", "delay",   "within", "inactive", "cap",   "per"};
  if (expressionStarts.count(p1) > 0 || (p1 == "," && block == "unknown")) {
    expressionNames();
    return out.items;
  }

  // The start of an item: the keywords the enclosing block takes.
  bool inTouchpoint = false;
  for (std::size_t i = tokens.size(); i > blockStart; --i) {
    std::string_view w = tokens[i - 1].text;
    if (w == "touchpoint") {
      inTouchpoint = true;
      break;
    }
    if (w == "after" || w == "on" || w == "value" || w == "stage" || w == "{" || w == "}") break;
  }
  if (inTouchpoint)
    out.keywords({"via", "cost", "emotion", "duration", "response", "emits", "delay"});
  if (block == "top") {
    out.keywords({"use", "journey", "param", "var", "channel", "persona", "stage", "goal", "exit",
                  "touchpoint", "event", "rule"});
  } else if (block == "journey") {
    out.keywords({"horizon", "entry", "param", "var", "channel", "persona", "stage", "goal", "exit",
                  "touchpoint", "event", "rule"});
  } else if (block == "stage" || block == "goal" || block == "exit") {
    out.keywords({"touchpoint", "after", "on", "for", "value"});
  } else if (block == "persona") {
    out.keywords({"share"});
    addNames({SymbolKind::Attribute});
  } else if (block == "channel") {
    out.keywords({"cost", "cap", "quiet", "drop", "defer"});
  } else if (block == "event") {
    out.keywords({"in", "every", "for"});
  } else if (block == "rule") {
    out.keywords(
        {"on", "in", "for", "if", "priority", "cap", "send", "move", "set", "wait", "stop"});
  } else if (block == "branches") {
    stages();
    out.keywords({"if", "else", "otherwise"});
  } else {
    expressionNames();
  }
  return out.items;
}

// ---------------------------------------------------------------------------------------------
// Semantic tokens and folding

Json semanticTokensLegend() {
  return {{"tokenTypes",
           {"namespace", "class", "struct", "enumMember", "method", "event", "function", "variable",
            "property"}},
          {"tokenModifiers", {"declaration", "readonly", "defaultLibrary"}}};
}

Json semanticTokens(const Analysis& a) {
  std::vector<std::uint32_t> data;
  if (a.root != kNoFile) {
    const LineIndex& lines = a.lineIndex(a.root);
    Position last{0, 0};
    std::uint32_t lastEnd = 0;
    for (const auto& o : a.index.occurrences(a.root)) {
      // Tokens may not overlap: a range recorded twice is sent once.
      if (o.range.begin < lastEnd) continue;
      lastEnd = o.range.end;
      const Symbol& s = a.index.symbol(o.symbol);
      std::uint32_t type = 0;
      std::uint32_t modifiers = o.definition ? 1 : 0;
      switch (s.kind) {
        case SymbolKind::Journey:
          type = 0;
          break;
        case SymbolKind::Stage:
        case SymbolKind::Goal:
        case SymbolKind::Exit:
          type = 1;
          break;
        case SymbolKind::Persona:
          type = 2;
          break;
        case SymbolKind::Channel:
          type = 3;
          if (s.builtin) modifiers |= 4;
          break;
        case SymbolKind::Touchpoint:
          type = 4;
          break;
        case SymbolKind::Event:
          type = 5;
          break;
        case SymbolKind::Rule:
          type = 6;
          break;
        case SymbolKind::Param:
          type = 7;
          modifiers |= 2;
          break;
        case SymbolKind::Var:
          type = 7;
          break;
        case SymbolKind::Attribute:
        case SymbolKind::Field:
          type = 8;
          break;
      }
      Position start = lines.position(o.range.begin);
      Position end = lines.position(o.range.end);
      if (end.line != start.line) continue;
      data.push_back(start.line - last.line);
      data.push_back(start.line == last.line ? start.character - last.character : start.character);
      data.push_back(end.character - start.character);
      data.push_back(type);
      data.push_back(modifiers);
      last = start;
    }
  }
  return {{"data", data}};
}

namespace {

void foldTarget(const Analysis& a, const ast::Target* target, Json& out);

void fold(const Analysis& a, SourceRange range, Json& out, const char* kind = nullptr) {
  if (!range.valid() || range.end <= range.begin) return;
  const LineIndex& lines = a.lineIndex(range.file);
  std::uint32_t start = lines.position(range.begin).line;
  std::uint32_t end = lines.position(range.end - 1).line;
  if (end <= start) return;
  // Keep the closing line visible when it holds only the closing brace.
  std::string_view closing =
      lines.text().substr(lines.lineStart(end), lines.lineEnd(end) - lines.lineStart(end));
  auto first = closing.find_first_not_of(" \t");
  if (first != std::string_view::npos && closing[first] == '}' && end - 1 > start) --end;
  Json item = {{"startLine", start}, {"endLine", end}};
  if (kind != nullptr) item["kind"] = kind;
  out.push_back(std::move(item));
}

void foldTarget(const Analysis& a, const ast::Target* target, Json& out) {
  if (target == nullptr || !target->isBlock) return;
  fold(a, target->range, out);
  for (const auto& branch : target->branches)
    foldTarget(a, branch.target.get(), out);
}

void foldDecl(const Analysis& a, const ast::Decl& decl, Json& out) {
  fold(a, decl.range, out);
  switch (decl.kind) {
    case ast::DeclKind::Entry:
      foldTarget(a, &ast::as<ast::EntryDecl>(decl).target, out);
      break;
    case ast::DeclKind::Stage:
      for (const auto& item : ast::as<ast::StageDecl>(decl).items) {
        foldTarget(a, item.target.get(), out);
        if (item.touchpoint) fold(a, item.touchpoint->range, out);
      }
      break;
    case ast::DeclKind::Rule:
      for (const auto& item : ast::as<ast::RuleDecl>(decl).items)
        foldTarget(a, item.target.get(), out);
      break;
    default:
      break;
  }
}

}  // namespace

Json foldingRanges(const Analysis& a) {
  Json out = Json::array();
  const ast::Module* module = a.module(a.root);
  if (module == nullptr) return out;
  for (const auto& item : module->items) {
    if (item.journey) {
      fold(a, item.journey->range, out);
      for (const auto& decl : item.journey->decls)
        foldDecl(a, *decl, out);
    }
    if (item.decl) foldDecl(a, *item.decl, out);
  }
  // Block comments, and runs of line comments on consecutive lines.
  const LineIndex& lines = a.lineIndex(a.root);
  std::optional<std::pair<std::uint32_t, std::uint32_t>> run;
  auto flush = [&] {
    if (run && run->second > run->first)
      out.push_back({{"startLine", run->first}, {"endLine", run->second}, {"kind", "comment"}});
    run.reset();
  };
  for (const auto& comment : module->comments) {
    std::uint32_t start = lines.position(comment.range.begin).line;
    std::uint32_t end =
        lines
            .position(comment.range.end > comment.range.begin ? comment.range.end - 1
                                                              : comment.range.end)
            .line;
    if (comment.text.rfind("/*", 0) == 0) {
      flush();
      if (end > start) out.push_back({{"startLine", start}, {"endLine", end}, {"kind", "comment"}});
      continue;
    }
    if (run && start == run->second + 1) {
      run->second = start;
    } else {
      flush();
      run = {start, start};
    }
  }
  flush();
  if (module->uses.size() >= 2) {
    std::uint32_t start = lines.position(module->uses.front().range.begin).line;
    std::uint32_t end = lines.position(module->uses.back().range.begin).line;
    if (end > start) out.push_back({{"startLine", start}, {"endLine", end}, {"kind", "imports"}});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Code actions and formatting

Json codeActions(const Analysis& a, const Range& range) {
  Json actions = Json::array();
  if (a.root == kNoFile) return actions;
  const LineIndex& lines = a.lineIndex(a.root);
  std::uint32_t begin = lines.offset(range.start);
  std::uint32_t end = lines.offset(range.end);
  for (const Diagnostic* d : a.compilation->diagnostics.sorted()) {
    if (!d->fix || !d->fix->range.valid() || d->fix->range.file != a.root) continue;
    if (d->range.file != a.root) continue;
    // Overlap, counting a cursor at either end of the diagnostic.
    if (d->range.end < begin || d->range.begin > end) continue;
    const Fix& fix = *d->fix;
    std::string old = snippet(a, fix.range, 40);
    std::string replacement = fix.replacement;
    std::string shown = replacement;
    std::replace(shown.begin(), shown.end(), '\n', ' ');
    auto trim = shown.find_first_not_of(' ');
    shown = trim == std::string::npos ? "" : shown.substr(trim);
    std::string title = fix.range.begin == fix.range.end ? fmt::format("Insert `{}`", shown)
                        : replacement.empty()            ? fmt::format("Remove `{}`", old)
                                              : fmt::format("Replace `{}` with `{}`", old, shown);
    Json edit = {{"range", toJson(a.range(fix.range))}, {"newText", replacement}};
    actions.push_back({{"title", title},
                       {"kind", "quickfix"},
                       {"isPreferred", true},
                       {"diagnostics", Json::array({toLsp(a, *d)})},
                       {"edit", {{"changes", {{a.rootUri, Json::array({edit})}}}}}});
  }
  return actions;
}

std::optional<Json> formatting(const std::string& text, const std::string& path,
                               std::string& error) {
  MemoryFileReader reader;
  reader.set(path, text);
  auto compilation = compile(path, reader, CompileOptions{.parseOnly = true});
  const ast::Module* module = compilation->root();
  if (compilation->rootUnreadable || module == nullptr) {
    error = "the document could not be read";
    return std::nullopt;
  }
  if (module->hasSyntaxErrors || compilation->diagnostics.hasErrors()) {
    error = "not formatted: fix the syntax errors first";
    return std::nullopt;
  }
  std::string formatted = format::formatModule(*module, compilation->sources.file(module->file));
  Json edits = Json::array();
  if (formatted == text) return edits;
  // One minimal edit: skip the common prefix and suffix, on character boundaries.
  std::size_t prefix = 0;
  std::size_t limit = std::min(text.size(), formatted.size());
  while (prefix < limit && text[prefix] == formatted[prefix])
    ++prefix;
  while (prefix > 0 && (static_cast<unsigned char>(text[prefix]) & 0xc0) == 0x80)
    --prefix;
  std::size_t suffix = 0;
  while (suffix < limit - prefix &&
         text[text.size() - 1 - suffix] == formatted[formatted.size() - 1 - suffix])
    ++suffix;
  while (suffix > 0 && (static_cast<unsigned char>(text[text.size() - suffix]) & 0xc0) == 0x80)
    --suffix;
  LineIndex lines(text);
  Range range{lines.position(static_cast<std::uint32_t>(prefix)),
              lines.position(static_cast<std::uint32_t>(text.size() - suffix))};
  edits.push_back({{"range", toJson(range)},
                   {"newText", formatted.substr(prefix, formatted.size() - suffix - prefix)}});
  return edits;
}

}  // namespace journey::lsp

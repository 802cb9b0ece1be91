// The one namespace: declaring names, resolving them, describing them, suggesting others.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/sema/analyzer.h"

namespace journey::sema {

namespace {

constexpr std::size_t kSuggestionBudget = 10'000'000;

std::string withArticle(std::string_view noun) {
  bool vowel =
      !noun.empty() && std::string_view("aeiou").find(noun.front()) != std::string_view::npos;
  return fmt::format("{} {}", vowel ? "an" : "a", noun);
}

std::string_view kindNoun(NameKind kind) {
  switch (kind) {
    case NameKind::Param:
      return "param";
    case NameKind::Var:
      return "var";
    case NameKind::Persona:
      return "persona";
    case NameKind::Stage:
      return "stage";
    case NameKind::Touchpoint:
      return "touchpoint";
    case NameKind::Channel:
      return "channel";
    case NameKind::Event:
      return "event";
    case NameKind::Rule:
      return "rule";
    case NameKind::Kpi:
      return "KPI";
  }
  return "declaration";
}

}  // namespace

Analyzer::Analyzer(const CheckedJourney& journey, CheckedJourney* out, DiagnosticSink& sink)
    : j_(journey), out_(out), sink_(sink) {
  for (auto name : builtinChannels())
    names_.emplace(name, Symbol{NameKind::Channel, nullptr, name, SourceRange{}});
}

const Symbol* Analyzer::lookup(std::string_view name) const {
  auto it = names_.find(name);
  return it == names_.end() ? nullptr : &it->second;
}

std::string Analyzer::describe(const Symbol& symbol) const {
  if (symbol.kind == NameKind::Stage && symbol.decl != nullptr) {
    const auto& stage = ast::as<ast::StageDecl>(*symbol.decl);
    if (stage.stageKind == ast::StageKind::Goal) return "a goal stage";
    if (stage.stageKind == ast::StageKind::Exit) return "an exit stage";
    if (stage.milestone) return "a milestone";
  }
  if (symbol.kind == NameKind::Channel && symbol.decl == nullptr) return "a built-in channel";
  return withArticle(kindNoun(symbol.kind));
}

std::optional<std::string> Analyzer::describeNonDeclaration(std::string_view name) const {
  if (attributes_.count(name) != 0) return std::string("a persona attribute");
  if (findCustomerState(name) != nullptr) return std::string("customer state");
  if (const FunctionInfo* function = findFunction(name)) {
    return std::string(function->distribution ? "a built-in distribution" : "a built-in function");
  }
  return std::nullopt;
}

std::optional<std::string> Analyzer::suggest(std::string_view name, unsigned kinds, bool values) {
  if (suggestionWork_ > kSuggestionBudget) return std::nullopt;
  // The namespace is complete before anything is resolved, so candidate lists keep.
  unsigned key = kinds | (values ? 1u << 31 : 0u);
  auto [cached, fresh] = candidates_.try_emplace(key);
  std::vector<std::string_view>& candidates = cached->second;
  if (fresh) {
    for (const auto& [candidate, symbol] : names_) {
      if ((bit(symbol.kind) & kinds) != 0) candidates.push_back(candidate);
    }
    if (values) {
      for (const auto& [candidate, info] : attributes_)
        candidates.push_back(candidate);
      for (const auto& state : customerState())
        candidates.push_back(state.name);
    }
    suggestionWork_ += names_.size();
  }
  suggestionWork_ += candidates.size() * (name.size() + 1);
  return closestName(name, candidates);
}

void Analyzer::addDidYouMean(Diagnostic& d, const ast::Identifier& id,
                             const std::optional<std::string>& suggestion) {
  if (!suggestion) return;
  d.help = fmt::format("did you mean `{}`?", *suggestion);
  d.fix = Fix{id.range, *suggestion};
}

namespace {

// The whitespace before `offset` on its line, or nullopt when something else precedes it there.
std::optional<std::string> indentationAt(const SourceFile& file, std::uint32_t offset) {
  std::string_view text = file.text();
  std::uint32_t start = file.lineStart(file.lineColumn(offset).line);
  std::string_view before = text.substr(start, offset - start);
  if (before.find_first_not_of(" \t") != std::string_view::npos) return std::nullopt;
  return std::string(before);
}

std::string_view lineEnding(const SourceFile& file, std::uint32_t offset) {
  std::string_view text = file.text();
  auto newline = text.find('\n', offset);
  return newline != std::string_view::npos && newline > 0 && text[newline - 1] == '\r' ? "\r\n"
                                                                                       : "\n";
}

}  // namespace

void Analyzer::offerEventDeclaration(Diagnostic& d, const ast::Identifier& id) {
  std::string declaration = fmt::format("event {}", id.text);
  std::optional<Fix> declaring = eventDeclarationFix(id, declaration);
  if (d.fix) {
    d.notes.push_back(fmt::format("if it is a new event, declare it: `{}`", declaration));
    if (declaring) d.otherFixes.push_back(std::move(*declaring));
    return;
  }
  d.help = fmt::format("declare it: `{}`", declaration);
  d.fix = std::move(declaring);
}

std::optional<Fix> Analyzer::eventDeclarationFix(const ast::Identifier& id,
                                                 const std::string& declaration) const {
  FileId file = id.range.file;
  const ast::Decl* lastEvent = nullptr;
  for (const auto* event : events_) {
    if (event->range.file == file &&
        (lastEvent == nullptr || event->range.begin > lastEvent->range.begin))
      lastEvent = event;
  }
  const ast::Decl* naming = nullptr;
  if (lastEvent == nullptr) {
    auto contains = [&](const ast::Decl* decl) {
      return decl->range.file == file && decl->range.begin <= id.range.begin &&
             id.range.end <= decl->range.end;
    };
    for (const auto* rule : rules_) {
      if (contains(rule)) naming = rule;
    }
    // A touchpoint inside a stage: the declaration goes before the stage.
    for (const auto* touchpoint : touchpoints_) {
      if (contains(touchpoint)) naming = touchpoint;
    }
    for (const auto* stage : stages_) {
      if (contains(stage)) naming = stage;
    }
    if (naming == nullptr) return std::nullopt;
  }
  const ast::Decl* anchor = lastEvent != nullptr ? lastEvent : naming;
  std::optional<std::string> indentation;
  std::string_view newline = "\n";
  if (sources_ != nullptr) {
    const SourceFile& source = sources_->file(file);
    indentation = indentationAt(source, anchor->range.begin);
    newline = lineEnding(source, anchor->range.begin);
  }
  // Newlines are not significant: on a line shared with other code a space separates.
  std::string separator = indentation ? std::string(newline) + *indentation : std::string(" ");
  if (lastEvent != nullptr) {
    std::uint32_t end = lastEvent->range.end;
    return Fix{SourceRange{file, end, end}, separator + declaration};
  }
  std::uint32_t begin = naming->range.begin;
  return Fix{SourceRange{file, begin, begin}, declaration + separator};
}

const Symbol* Analyzer::resolve(const ast::Identifier& id, unsigned kinds, std::string_view what) {
  if (id.text.empty()) return nullptr;
  const Symbol* symbol = lookup(id.text);
  if (symbol != nullptr && (bit(symbol->kind) & kinds) != 0) return symbol;
  // A name declared twice as different kinds was reported already: take the one that fits.
  for (auto [it, end] = shadowed_.equal_range(id.text); it != end; ++it) {
    if ((bit(it->second.kind) & kinds) != 0) return &it->second;
  }
  if (symbol != nullptr) {
    Diagnostic& d =
        report(DiagnosticKind::WrongKindOfName, id.range,
               fmt::format("`{}` is {}, not {}", id.text, describe(*symbol), withArticle(what)));
    if (symbol->range.valid())
      d.labels.push_back({symbol->range, fmt::format("`{}` is declared here", id.text)});
    return nullptr;
  }
  if (auto description = describeNonDeclaration(id.text)) {
    report(DiagnosticKind::WrongKindOfName, id.range,
           fmt::format("`{}` is {}, not {}", id.text, *description, withArticle(what)));
    return nullptr;
  }
  Diagnostic& d =
      report(DiagnosticKind::UnknownName, id.range, fmt::format("unknown {} `{}`", what, id.text));
  auto suggestion = suggest(id.text, kinds, false);
  addDidYouMean(d, id, suggestion);
  if (kinds == bit(NameKind::Event)) offerEventDeclaration(d, id);
  if (!suggestion && kinds == bit(NameKind::Channel)) {
    std::string list;
    for (auto name : builtinChannels())
      list += fmt::format("{}`{}`", list.empty() ? "" : ", ", name);
    d.help = fmt::format("the built-in channels are {}; declare others with `channel {}`", list,
                         id.text);
  }
  return nullptr;
}

void Analyzer::declare(const ast::NamedDecl& decl, NameKind kind) {
  std::string_view name = decl.name.text;
  if (name.empty()) return;
  if (kind != NameKind::Channel && isBuiltinChannel(name)) {
    report(DiagnosticKind::ReservedName, decl.name.range,
           fmt::format("`{}` is the name of a built-in channel", name))
        .help = fmt::format("choose another name for this {}", kindNoun(kind));
    return;
  }
  if (isReservedName(name)) {
    Diagnostic& d = report(DiagnosticKind::ReservedName, decl.name.range,
                           fmt::format("`{}` is a built-in name", name));
    if (const StateInfo* state = findCustomerState(name)) {
      d.notes.push_back(fmt::format("`{}` is {}", name, state->description));
    } else if (const FunctionInfo* function = findFunction(name)) {
      d.notes.push_back(fmt::format("`{}` is a built-in {}", name,
                                    function->distribution ? "distribution" : "function"));
    }
    d.help = fmt::format("choose another name for this {}", kindNoun(kind));
    return;
  }
  if (kind == NameKind::Kpi) {
    auto builtins = builtinKpiNames();
    if (std::find(builtins.begin(), builtins.end(), name) != builtins.end()) {
      report(DiagnosticKind::ReservedName, decl.name.range,
             fmt::format("`{}` is a KPI every simulation reports", name))
          .help = "choose another name: reports, gates and comparisons address KPIs by name";
      return;
    }
  }
  auto [it, inserted] = names_.try_emplace(name, Symbol{kind, &decl, name, decl.name.range});
  if (inserted) return;
  Symbol& existing = it->second;
  if (kind == NameKind::Channel && existing.kind == NameKind::Channel && existing.decl == nullptr) {
    // `channel email { ... }` configures the built-in channel.
    existing.decl = &decl;
    existing.range = decl.name.range;
    return;
  }
  if (existing.kind != kind) shadowed_.emplace(name, Symbol{kind, &decl, name, decl.name.range});
  Diagnostic& d =
      report(DiagnosticKind::DuplicateDefinition, decl.name.range,
             existing.kind == kind
                 ? fmt::format("{} `{}` is declared twice", kindNoun(kind), name)
                 : fmt::format("`{}` is already declared as {}", name, describe(existing)));
  if (existing.range.valid()) d.labels.push_back({existing.range, "first declared here"});
  d.help = existing.kind == kind ? "remove or rename one of them"
                                 : "personas, stages, touchpoints, events, rules, params, vars and "
                                   "channels share one namespace: "
                                   "rename one of them";
}

std::vector<const ast::PersonaDecl*> Analyzer::resolvePersonas(
    const std::vector<ast::Identifier>& ids,
    std::unordered_map<const ast::PersonaDecl*, const ast::Identifier*>& seen,
    std::string_view what) {
  std::vector<const ast::PersonaDecl*> result;
  for (const auto& id : ids) {
    const Symbol* symbol = resolve(id, bit(NameKind::Persona), "persona");
    if (symbol == nullptr || symbol->decl == nullptr) continue;
    const auto* persona = static_cast<const ast::PersonaDecl*>(symbol->decl);
    auto [previous, fresh] = seen.emplace(persona, &id);
    if (!fresh) {
      if (!what.empty()) {
        Diagnostic& d = report(DiagnosticKind::DuplicateOverride, id.range,
                               fmt::format("persona `{}` already has its own {}", id.text, what));
        d.labels.push_back(
            {previous->second->range, fmt::format("first override for `{}`", id.text)});
        d.help = "each persona can have one override: merge the two";
      }
      continue;
    }
    result.push_back(persona);
  }
  return result;
}

}  // namespace journey::sema

// Files, the namespace, and the checks of every kind of declaration.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "compiler/sema/analyzer.h"
#include "compiler/sema/types.h"

namespace journey::sema {

using ast::TypeKind;

SourceRange keywordRange(SourceRange item, std::string_view keyword) {
  auto length = static_cast<std::uint32_t>(keyword.size());
  if (item.end >= item.begin + length)
    return SourceRange{item.file, item.begin, item.begin + length};
  return item;
}

namespace {

constexpr std::size_t kSuggestionBudget = 10'000'000;

bool isIdentifier(std::string_view text) {
  if (text.empty()) return true;  // empty names are skipped where they are used
  auto c = static_cast<unsigned char>(text.front());
  return std::isalpha(c) != 0 || c == '_';
}

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
  }
  return "declaration";
}

std::string_view stageNoun(const ast::StageDecl& stage) {
  switch (stage.stageKind) {
    case ast::StageKind::Goal:
      return "goal";
    case ast::StageKind::Exit:
      return "exit";
    case ast::StageKind::Ordinary:
      break;
  }
  return "stage";
}

std::string_view ruleKeyword(ast::RuleItemKind kind) {
  switch (kind) {
    case ast::RuleItemKind::On:
      return "on";
    case ast::RuleItemKind::In:
      return "in";
    case ast::RuleItemKind::For:
      return "for";
    case ast::RuleItemKind::If:
      return "if";
    case ast::RuleItemKind::Priority:
      return "priority";
    case ast::RuleItemKind::Cap:
      return "cap";
    case ast::RuleItemKind::Send:
      return "send";
    case ast::RuleItemKind::Move:
      return "move";
    case ast::RuleItemKind::Set:
      return "set";
    case ast::RuleItemKind::WaitFor:
    case ast::RuleItemKind::Wait:
      return "wait";
    case ast::RuleItemKind::Stop:
      return "stop";
  }
  return "";
}

std::string_view touchpointKeyword(ast::TouchpointItemKind kind) {
  switch (kind) {
    case ast::TouchpointItemKind::Via:
      return "via";
    case ast::TouchpointItemKind::Cost:
      return "cost";
    case ast::TouchpointItemKind::Emotion:
      return "emotion";
    case ast::TouchpointItemKind::Duration:
      return "duration";
    case ast::TouchpointItemKind::Response:
      return "response";
  }
  return "";
}

Place constantPlace(std::string_view what, std::string_view help) {
  Place place;
  place.customer = false;
  place.what = what;
  place.constantHelp = help;
  return place;
}

Place customerPlace(PersonaScope scope, std::unordered_set<std::string_view>* reported,
                    const ast::EventDecl* event = nullptr, bool sampling = false) {
  Place place;
  place.customer = true;
  place.scope = scope;
  place.reportedAttributes = reported;
  place.event = event;
  place.sampling = sampling;
  return place;
}

PersonaScope allPersonas() {
  return PersonaScope{PersonaScope::Kind::All, nullptr, nullptr};
}

PersonaScope scopeOf(const std::vector<const ast::PersonaDecl*>& only, bool hasFor,
                     const std::unordered_set<const ast::PersonaDecl*>& overridden) {
  if (hasFor) return PersonaScope{PersonaScope::Kind::Only, &only, nullptr};
  return PersonaScope{PersonaScope::Kind::AllExcept, nullptr, &overridden};
}

// Every name an expression mentions, for the dependency order of params.
void collectNames(const ast::Expr* expr, std::vector<const ast::NameExpr*>& names) {
  if (expr == nullptr) return;
  switch (expr->kind) {
    case ast::ExprKind::Name:
      names.push_back(&ast::as<ast::NameExpr>(*expr));
      break;
    case ast::ExprKind::Call:
      for (const auto& argument : ast::as<ast::CallExpr>(*expr).arguments)
        collectNames(argument.value.get(), names);
      break;
    case ast::ExprKind::Discrete:
      for (const auto& entry : ast::as<ast::DiscreteExpr>(*expr).entries) {
        collectNames(entry.value.get(), names);
        collectNames(entry.probability.get(), names);
      }
      break;
    case ast::ExprKind::Unary:
      collectNames(ast::as<ast::UnaryExpr>(*expr).operand.get(), names);
      break;
    case ast::ExprKind::Binary:
      collectNames(ast::as<ast::BinaryExpr>(*expr).lhs.get(), names);
      collectNames(ast::as<ast::BinaryExpr>(*expr).rhs.get(), names);
      break;
    default:
      break;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Names

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

// ---------------------------------------------------------------------------------------------
// Files and collection

void Analyzer::collect(const std::vector<ast::Module*>& modules) {
  ast::Module* root = modules.front();
  std::vector<ast::Module*> order;
  for (std::size_t i = 1; i < modules.size(); ++i) {
    if (modules[i] != nullptr) order.push_back(modules[i]);
  }
  order.push_back(root);
  for (std::size_t rank = 0; rank < order.size(); ++rank)
    fileRank_.emplace(order[rank]->file, rank);
  // Size the namespace once: every item may declare a name (stages also their touchpoints).
  std::size_t estimate = builtinChannels().size();
  for (const auto* module : order) {
    for (const auto& item : module->items)
      estimate += item.journey ? item.journey->decls.size() * 2 : 2;
  }
  names_.reserve(estimate);
  if (out_ != nullptr) out_->constants.reserve(estimate * 2);
  rootHasSyntaxErrors_ = root->hasSyntaxErrors;

  for (auto& item : root->items) {
    if (!item.journey) continue;
    if (journey_ == nullptr) {
      journey_ = item.journey.get();
      continue;
    }
    const auto& second = *item.journey;
    SourceRange where =
        second.name.text.empty() ? keywordRange(second.range, "journey") : second.name.range;
    Diagnostic& d =
        report(DiagnosticKind::MultipleJourneys, where,
               second.name.text.empty()
                   ? std::string("a second `journey` block in one file")
                   : fmt::format("a second `journey` block, `{}`, in one file", second.name.text));
    d.labels.push_back({journey_->name.text.empty() ? keywordRange(journey_->range, "journey")
                                                    : journey_->name.range,
                        "the file's journey is declared here"});
    d.help = "put each journey in its own file; share declarations between them with `use`";
  }
  if (journey_ != nullptr) {
    journeyRange_ = journey_->name.text.empty() ? keywordRange(journey_->range, "journey")
                                                : journey_->name.range;
  } else {
    journeyRange_ = SourceRange{root->file, 0, 0};
    // Point at the first declaration: that is where the `journey` block would begin.
    for (const auto& item : root->items) {
      if (!item.decl) continue;
      journeyRange_ = SourceRange{root->file, item.decl->range.begin, item.decl->range.begin};
      if (item.decl->kind != ast::DeclKind::Horizon && item.decl->kind != ast::DeclKind::Entry) {
        const auto& named = static_cast<const ast::NamedDecl&>(*item.decl);
        if (!named.name.text.empty()) journeyRange_ = named.name.range;
      }
      break;
    }
    if (!root->hasSyntaxErrors) {
      report(DiagnosticKind::MissingJourney, journeyRange_, "this file has no `journey` block")
          .help =
          "wrap the declarations in `journey Name { ... }`; a file without one can only be `use`d";
    }
  }
  if (out_ != nullptr) out_->journey = journey_;

  for (auto* module : order) {
    bool isRoot = module == root;
    for (auto& item : module->items) {
      if (item.journey) {
        if (!isRoot) {
          const auto& block = *item.journey;
          SourceRange where =
              block.name.text.empty() ? keywordRange(block.range, "journey") : block.name.range;
          report(DiagnosticKind::JourneyInLibrary, where,
                 block.name.text.empty()
                     ? std::string("a file brought in by `use` declares a journey")
                     : fmt::format("a file brought in by `use` declares journey `{}`",
                                   block.name.text))
              .help =
              "a `use`d file holds bare declarations: remove the `journey { }` around them, with "
              "its "
              "`horizon` and `entry`";
          for (auto& decl : item.journey->decls) {
            if (decl) collectDecl(*decl, false, fileRank_[module->file]);
          }
        } else if (item.journey.get() == journey_) {
          for (auto& decl : item.journey->decls) {
            if (decl) collectDecl(*decl, true, fileRank_[module->file]);
          }
        }
      }
      if (item.decl) {
        auto kind = item.decl->kind;
        if (kind == ast::DeclKind::Horizon || kind == ast::DeclKind::Entry) {
          std::string_view keyword = kind == ast::DeclKind::Horizon ? "horizon" : "entry";
          report(DiagnosticKind::SettingOutsideJourney, keywordRange(item.decl->range, keyword),
                 fmt::format("`{}` outside a `journey` block", keyword))
              .help = isRoot
                          ? fmt::format("move `{}` into the `journey` block", keyword)
                          : fmt::format("set `{}` in the journey that `use`s this file", keyword);
          continue;
        }
        collectDecl(*item.decl, false, fileRank_[module->file]);
      }
    }
  }

  for (std::size_t i = 0; i < personas_.size(); ++i)
    personaIndex_.emplace(personas_[i], i);

  // Persona attributes: their own scope per persona, names merged across personas.
  for (auto* persona : personas_) {
    std::unordered_map<std::string_view, const ast::PersonaItem*> seen;
    for (auto& item : persona->items) {
      if (item.kind != ast::PersonaItemKind::Attribute || item.name.text.empty()) continue;
      std::string_view name = item.name.text;
      if (isReservedName(name) || isBuiltinChannel(name)) {
        Diagnostic& d = report(DiagnosticKind::ReservedName, item.name.range,
                               isBuiltinChannel(name)
                                   ? fmt::format("`{}` is the name of a built-in channel", name)
                                   : fmt::format("`{}` is a built-in name", name));
        if (const StateInfo* state = findCustomerState(name)) {
          d.notes.push_back(fmt::format("`{}` is {}", name, state->description));
        }
        d.help = "choose another name for this attribute";
        continue;
      }
      if (const Symbol* symbol = lookup(name)) {
        Diagnostic& d =
            report(DiagnosticKind::DuplicateDefinition, item.name.range,
                   fmt::format("attribute `{}` has the name of {}", name, describe(*symbol)));
        if (symbol->range.valid())
          d.labels.push_back({symbol->range, fmt::format("`{}` is declared here", name)});
        d.help =
            "attributes are read by name, so they cannot share a name with a declaration: rename "
            "one of them";
        continue;
      }
      auto [previous, fresh] = seen.emplace(name, &item);
      if (!fresh) {
        Diagnostic& d = report(DiagnosticKind::DuplicateDefinition, item.name.range,
                               fmt::format("attribute `{}` is defined twice in persona `{}`", name,
                                           persona->name.text));
        d.labels.push_back({previous->second->name.range, "first defined here"});
        d.help = "remove one of them";
        continue;
      }
      auto [it, created] = attributes_.try_emplace(name);
      AttributeInfo& info = it->second;
      if (created && out_ != nullptr) {
        info.index = out_->attributes.size();
        out_->attributes.push_back(Attribute{std::string(name), ast::Type{}, {}});
      }
      info.personas.insert(persona);
      info.owners.push_back(persona);
      if (out_ != nullptr) out_->attributes[info.index].definitions.push_back(&item);
    }
  }
}

void Analyzer::collectDecl(ast::Decl& decl, bool inJourney, std::size_t /*rank*/) {
  // Error recovery can leave a declaration named by a stray token (`persona ==`): the syntax
  // error was reported; the declaration is not one the user wrote.
  if (decl.kind != ast::DeclKind::Horizon && decl.kind != ast::DeclKind::Entry &&
      !isIdentifier(static_cast<const ast::NamedDecl&>(decl).name.text)) {
    return;
  }
  switch (decl.kind) {
    case ast::DeclKind::Horizon:
      if (inJourney) horizons_.push_back(&ast::as<ast::HorizonDecl>(decl));
      break;
    case ast::DeclKind::Entry:
      if (inJourney) entries_.push_back(&ast::as<ast::EntryDecl>(decl));
      break;
    case ast::DeclKind::Param: {
      auto& param = ast::as<ast::ValueDecl>(decl);
      params_.push_back(&param);
      declare(param, NameKind::Param);
      break;
    }
    case ast::DeclKind::Var: {
      auto& var = ast::as<ast::ValueDecl>(decl);
      vars_.push_back(&var);
      declare(var, NameKind::Var);
      break;
    }
    case ast::DeclKind::Channel: {
      auto& channel = ast::as<ast::ChannelDecl>(decl);
      channels_.push_back(&channel);
      declare(channel, NameKind::Channel);
      break;
    }
    case ast::DeclKind::Persona: {
      auto& persona = ast::as<ast::PersonaDecl>(decl);
      personas_.push_back(&persona);
      declare(persona, NameKind::Persona);
      break;
    }
    case ast::DeclKind::Stage: {
      auto& stage = ast::as<ast::StageDecl>(decl);
      stages_.push_back(&stage);
      declare(stage, NameKind::Stage);
      for (auto& item : stage.items) {
        if (item.kind != ast::StageItemKind::Touchpoint || !item.touchpoint) continue;
        touchpoints_.push_back(item.touchpoint.get());
        declare(*item.touchpoint, NameKind::Touchpoint);
      }
      break;
    }
    case ast::DeclKind::Touchpoint: {
      auto& touchpoint = ast::as<ast::TouchpointDecl>(decl);
      touchpoints_.push_back(&touchpoint);
      declare(touchpoint, NameKind::Touchpoint);
      break;
    }
    case ast::DeclKind::Event: {
      auto& event = ast::as<ast::EventDecl>(decl);
      events_.push_back(&event);
      declare(event, NameKind::Event);
      break;
    }
    case ast::DeclKind::Rule: {
      auto& rule = ast::as<ast::RuleDecl>(decl);
      rules_.push_back(&rule);
      declare(rule, NameKind::Rule);
      break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Params and vars

void Analyzer::checkParams() {
  // Order params so that each is checked after the params it reads; report cycles.
  std::unordered_map<const ast::ValueDecl*, std::size_t> index;
  for (std::size_t i = 0; i < params_.size(); ++i)
    index.emplace(params_[i], i);
  std::vector<std::vector<std::size_t>> dependencies(params_.size());
  std::vector<const ast::NameExpr*> names;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    names.clear();
    collectNames(params_[i]->value.get(), names);
    for (const auto* name : names) {
      const Symbol* symbol = lookup(name->name.text);
      if (symbol == nullptr || symbol->kind != NameKind::Param) continue;
      auto target = index.find(static_cast<const ast::ValueDecl*>(symbol->decl));
      if (target != index.end()) dependencies[i].push_back(target->second);
    }
  }
  enum : char { White, Grey, Black };
  std::vector<char> state(params_.size(), White);
  std::vector<std::size_t> order;
  order.reserve(params_.size());
  struct Frame {
    std::size_t param;
    std::size_t next;
  };
  std::vector<Frame> stack;
  std::vector<std::size_t> stackPosition(params_.size(), 0);
  for (std::size_t start = 0; start < params_.size(); ++start) {
    if (state[start] != White) continue;
    stack.push_back({start, 0});
    state[start] = Grey;
    stackPosition[start] = 0;
    while (!stack.empty()) {
      Frame& frame = stack.back();
      if (frame.next < dependencies[frame.param].size()) {
        std::size_t next = dependencies[frame.param][frame.next++];
        if (state[next] == White) {
          state[next] = Grey;
          stackPosition[next] = stack.size();
          stack.push_back({next, 0});
        } else if (state[next] == Grey) {
          // A cycle: the stack from `next` to the top.
          const ast::ValueDecl* head = params_[next];
          if (cyclic_.count(head) == 0) {
            std::string chain;
            for (std::size_t k = stackPosition[next]; k < stack.size(); ++k) {
              chain += fmt::format("`{}` -> ", params_[stack[k].param]->name.text);
            }
            chain += fmt::format("`{}`", head->name.text);
            Diagnostic& d = report(DiagnosticKind::CyclicDefinition, head->name.range,
                                   fmt::format("param `{}` depends on itself", head->name.text));
            if (stack.size() - stackPosition[next] > 1) d.notes.push_back(chain);
            d.help = "give one of these params a value that does not read the others";
          }
          for (std::size_t k = stackPosition[next]; k < stack.size(); ++k)
            cyclic_.insert(params_[stack[k].param]);
        }
        continue;
      }
      state[frame.param] = Black;
      order.push_back(frame.param);
      stack.pop_back();
    }
  }
  Place place = constantPlace(
      "a `param` value",
      "a `param` is known before the simulation starts: use literals and other params");
  for (std::size_t i : order) {
    ast::ValueDecl* param = params_[i];
    if (cyclic_.count(param) != 0) {
      if (param->value) param->value->type = ast::Type{TypeKind::Error, false};
      continue;
    }
    Folded folded = checkExpected(param->value.get(), place, TypeKind::Unknown);
    if (folded.ok() && folded.type.kind == TypeKind::String && folded.constant)
      paramStrings_[param] = folded.text;
  }
}

void Analyzer::checkVars() {
  Place place = constantPlace("a `var`'s initial value",
                              "a `var` starts from a fixed value: use literals and params");
  for (auto* var : vars_)
    checkExpected(var->value.get(), place, TypeKind::Unknown);
}

// ---------------------------------------------------------------------------------------------
// Channels

void Analyzer::checkCap(ast::Expr* count, ast::Expr* window, const Place& place) {
  Folded n = checkExpected(count, place, TypeKind::Number);
  if (n.ok() && n.constant && (n.value < 1 || n.value != std::floor(n.value))) {
    report(DiagnosticKind::InvalidValue, count->range,
           fmt::format("a cap must be a whole number of at least 1, found `{}`", shown(count, n)))
        .help = "`cap 2 per 7d` allows two in any seven days";
  }
  if (window == nullptr) return;
  Folded w = checkExpected(window, place, TypeKind::Duration);
  if (w.ok() && w.constant && w.value <= 0) {
    report(DiagnosticKind::InvalidValue, window->range,
           fmt::format("a cap's window must be longer than zero, found `{}`", shown(window, w)));
  }
}

void Analyzer::checkChannels() {
  Place place =
      constantPlace("a channel setting", "channel settings are fixed: use literals and params");
  for (auto* channel : channels_) {
    const ast::ChannelItem* cost = nullptr;
    const ast::ChannelItem* quiet = nullptr;
    for (auto& item : channel->items) {
      switch (item.kind) {
        case ast::ChannelItemKind::Cost: {
          if (cost != nullptr) {
            Diagnostic& d =
                report(DiagnosticKind::DuplicateSetting, keywordRange(item.range, "cost"),
                       fmt::format("`cost` is given twice in channel `{}`", channel->name.text));
            d.labels.push_back({keywordRange(cost->range, "cost"), "first given here"});
            d.help = "remove one of them";
          } else {
            cost = &item;
          }
          Folded value = checkExpected(item.first.get(), place, TypeKind::Money);
          if (value.ok() && value.constant && value.value < 0) {
            report(DiagnosticKind::InvalidValue, item.first->range,
                   fmt::format("a channel's cost cannot be negative, found `{}`",
                               shown(item.first.get(), value)));
          }
          break;
        }
        case ast::ChannelItemKind::Cap:
          checkCap(item.first.get(), item.second.get(), place);
          break;
        case ast::ChannelItemKind::Quiet: {
          if (quiet != nullptr) {
            Diagnostic& d =
                report(DiagnosticKind::DuplicateSetting, keywordRange(item.range, "quiet"),
                       fmt::format("`quiet` is given twice in channel `{}`", channel->name.text));
            d.labels.push_back({keywordRange(quiet->range, "quiet"), "first given here"});
            d.help = "a channel has one quiet period";
          } else {
            quiet = &item;
          }
          for (auto* bound : {item.first.get(), item.second.get()}) {
            Folded value = checkExpected(bound, place, TypeKind::Duration);
            if (value.ok() && value.constant && (value.value < 0 || value.value >= 86400)) {
              report(DiagnosticKind::InvalidValue, bound->range,
                     fmt::format("quiet hours are times of day from `0h` to `24h`, found `{}`",
                                 shown(bound, value)))
                  .help = "`quiet 21h..8h` keeps the channel quiet from 9 pm to 8 am";
            }
          }
          break;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Personas

void Analyzer::checkPersonas() {
  Place attributePlace;
  attributePlace.customer = false;
  attributePlace.sampling = true;
  attributePlace.what = "an attribute";
  attributePlace.constantHelp =
      "attributes are sampled independently when a customer is created: they can read params, not "
      "other "
      "attributes or customer state";
  std::unordered_map<std::string_view, const ast::PersonaItem*> typedBy;
  for (auto* persona : personas_) {
    for (auto& item : persona->items) {
      if (item.kind != ast::PersonaItemKind::Attribute) continue;
      Folded folded = checkExpected(item.value.get(), attributePlace, TypeKind::Unknown);
      auto info = attributes_.find(item.name.text);
      if (!folded.ok() || info == attributes_.end() || out_ == nullptr) continue;
      // Only the definitions that made it into the attribute count (not duplicates).
      auto& definitions = out_->attributes[info->second.index].definitions;
      if (std::find(definitions.begin(), definitions.end(), &item) == definitions.end()) continue;
      Attribute& attribute = out_->attributes[info->second.index];
      if (attribute.type.kind == TypeKind::Unknown || attribute.type.kind == TypeKind::Error) {
        attribute.type = ast::Type{folded.type.kind, folded.type.sampled};
        typedBy[item.name.text] = &item;
        continue;
      }
      attribute.type.sampled = attribute.type.sampled || folded.type.sampled;
      if (attribute.type.kind == folded.type.kind) continue;
      const ast::PersonaItem* first = typedBy[item.name.text];
      Diagnostic& d =
          report(DiagnosticKind::AttributeTypeConflict, item.value->range,
                 fmt::format("attribute `{}` is `{}` in persona `{}`, but `{}` elsewhere",
                             item.name.text, typeName(folded.type.kind), persona->name.text,
                             typeName(attribute.type.kind)));
      if (first != nullptr && first->value) {
        d.labels.push_back({first->value->range, fmt::format("`{}` is `{}` here", item.name.text,
                                                             typeName(attribute.type.kind))});
      }
      d.help = "an attribute has one type in every persona";
    }
  }
  // An attribute whose every definition failed to type stays an error: reads are silent.
  if (out_ != nullptr) {
    for (auto& attribute : out_->attributes) {
      if (attribute.type.kind == TypeKind::Unknown) attribute.type.kind = TypeKind::Error;
    }
  }

  // Shares.
  Place sharePlace = constantPlace(
      "a share", "shares are fixed fractions of all customers: use literals and params");
  bool sumKnown = true;
  double sum = 0;
  std::vector<std::pair<const ast::PersonaDecl*, const ast::Expr*>> shares;
  for (auto* persona : personas_) {
    const ast::PersonaItem* share = nullptr;
    for (auto& item : persona->items) {
      if (item.kind != ast::PersonaItemKind::Share) continue;
      if (share != nullptr) {
        Diagnostic& d =
            report(DiagnosticKind::DuplicateSetting, keywordRange(item.range, "share"),
                   fmt::format("`share` is given twice in persona `{}`", persona->name.text));
        d.labels.push_back({keywordRange(share->range, "share"), "first given here"});
        d.help = "remove one of them";
        checkExpected(item.value.get(), sharePlace, TypeKind::Number);
        sumKnown = false;
        continue;
      }
      share = &item;
      Folded value = checkExpected(item.value.get(), sharePlace, TypeKind::Number);
      if (!value.ok() || !value.constant) {
        sumKnown = false;
        continue;
      }
      if (value.value <= 0 || value.value > 1 + kSumTolerance) {
        report(DiagnosticKind::InvalidValue, item.value->range,
               fmt::format("a share must be more than 0% and at most 100%, found {}",
                           formatPercent(value.value)))
            .help = "a share is the fraction of all customers who have this persona";
        sumKnown = false;
        continue;
      }
      sum += value.value;
      shares.emplace_back(persona, item.value.get());
    }
    if (share == nullptr) {
      sumKnown = false;
      if (persona->name.text.empty()) continue;
      report(DiagnosticKind::MissingShare, persona->name.range,
             fmt::format("persona `{}` has no `share`", persona->name.text))
          .help =
          fmt::format("add `share N%`: the fraction of customers who are `{}`", persona->name.text);
    }
  }
  if (sumKnown && !shares.empty() && std::fabs(sum - 1) > kSumTolerance) {
    SourceRange where = journey_ != nullptr ? journeyRange_ : personas_.front()->name.range;
    Diagnostic& d =
        report(DiagnosticKind::ShareSum, where,
               fmt::format("persona shares add up to {}, not 100%", formatPercent(sum)));
    for (const auto& [persona, value] : shares) {
      auto folded = j_.constant(value);
      d.labels.push_back({value->range, fmt::format("`{}` has {}", persona->name.text,
                                                    formatPercent(folded ? *folded : 0))});
    }
    d.help = sum < 1 ? fmt::format("give the remaining {} to the personas", formatPercent(1 - sum))
                     : fmt::format("take {} away from the personas", formatPercent(sum - 1));
  }
}

// ---------------------------------------------------------------------------------------------
// Events

void Analyzer::checkEventPayloads() {
  for (auto* event : events_) {
    auto& fields = payloads_[event];
    for (auto& item : event->items) {
      if (item.kind != ast::EventItemKind::Payload || item.name.text.empty()) continue;
      auto [previous, fresh] = fields.emplace(item.name.text, &item);
      if (!fresh) {
        Diagnostic& d = report(DiagnosticKind::DuplicateDefinition, item.name.range,
                               fmt::format("field `{}` is defined twice in event `{}`",
                                           item.name.text, event->name.text));
        d.labels.push_back({previous->second->name.range, "first defined here"});
        d.help = "remove one of them";
      }
    }
  }
  for (auto* event : events_) {
    std::unordered_set<std::string_view> reported;
    for (auto& item : event->items) {
      if (item.kind != ast::EventItemKind::Payload) continue;
      checkExpected(item.value.get(), customerPlace(allPersonas(), &reported, nullptr, true),
                    TypeKind::Unknown);
    }
  }
}

void Analyzer::checkEvents() {
  for (auto* event : events_) {
    const ast::EventItem* in = nullptr;
    const ast::EventItem* defaultEvery = nullptr;
    std::unordered_map<const ast::PersonaDecl*, const ast::Identifier*> seen;
    std::unordered_set<const ast::PersonaDecl*> overridden;
    std::vector<std::vector<const ast::PersonaDecl*>> scopes(event->items.size());
    for (std::size_t i = 0; i < event->items.size(); ++i) {
      auto& item = event->items[i];
      if (item.kind == ast::EventItemKind::In) {
        if (in != nullptr) {
          Diagnostic& d =
              report(DiagnosticKind::DuplicateSetting, keywordRange(item.range, "in"),
                     fmt::format("`in` is given twice in event `{}`", event->name.text));
          d.labels.push_back({keywordRange(in->range, "in"), "first given here"});
          d.help = "list every stage in one `in`: `in A, B`";
        } else {
          in = &item;
        }
        for (const auto& id : item.names) {
          const Symbol* symbol = resolve(id, bit(NameKind::Stage), "stage");
          if (symbol == nullptr || symbol->decl == nullptr) continue;
          const auto& stage = ast::as<ast::StageDecl>(*symbol->decl);
          if (stage.stageKind == ast::StageKind::Ordinary) continue;
          Diagnostic& d =
              report(DiagnosticKind::WrongKindOfName, id.range,
                     fmt::format("`{}` is {}, not an ordinary stage", id.text, describe(*symbol)));
          d.labels.push_back({symbol->range, fmt::format("`{}` is declared here", id.text)});
          d.help =
              "events happen while customers wait in a stage; goal and exit stages end the journey";
        }
      } else if (item.kind == ast::EventItemKind::Every) {
        if (item.names.empty()) {
          if (defaultEvery != nullptr) {
            Diagnostic& d =
                report(DiagnosticKind::DuplicateOverride, keywordRange(item.range, "every"),
                       fmt::format("event `{}` has two default `every` rates", event->name.text));
            d.labels.push_back({keywordRange(defaultEvery->range, "every"), "first one here"});
            d.help = "give personas their own rate with `for Persona every ...`";
          } else {
            defaultEvery = &item;
          }
        } else {
          scopes[i] = resolvePersonas(item.names, seen, "`every`");
          overridden.insert(scopes[i].begin(), scopes[i].end());
        }
      }
    }
    for (std::size_t i = 0; i < event->items.size(); ++i) {
      auto& item = event->items[i];
      if (item.kind != ast::EventItemKind::Every) continue;
      std::unordered_set<std::string_view> reported;
      Place place = customerPlace(scopeOf(scopes[i], !item.names.empty(), overridden), &reported);
      Folded value = checkExpected(item.value.get(), place, TypeKind::Duration);
      if (value.ok() && value.constant && value.value <= 0) {
        report(DiagnosticKind::InvalidValue, item.value->range,
               fmt::format("`every` must be longer than zero, found `{}`",
                           shown(item.value.get(), value)))
            .help = "`every` is the mean time between two occurrences of the event";
      }
    }
  }
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

// ---------------------------------------------------------------------------------------------
// Journey settings and targets

void Analyzer::checkSettings() {
  for (auto* horizon : horizons_) {
    if (horizon != horizons_.front()) {
      Diagnostic& d = report(DiagnosticKind::DuplicateSetting,
                             keywordRange(horizon->range, "horizon"), "`horizon` is set twice");
      d.labels.push_back({keywordRange(horizons_.front()->range, "horizon"), "first set here"});
      d.help = "remove one of them";
    }
    Folded value = checkExpected(
        horizon->value.get(),
        constantPlace("the horizon", "the horizon is fixed: use a literal or a param"),
        TypeKind::Duration);
    if (value.ok() && value.constant && value.value <= 0) {
      report(DiagnosticKind::InvalidValue, horizon->value->range,
             fmt::format("the horizon must be longer than zero, found `{}`",
                         shown(horizon->value.get(), value)))
          .help = "the horizon is how long each customer is followed, e.g. `horizon 1y`";
    }
  }
  for (auto* entry : entries_) {
    if (entry != entries_.front()) {
      Diagnostic& d = report(DiagnosticKind::DuplicateSetting, keywordRange(entry->range, "entry"),
                             "`entry` is set twice");
      d.labels.push_back({keywordRange(entries_.front()->range, "entry"), "first set here"});
      d.help = "choose among several entry stages with one block: `entry { A 70%, B otherwise }`";
    }
    std::unordered_set<std::string_view> reported;
    checkTarget(&entry->target, customerPlace(allPersonas(), &reported), TargetUse::Entry);
  }
  if (out_ != nullptr) {
    if (!horizons_.empty()) out_->horizon = horizons_.front();
    if (!entries_.empty()) out_->entry = entries_.front();
  }
  if (journey_ == nullptr) return;
  std::string_view name = journey_->name.text;
  if (horizons_.empty()) {
    report(DiagnosticKind::MissingHorizon, journeyRange_,
           fmt::format("journey `{}` has no `horizon`", name))
        .help = "add `horizon 1y`: how long each customer is followed";
  }
  if (entries_.empty()) {
    report(DiagnosticKind::MissingEntry, journeyRange_,
           fmt::format("journey `{}` has no `entry`", name))
        .help = "add `entry Stage`: the stage where customers start";
  }
  if (personas_.empty()) {
    report(DiagnosticKind::NoPersonas, journeyRange_,
           fmt::format("journey `{}` has no personas", name))
        .help = "add at least one, e.g. `persona Everyone { share 100% }`";
  }
  bool goal = std::any_of(stages_.begin(), stages_.end(), [](const ast::StageDecl* stage) {
    return stage->stageKind == ast::StageKind::Goal;
  });
  if (!goal && !rootHasSyntaxErrors_) {
    report(DiagnosticKind::NoGoal, journeyRange_,
           fmt::format("journey `{}` has no goal stage", name))
        .help = "mark the stage customers should reach with `goal`, e.g. `goal Purchased`";
  }
}

void Analyzer::checkTargetStage(const ast::Identifier& id, TargetUse use) {
  const Symbol* symbol = resolve(id, bit(NameKind::Stage), "stage");
  if (symbol == nullptr || symbol->decl == nullptr || use != TargetUse::Entry) return;
  const auto& stage = ast::as<ast::StageDecl>(*symbol->decl);
  if (stage.stageKind == ast::StageKind::Ordinary) return;
  Diagnostic& d =
      report(DiagnosticKind::EntryNotOrdinary, id.range,
             fmt::format("customers cannot enter at `{}`, {}", id.text, describe(*symbol)));
  d.labels.push_back({symbol->range, fmt::format("`{}` is declared here", id.text)});
  d.help = "the entry must be an ordinary `stage`";
}

void Analyzer::checkProbability(const Folded& value, const ast::Expr* expr) {
  if (!value.ok() || !value.constant || expr == nullptr) return;
  if (value.value >= 0 && value.value <= 1 + kSumTolerance) return;
  report(DiagnosticKind::ProbabilityOutOfRange, expr->range,
         fmt::format("probability {} is {}", formatPercent(value.value),
                     value.value < 0 ? "below 0%" : "above 100%"))
      .help = "probabilities are between 0% and 100%";
}

void Analyzer::checkTarget(ast::Target* target, const Place& place, TargetUse use) {
  if (target == nullptr) return;
  if (!target->isBlock) {
    checkTargetStage(target->stage, use);
    return;
  }
  auto& branches = target->branches;
  if (branches.empty()) {
    report(DiagnosticKind::EmptyBranches, target->range, "branch block has no branches").help =
        "name one stage, or list branches: `{ A 70%, B otherwise }` or `{ if c -> A else -> B }`";
    return;
  }
  auto probabilistic = [](ast::BranchKind kind) {
    return kind == ast::BranchKind::Chance || kind == ast::BranchKind::Otherwise;
  };
  bool byChance = probabilistic(branches.front().kind);
  bool mixed = false;
  for (const auto& branch : branches) {
    if (probabilistic(branch.kind) == byChance) continue;
    Diagnostic& d = report(DiagnosticKind::MixedBranches, branch.range,
                           byChance ? "condition branch in a block of probability branches"
                                    : "probability branch in a block of condition branches");
    d.labels.push_back({branches.front().range, byChance
                                                    ? "the block picks by probability from here"
                                                    : "the block picks by condition from here"});
    d.help =
        "a block picks either by probability or by condition; nest one block inside a branch of "
        "the other";
    mixed = true;
    break;
  }
  const ast::Branch* catchAll = nullptr;
  for (std::size_t i = 0; i < branches.size(); ++i) {
    const auto& branch = branches[i];
    if (branch.kind != ast::BranchKind::Otherwise && branch.kind != ast::BranchKind::Else) continue;
    std::string_view keyword = branch.kind == ast::BranchKind::Else ? "else" : "otherwise";
    if (catchAll != nullptr) {
      Diagnostic& d = report(DiagnosticKind::MisplacedElse, branch.range,
                             fmt::format("a second `{}` branch", keyword));
      d.labels.push_back({catchAll->range, "the first one is here"});
      d.help = fmt::format("a block has at most one `{}`", keyword);
      continue;
    }
    catchAll = &branch;
    bool followed = std::any_of(branches.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                branches.end(), [](const ast::Branch& next) {
                                  return next.kind != ast::BranchKind::Otherwise &&
                                         next.kind != ast::BranchKind::Else;
                                });
    if (followed) {
      report(DiagnosticKind::MisplacedElse, branch.range,
             fmt::format("`{}` is not the last branch", keyword))
          .help = "move it to the end of the block: it takes the customers no other branch took";
    }
  }

  Place inner = place;
  inner.sampling = false;
  bool bad = false;
  bool hasOtherwise = false;
  const ast::Expr* computed = nullptr;
  double sum = 0;
  for (auto& branch : branches) {
    switch (branch.kind) {
      case ast::BranchKind::Chance: {
        checkTargetStage(branch.stage, use);
        Folded value = checkExpected(branch.value.get(), inner, TypeKind::Number);
        if (!value.ok()) {
          bad = true;
        } else if (!value.constant) {
          if (computed == nullptr) computed = branch.value.get();
        } else if (value.value < 0 || value.value > 1 + kSumTolerance) {
          checkProbability(value, branch.value.get());
          bad = true;
        } else {
          sum += value.value;
        }
        break;
      }
      case ast::BranchKind::Otherwise:
        checkTargetStage(branch.stage, use);
        hasOtherwise = true;
        break;
      case ast::BranchKind::If:
        checkExpected(branch.value.get(), inner, TypeKind::Bool);
        checkTarget(branch.target.get(), place, use);
        break;
      case ast::BranchKind::Else:
        checkTarget(branch.target.get(), place, use);
        break;
    }
  }
  if (mixed || !byChance || bad) return;
  if (computed != nullptr) {
    if (!hasOtherwise) {
      report(DiagnosticKind::MissingRemainder, computed->range,
             "this probability is computed, but the block has no `otherwise` branch")
          .help =
          "add a last branch `Stage otherwise` for the customers the computed probabilities leave";
    }
    return;
  }
  if (!hasOtherwise && std::fabs(sum - 1) > kSumTolerance) {
    Diagnostic& d =
        report(DiagnosticKind::BranchSum, target->range,
               fmt::format("branch probabilities add up to {}, not 100%", formatPercent(sum)));
    d.help = sum < 1 ? fmt::format("give the remaining {} to a stage with `Stage otherwise`",
                                   formatPercent(1 - sum))
                     : "lower the probabilities so that they add up to 100%";
  } else if (hasOtherwise && sum > 1 + kSumTolerance) {
    report(DiagnosticKind::BranchSum, target->range,
           fmt::format("branch probabilities add up to {}, more than 100%", formatPercent(sum)))
        .help = "`otherwise` takes what is left, so the other branches must add up to at most 100%";
  }
}

// ---------------------------------------------------------------------------------------------
// Stages and touchpoints

void Analyzer::checkStage(ast::StageDecl& stage) {
  bool terminal = stage.stageKind != ast::StageKind::Ordinary;
  std::string_view stageName = stage.name.text;
  const ast::StageItem* value = nullptr;
  const ast::StageItem* defaultAfter = nullptr;
  std::unordered_map<const ast::PersonaDecl*, const ast::Identifier*> afterSeen;
  std::unordered_set<const ast::PersonaDecl*> afterOverridden;
  struct OnGroup {
    const ast::StageItem* defaultItem = nullptr;
    std::unordered_map<const ast::PersonaDecl*, const ast::Identifier*> seen;
    std::unordered_set<const ast::PersonaDecl*> overridden;
  };
  std::unordered_map<const ast::EventDecl*, OnGroup> groups;
  std::vector<std::vector<const ast::PersonaDecl*>> scopes(stage.items.size());
  std::vector<const ast::EventDecl*> itemEvents(stage.items.size(), nullptr);

  for (std::size_t i = 0; i < stage.items.size(); ++i) {
    auto& item = stage.items[i];
    switch (item.kind) {
      case ast::StageItemKind::Touchpoint:
        break;
      case ast::StageItemKind::After:
      case ast::StageItemKind::On: {
        bool after = item.kind == ast::StageItemKind::After;
        if (terminal) {
          Diagnostic& d = report(DiagnosticKind::TerminalWithTransition, item.range,
                                 fmt::format("{} `{}` has {} transition", stageNoun(stage),
                                             stageName, after ? "an `after`" : "an `on`"));
          d.help = fmt::format(
              "goal and exit stages end the journey: remove the transition, or make `{}` a `stage`",
              stageName);
        }
        OnGroup* group = nullptr;
        std::string what = "`after`";
        if (!after) {
          const Symbol* event = resolve(item.event, bit(NameKind::Event), "event");
          if (event != nullptr && event->decl != nullptr) {
            itemEvents[i] = static_cast<const ast::EventDecl*>(event->decl);
            group = &groups[itemEvents[i]];
            what = fmt::format("`on {}`", item.event.text);
          }
        }
        if (!item.personas.empty()) {
          if (after) {
            scopes[i] = resolvePersonas(item.personas, afterSeen,
                                        fmt::format("{} in stage `{}`", what, stageName));
            afterOverridden.insert(scopes[i].begin(), scopes[i].end());
          } else if (group != nullptr) {
            scopes[i] = resolvePersonas(item.personas, group->seen,
                                        fmt::format("{} in stage `{}`", what, stageName));
            group->overridden.insert(scopes[i].begin(), scopes[i].end());
          } else {
            std::unordered_map<const ast::PersonaDecl*, const ast::Identifier*> scratch;
            scopes[i] = resolvePersonas(item.personas, scratch, {});
          }
          break;
        }
        const ast::StageItem** slot =
            after ? &defaultAfter : (group != nullptr ? &group->defaultItem : nullptr);
        if (slot == nullptr) break;
        if (*slot != nullptr) {
          std::string_view keyword = after ? "after" : "on";
          Diagnostic& d = report(
              DiagnosticKind::DuplicateTransition, keywordRange(item.range, keyword),
              fmt::format("stage `{}` has two {} transitions for every persona", stageName, what));
          d.labels.push_back({keywordRange((*slot)->range, keyword), "the first one is here"});
          d.help =
              "merge them into one, with a branch block if customers split; or give one of them "
              "personas with "
              "`for`";
        } else {
          *slot = &item;
        }
        break;
      }
      case ast::StageItemKind::Value:
        if (stage.stageKind != ast::StageKind::Goal) {
          report(
              DiagnosticKind::ValueOutsideGoal, item.range,
              fmt::format("`value` on {} `{}`, which is not a goal", stageNoun(stage), stageName))
              .help = fmt::format(
              "only reaching a goal is worth something: make `{}` a `goal`, or remove the `value`",
              stageName);
        } else if (value != nullptr) {
          Diagnostic& d =
              report(DiagnosticKind::DuplicateSetting, keywordRange(item.range, "value"),
                     fmt::format("`value` is given twice in goal `{}`", stageName));
          d.labels.push_back({keywordRange(value->range, "value"), "first given here"});
          d.help = "remove one of them";
        } else {
          value = &item;
        }
        break;
    }
  }

  for (std::size_t i = 0; i < stage.items.size(); ++i) {
    auto& item = stage.items[i];
    std::unordered_set<std::string_view> reported;
    switch (item.kind) {
      case ast::StageItemKind::Touchpoint:
        if (item.touchpoint) checkTouchpoint(*item.touchpoint);
        break;
      case ast::StageItemKind::After: {
        PersonaScope scope = scopeOf(scopes[i], !item.personas.empty(), afterOverridden);
        Folded delay = checkExpected(
            item.value.get(), customerPlace(scope, &reported, nullptr, true), TypeKind::Duration);
        if (delay.ok() && delay.constant && delay.value < 0) {
          report(DiagnosticKind::InvalidValue, item.value->range,
                 fmt::format("a delay cannot be negative, found `{}`",
                             shown(item.value.get(), delay)));
        }
        checkTarget(item.target.get(), customerPlace(scope, &reported), TargetUse::Transition);
        break;
      }
      case ast::StageItemKind::On: {
        static const std::unordered_set<const ast::PersonaDecl*> kNone;
        const auto* event = itemEvents[i];
        const auto& overridden = event != nullptr ? groups[event].overridden : kNone;
        PersonaScope scope = scopeOf(scopes[i], !item.personas.empty(), overridden);
        checkTarget(item.target.get(), customerPlace(scope, &reported, event),
                    TargetUse::Transition);
        break;
      }
      case ast::StageItemKind::Value:
        checkExpected(item.value.get(), customerPlace(allPersonas(), &reported), TypeKind::Money);
        break;
    }
  }
}

void Analyzer::checkTouchpoint(ast::TouchpointDecl& touchpoint) {
  std::unordered_set<std::string_view> reported;
  Place place = customerPlace(allPersonas(), &reported);
  const ast::TouchpointItem* firsts[5] = {nullptr, nullptr, nullptr, nullptr, nullptr};
  for (auto& item : touchpoint.items) {
    auto& first = firsts[static_cast<std::size_t>(item.kind)];
    std::string_view keyword = touchpointKeyword(item.kind);
    if (first != nullptr) {
      Diagnostic& d = report(
          DiagnosticKind::DuplicateSetting, keywordRange(item.range, keyword),
          fmt::format("`{}` is given twice in touchpoint `{}`", keyword, touchpoint.name.text));
      d.labels.push_back({keywordRange(first->range, keyword), "first given here"});
      d.help = "remove one of them";
    } else {
      first = &item;
    }
    switch (item.kind) {
      case ast::TouchpointItemKind::Via:
        resolve(item.name, bit(NameKind::Channel), "channel");
        break;
      case ast::TouchpointItemKind::Cost: {
        Folded value = checkExpected(item.value.get(), place, TypeKind::Money);
        if (value.ok() && value.constant && value.value < 0) {
          report(
              DiagnosticKind::InvalidValue, item.value->range,
              fmt::format("a cost cannot be negative, found `{}`", shown(item.value.get(), value)));
        }
        break;
      }
      case ast::TouchpointItemKind::Emotion:
        checkExpected(item.value.get(), place, TypeKind::Number);
        break;
      case ast::TouchpointItemKind::Duration: {
        Folded value = checkExpected(item.value.get(), place, TypeKind::Duration);
        if (value.ok() && value.constant && value.value < 0) {
          report(DiagnosticKind::InvalidValue, item.value->range,
                 fmt::format("a duration cannot be negative, found `{}`",
                             shown(item.value.get(), value)));
        }
        break;
      }
      case ast::TouchpointItemKind::Response: {
        Folded chance = checkExpected(item.value.get(), place, TypeKind::Number);
        checkProbability(chance, item.value.get());
        resolve(item.name, bit(NameKind::Event), "event");
        if (item.delay) {
          Place sampled = place;
          sampled.sampling = true;
          Folded delay = checkExpected(item.delay.get(), sampled, TypeKind::Duration);
          if (delay.ok() && delay.constant && delay.value < 0) {
            report(DiagnosticKind::InvalidValue, item.delay->range,
                   fmt::format("a delay cannot be negative, found `{}`",
                               shown(item.delay.get(), delay)));
          }
        }
        break;
      }
    }
  }
  if (firsts[static_cast<std::size_t>(ast::TouchpointItemKind::Via)] == nullptr &&
      !touchpoint.name.text.empty()) {
    report(DiagnosticKind::MissingChannel, touchpoint.name.range,
           fmt::format("touchpoint `{}` has no channel", touchpoint.name.text))
        .help = "add `via` and the channel that reaches the customer, e.g. `via email`";
  }
}

// ---------------------------------------------------------------------------------------------
// Rules

void Analyzer::checkRule(ast::RuleDecl& rule) {
  std::string_view ruleName = rule.name.text;
  const ast::RuleItem* clauses[6] = {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
  bool hasAction = false;
  for (auto& item : rule.items) {
    if (item.isAction()) {
      hasAction = true;
      continue;
    }
    auto& first = clauses[static_cast<std::size_t>(item.kind)];
    if (first != nullptr) {
      std::string_view keyword = ruleKeyword(item.kind);
      Diagnostic& d = report(DiagnosticKind::DuplicateSetting, keywordRange(item.range, keyword),
                             fmt::format("`{}` is given twice in rule `{}`", keyword, ruleName));
      d.labels.push_back({keywordRange(first->range, keyword), "first given here"});
      d.help = item.kind == ast::RuleItemKind::On
                   ? "a rule has one trigger: split it into two rules"
               : item.kind == ast::RuleItemKind::If ? "combine the conditions with `and`"
                                                    : "remove one of them";
    } else {
      first = &item;
    }
  }
  const ast::RuleItem* on = clauses[static_cast<std::size_t>(ast::RuleItemKind::On)];
  const ast::RuleItem* scopeItem = clauses[static_cast<std::size_t>(ast::RuleItemKind::For)];
  if (!ruleName.empty()) {
    if (on == nullptr) {
      report(DiagnosticKind::MissingTrigger, rule.name.range,
             fmt::format("rule `{}` has no trigger", ruleName))
          .help =
          "add `on` and what starts the rule: `on enter Stage`, `on event_name`, `on after 3d` or "
          "a "
          "condition such as `on emotion < -2`";
    }
    if (!hasAction) {
      report(DiagnosticKind::MissingAction, rule.name.range,
             fmt::format("rule `{}` has no actions", ruleName))
          .help = "add what it does: `send`, `move`, `set`, `wait` or `stop`";
    }
  }

  std::vector<const ast::PersonaDecl*> personas;
  for (auto& item : rule.items) {
    if (item.kind != ast::RuleItemKind::For) continue;
    std::unordered_map<const ast::PersonaDecl*, const ast::Identifier*> seen;
    auto resolved = resolvePersonas(item.names, seen, {});
    if (&item == scopeItem) personas = std::move(resolved);
  }
  PersonaScope scope = scopeItem != nullptr
                           ? PersonaScope{PersonaScope::Kind::Only, &personas, nullptr}
                           : allPersonas();
  std::unordered_set<std::string_view> reported;

  // The trigger first: an event trigger makes its payload readable in the whole rule.
  const ast::EventDecl* event = nullptr;
  for (auto& item : rule.items) {
    if (item.kind != ast::RuleItemKind::On || !item.trigger) continue;
    auto& trigger = *item.trigger;
    Place place = customerPlace(scope, &reported);
    switch (trigger.kind) {
      case ast::TriggerKind::Enter:
      case ast::TriggerKind::Leave:
        resolve(trigger.stage, bit(NameKind::Stage), "stage");
        break;
      case ast::TriggerKind::After:
      case ast::TriggerKind::Inactive: {
        Folded value = checkExpected(trigger.value.get(), place, TypeKind::Duration);
        if (value.ok() && value.constant && value.value < 0) {
          report(DiagnosticKind::InvalidValue, trigger.value->range,
                 fmt::format("a duration cannot be negative, found `{}`",
                             shown(trigger.value.get(), value)));
        }
        break;
      }
      case ast::TriggerKind::Expr: {
        ast::Expr* value = trigger.value.get();
        if (value != nullptr && value->kind == ast::ExprKind::Name) {
          auto& name = ast::as<ast::NameExpr>(*value);
          const Symbol* symbol = lookup(name.name.text);
          if (symbol != nullptr && symbol->kind == NameKind::Event) {
            name.symbol = ast::SymbolKind::Event;
            name.declaration = symbol->decl;
            if (&item == on) event = static_cast<const ast::EventDecl*>(symbol->decl);
            break;
          }
          if (symbol != nullptr && symbol->kind != NameKind::Param &&
              symbol->kind != NameKind::Var && symbol->kind != NameKind::Persona) {
            Diagnostic& d = report(DiagnosticKind::WrongKindOfName, name.name.range,
                                   fmt::format("`{}` is {}, not an event or a condition",
                                               name.name.text, describe(*symbol)));
            if (symbol->range.valid()) {
              d.labels.push_back(
                  {symbol->range, fmt::format("`{}` is declared here", name.name.text)});
            }
            if (symbol->kind == NameKind::Stage) {
              d.help = fmt::format("`on enter {0}` runs the rule when customers enter `{0}`",
                                   name.name.text);
            }
            value->type = ast::Type{TypeKind::Error, false};
            break;
          }
          if (symbol == nullptr && !name.name.text.empty() &&
              attributes_.count(name.name.text) == 0 &&
              findCustomerState(name.name.text) == nullptr) {
            Diagnostic& d = report(DiagnosticKind::UnknownName, name.name.range,
                                   fmt::format("unknown event `{}`", name.name.text));
            addDidYouMean(d, name.name, suggest(name.name.text, bit(NameKind::Event), false));
            value->type = ast::Type{TypeKind::Error, false};
            break;
          }
        }
        Folded condition = checkExpected(value, place, TypeKind::Bool);
        (void)condition;
        break;
      }
    }
  }

  Place place = customerPlace(scope, &reported, event);
  const ast::RuleItem* ender = nullptr;
  bool warned = false;
  for (auto& item : rule.items) {
    // A `stop` after the end changes nothing either way: only actions that would do something warn.
    if (item.isAction() && item.kind != ast::RuleItemKind::Stop && ender != nullptr && !warned) {
      warned = true;
      std::string_view endKeyword = ruleKeyword(ender->kind);
      Diagnostic& d =
          report(DiagnosticKind::UnreachableAction, item.range,
                 fmt::format("`{}` after `{}` never runs", ruleKeyword(item.kind), endKeyword));
      d.labels.push_back({keywordRange(ender->range, endKeyword), "the rule ends here"});
      d.help = fmt::format("remove it, or move it before `{}`", endKeyword);
    }
    switch (item.kind) {
      case ast::RuleItemKind::On:
      case ast::RuleItemKind::For:
        break;
      case ast::RuleItemKind::In:
        for (const auto& id : item.names)
          resolve(id, bit(NameKind::Stage), "stage");
        break;
      case ast::RuleItemKind::If:
        checkExpected(item.value.get(), place, TypeKind::Bool);
        break;
      case ast::RuleItemKind::Priority:
        checkExpected(
            item.value.get(),
            constantPlace("a `priority`", "a rule's priority is fixed: use a literal or a param"),
            TypeKind::Number);
        break;
      case ast::RuleItemKind::Cap:
        checkCap(item.value.get(), item.second.get(),
                 constantPlace("a `cap`", "a rule's cap is fixed: use literals and params"));
        break;
      case ast::RuleItemKind::Send:
        resolve(item.name, bit(NameKind::Touchpoint), "touchpoint");
        break;
      case ast::RuleItemKind::Move:
        checkTarget(item.target.get(), place, TargetUse::Move);
        if (ender == nullptr) ender = &item;
        break;
      case ast::RuleItemKind::Set: {
        TypeKind expected = TypeKind::Unknown;
        bool targetOk = false;
        std::string_view name = item.name.text;
        if (!name.empty()) {
          const Symbol* symbol = lookup(name);
          if (symbol != nullptr && symbol->kind == NameKind::Var) {
            const auto* var = static_cast<const ast::ValueDecl*>(symbol->decl);
            targetOk = true;
            if (var != nullptr && var->value) {
              TypeKind kind = var->value->type.kind;
              if (kind == TypeKind::Error || kind == TypeKind::Unknown) targetOk = false;
              expected = kind;
            }
          } else if (symbol != nullptr) {
            Diagnostic& d = report(DiagnosticKind::AssignToConstant, item.name.range,
                                   fmt::format("`{}` is {}, not a `var`", name, describe(*symbol)));
            if (symbol->range.valid())
              d.labels.push_back({symbol->range, fmt::format("`{}` is declared here", name)});
            if (symbol->kind == NameKind::Param) {
              d.help =
                  fmt::format("declare `{}` with `var` to change it during the simulation", name);
            }
          } else if (auto description = describeNonDeclaration(name)) {
            Diagnostic& d = report(DiagnosticKind::AssignToConstant, item.name.range,
                                   fmt::format("`{}` is {}, not a `var`", name, *description));
            d.help = "`set` changes a `var`; declare one with `var name = value`";
          } else {
            Diagnostic& d = report(DiagnosticKind::UnknownName, item.name.range,
                                   fmt::format("unknown var `{}`", name));
            auto suggestion = suggest(name, bit(NameKind::Var), false);
            addDidYouMean(d, item.name, suggestion);
            if (!suggestion) d.help = fmt::format("declare it first: `var {} = ...`", name);
          }
        }
        Folded folded = checkExpected(item.value.get(), place, TypeKind::Unknown);
        if (targetOk && folded.ok() && folded.type.kind != expected) {
          Diagnostic& d = report(DiagnosticKind::TypeMismatch, item.value->range,
                                 fmt::format("expected `{}`, found `{}`", typeName(expected),
                                             typeName(folded.type.kind)));
          const Symbol* symbol = lookup(name);
          d.labels.push_back(
              {symbol->range, fmt::format("`{}` is a `{}` var", name, typeName(expected))});
        }
        break;
      }
      case ast::RuleItemKind::WaitFor:
        resolve(item.name, bit(NameKind::Event), "event");
        if (item.value) {
          Folded value = checkExpected(item.value.get(), place, TypeKind::Duration);
          if (value.ok() && value.constant && value.value < 0) {
            report(DiagnosticKind::InvalidValue, item.value->range,
                   fmt::format("a duration cannot be negative, found `{}`",
                               shown(item.value.get(), value)));
          }
        }
        break;
      case ast::RuleItemKind::Wait: {
        Place sampled = place;
        sampled.sampling = true;
        Folded value = checkExpected(item.value.get(), sampled, TypeKind::Duration);
        if (value.ok() && value.constant && value.value < 0) {
          report(
              DiagnosticKind::InvalidValue, item.value->range,
              fmt::format("a wait cannot be negative, found `{}`", shown(item.value.get(), value)));
        }
        break;
      }
      case ast::RuleItemKind::Stop:
        if (ender == nullptr) ender = &item;
        break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Journey-wide

void Analyzer::checkCurrencies() {
  if (currencies_.empty() || out_ == nullptr) return;
  std::sort(currencies_.begin(), currencies_.end(), [](const MoneyUse& a, const MoneyUse& b) {
    return std::tie(a.rank, a.offset) < std::tie(b.rank, b.offset);
  });
  const MoneyUse& main = currencies_.front();
  out_->currency = main.currency;
  out_->currencyRange = main.range;
  for (std::size_t i = 1; i < currencies_.size(); ++i) {
    const MoneyUse& other = currencies_[i];
    Diagnostic& d = report(
        DiagnosticKind::MixedCurrencies, other.range,
        fmt::format("money in `{}`, but the journey uses `{}`", other.currency, main.currency));
    d.labels.push_back(
        {main.range, fmt::format("the journey's money is in `{}` from here", main.currency)});
    d.help = fmt::format("write every amount in `{}`", main.currency);
  }
}

void Analyzer::finish() {
  if (out_ == nullptr) return;
  CheckedJourney& out = *out_;
  out.personas.assign(personas_.begin(), personas_.end());
  out.stages.assign(stages_.begin(), stages_.end());
  out.touchpoints.assign(touchpoints_.begin(), touchpoints_.end());
  out.events.assign(events_.begin(), events_.end());
  out.rules.assign(rules_.begin(), rules_.end());
  out.params.assign(params_.begin(), params_.end());
  out.vars.assign(vars_.begin(), vars_.end());
  for (auto name : builtinChannels()) {
    const Symbol* symbol = lookup(name);
    out.channels.push_back(
        Channel{std::string(name),
                symbol != nullptr ? static_cast<const ast::ChannelDecl*>(symbol->decl) : nullptr});
  }
  for (auto* channel : channels_) {
    if (isBuiltinChannel(channel->name.text)) continue;
    const Symbol* symbol = lookup(channel->name.text);
    if (symbol == nullptr || symbol->decl != channel) continue;
    out.channels.push_back(Channel{channel->name.text, channel});
  }
  // Sorted first: a sorted range goes into the map in linear time.
  std::vector<std::pair<std::string_view, const ast::Decl*>> sorted;
  sorted.reserve(names_.size());
  for (const auto& [name, symbol] : names_) {
    if (symbol.decl != nullptr) sorted.emplace_back(name, symbol.decl);
  }
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [name, decl] : sorted)
    out.declarations.emplace_hint(out.declarations.end(), std::string(name), decl);
}

void Analyzer::run(const std::vector<ast::Module*>& modules) {
  if (modules.empty() || modules.front() == nullptr) return;
  for (const Diagnostic* diagnostic : sink_.sorted()) {
    if (diagnostic->kind != DiagnosticKind::SyntaxError || !diagnostic->range.valid()) continue;
    syntaxErrors_.insert((static_cast<std::uint64_t>(diagnostic->range.file) << 32) |
                         diagnostic->range.begin);
  }
  collect(modules);
  checkParams();
  checkVars();
  checkChannels();
  checkPersonas();
  checkEventPayloads();
  checkEvents();
  checkSettings();
  for (auto* stage : stages_)
    checkStage(*stage);
  for (auto* touchpoint : touchpoints_) {
    if (touchpoint->stage == nullptr) checkTouchpoint(*touchpoint);
  }
  for (auto* rule : rules_)
    checkRule(*rule);
  checkCurrencies();
  finish();
}

}  // namespace journey::sema

// Semantic analysis: names, types and units, probabilities and shares, persona overrides.
// Input: the parsed modules of one compilation (the root file and every file it `use`s).
// Output: a CheckedJourney that later phases (checks, lowering) read, plus diagnostics.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"

namespace journey::sema {

/// A channel: declared with `channel`, or one of the built-in channels (email, sms, ...).
struct Channel {
  std::string name;
  /// Null for a built-in channel that the spec does not configure.
  const ast::ChannelDecl* declaration = nullptr;
};

/// A persona attribute, merged across personas: the same name has one type everywhere.
struct Attribute {
  std::string name;
  ast::Type type;
  /// The persona items that define it, one per persona that has it.
  std::vector<const ast::PersonaItem*> definitions;
};

/// The checked journey: every declaration, resolved and typed. Pointers point into the
/// modules, which must outlive it.
struct CheckedJourney {
  const ast::JourneyBlock* journey = nullptr;
  /// In declaration order (root file's `use`d files first, in `use` order).
  std::vector<const ast::PersonaDecl*> personas;
  std::vector<const ast::StageDecl*> stages;
  /// Stage touchpoints and journey-level touchpoints.
  std::vector<const ast::TouchpointDecl*> touchpoints;
  std::vector<const ast::EventDecl*> events;
  std::vector<const ast::RuleDecl*> rules;
  /// Declared KPIs, in declaration order.
  std::vector<const ast::KpiDecl*> kpis;
  std::vector<const ast::ValueDecl*> params;
  std::vector<const ast::ValueDecl*> vars;
  std::vector<Channel> channels;
  std::vector<Attribute> attributes;

  const ast::HorizonDecl* horizon = nullptr;
  const ast::EntryDecl* entry = nullptr;
  const ast::DiscountDecl* discount = nullptr;
  /// The one currency all money in the journey uses; empty when there is no money.
  std::string currency;
  /// The first money literal in `currency`, for "the journey uses `USD` from here" labels.
  SourceRange currencyRange;

  /// Name lookup across all kinds of declarations (one namespace). Built-in channels that the
  /// spec does not configure have no declaration and are only in `channels`.
  std::map<std::string, const ast::Decl*, std::less<>> declarations;

  /// Folded values of the expressions at the top of every place that was constant: param and
  /// var initialisers, the horizon, shares, probabilities, costs, delays, ... Durations are in
  /// seconds, money in units of `currency`, bools 0 or 1, personas their index in `personas`.
  /// Params fold with their declared values (before any `--set` override).
  std::unordered_map<const ast::Expr*, double> constants;

  const ast::StageDecl* stage(std::string_view name) const;
  const ast::PersonaDecl* persona(std::string_view name) const;
  const ast::ValueDecl* param(std::string_view name) const;
  const Attribute* attribute(std::string_view name) const;
  /// The folded value of `expr`, when it is in `constants`.
  std::optional<double> constant(const ast::Expr* expr) const;
};

/// Analyses the modules of one compilation. `modules.front()` is the root file, which must hold
/// the one `journey` block; the others are libraries brought in by `use`. Every problem goes to
/// `sink`; the result is returned even when there are errors, as complete as it could be made.
/// With `sources`, fixes that add a line copy the indentation of the lines around them.
std::unique_ptr<CheckedJourney> analyze(const std::vector<ast::Module*>& modules,
                                        DiagnosticSink& sink,
                                        const SourceManager* sources = nullptr);

/// Checks an override `--set name=value` against the param it names, folding `value` to a
/// constant. `value` is parsed by the caller; `where` is the range to report problems at.
/// Returns the folded value (in the param's canonical unit) or nullopt after reporting.
/// Values without a number (a `string` param) fold to 0: read the string from `value`.
std::optional<double> checkOverride(const CheckedJourney& journey, std::string_view name,
                                    ast::Expr& value, DiagnosticSink& sink);

}  // namespace journey::sema

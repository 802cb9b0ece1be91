// Internal to compiler/sema: the analyser that `analyze` and `checkOverride` run.
//
// Order of work (each step reads only what earlier steps settled; see `run` in journey.cpp):
//   1. files: which file holds the journey, settings outside it (collect.cpp);
//   2. declarations: one namespace, duplicates, reserved names (names.cpp);
//   3. persona attributes, names merged across personas (personas.cpp);
//   4. params in dependency order (cycles reported), then vars (values.cpp);
//   5. channels (channels.cpp); attribute types and shares (personas.cpp);
//   6. event payload fields (their types are read as `event.field`), then the rest of events
//      (events.cpp);
//   7. journey settings (journey.cpp), stages and touchpoints (stages.cpp), rules (rules.cpp),
//      with targets (targets.cpp); currencies and the result (journey.cpp).
// Expressions are typed and folded in one bottom-up pass (expressions.cpp, calls.cpp).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/sema/builtins.h"
#include "compiler/sema/sema.h"

namespace journey::sema {

/// The kinds of things the one namespace holds.
enum class NameKind { Param, Var, Persona, Stage, Touchpoint, Channel, Event, Rule, Kpi };

constexpr unsigned bit(NameKind kind) {
  return 1u << static_cast<unsigned>(kind);
}
inline constexpr unsigned kValueKinds =
    bit(NameKind::Param) | bit(NameKind::Var) | bit(NameKind::Persona);

struct Symbol {
  NameKind kind;
  /// Null for a built-in channel that the spec does not configure.
  const ast::Decl* decl = nullptr;
  /// The declared name (points into the AST or at a static built-in name).
  std::string_view name;
  /// The name's range in its declaration; invalid for built-in channels.
  SourceRange range;
};

/// The personas an expression is evaluated for: attributes it reads must exist in each.
struct PersonaScope {
  enum class Kind { None, All, Only, AllExcept };
  Kind kind = Kind::None;
  const std::vector<const ast::PersonaDecl*>* only = nullptr;
  const std::unordered_set<const ast::PersonaDecl*>* except = nullptr;
};

/// What a place in the language lets an expression do.
struct Place {
  /// Distributions are allowed: the place samples a value.
  bool sampling = false;
  /// The expression runs for a customer: it may read attributes, vars, customer state and
  /// payloads. Otherwise it must be known before the simulation starts.
  bool customer = true;
  /// Without `customer`: the place, for messages ("a `param` value").
  std::string_view what;
  /// Without `customer`: the help line for reads of customer state.
  std::string_view constantHelp;
  /// The event whose payload fields may be read here.
  const ast::EventDecl* event = nullptr;
  PersonaScope scope;
  /// A `kpi`: other KPIs may be read by name.
  bool kpi = false;
  /// Attributes already reported missing in this item (one report per attribute and item).
  std::unordered_set<std::string_view>* reportedAttributes = nullptr;
};

/// A place known before the simulation starts: `what` and `help` explain reads of customer state.
inline Place constantPlace(std::string_view what, std::string_view help) {
  Place place;
  place.customer = false;
  place.what = what;
  place.constantHelp = help;
  return place;
}

/// A place evaluated for a customer of the personas in `scope`.
inline Place customerPlace(PersonaScope scope, std::unordered_set<std::string_view>* reported,
                           const ast::EventDecl* event = nullptr, bool sampling = false) {
  Place place;
  place.customer = true;
  place.scope = scope;
  place.reportedAttributes = reported;
  place.event = event;
  place.sampling = sampling;
  return place;
}

inline PersonaScope allPersonas() {
  return PersonaScope{PersonaScope::Kind::All, nullptr, nullptr};
}

/// The personas of an item with a `for` list (`only`), or of the default item, which applies to
/// the personas without an override of their own.
inline PersonaScope scopeOf(const std::vector<const ast::PersonaDecl*>& only, bool hasFor,
                            const std::unordered_set<const ast::PersonaDecl*>& overridden) {
  if (hasFor) return PersonaScope{PersonaScope::Kind::Only, &only, nullptr};
  return PersonaScope{PersonaScope::Kind::AllExcept, nullptr, &overridden};
}

/// An expression's type and, when it is constant, its value.
struct Folded {
  ast::Type type;
  bool constant = false;
  /// Numbers, durations (seconds), money, bools (0/1), personas (index).
  double value = 0;
  /// String constants.
  std::string_view text;

  bool ok() const {
    return type.kind != ast::TypeKind::Error && type.kind != ast::TypeKind::Unknown;
  }
  static Folded of(ast::TypeKind kind, bool sampled = false) {
    Folded folded;
    folded.type = ast::Type{kind, sampled};
    return folded;
  }
  static Folded error() { return of(ast::TypeKind::Error); }
};

struct AttributeInfo {
  /// Index into CheckedJourney::attributes.
  std::size_t index = 0;
  std::unordered_set<const ast::PersonaDecl*> personas;
  /// Parallel to Attribute::definitions: the persona of each definition.
  std::vector<const ast::PersonaDecl*> owners;
};

class Analyzer {
 public:
  /// `out` is null when only checking against a finished journey (overrides).
  Analyzer(const CheckedJourney& journey, CheckedJourney* out, DiagnosticSink& sink);

  void run(const std::vector<ast::Module*>& modules);
  /// For overrides: the namespace of a finished journey.
  void loadFinished();
  std::optional<double> checkOverride(std::string_view name, ast::Expr& value);

  // -------------------------------------------------------------------------------------------
  // Expressions (expressions.cpp)

  Folded check(ast::Expr* expr, const Place& place);
  /// Checks `expr` against an expected type (Unknown: any) and records it in `constants` when
  /// constant. Reports "expected `duration`, found `money`"; returns an error on mismatch.
  Folded checkExpected(ast::Expr* expr, const Place& place, ast::TypeKind expected);
  /// `per day` for `per 1d`: reports an unknown name that is a unit's word where a duration
  /// belongs (`observed` says what was expected there) and offers `1d`. True when reported.
  bool reportUnitWord(ast::Expr* expr, std::string_view observed);
  /// A constant as the user sees it: the literal's spelling, or its folded value.
  std::string shown(const ast::Expr* expr, const Folded& value) const;

  // -------------------------------------------------------------------------------------------
  // Names (names.cpp)

  const Symbol* lookup(std::string_view name) const;
  /// Resolves a name that must be one of `kinds`; reports unknown and wrong-kind names
  /// (`what` is e.g. "stage", "touchpoint or channel"). Empty names return null silently.
  const Symbol* resolve(const ast::Identifier& id, unsigned kinds, std::string_view what);
  std::string describe(const Symbol& symbol) const;
  std::optional<std::string> suggest(std::string_view name, unsigned kinds, bool values);
  void addDidYouMean(Diagnostic& diagnostic, const ast::Identifier& id,
                     const std::optional<std::string>& suggestion);
  /// For an unknown event: help that declares it, with the declaration as the fix, or as
  /// another fix after a did-you-mean.
  void offerEventDeclaration(Diagnostic& diagnostic, const ast::Identifier& id);
  /// Inserts `declaration` after the file's last event, else before the declaration naming `id`.
  std::optional<Fix> eventDeclarationFix(const ast::Identifier& id,
                                         const std::string& declaration) const;
  /// "`seats` is a persona attribute" style descriptions of names outside the namespace.
  std::optional<std::string> describeNonDeclaration(std::string_view name) const;

  Diagnostic& report(DiagnosticKind kind, SourceRange range, std::string message) {
    return sink_.report(kind, range, std::move(message));
  }

  // State -------------------------------------------------------------------------------------

  const CheckedJourney& j_;
  CheckedJourney* out_;
  DiagnosticSink& sink_;

  std::unordered_map<std::string_view, Symbol> names_;
  /// Second declarations of a name as another kind (reported as duplicates): resolving to
  /// them where they fit avoids follow-on "wrong kind" errors.
  std::unordered_multimap<std::string_view, Symbol> shadowed_;
  std::unordered_map<std::string_view, AttributeInfo> attributes_;
  std::unordered_map<const ast::EventDecl*,
                     std::unordered_map<std::string_view, const ast::EventItem*>>
      payloads_;
  std::unordered_map<const ast::PersonaDecl*, std::size_t> personaIndex_;
  std::unordered_map<FileId, std::size_t> fileRank_;
  /// The files' text, when the caller has it: inserted lines copy their neighbours' indentation.
  const SourceManager* sources_ = nullptr;
  /// Params on a dependency cycle: already reported, typed as errors.
  std::unordered_set<const ast::ValueDecl*> cyclic_;
  /// Values of constant `string` params, for folding `==` on strings.
  std::unordered_map<const ast::ValueDecl*, std::string_view> paramStrings_;

  struct MoneyUse {
    std::size_t rank;
    std::uint32_t offset;
    SourceRange range;
    std::string currency;
  };
  /// The first literal of each currency, in order of first appearance.
  std::vector<MoneyUse> currencies_;
  void noteMoney(const ast::LiteralExpr& literal);

  /// Where syntax errors begin (file << 32 | offset): a number literal right before one is
  /// usually `30 days`, already reported by the parser with a fix.
  std::unordered_set<std::uint64_t> syntaxErrors_;
  bool followedBySyntaxError(const ast::Expr* expr) const;

  /// Work spent on "did you mean": past a budget, stop suggesting (keeps huge broken inputs
  /// linear).
  std::size_t suggestionWork_ = 0;
  /// Did-you-mean candidates by the kinds asked for.
  std::unordered_map<unsigned, std::vector<std::string_view>> candidates_;

 private:
  // expressions.cpp
  Folded checkLiteral(ast::LiteralExpr& e);
  Folded checkName(ast::NameExpr& e, const Place& place);
  Folded checkMember(ast::MemberExpr& e, const Place& place);
  Folded checkDiscrete(ast::DiscreteExpr& e, const Place& place);
  Folded checkUnary(ast::UnaryExpr& e, const Place& place);
  Folded checkBinary(ast::BinaryExpr& e, const Place& place);
  void checkAttributeScope(const ast::NameExpr& e, const AttributeInfo& info, const Place& place);
  void reportNotConstant(SourceRange range, std::string_view name, std::string_view description,
                         const Place& place);
  void addTypeHelp(Diagnostic& diagnostic, const ast::Expr* expr, ast::TypeKind expected,
                   ast::TypeKind found);
  std::string currencyHint() const;

  // calls.cpp
  struct BoundCall;
  Folded checkCall(ast::CallExpr& e, const Place& place);
  void reportUnknownFunction(const ast::CallExpr& e);
  /// Binds arguments to parameters (`bound` is parallel to them); false when some did not bind.
  bool bindArguments(const ast::CallExpr& e, const FunctionInfo& info,
                     std::vector<ast::Expr*>& bound);
  Folded checkStateFunction(ast::CallExpr& e, const FunctionInfo& info, ast::Expr* argument,
                            const Place& place);
  Folded checkArithmeticCall(const BoundCall& call);
  Folded checkDistributionCall(const BoundCall& call);
  bool requireQuantity(const BoundCall& call, std::size_t i);
  bool requireNumber(const BoundCall& call, std::size_t i);
  bool requireSameType(const BoundCall& call, std::size_t first, std::size_t second);
  std::string shownArgument(const BoundCall& call, std::size_t i) const;
  void reportInvalidDistribution(const BoundCall& call, std::size_t i, std::string message,
                                 std::string help);

  // names.cpp
  void declare(const ast::NamedDecl& decl, NameKind kind);
  /// Resolves a `for` list. A persona already in `seen` is a duplicate override of `what`
  /// (reported unless `what` is empty) and is left out.
  std::vector<const ast::PersonaDecl*> resolvePersonas(
      const std::vector<ast::Identifier>& ids,
      std::unordered_map<const ast::PersonaDecl*, const ast::Identifier*>& seen,
      std::string_view what);

  // collect.cpp
  void collect(const std::vector<ast::Module*>& modules);
  /// Libraries first, in `use` order, then the root; ranks files for currencies.
  std::vector<ast::Module*> orderFiles(const std::vector<ast::Module*>& modules);
  void reserveNamespace(const std::vector<ast::Module*>& order);
  void findJourney(const ast::Module& root);
  void collectModule(ast::Module& module, bool isRoot);
  void reportJourneyInLibrary(const ast::JourneyBlock& block);
  void collectDecl(ast::Decl& decl, bool inJourney);

  // values.cpp
  /// For each param, the params its value reads, in the order it reads them.
  std::vector<std::vector<std::size_t>> paramDependencies() const;
  /// Params each after the params it reads; reports cycles and marks them `cyclic_`.
  std::vector<std::size_t> paramsInDependencyOrder(
      const std::vector<std::vector<std::size_t>>& dependencies);
  /// Reports a cycle of params (indices, each reading the next, the last reading the first).
  void reportParamCycle(const std::vector<std::size_t>& cycle);
  void checkParams();
  void checkVars();

  // channels.cpp
  void checkChannels();
  void checkCap(ast::Expr* count, ast::Expr* window, const Place& place);

  // personas.cpp
  void collectAttributes();
  void checkAttributeTypes();
  /// A share out of range; a bare number such as `55` is pointed to `55%`.
  void reportShareOutOfRange(const ast::Expr* share, double value);
  void checkShares();

  // events.cpp
  void checkEventPayloads();
  void checkEvents();

  // targets.cpp
  enum class TargetUse { Entry, Transition, Move };
  void checkTarget(ast::Target* target, const Place& place, TargetUse use);
  void checkTargetStage(const ast::Identifier& id, TargetUse use);
  void checkProbability(const Folded& value, const ast::Expr* expr);
  /// A constant probability below 0 or above 1; `55` meant as a percentage gets `55%` as a fix.
  Diagnostic& reportProbabilityOutOfRange(const ast::Expr* expr, double value);

  // stages.cpp
  void checkStage(ast::StageDecl& stage);
  /// A stage's `value` (or `value ... per`, whose first is `first`): once each, and a period
  /// only where time passes.
  void noteStageValue(const ast::StageDecl& stage, const ast::StageItem& item,
                      const ast::StageItem*& first);
  void checkTouchpoint(ast::TouchpointDecl& touchpoint);

  // rules.cpp
  /// The first item of each clause kind (the kinds before the actions: `on` to `cap`).
  using RuleClauses =
      std::array<const ast::RuleItem*, static_cast<std::size_t>(ast::RuleItemKind::Send)>;
  void checkRule(ast::RuleDecl& rule);
  RuleClauses firstClauses(const ast::RuleDecl& rule);
  void checkRuleIsComplete(const ast::RuleDecl& rule, bool hasTrigger);
  std::vector<const ast::PersonaDecl*> rulePersonas(const ast::RuleDecl& rule,
                                                    const ast::RuleItem* scopeItem);
  /// Returns the event of an event trigger.
  const ast::EventDecl* checkTrigger(ast::Trigger& trigger, const Place& place);
  const ast::EventDecl* checkEventOrCondition(ast::Expr* value, const Place& place);
  void checkRuleItems(ast::RuleDecl& rule, const Place& place);
  void checkSet(ast::RuleItem& item, const Place& place);

  // kpis.cpp
  void checkKpis();
  /// Checks the KPI (once) and returns its type; a KPI on a cycle of KPIs is reported once.
  Folded checkKpi(ast::KpiDecl& kpi);
  /// The value of a KPI read by name in another KPI.
  Folded readKpi(const Symbol& symbol);
  void reportKpiCycle(const ast::KpiDecl& kpi);
  void checkDiscount();

  // journey.cpp
  void checkSettings();
  void checkCurrencies();
  void finish();

  // Declarations gathered by `collect`, in declaration order (libraries first).
  std::vector<ast::HorizonDecl*> horizons_;
  std::vector<ast::EntryDecl*> entries_;
  std::vector<ast::ValueDecl*> params_;
  std::vector<ast::ValueDecl*> vars_;
  std::vector<ast::ChannelDecl*> channels_;
  std::vector<ast::PersonaDecl*> personas_;
  std::vector<ast::StageDecl*> stages_;
  std::vector<ast::TouchpointDecl*> touchpoints_;
  std::vector<ast::EventDecl*> events_;
  std::vector<ast::RuleDecl*> rules_;
  std::vector<ast::KpiDecl*> kpis_;
  std::vector<ast::DiscountDecl*> discounts_;
  /// KPIs being checked (on the stack, for cycles) and checked, with their result.
  std::vector<const ast::KpiDecl*> kpiStack_;
  std::unordered_map<const ast::KpiDecl*, Folded> kpiTypes_;
  const ast::JourneyBlock* journey_ = nullptr;
  /// Where journey-wide problems are reported: the journey's name.
  SourceRange journeyRange_;
  bool rootHasSyntaxErrors_ = false;
};

/// The range of the keyword that starts an item: `after` in `after 3d -> X`.
inline SourceRange keywordRange(SourceRange item, std::string_view keyword) {
  auto length = static_cast<std::uint32_t>(keyword.size());
  if (item.end >= item.begin + length)
    return SourceRange{item.file, item.begin, item.begin + length};
  return item;
}

/// The help line for a random value where a single value is needed.
std::string samplingHelp(const Place& place);

}  // namespace journey::sema

// The abstract syntax tree of a `.journey` file.
//
// It keeps everything the source said, in source order, with the spelling of every literal,
// so that the formatter can print it back and tools can point at any part of it. Semantic
// analysis annotates expressions (`Expr::type`, `NameExpr::symbol`) in place; nothing else
// changes after parsing.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/source/source.h"

namespace journey::ast {

struct Decl;

/// A name as written, with where it was written.
struct Identifier {
  std::string text;
  SourceRange range;
};

/// A string literal: `value` has escapes decoded, `text` is the spelling with quotes.
struct StringLiteral {
  std::string value;
  std::string text;
  SourceRange range;
};

// ---------------------------------------------------------------------------------------------
// Types (filled in by semantic analysis)

enum class TypeKind {
  /// Not analysed yet.
  Unknown,
  /// Already reported: suppresses follow-on diagnostics.
  Error,
  Number,
  Duration,
  Money,
  Bool,
  String,
  Persona,
};

struct Type {
  TypeKind kind = TypeKind::Unknown;
  /// True when the expression draws a random value (a distribution or a discrete table):
  /// allowed only where the language samples.
  bool sampled = false;

  friend bool operator==(const Type&, const Type&) = default;
};

// ---------------------------------------------------------------------------------------------
// Expressions

enum class ExprKind { Literal, Name, Member, Call, Discrete, Unary, Binary, Error };

struct Expr {
  ExprKind kind;
  SourceRange range;
  Type type;

  explicit Expr(ExprKind kind, SourceRange range) : kind(kind), range(range) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;
};

using ExprPtr = std::unique_ptr<Expr>;

enum class LiteralKind { Number, Percent, Duration, Money, String, Bool };

struct LiteralExpr : Expr {
  LiteralKind literal;
  /// Numbers as written; percents as fractions (10% is 0.1); durations in seconds; money in
  /// units of `currency`; bools as 0 or 1.
  double value = 0;
  std::string currency;
  /// Decoded text of a string literal.
  std::string stringValue;
  /// The literal's spelling in the source, for the formatter.
  std::string text;

  LiteralExpr(LiteralKind literal, SourceRange range)
      : Expr(ExprKind::Literal, range), literal(literal) {}
};

/// What a name in an expression refers to, once resolved.
enum class SymbolKind {
  Unresolved,
  Param,
  Var,
  Attribute,
  Persona,
  Stage,
  Touchpoint,
  Channel,
  Event,
  /// Customer state such as `emotion`, `cost`, `time_in_stage`.
  Builtin,
  /// A declared KPI, read in other KPIs.
  Kpi,
};

struct NameExpr : Expr {
  Identifier name;
  SymbolKind symbol = SymbolKind::Unresolved;
  /// The declaration the name refers to, when it refers to one.
  const Decl* declaration = nullptr;

  NameExpr(Identifier name) : Expr(ExprKind::Name, name.range), name(std::move(name)) {}
};

/// `event.field`: a field of the payload of the event that triggered a rule.
struct MemberExpr : Expr {
  Identifier object;
  Identifier member;
  const Decl* declaration = nullptr;

  MemberExpr(Identifier object, Identifier member, SourceRange range)
      : Expr(ExprKind::Member, range), object(std::move(object)), member(std::move(member)) {}
};

struct Argument {
  std::optional<Identifier> name;
  ExprPtr value;
};

/// A built-in function (`min`, `visits`) or a distribution (`exponential`).
struct CallExpr : Expr {
  Identifier callee;
  std::vector<Argument> arguments;

  CallExpr(Identifier callee, SourceRange range)
      : Expr(ExprKind::Call, range), callee(std::move(callee)) {}
};

struct DiscreteEntry {
  ExprPtr value;
  ExprPtr probability;
};

/// `discrete { 1: 50%, 5: 30%, 20: 20% }`
struct DiscreteExpr : Expr {
  std::vector<DiscreteEntry> entries;

  explicit DiscreteExpr(SourceRange range) : Expr(ExprKind::Discrete, range) {}
};

enum class UnaryOp { Negate, Plus, Not };

struct UnaryExpr : Expr {
  UnaryOp op;
  SourceRange opRange;
  ExprPtr operand;

  UnaryExpr(UnaryOp op, SourceRange range) : Expr(ExprKind::Unary, range), op(op) {}
};

enum class BinaryOp { Mul, Div, Add, Sub, Lt, Le, Gt, Ge, Eq, Ne, And, Or };

struct BinaryExpr : Expr {
  BinaryOp op;
  SourceRange opRange;
  ExprPtr lhs;
  ExprPtr rhs;

  BinaryExpr(BinaryOp op, SourceRange range) : Expr(ExprKind::Binary, range), op(op) {}
};

/// Stands for an expression the parser could not read; already reported.
struct ErrorExpr : Expr {
  explicit ErrorExpr(SourceRange range) : Expr(ExprKind::Error, range) {
    type.kind = TypeKind::Error;
  }
};

const char* spelling(UnaryOp op);
const char* spelling(BinaryOp op);
/// The type's name as messages and dumps show it: `number`, `duration`, `money`, ...
std::string_view typeName(TypeKind kind);

// ---------------------------------------------------------------------------------------------
// Where customers go: `-> Stage` or `-> { A 70%, B otherwise }` or `-> { if c -> A else -> B }`

struct Target;

enum class BranchKind { Chance, Otherwise, If, Else };

struct Branch {
  BranchKind kind;
  SourceRange range;
  /// Chance and Otherwise: the stage.
  Identifier stage;
  /// Chance: the probability; If: the condition.
  ExprPtr value;
  /// If and Else: where the branch leads.
  std::unique_ptr<Target> target;
};

struct Target {
  SourceRange range;
  /// True for a `{ ... }` block of branches, false for a single stage.
  bool isBlock = false;
  Identifier stage;
  std::vector<Branch> branches;
};

// ---------------------------------------------------------------------------------------------
// Declarations

enum class DeclKind {
  Horizon,
  Entry,
  Param,
  Var,
  Channel,
  Persona,
  Stage,
  Touchpoint,
  Event,
  Rule,
  Kpi,
  Discount,
};

struct Decl {
  DeclKind kind;
  SourceRange range;
  /// Text of the `///` comments directly above, without the slashes.
  std::string doc;

  Decl(DeclKind kind, SourceRange range) : kind(kind), range(range) {}
  virtual ~Decl() = default;
  Decl(const Decl&) = delete;
  Decl& operator=(const Decl&) = delete;
};

using DeclPtr = std::unique_ptr<Decl>;

/// Whether the declaration has a name (all but `horizon`, `entry` and `discount`).
inline bool isNamed(DeclKind kind) {
  return kind != DeclKind::Horizon && kind != DeclKind::Entry && kind != DeclKind::Discount;
}

/// A declaration with a name and an optional display string, e.g. `stage Need "Need a phone"`.
struct NamedDecl : Decl {
  Identifier name;
  std::optional<StringLiteral> display;

  NamedDecl(DeclKind kind, SourceRange range) : Decl(kind, range) {}
};

/// `horizon 365d`
struct HorizonDecl : Decl {
  ExprPtr value;
  explicit HorizonDecl(SourceRange range) : Decl(DeclKind::Horizon, range) {}
};

/// `entry Need` or `entry { if persona == Enterprise -> Evaluate else -> Need }`
struct EntryDecl : Decl {
  Target target;
  explicit EntryDecl(SourceRange range) : Decl(DeclKind::Entry, range) {}
};

/// `discount 10% per 1y`: money earned or spent at time t counts (1 + rate)^(-t / period) in
/// lifetime value.
struct DiscountDecl : Decl {
  ExprPtr rate;
  ExprPtr period;
  explicit DiscountDecl(SourceRange range) : Decl(DeclKind::Discount, range) {}
};

/// `kpi first_order "Placed a first order" = reached(FirstOrder) primary`
struct KpiDecl : NamedDecl {
  ExprPtr value;
  /// The `primary` keyword, when written: what `conversion` means in reports and gates.
  std::optional<SourceRange> primary;
  explicit KpiDecl(SourceRange range) : NamedDecl(DeclKind::Kpi, range) {}
};

/// `param discount "Renewal discount" = 10%` (Param) and `var reminded = false` (Var).
struct ValueDecl : NamedDecl {
  ExprPtr value;
  ValueDecl(DeclKind kind, SourceRange range) : NamedDecl(kind, range) {}
};

enum class CapPolicy { Drop, Defer };

enum class ChannelItemKind { Cost, Cap, Quiet };

struct ChannelItem {
  ChannelItemKind kind;
  SourceRange range;
  /// Cost: the cost; Cap: the count; Quiet: start of the quiet hours.
  ExprPtr first;
  /// Cap: the window; Quiet: end of the quiet hours.
  ExprPtr second;
  std::optional<CapPolicy> policy;
};

/// `channel email { cost 0.02 USD  cap 2 per 7d drop }`
struct ChannelDecl : NamedDecl {
  bool hasBody = false;
  std::vector<ChannelItem> items;
  explicit ChannelDecl(SourceRange range) : NamedDecl(DeclKind::Channel, range) {}
};

enum class PersonaItemKind { Share, Attribute };

struct PersonaItem {
  PersonaItemKind kind;
  SourceRange range;
  /// Attribute: its name.
  Identifier name;
  ExprPtr value;
};

/// `persona SmallBiz { share 60%  seats = uniform(1, 20) }`
struct PersonaDecl : NamedDecl {
  std::vector<PersonaItem> items;
  explicit PersonaDecl(SourceRange range) : NamedDecl(DeclKind::Persona, range) {}
};

enum class TouchpointItemKind { Via, Cost, Emotion, Duration, Response, Nps };

struct TouchpointItem {
  TouchpointItemKind kind;
  SourceRange range;
  /// Via: the channel; Response: the event it emits.
  Identifier name;
  /// Cost, Emotion, Duration: the amount; Response: the probability.
  ExprPtr value;
  /// Response: the optional delay before the event.
  ExprPtr delay;
};

/// `touchpoint WelcomeCall "Welcome call" via phone cost 12 USD emotion +1 duration 30m`
struct TouchpointDecl : NamedDecl {
  std::vector<TouchpointItem> items;
  /// The stage that declares it, or null for a journey-level touchpoint that rules send.
  const struct StageDecl* stage = nullptr;
  explicit TouchpointDecl(SourceRange range) : NamedDecl(DeclKind::Touchpoint, range) {}
};

enum class StageKind { Ordinary, Goal, Exit };

enum class StageItemKind { Touchpoint, After, On, Value };

struct StageItem {
  StageItemKind kind;
  SourceRange range;
  /// After and On: `for P1, P2` scope; empty means every persona without an override.
  std::vector<Identifier> personas;
  /// After: the delay; Value: the value earned on each visit, or per `period` while in the stage.
  ExprPtr value;
  /// Value: `per D`, when written.
  ExprPtr period;
  /// On: the event.
  Identifier event;
  /// After and On: where customers go.
  std::unique_ptr<Target> target;
  /// Touchpoint: the touchpoint.
  std::unique_ptr<TouchpointDecl> touchpoint;
};

/// `stage Research { ... }`, `milestone FirstOrder { ... }`, `goal Renewed { value 1200 USD }`,
/// `exit Churned`
struct StageDecl : NamedDecl {
  StageKind stageKind = StageKind::Ordinary;
  /// Written `milestone`: an ordinary stage whose visits reports count as reaching a milestone.
  bool milestone = false;
  bool hasBody = false;
  std::vector<StageItem> items;
  explicit StageDecl(SourceRange range) : NamedDecl(DeclKind::Stage, range) {}
};

enum class EventItemKind { In, Every, Payload, Value };

struct EventItem {
  EventItemKind kind;
  SourceRange range;
  /// In: the stages; Every: the `for` personas (empty means the default rate).
  std::vector<Identifier> names;
  /// Payload: the field's name.
  Identifier name;
  /// Every: mean time between events; Payload: the field's distribution; Value: the value earned
  /// at each occurrence.
  ExprPtr value;
};

/// `event cart_abandoned { in Cart  every 2d  cart_value = lognormal(median: 60 USD, sigma: 0.8) }`
struct EventDecl : NamedDecl {
  bool hasBody = false;
  std::vector<EventItem> items;
  explicit EventDecl(SourceRange range) : NamedDecl(DeclKind::Event, range) {}
};

enum class TriggerKind { Enter, Leave, After, Inactive, Expr };

struct Trigger {
  TriggerKind kind;
  SourceRange range;
  /// Enter and Leave: the stage.
  Identifier stage;
  /// After, Inactive: the duration; Expr: an event name or a condition.
  ExprPtr value;
};

enum class RuleItemKind {
  On,
  In,
  For,
  If,
  Priority,
  Cap,
  Send,
  Move,
  Set,
  WaitFor,
  Wait,
  Stop,
};

/// Rule items keep source order: clauses (`on`, `in`, `for`, `if`, `priority`, `cap`) may come
/// in any order, while actions run in the order written.
struct RuleItem {
  RuleItemKind kind;
  SourceRange range;
  /// On: the trigger.
  std::optional<Trigger> trigger;
  /// In: the stages; For: the personas.
  std::vector<Identifier> names;
  /// Send: the touchpoint; Set: the variable; WaitFor: the event.
  Identifier name;
  /// If: condition; Priority: priority; Cap: count; Set: new value; WaitFor: timeout;
  /// Wait: duration.
  ExprPtr value;
  /// Cap: the window of `cap N per W`.
  ExprPtr second;
  /// Move: where to.
  std::unique_ptr<Target> target;

  bool isAction() const { return kind >= RuleItemKind::Send; }
};

/// `rule RemindCart { on cart_abandoned  in Cart  if ... send CartReminder }`
struct RuleDecl : NamedDecl {
  std::vector<RuleItem> items;
  explicit RuleDecl(SourceRange range) : NamedDecl(DeclKind::Rule, range) {}
};

// ---------------------------------------------------------------------------------------------
// Files

struct Use {
  StringLiteral path;
  SourceRange range;
};

struct Comment {
  SourceRange range;
  /// The comment's full text, with its `//`, `///` or `/* */` markers.
  std::string text;
};

struct JourneyBlock {
  /// From `journey` to the closing brace.
  SourceRange range;
  Identifier name;
  /// Text of the `///` comments directly above.
  std::string doc;
  std::optional<StringLiteral> display;
  std::vector<DeclPtr> decls;
};

/// One item at the top of a file: a `journey` block or a library declaration.
struct TopItem {
  std::unique_ptr<JourneyBlock> journey;
  DeclPtr decl;
};

struct Module {
  FileId file = kNoFile;
  std::vector<Use> uses;
  std::vector<TopItem> items;
  /// Every comment in the file, in source order.
  std::vector<Comment> comments;
  /// True when the parser had to recover from a syntax error: the tree is incomplete.
  bool hasSyntaxErrors = false;
};

// LLVM-style checked downcasts on the kind fields.
template <typename T>
const T& as(const Decl& decl) {
  return static_cast<const T&>(decl);
}
template <typename T>
T& as(Decl& decl) {
  return static_cast<T&>(decl);
}
template <typename T>
const T& as(const Expr& expr) {
  return static_cast<const T&>(expr);
}
template <typename T>
T& as(Expr& expr) {
  return static_cast<T&>(expr);
}

}  // namespace journey::ast

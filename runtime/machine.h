// The executable form of a checked journey: flat tables that the runtime walks for every
// customer. It holds no pointers, only indices, so it can be written to a file and loaded
// without the compiler (`journey build`, `.jm` files). Every index is checked by `verify`
// before anything runs; after that the engine trusts them.
//
// Values at run time are doubles: numbers; durations in seconds; money in units of `currency`;
// bools 0 or 1; personas their index; strings an index into `strings`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace journey::rt {

/// Bumped whenever the layout of a machine or its file form changes.
inline constexpr std::uint32_t kMachineVersion = 2;

/// The most messages a cap can allow in its window: every customer keeps that many delivery
/// times per capped channel and rule. The language's limit (sema::kMaxCapCount) is the same.
inline constexpr std::uint32_t kMaxCapCount = 10'000;

using Index = std::int32_t;
inline constexpr Index kNone = -1;

// ---------------------------------------------------------------------------------------------
// Expressions: postfix code for a stack of doubles. Jumps go forward only, and the stack depth
// at a jump's target is the depth at the jump, so the code converts directly to SSA form.

enum class Op : std::uint8_t {
  Const,            // push k
  Var,              // push var a
  Attribute,        // push attribute a of the customer
  Payload,          // push field a of the payload of the event being handled
  Emotion,          // push the customer's emotion
  Cost,             // push the cost to serve so far
  Time,             // push the current time
  TimeInStage,      // push now - time the current stage was entered
  Persona,          // push the persona's index
  Visits,           // push visits(stage a)
  Received,         // push received(touchpoint a)
  ReceivedChannel,  // push received(channel a)
  InStage,          // push 1 when the current stage is a
  Value,            // push the value earned so far (with the current stage's accrual)
  Occurrences,      // push the occurrences of event a so far
  Neg,
  Not,
  Add,
  Sub,
  Mul,
  Div,  // a division by zero fails the customer (semantics 1.6)
  Lt,
  Le,
  Gt,
  Ge,
  Eq,
  Ne,
  Min,
  Max,
  Clamp,  // x lo hi -> min(max(x, lo), hi)
  Abs,
  Round,  // half away from zero
  Floor,
  Ceil,
  JumpIfFalse,  // `and`: when the top is 0, jump to instruction a keeping it; else pop it
  JumpIfTrue,   // `or`: when the top is not 0, jump to instruction a keeping it; else pop it
  Uniform,      // min max -> sample
  Normal,       // mean sd -> sample
  Lognormal,    // median sigma -> sample
  Exponential,  // mean -> sample
  Gamma,        // shape scale -> sample
  Weibull,      // shape scale -> sample
  Bernoulli,    // p -> 0 or 1
  Discrete,     // a pairs (value, probability) -> the value drawn
};

inline constexpr int kOpCount = static_cast<int>(Op::Discrete) + 1;

struct Instr {
  Op op = Op::Const;
  Index a = 0;
  double k = 0;
};

/// What an expression's value means, for printing and checking.
enum class ValueType : std::uint8_t { Number, Duration, Money, Bool, String, Persona };

/// An expression: a range of `Machine::code`.
struct Expr {
  std::uint32_t begin = 0;
  std::uint32_t size = 0;
  ValueType type = ValueType::Number;
  /// The code is one `Const`: the engine reads `value` without evaluating.
  bool constant = false;
  /// It draws random numbers.
  bool sampled = false;
  double value = 0;
  /// Where it was written, for run-time warnings (an index into `places`).
  Index place = kNone;
};

using ExprId = Index;

// ---------------------------------------------------------------------------------------------
// Where customers go

enum class TargetKind : std::uint8_t { Stage, Chance, Condition };
enum class BranchKind : std::uint8_t { Chance, Otherwise, If, Else };

struct Branch {
  BranchKind kind = BranchKind::Else;
  /// Chance: the probability; If: the condition.
  ExprId value = kNone;
  Index target = kNone;
};

struct Target {
  TargetKind kind = TargetKind::Stage;
  /// Stage: the stage.
  Index stage = kNone;
  /// Chance and Condition: a range of `Machine::branches`.
  std::uint32_t firstBranch = 0;
  std::uint32_t branchCount = 0;
  Index place = kNone;
};

// ---------------------------------------------------------------------------------------------
// Declarations

struct Persona {
  std::string name;
  std::string display;
  double share = 0;
};

struct Attribute {
  std::string name;
  ValueType type = ValueType::Number;
};

struct Var {
  std::string name;
  ValueType type = ValueType::Number;
  ExprId initial = kNone;
};

/// A param after overrides: kept for reports; its uses are folded into the code.
struct Param {
  std::string name;
  ValueType type = ValueType::Number;
  double value = 0;
  /// The value as the user wrote it (`10%`, `25 USD`, `"annual"`).
  std::string text;
  bool overridden = false;
};

enum class CapPolicy : std::uint8_t { Drop, Defer };

struct Channel {
  std::string name;
  double cost = 0;
  /// 0: no cap.
  std::uint32_t capCount = 0;
  double capWindow = 0;
  CapPolicy capPolicy = CapPolicy::Drop;
  bool hasQuiet = false;
  /// Times of day in seconds, [start, end).
  double quietStart = 0;
  double quietEnd = 0;
  CapPolicy quietPolicy = CapPolicy::Drop;
};

struct Touchpoint {
  std::string name;
  std::string display;
  Index channel = kNone;
  /// The stage that delivers it on entry, or kNone for one that rules send.
  Index stage = kNone;
  ExprId cost = kNone;
  ExprId emotion = kNone;
  ExprId duration = kNone;
  /// `response P emits E delay D`: kNone when absent.
  ExprId responseProbability = kNone;
  Index responseEvent = kNone;
  ExprId responseDelay = kNone;
  /// `nps A`: the 0-10 answer to "would you recommend us?", drawn at each delivery (kNone:
  /// not a survey).
  ExprId nps = kNone;
};

enum class StageKind : std::uint8_t { Ordinary, Goal, Exit };

struct Stage {
  std::string name;
  std::string display;
  StageKind kind = StageKind::Ordinary;
  /// Its touchpoints in delivery order: a range of `Machine::stageTouchpoints`.
  std::uint32_t firstTouchpoint = 0;
  std::uint32_t touchpointCount = 0;
  /// Counted as a milestone in reports (an ordinary stage written `milestone`).
  bool milestone = false;
  /// The value earned on each entry (kNone: none); for a goal, what reaching it is worth.
  ExprId value = kNone;
  /// `value V per D`: V, evaluated on entry, earned pro rata over the time spent in the stage
  /// (kNone: none), and D in seconds.
  ExprId periodValue = kNone;
  double period = 0;
  /// Its `on EVENT` transitions: a range of `Machine::eventTransitions`.
  std::uint32_t firstEventTransition = 0;
  std::uint32_t eventTransitionCount = 0;
  /// Events that can happen in it, in declaration order: a range of `Machine::stageEvents`.
  std::uint32_t firstEvent = 0;
  std::uint32_t eventCount = 0;
};

/// A stage's `after D -> TARGET` for one persona.
struct Transition {
  ExprId delay = kNone;
  Index target = kNone;
};

/// A stage's `on EVENT -> TARGET`; the targets per persona are in `Machine::eventTargets`.
struct EventTransition {
  Index event = kNone;
  /// First of `personas.size()` entries of `Machine::eventTargets` (kNone: none for them).
  std::uint32_t firstTarget = 0;
};

struct PayloadField {
  std::string name;
  ValueType type = ValueType::Number;
  ExprId value = kNone;
};

struct Event {
  std::string name;
  std::string display;
  /// A range of `Machine::payloadFields`.
  std::uint32_t firstField = 0;
  std::uint32_t fieldCount = 0;
  /// The value earned at each occurrence (kNone: none); may read the payload.
  ExprId value = kNone;
};

/// A KPI declared in the spec: the mean over customers of `value`, evaluated when a customer's
/// journey ends (a bool: the share of customers for whom it holds).
struct Kpi {
  std::string name;
  std::string display;
  ExprId value = kNone;
  bool primary = false;
};

enum class TriggerKind : std::uint8_t { Event, Enter, Leave, After, Inactive, Condition };
enum class ActionKind : std::uint8_t { Send, Set, Move, Wait, WaitFor, Stop };

struct Action {
  ActionKind kind = ActionKind::Stop;
  /// Send: touchpoint; Set: var; Move: target; WaitFor: event.
  Index index = kNone;
  /// Set: the new value; Wait: the duration; WaitFor: the time limit (kNone: none).
  ExprId value = kNone;
};

struct Rule {
  std::string name;
  std::string display;
  TriggerKind trigger = TriggerKind::Event;
  /// Event: the event; Enter, Leave: the stage.
  Index triggerIndex = kNone;
  /// After, Inactive: the duration; Condition: the condition.
  ExprId triggerValue = kNone;
  /// The `in` stages: a range of `Machine::ruleStages` (empty: any stage).
  std::uint32_t firstStage = 0;
  std::uint32_t stageCount = 0;
  /// The `for` personas: a range of `Machine::rulePersonas` (empty: every persona).
  std::uint32_t firstPersona = 0;
  std::uint32_t personaCount = 0;
  /// The `if` clauses, joined with `and` (kNone: none).
  ExprId condition = kNone;
  /// The event whose payload the rule reads (its trigger's, or kNone).
  Index payloadEvent = kNone;
  double priority = 0;
  /// 0: no cap. `capWindow` 0: a cap over the customer's whole life.
  std::uint32_t capCount = 0;
  double capWindow = 0;
  /// A range of `Machine::actions`.
  std::uint32_t firstAction = 0;
  std::uint32_t actionCount = 0;
};

// ---------------------------------------------------------------------------------------------
// The machine

struct Machine {
  std::string name;
  std::string display;
  /// The spec it was compiled from, as given to the compiler (for reports).
  std::string source;
  std::string currency;
  double horizon = 0;
  Index entry = kNone;

  std::vector<Persona> personas;
  std::vector<Attribute> attributes;
  /// `personas.size() * attributes.size()`: the attribute's value for the persona, or kNone
  /// when the persona lacks it (it reads as 0; the compiler keeps such reads out).
  std::vector<ExprId> personaAttributes;
  std::vector<Var> vars;
  std::vector<Param> params;
  std::vector<Channel> channels;
  std::vector<Stage> stages;
  std::vector<Touchpoint> touchpoints;
  std::vector<Event> events;
  std::vector<Rule> rules;
  std::vector<Kpi> kpis;
  /// `discount R per D`: money at time t counts (1 + R)^(-t / D) in lifetime value (D 0: none).
  double discountRate = 0;
  double discountPeriod = 0;
  /// The spec uses lifetime constructs (milestones, KPIs, a discount, values on ordinary stages
  /// or events): reports add milestones, KPIs, retention and lifetime value.
  bool lifetime = false;

  /// `stages.size() * personas.size()`: each stage's `after` for each persona.
  std::vector<Transition> afters;
  std::vector<Index> stageTouchpoints;
  std::vector<EventTransition> eventTransitions;
  std::vector<Index> eventTargets;
  std::vector<Index> stageEvents;
  /// `events.size() * personas.size()`: the mean time between spontaneous occurrences
  /// (kNone: none for the persona).
  std::vector<ExprId> eventMeans;
  /// `events.size() * stages.size()`: 1 when the event can happen in the stage.
  std::vector<std::uint8_t> eventInStage;
  std::vector<PayloadField> payloadFields;
  std::vector<Index> ruleStages;
  std::vector<Index> rulePersonas;
  std::vector<Action> actions;

  std::vector<Target> targets;
  std::vector<Branch> branches;
  std::vector<Expr> exprs;
  std::vector<Instr> code;
  std::vector<std::string> strings;
  /// Source locations, `file:line:column`.
  std::vector<std::string> places;

  std::size_t personaCount() const { return personas.size(); }
  const Transition& after(Index stage, Index persona) const {
    return afters[static_cast<std::size_t>(stage) * personas.size() +
                  static_cast<std::size_t>(persona)];
  }
  Index eventTarget(const EventTransition& transition, Index persona) const {
    return eventTargets[transition.firstTarget + static_cast<std::size_t>(persona)];
  }
  ExprId eventMean(Index event, Index persona) const {
    return eventMeans[static_cast<std::size_t>(event) * personas.size() +
                      static_cast<std::size_t>(persona)];
  }
  bool eventCanHappen(Index event, Index stage) const {
    return eventInStage[static_cast<std::size_t>(event) * stages.size() +
                        static_cast<std::size_t>(stage)] != 0;
  }
  ExprId attribute(Index persona, Index attribute) const {
    return personaAttributes[static_cast<std::size_t>(persona) * attributes.size() +
                             static_cast<std::size_t>(attribute)];
  }
  /// Some touchpoint asks for an NPS answer.
  bool hasSurveys() const {
    for (const auto& touchpoint : touchpoints)
      if (touchpoint.nps != kNone) return true;
    return false;
  }
  std::string_view place(Index index) const {
    return index == kNone ? std::string_view("<unknown>") : std::string_view(places[index]);
  }
};

const char* opName(Op op);
const char* valueTypeName(ValueType type);
/// How many stack slots the operation pops and pushes (Discrete pops 2a).
int opPops(const Instr& instr);
int opPushes(Op op);

}  // namespace journey::rt

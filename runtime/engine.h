// The runtime API: drive customers through a machine, as `docs/semantics.md` specifies.
//
//   rt::Program program(machine);            // once per machine (shared by threads)
//   rt::Customer customer(program);          // one per thread, reused for each customer
//   customer.start(seed, index);             // persona, attributes, entry at time 0
//   customer.advanceTo(program.machine().horizon);
//   customer.outcome(), customer.visits(), ...
//
// A host program with real events calls `start` with a given persona and attributes, then
// `advanceTo(t)` and `deliver(event)` as time passes, and reads `actions()` for what the rules
// did (with `Options::recordActions`).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "runtime/eval.h"
#include "runtime/machine.h"
#include "runtime/random.h"

namespace journey::rt {

/// A verified machine with what the engine derives from it once: rule groups, orders, and the
/// compiled expressions when a JIT made them. Immutable: threads share one.
class Program {
 public:
  /// `compiled`, when given, has one entry per expression (null for constant ones) and must
  /// outlive the program.
  explicit Program(const Machine& machine, const CompiledExpr* compiled = nullptr);
  /// The plans point into the program's own vectors.
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  const Machine& machine() const { return m_; }
  const CompiledExpr* compiled() const { return compiled_; }

  /// Rules by trigger, by event or stage, each list by priority (highest first), then
  /// declaration order.
  const std::vector<Index>* eventRuleLists() const { return eventRules_.data(); }
  const std::vector<Index>* enterRuleLists() const { return enterRules_.data(); }
  const std::vector<Index>* leaveRuleLists() const { return leaveRules_.data(); }
  /// Condition rules in declaration order.
  const std::vector<Index>& conditionRules() const { return conditionRules_; }
  /// Rank of each rule in group order (priority, then declaration).
  std::uint32_t groupRank(Index rule) const { return groupRank_[rule]; }
  std::size_t maxPayloadFields() const { return maxPayloadFields_; }
  /// Offsets of each channel's and rule's cap ring in a customer's ring buffer.
  std::uint32_t channelRing(Index channel) const { return channelRing_[channel]; }
  std::uint32_t ruleRing(Index rule) const { return ruleRing_[rule]; }
  std::uint32_t ringSize() const { return ringSize_; }
  /// What an expression reads that can change during a customer's life (semantics 7.1.6: a
  /// condition is re-evaluated after every step; one that reads none of what the step changed
  /// keeps its value, so the engine skips it).
  enum Reads : std::uint8_t {
    ReadsVars = 1,
    ReadsEmotion = 2,
    ReadsCost = 4,
    ReadsStage = 8,  // the stage, visits
    ReadsReceived = 16,
    ReadsAlways = 32,  // time, time in stage, a payload, or random draws: never skipped
  };
  std::uint8_t conditionReads(Index rule) const { return conditionReads_[rule]; }
  /// What any condition reads: a step that changed none of it needs no evaluation.
  std::uint8_t anyConditionReads() const { return anyConditionReads_; }

  /// How the engine evaluates an expression: its value when constant, else its compiled
  /// function (null under the interpreter) or, failing that, the interpreter on `id`. The plans
  /// below hold copies, so the hot path finds what it needs in one place.
  struct ExprSlot {
    CompiledExpr function = nullptr;
    double value = 0;
    ExprId id = kNone;  // kNone: absent, constant 0
    bool constant = true;
  };
  const ExprSlot& slot(ExprId id) const { return slots_[static_cast<std::size_t>(id)]; }
  std::span<const ExprSlot> slots() const { return slots_; }

  /// A touchpoint's delivery (semantics 8.4) with its constant parts folded.
  struct Delivery {
    Index touchpoint = kNone;
    Index channel = kNone;
    /// The channel's cost plus the touchpoint's own when that is constant.
    double cost = 0;
    /// The touchpoint's own cost when it is not constant (kNone: folded into `cost`).
    ExprId costExpr = kNone;
    bool hasEmotion = false;
    bool hasEffort = false;
    bool hasNps = false;
    bool capped = false;  // the channel has a cap: its ring keeps the delivery time
    bool responds = false;
    /// The channel has neither quiet hours nor a cap: a rule's send is this delivery.
    bool direct = false;
    ExprSlot emotion, effort, nps;
  };
  /// By touchpoint.
  std::span<const Delivery> deliveries() const { return deliveries_; }
  /// An `on after` or `on inactive` timer: its rule and its delay.
  struct Timer {
    Index rule = kNone;
    ExprSlot delay;
  };
  /// A spontaneous event's clock in a stage (6.1): its mean for the persona.
  struct Clock {
    Index event = kNone;
    ExprSlot mean;
  };
  /// What entering a stage does for one persona (4.8): the stage's own touchpoints, its `after`
  /// (target kNone: none), the clocks of its events whose mean is given, the `on after` timers
  /// whose `in` and `for` admit the stage and persona (a timer whose rule cannot run would never
  /// do anything; its duration is not sampled, so skipping it changes no draw).
  struct Entry {
    StageKind kind = StageKind::Ordinary;
    Index afterTarget = kNone;
    /// An ordinary stage with a value per visit or per period (13.2).
    bool earns = false;
    /// The stage when `afterTarget` is one (no branches to resolve), else kNone.
    Index afterStage = kNone;
    ExprSlot afterDelay;
    std::span<const Delivery> deliveries;
    std::span<const Clock> clocks;
    std::span<const Timer> timers;
  };
  const Entry& entry(Index stage, Index persona) const {
    return entries_[static_cast<std::size_t>(persona) * stageCount_ +
                    static_cast<std::size_t>(stage)];
  }
  /// The `on inactive` timers in declaration order.
  std::span<const Timer> inactivityTimers() const { return inactivityTimers_; }

  /// A chance target whose chances are all constants within [0, 1] (no warning to count): their
  /// running sums, added in branch order as the generic loop adds them, so the draw compares
  /// with the same doubles.
  struct Chances {
    std::span<const double> sums;
    std::span<const Index> targets;
    Index otherwise = kNone;
  };
  /// Null when the target is not such a chance.
  const Chances* chances(Index target) const {
    std::int32_t at = chancesOf_[static_cast<std::size_t>(target)];
    return at < 0 ? nullptr : &chances_[static_cast<std::size_t>(at)];
  }

 private:
  ExprSlot slotOrNone(ExprId id) const;
  void buildPlans();
  void buildChances();

  const Machine& m_;
  const CompiledExpr* compiled_;
  std::size_t stageCount_;  // the entries' width, without a division by an element size
  std::vector<std::vector<Index>> eventRules_, enterRules_, leaveRules_;
  std::vector<ExprSlot> slots_;
  std::vector<Delivery> deliveries_, stageDeliveries_;
  std::vector<Clock> clocks_;
  std::vector<Timer> timers_, inactivityTimers_;
  std::vector<Entry> entries_;
  std::vector<Chances> chances_;
  std::vector<std::int32_t> chancesOf_;  // by target: index in chances_, or -1
  std::vector<double> chanceSums_;
  std::vector<Index> chanceTargets_;
  std::vector<std::uint8_t> conditionReads_;
  std::uint8_t anyConditionReads_ = 0;
  std::vector<Index> afterRules_, inactiveRules_, conditionRules_;
  std::vector<std::uint32_t> groupRank_;
  std::vector<std::uint32_t> channelRing_, ruleRing_;
  std::uint32_t ringSize_ = 0;
  std::size_t maxPayloadFields_ = 0;
};

/// How a customer's journey ended (semantics 12.1).
enum class Outcome : std::uint8_t {
  InProgress,
  Goal,
  Exit,
  UnroutedAtEntry,
  /// More than 1,000 stage entries, condition rounds or items (events, rule timers, held
  /// messages) at one instant.
  Looping,
  /// An expression could not be evaluated (semantics 1.6).
  Failed,
  /// More steps than `Options::maxSteps`: a loop the checker could not rule out.
  StepLimit,
};

const char* outcomeName(Outcome outcome);

/// What the rules and the journey did, for hosts that act on it.
struct ActionRecord {
  enum class Kind : std::uint8_t {
    Enter,    // a: stage
    Deliver,  // a: touchpoint (b: 1 when sent by a rule)
    Drop,     // a: touchpoint
    Defer,    // a: touchpoint
    RuleRun,  // a: rule
    Set,      // a: var
    Finish,   // a: stage
  };
  double time = 0;
  Kind kind = Kind::Enter;
  Index a = kNone;
  Index b = kNone;
};

/// Run-time warnings gathered over many customers (semantics 1.5, 1.6, 9.5), by place.
struct Counters {
  explicit Counters(const Machine& machine)
      : unrouted(machine.targets.size()),
        negativeDurations(machine.exprs.size()),
        clampedProbabilities(machine.exprs.size()),
        failures(machine.exprs.size()) {}
  std::vector<std::uint64_t> unrouted;              // by target
  std::vector<std::uint64_t> negativeDurations;     // by expression
  std::vector<std::uint64_t> clampedProbabilities;  // by expression
  std::vector<std::uint64_t> failures;              // by expression
  void merge(const Counters& other);
};

/// Counts added up over many customers, by persona, by the engine as it makes them: what a host
/// that sums many customers' counts needs, without a pass over every customer's counts after
/// each customer (most of them 0). Each persona's block holds, in this order: by stage the
/// visits, by touchpoint the deliveries, by rule the runs, by channel the sends dropped, the
/// sends deferred and of those the ones a cap held back, by rule the runs a cap held back, and
/// by stage the customers who entered it.
class CountTotals {
 public:
  explicit CountTotals(const Machine& machine);

  std::span<const std::uint64_t> visits(Index persona) const { return view(persona, visits_); }
  std::span<const std::uint64_t> received(Index persona) const { return view(persona, received_); }
  std::span<const std::uint64_t> ruleRuns(Index persona) const { return view(persona, ruleRuns_); }
  std::span<const std::uint64_t> channelDropped(Index persona) const {
    return view(persona, channelDropped_);
  }
  std::span<const std::uint64_t> channelDeferred(Index persona) const {
    return view(persona, channelDeferred_);
  }
  std::span<const std::uint64_t> channelCapped(Index persona) const {
    return view(persona, channelCapped_);
  }
  std::span<const std::uint64_t> ruleCapped(Index persona) const {
    return view(persona, ruleCapped_);
  }
  std::span<const std::uint64_t> reached(Index persona) const { return view(persona, reached_); }
  /// All counts back to 0.
  void clear() { std::fill(totals_.begin(), totals_.end(), 0); }

  /// A persona's block, where the engine adds.
  std::uint64_t* block(Index persona) {
    return totals_.data() + static_cast<std::size_t>(persona) * blockSize_;
  }
  /// Where the stages' first visits start in a block; the blocks before it mirror a customer's
  /// counts one for one.
  std::size_t reachedAt() const { return reached_.first; }

 private:
  struct Range {
    std::size_t first = 0, size = 0;
  };
  std::span<const std::uint64_t> view(Index persona, Range range) const {
    return std::span<const std::uint64_t>(totals_).subspan(
        static_cast<std::size_t>(persona) * blockSize_ + range.first, range.size);
  }
  Range visits_, received_, ruleRuns_, channelDropped_, channelDeferred_, channelCapped_,
      ruleCapped_, reached_;
  std::size_t blockSize_ = 0;
  std::vector<std::uint64_t> totals_;
};

class Customer {
 public:
  struct Options {
    bool recordActions = false;
    /// Steps (processed items) before a customer is stopped as `StepLimit`.
    std::uint64_t maxSteps = 1'000'000;
    /// Keep the stages entered, in order (`path()`): the flows between stages, for much less
    /// than `recordActions`.
    bool recordPath = false;
    /// Where to add every customer's counts as they happen (null: nowhere). Must outlive the
    /// customer.
    CountTotals* totals = nullptr;
  };

  explicit Customer(const Program& program, Counters* counters = nullptr)
      : Customer(program, counters, Options{}) {}
  Customer(const Program& program, Counters* counters, Options options);
  /// The evaluation context points into the customer's own buffers.
  Customer(const Customer&) = delete;
  Customer& operator=(const Customer&) = delete;

  /// A synthetic customer number `index` of a run with `seed`: persona and attributes drawn
  /// from their stream, then the entry at time 0.
  void start(std::uint64_t seed, std::uint64_t index);
  /// A given customer: persona and attribute values (one per machine attribute, in order;
  /// attributes the persona lacks are ignored). Random draws use (seed, index).
  void start(std::uint64_t seed, std::uint64_t index, Index persona,
             std::span<const double> attributes);

  /// Processes everything due up to and including `time` (never past the horizon).
  void advanceTo(double time);
  /// An occurrence of `event` now, from outside (payload drawn unless given).
  void deliver(Index event, std::span<const double> payload = {});
  /// Ends the customer at the horizon: in progress if not finished. `advanceTo` first.
  void stopAtHorizon();

  // State --------------------------------------------------------------------------------------
  const Machine& machine() const { return m_; }
  bool finished() const { return finished_; }
  Outcome outcome() const { return outcome_; }
  /// The goal or exit reached; for an in-progress customer, the current stage.
  Index outcomeStage() const {
    return outcome_ == Outcome::InProgress ? context_.stage : outcomeStage_;
  }
  double outcomeTime() const { return outcomeTime_; }
  /// For a customer stopped as looping by occurrences of one event at one instant: the event.
  Index loopingEvent() const { return loopingEvent_; }
  /// The value earned: goal values, values per visit, per period and per event.
  double value() const { return context_.value; }
  /// Value minus cost to serve, both discounted when the machine has a discount.
  double lifetimeValue() const {
    return discounting_ ? discountedValue_ - discountedCost_ : context_.value - context_.cost;
  }
  /// By stage: when the customer first entered it (valid where `visits()` is not 0).
  std::span<const double> firstEntry() const { return firstEntry_; }
  /// By event: its occurrences (spontaneous, emitted or delivered, not lost).
  std::span<const std::uint32_t> occurrences() const { return occurrences_; }
  /// By stage, three counts: the NPS answers given there by promoters (9-10), passives (7-8)
  /// and detractors (0-6). Empty when no touchpoint asks.
  std::span<const std::uint32_t> npsAnswers() const { return npsAnswers_; }
  /// An expression evaluated on the customer as it is now, e.g. a KPI at the end of the
  /// journey; NaN when it cannot be evaluated (a division by zero). Draws nothing.
  double evaluate(ExprId id) const;
  Index persona() const { return context_.persona; }
  Index stage() const { return context_.stage; }
  /// The stage the customer was in before entering the current one (kNone before the first
  /// move): for a customer who finished at a goal or exit, the stage it left for it.
  Index previousStage() const { return previousStage_; }
  double now() const { return context_.now; }
  double emotion() const { return context_.emotion; }
  double cost() const { return context_.cost; }
  double effort() const { return effort_; }
  std::span<const double> vars() const { return vars_; }
  std::span<const double> attributes() const { return attributes_; }
  std::span<const std::uint32_t> visits() const { return visits_; }
  std::span<const std::uint32_t> received() const { return received_; }
  std::span<const std::uint32_t> receivedChannel() const { return receivedChannel_; }
  std::span<const double> timeInStage() const { return timeInStage_; }
  /// Sum over visits of the emotion on entering each stage.
  std::span<const double> emotionOnEntry() const { return emotionOnEntry_; }
  std::span<const double> channelCost() const { return channelCost_; }
  /// The three sums above in one block, in this order: timeInStage, emotionOnEntry,
  /// channelCost. A tally adds a customer's in one loop.
  std::span<const double> sums() const { return sums_; }
  std::span<const std::uint32_t> channelDropped() const { return channelDropped_; }
  std::span<const std::uint32_t> channelDeferred() const { return channelDeferred_; }
  /// Of the dropped and deferred: the sends a cap held back (the rest, quiet hours).
  std::span<const std::uint32_t> channelCapped() const { return channelCapped_; }
  std::span<const std::uint32_t> ruleRuns() const { return ruleRuns_; }
  std::span<const std::uint32_t> ruleCapped() const { return ruleCapped_; }
  std::uint64_t steps() const { return steps_; }
  /// Where the customer failed (an expression), when `outcome() == Failed`.
  ExprId failedAt() const { return failedAt_; }
  const std::vector<ActionRecord>& actions() const { return actions_; }
  /// The stages entered, in order, when `Options::recordPath`.
  std::span<const Index> path() const { return path_; }

 private:
  enum class ItemKind : std::uint8_t {
    Event,
    RuleAfter,
    RuleInactive,
    WaitEnd,
    WaitTimeout,
    Held,
  };
  struct Item {
    double time;
    /// class, sub-class, declaration order: the tie-break of semantics 5.2 (then the order of
    /// scheduling, which insertion keeps).
    std::uint64_t key;
    ItemKind kind;
    bool spontaneous;
    Index index;
    std::uint32_t tag;
  };
  /// `a`, scheduled after `b`, is processed after it.
  struct After {
    bool operator()(const Item& a, const Item& b) const {
      return a.time > b.time || (a.time == b.time && a.key >= b.key);
    }
  };
  /// What is pending, sorted latest first: the next item is the last. A customer has a handful,
  /// so a sorted array beats a heap; insertion goes from the earliest end, since most new items
  /// fall due within the next few, and past the items of equal time and key, so that those go
  /// in the order they were scheduled. Its own small class so that every operation inlines.
  class Pending {
   public:
    bool empty() const { return size_ == 0; }
    const Item& back() const { return items_[size_ - 1]; }
    void popBack() { --size_; }
    void clear() { size_ = 0; }
    [[gnu::always_inline]] void insert(const Item& item) {
      if (size_ == capacity_) [[unlikely]] {
        capacity_ = std::max<std::size_t>(16, 2 * capacity_);
        items_.resize(capacity_);
      }
      std::size_t i = size_++;
      for (; i > 0 && After{}(item, items_[i - 1]); --i)
        items_[i] = items_[i - 1];
      items_[i] = item;
    }
    template <typename Predicate>
    void eraseIf(Predicate cancelled) {
      std::size_t kept = 0;
      while (kept < size_ && !cancelled(items_[kept]))
        ++kept;
      for (std::size_t i = kept; i < size_; ++i)
        if (!cancelled(items_[i])) items_[kept++] = items_[i];
      size_ = kept;
    }

   private:
    std::vector<Item> items_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;  // items_.size(), without a division by the item size
  };
  /// A suspended rule run or a held message.
  struct Run {
    Index rule = kNone;
    std::uint32_t pc = 0;
    std::uint32_t generation = 0;
    bool active = false;
    Index waitEvent = kNone;
    Index touchpoint = kNone;
  };
  enum class Mode : std::uint8_t { Normal, Leave, Terminal };
  enum class RunEnd : std::uint8_t { Completed, Stopped, Moved, Suspended };
  struct Stop {};  // unwinds a customer that failed or looped

  void reset(std::uint64_t seed, std::uint64_t index);
  void begin();
  void finish(Outcome outcome, Index stage);
  [[noreturn]] void stopWith(Outcome outcome, ExprId where = kNone);
  template <typename F>
  void guarded(F&& body);

  [[gnu::always_inline]] double eval(const Program::ExprSlot& slot) {
    if (slot.constant) return slot.value;
    if (slot.function == nullptr) return interpretExpr(slot.id);
    double value = slot.function(&context_);
    if (std::isnan(value)) [[unlikely]]
      failedEvaluation(slot.id);
    return value;
  }
  double eval(ExprId id) { return eval(tables_.slots[id]); }
  double interpretExpr(ExprId id) {
    double value = interpret(m_, m_.exprs[id], context_);
    if (context_.failed != 0) failedEvaluation(id);
    return value;
  }
  [[noreturn]] void failedEvaluation(ExprId id);
  /// A delay: a negative value counts as a warning and waits 0 (semantics 1.5).
  [[gnu::always_inline]] double duration(const Program::ExprSlot& slot) {
    double value = eval(slot);
    return value < 0 ? negativeDuration(slot.id) : value;
  }
  double duration(ExprId id) { return duration(tables_.slots[id]); }
  /// A chance: outside [0, 1] counts as a warning and is clamped (semantics 1.5).
  double probability(ExprId id) {
    double value = eval(id);
    return value < 0 || value > 1 ? clampedProbability(id, value) : value;
  }
  double negativeDuration(ExprId id) {
    if (counters_ != nullptr) ++counters_->negativeDurations[id];
    return 0;
  }
  double clampedProbability(ExprId id, double value) {
    if (counters_ != nullptr) ++counters_->clampedProbabilities[id];
    return value < 0 ? 0 : 1;
  }

  [[gnu::always_inline]] inline void push(double time, ItemKind kind, std::uint32_t order,
                                          Index index, std::uint32_t tag, bool spontaneous = false);
  /// The next item: true when it was a step (false: cancelled, dropped). Inlined into
  /// `advanceTo`, its one caller: the loop then saves registers once, not per step.
  [[gnu::always_inline]] inline bool step();
  /// The current stage's `after`, due next (a step).
  bool stageAfterStep();
  /// Takes the next item as a step at its time (the step budget and the bound of 4.12 first).
  void take(const Item& item) {
    if (++steps_ > options_.maxSteps) [[unlikely]]
      stopWith(Outcome::StepLimit);
    pending_.popBack();
    if (item.time != itemInstant_) {
      itemInstant_ = item.time;
      itemsThisInstant_ = 0;
    } else if (++itemsThisInstant_ > kItemsPerInstant) [[unlikely]] {
      if (item.kind == ItemKind::Event) loopingEvent_ = item.index;
      stopWith(Outcome::Looping);
    }
    context_.now = item.time;
  }
  bool drop() {
    pending_.popBack();
    return false;
  }
  /// Most targets are a stage: that answer needs no call.
  Index resolve(Index target) {
    const Target& t = tables_.targets[target];
    return t.kind == TargetKind::Stage ? t.stage : resolveBranches(target);
  }
  Index resolveBranches(Index target);
  inline void moveTo(Index stage);
  void enterStage(Index stage);
  [[gnu::always_inline]] inline void activity();
  void scheduleEvent(Index event);
  [[gnu::always_inline]] inline void startClock(Index event, const Program::ExprSlot& mean);
  void handleEvent(Index event, bool spontaneous, std::uint32_t visit,
                   std::span<const double> given);
  void runTimers(ItemKind kind, Index rule);
  /// 7.1.6: after a step, the conditions; those that went true run, in rounds.
  [[gnu::always_inline]] inline void evaluateConditions();
  /// One round of evaluation: true when some condition went true (then in `fired_`). Inlined:
  /// most rounds fire nothing.
  [[gnu::always_inline]] inline bool collectFiredConditions();
  void runConditionRounds();
  inline void applyPendingMove();

  [[gnu::always_inline]] inline bool clausesHold(const Rule& rule, const double* payload);
  [[gnu::always_inline]] inline bool capAllows(Index rule);
  void runGroup(std::span<const Index> rules, const double* payload, Mode mode) {
    if (!rules.empty()) runRules(rules, payload, mode);
  }
  void runRules(std::span<const Index> rules, const double* payload, Mode mode);
  [[gnu::always_inline]] inline RunEnd execute(Index rule, std::uint32_t pc, const double* payload,
                                               Mode mode);
  Index suspend(Index rule, std::uint32_t pc, const double* payload);
  void resume(Index slot);
  inline void release(Index slot);
  double* payloadOf(Index slot) {
    return &runPayloads_[static_cast<std::size_t>(slot) * payloadStride_];
  }

  void send(Index touchpoint, Index slot, Index rule, const double* payload);
  [[gnu::always_inline]] inline void deliverTouchpoint(const Program::Delivery& delivery,
                                                       bool byRule);
  void respond(Index touchpoint);
  /// 8.4.6: an NPS answer, counted in the customer's current stage.
  void answerNps(const Program::ExprSlot& nps);
  /// Money earned now (semantics 13.2).
  void earn(double amount) {
    context_.value += amount;
    if (discounting_) [[unlikely]]
      discountedValue_ += amount * discountFactor(context_.now);
  }
  /// Ends the current stage's accrual of value per period at `now` (most stages have none).
  void settleAccrual() {
    if (context_.valueRate != 0) [[unlikely]]
      settleRate();
  }
  void settleRate();
  /// 13.2: an ordinary stage's value on entry and the start of its accrual.
  void earnOnEntry(Index stage);
  double discountFactor(double time) const { return std::exp(-discountPerSecond_ * time); }
  /// Adds one to a count of `CountTotals`'s, and to the totals (at the same place: a totals
  /// block starts with the customer's counts, in the same order). The frequent counts add
  /// through `totals_`'s block pointers instead, with no address arithmetic.
  void increment(std::uint32_t& value) {
    ++value;
    ++totals_.all[&value - counts_.data()];
  }
  void record(ActionRecord::Kind kind, Index a, Index b = kNone) {
    if (options_.recordActions) actions_.push_back(ActionRecord{context_.now, kind, a, b});
  }

  const Program& program_;
  const Machine& m_;
  /// The machine's tables the hot paths read, one load away rather than two.
  struct Tables {
    const Rule* rules;
    const Action* actions;
    const Target* targets;
    const Branch* branches;
    const Stage* stages;
    const Event* events;
    const Touchpoint* touchpoints;
    const Channel* channels;
    const Index* ruleStages;
    const Index* rulePersonas;
    const Program::ExprSlot* slots;
    const Program::Delivery* deliveries;
    /// The current persona's stage entries, by stage.
    const Program::Entry* entries;
    const std::vector<Index>* eventRules;
    const std::vector<Index>* enterRules;
    const std::vector<Index>* leaveRules;
    std::span<const Program::Timer> inactivityTimers;
    std::uint8_t anyConditionReads;
  } tables_{};
  Counters* counters_;
  Options options_;
  EvalContext context_;
  RandomStream population_;
  RandomStream journey_;

  std::vector<double> vars_, attributes_;
  /// The per-customer sums, counts and rule flags in one block that a customer's start clears
  /// at once (one memset); the spans below are views into it.
  std::vector<std::byte> cleared_;
  std::span<double> sums_;
  std::span<std::uint32_t> counts_;
  CountTotals* countTotals_;  // the host's (`Options::totals`) or ownTotals_
  /// The current persona's block of the totals, and where its frequent counts start.
  struct TotalsBlocks {
    std::uint64_t *all = nullptr, *visits = nullptr, *received = nullptr, *ruleRuns = nullptr,
                  *reached = nullptr;
  } totals_;
  std::span<std::uint32_t> visits_, received_, receivedChannel_;
  std::span<double> timeInStage_, emotionOnEntry_, channelCost_;
  std::span<std::uint32_t> channelDropped_, channelDeferred_, channelCapped_, ruleRuns_,
      ruleCapped_;
  /// Cap windows: the last N delivery (or run) times of each capped channel (or rule).
  std::vector<double> ring_;
  std::span<std::uint32_t> ringCount_;    // per channel, then per rule (in counts_)
  std::span<std::uint32_t> occurrences_;  // per event (in counts_)
  std::span<std::uint32_t> npsAnswers_;   // per stage, three (in counts_)
  std::vector<double> firstEntry_;
  /// The machine has a discount: ln(1 + rate) / period, and the discounted sums.
  bool discounting_ = false;
  double discountPerSecond_ = 0;
  double discountedValue_ = 0, discountedCost_ = 0;
  std::span<std::uint8_t> conditionValue_, inactiveArmed_;
  std::vector<double> inactiveDue_;

  Pending pending_;
  /// The current visit's `after`, kept out of `pending_` (infinity: none): every stage has at
  /// most one, a new visit replaces it, and it goes first at its instant (5.2).
  double stageAfterDue_ = std::numeric_limits<double>::infinity();
  std::vector<Run> runs_;
  std::vector<Index> freeRuns_;
  std::vector<double> runPayloads_;
  std::size_t payloadStride_ = 1;
  std::vector<Index> waiting_;  // runs in `wait for`, in the order they began waiting
  std::vector<double> eventPayload_;
  /// Zeros: what a payload read sees outside an event, so that a machine that reads one
  /// anywhere else (only a hand-made `.jm` can) reads 0 rather than through a null pointer.
  std::vector<double> noPayload_;
  /// Timer groups (7.2.1) and the conditions that went true (7.1.6); kept to reuse memory.
  std::vector<Index> group_, fired_;
  std::vector<ActionRecord> actions_;
  std::vector<Index> path_;

  /// What changed since the conditions were last evaluated (Program::Reads).
  std::uint8_t changed_ = 0;
  std::uint64_t steps_ = 0;
  std::uint32_t visit_ = 0;
  Index pendingMove_ = kNone;
  double instant_ = -1;
  int entriesThisInstant_ = 0;
  /// Semantics 4.12: items (events, rule timers, held messages) taken at one instant.
  static constexpr int kItemsPerInstant = 1000;
  double itemInstant_ = -1;
  int itemsThisInstant_ = 0;
  Index loopingEvent_ = kNone;
  bool finished_ = false;
  Outcome outcome_ = Outcome::InProgress;
  Index outcomeStage_ = kNone;
  Index previousStage_ = kNone;
  double outcomeTime_ = 0;
  double effort_ = 0;
  ExprId failedAt_ = kNone;
  /// The customer's own totals, when the host keeps none.
  std::optional<CountTotals> ownTotals_;
};

}  // namespace journey::rt

#include "runtime/engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "runtime/calendar.h"

namespace journey::rt {
namespace {

/// Semantics 4.12 and 7.1.6: stage entries or condition rounds at one instant.
constexpr int kInstantBound = 1000;

constexpr std::uint64_t orderKey(unsigned itemClass, unsigned sub, std::uint32_t order) {
  return (static_cast<std::uint64_t>(itemClass) << 61) | (static_cast<std::uint64_t>(sub) << 59) |
         order;
}

}  // namespace

const char* outcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::InProgress:
      return "in progress";
    case Outcome::Goal:
      return "goal";
    case Outcome::Exit:
      return "exit";
    case Outcome::UnroutedAtEntry:
      return "unrouted at entry";
    case Outcome::Looping:
      return "looping";
    case Outcome::Failed:
      return "failed";
    case Outcome::StepLimit:
      return "step limit";
  }
  return "?";
}

void Counters::merge(const Counters& other) {
  auto add = [](std::vector<std::uint64_t>& into, const std::vector<std::uint64_t>& from) {
    for (std::size_t i = 0; i < into.size() && i < from.size(); ++i)
      into[i] += from[i];
  };
  add(unrouted, other.unrouted);
  add(negativeDurations, other.negativeDurations);
  add(clampedProbabilities, other.clampedProbabilities);
  add(failures, other.failures);
}

// ---------------------------------------------------------------------------------------------
// Program

Program::Program(const Machine& machine, const CompiledExpr* compiled)
    : m_(machine), compiled_(compiled), stageCount_(machine.stages.size()) {
  std::size_t ruleCount = m_.rules.size();
  std::vector<Index> order(ruleCount);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [this](Index a, Index b) {
    return m_.rules[a].priority > m_.rules[b].priority;
  });
  groupRank_.resize(ruleCount);
  for (std::size_t i = 0; i < ruleCount; ++i)
    groupRank_[order[i]] = static_cast<std::uint32_t>(i);

  eventRules_.resize(m_.events.size());
  enterRules_.resize(m_.stages.size());
  leaveRules_.resize(m_.stages.size());
  for (Index r : order) {
    const Rule& rule = m_.rules[r];
    switch (rule.trigger) {
      case TriggerKind::Event:
        eventRules_[rule.triggerIndex].push_back(r);
        break;
      case TriggerKind::Enter:
        enterRules_[rule.triggerIndex].push_back(r);
        break;
      case TriggerKind::Leave:
        leaveRules_[rule.triggerIndex].push_back(r);
        break;
      default:
        break;
    }
  }
  for (std::size_t r = 0; r < ruleCount; ++r) {
    const Rule& rule = m_.rules[r];
    Index index = static_cast<Index>(r);
    if (rule.trigger == TriggerKind::After) afterRules_.push_back(index);
    if (rule.trigger == TriggerKind::Inactive) inactiveRules_.push_back(index);
    if (rule.trigger == TriggerKind::Condition) conditionRules_.push_back(index);
  }
  conditionReads_.resize(ruleCount);
  for (Index r : conditionRules_) {
    const Expr& expr = m_.exprs[m_.rules[r].triggerValue];
    std::uint8_t reads = expr.sampled ? ReadsAlways : 0;
    for (std::uint32_t i = 0; i < expr.size; ++i) {
      switch (m_.code[expr.begin + i].op) {
        case Op::Var:
          reads |= ReadsVars;
          break;
        case Op::Emotion:
          reads |= ReadsEmotion;
          break;
        case Op::Cost:
          reads |= ReadsCost;
          break;
        case Op::Visits:
        case Op::InStage:
          reads |= ReadsStage;
          break;
        case Op::Received:
        case Op::ReceivedChannel:
          reads |= ReadsReceived;
          break;
        case Op::Time:
        case Op::TimeInStage:
        case Op::Payload:
          reads |= ReadsAlways;
          break;
        default:
          break;
      }
    }
    conditionReads_[r] = reads;
    anyConditionReads_ |= reads;
  }
  slots_.resize(m_.exprs.size());
  for (std::size_t e = 0; e < m_.exprs.size(); ++e) {
    const Expr& expr = m_.exprs[e];
    slots_[e].id = static_cast<ExprId>(e);
    slots_[e].constant = expr.constant;
    slots_[e].value = expr.constant ? expr.value : 0;
    if (!expr.constant && compiled_ != nullptr) slots_[e].function = compiled_[e];
  }
  buildPlans();
  for (const auto& event : m_.events)
    maxPayloadFields_ = std::max<std::size_t>(maxPayloadFields_, event.fieldCount);
  for (const auto& channel : m_.channels) {
    channelRing_.push_back(ringSize_);
    ringSize_ += channel.capCount;
  }
  for (const auto& rule : m_.rules) {
    ruleRing_.push_back(ringSize_);
    if (rule.capWindow > 0) ringSize_ += rule.capCount;
  }
}

Program::ExprSlot Program::slotOrNone(ExprId id) const {
  return id == kNone ? ExprSlot{} : slot(id);
}

void Program::buildPlans() {
  for (std::size_t t = 0; t < m_.touchpoints.size(); ++t) {
    const Touchpoint& tp = m_.touchpoints[t];
    const Channel& channel = m_.channels[tp.channel];
    Delivery d;
    d.touchpoint = static_cast<Index>(t);
    d.channel = tp.channel;
    d.cost = channel.cost;
    if (tp.cost != kNone && slot(tp.cost).constant) {
      d.cost += slot(tp.cost).value;
    } else {
      d.costExpr = tp.cost;
    }
    d.hasEmotion = tp.emotion != kNone;
    d.emotion = slotOrNone(tp.emotion);
    d.hasEffort = tp.duration != kNone;
    d.effort = slotOrNone(tp.duration);
    d.capped = channel.capCount > 0;
    d.responds = tp.responseEvent != kNone;
    d.direct =
        !(channel.hasQuiet && channel.quietStart != channel.quietEnd) && channel.capCount == 0;
    deliveries_.push_back(d);
  }
  struct Ranges {
    std::size_t firstDelivery, deliveryCount, firstClock, clockCount, firstTimer, timerCount;
  };
  std::size_t personaCount = m_.personas.size();
  std::vector<Ranges> ranges;
  for (std::size_t s = 0; s < m_.stages.size(); ++s) {
    const Stage& stage = m_.stages[s];
    std::size_t firstDelivery = stageDeliveries_.size();
    for (std::uint32_t i = 0; i < stage.touchpointCount; ++i)
      stageDeliveries_.push_back(deliveries_[m_.stageTouchpoints[stage.firstTouchpoint + i]]);
    for (std::size_t p = 0; p < personaCount; ++p) {
      Ranges r{firstDelivery, stage.touchpointCount, clocks_.size(), 0, timers_.size(), 0};
      Entry e;
      e.kind = stage.kind;
      const Transition& after = m_.after(static_cast<Index>(s), static_cast<Index>(p));
      e.afterTarget = after.target;
      if (after.target != kNone && m_.targets[after.target].kind == TargetKind::Stage)
        e.afterStage = m_.targets[after.target].stage;
      if (after.target != kNone) e.afterDelay = slotOrNone(after.delay);
      for (std::uint32_t i = 0; i < stage.eventCount; ++i) {
        Index event = m_.stageEvents[stage.firstEvent + i];
        ExprId mean = m_.eventMean(event, static_cast<Index>(p));
        if (mean != kNone) clocks_.push_back(Clock{event, slot(mean)});
      }
      r.clockCount = clocks_.size() - r.firstClock;
      for (Index rule : afterRules_) {
        const Rule& x = m_.rules[rule];
        bool inStage = x.stageCount == 0, forPersona = x.personaCount == 0;
        for (std::uint32_t i = 0; i < x.stageCount && !inStage; ++i)
          inStage = m_.ruleStages[x.firstStage + i] == static_cast<Index>(s);
        for (std::uint32_t i = 0; i < x.personaCount && !forPersona; ++i)
          forPersona = m_.rulePersonas[x.firstPersona + i] == static_cast<Index>(p);
        if (inStage && forPersona) timers_.push_back(Timer{rule, slot(x.triggerValue)});
      }
      r.timerCount = timers_.size() - r.firstTimer;
      entries_.push_back(e);
      ranges.push_back(r);
    }
  }
  // The spans point into vectors that are complete now.
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Ranges& r = ranges[i];
    entries_[i].deliveries =
        std::span<const Delivery>(stageDeliveries_).subspan(r.firstDelivery, r.deliveryCount);
    entries_[i].clocks = std::span<const Clock>(clocks_).subspan(r.firstClock, r.clockCount);
    entries_[i].timers = std::span<const Timer>(timers_).subspan(r.firstTimer, r.timerCount);
  }
  // By persona, then stage: a customer keeps its persona's row (Customer::begin).
  std::vector<Entry> byPersona(entries_.size());
  for (std::size_t s = 0; s < m_.stages.size(); ++s)
    for (std::size_t p = 0; p < personaCount; ++p)
      byPersona[p * m_.stages.size() + s] = entries_[s * personaCount + p];
  entries_ = std::move(byPersona);
  for (Index rule : inactiveRules_)
    inactivityTimers_.push_back(Timer{rule, slot(m_.rules[rule].triggerValue)});
  buildChances();
}

void Program::buildChances() {
  chancesOf_.assign(m_.targets.size(), -1);
  struct Range {
    std::size_t target, first, count;
    Index otherwise;
  };
  std::vector<Range> ranges;
  for (std::size_t t = 0; t < m_.targets.size(); ++t) {
    const Target& target = m_.targets[t];
    if (target.kind != TargetKind::Chance) continue;
    bool constant = true;
    for (std::uint32_t i = 0; i < target.branchCount && constant; ++i) {
      const Branch& branch = m_.branches[target.firstBranch + i];
      if (branch.kind == BranchKind::Otherwise) continue;
      const ExprSlot& chance = slot(branch.value);
      constant = chance.constant && chance.value >= 0 && chance.value <= 1;
    }
    if (!constant) continue;
    Range range{t, chanceSums_.size(), 0, kNone};
    double sum = 0;
    for (std::uint32_t i = 0; i < target.branchCount; ++i) {
      const Branch& branch = m_.branches[target.firstBranch + i];
      if (branch.kind == BranchKind::Otherwise) {
        range.otherwise = branch.target;
        continue;
      }
      sum += slot(branch.value).value;
      chanceSums_.push_back(sum);
      chanceTargets_.push_back(branch.target);
    }
    range.count = chanceSums_.size() - range.first;
    ranges.push_back(range);
  }
  for (const Range& range : ranges) {
    chancesOf_[range.target] = static_cast<std::int32_t>(chances_.size());
    chances_.push_back(Chances{
        std::span<const double>(chanceSums_).subspan(range.first, range.count),
        std::span<const Index>(chanceTargets_).subspan(range.first, range.count), range.otherwise});
  }
}

// ---------------------------------------------------------------------------------------------
// CountTotals

CountTotals::CountTotals(const Machine& machine) {
  auto next = [this](std::size_t size) {
    Range range{blockSize_, size};
    blockSize_ += size;
    return range;
  };
  // The order of a customer's counts (Customer::Customer), then the first visits.
  visits_ = next(machine.stages.size());
  received_ = next(machine.touchpoints.size());
  ruleRuns_ = next(machine.rules.size());
  channelDropped_ = next(machine.channels.size());
  channelDeferred_ = next(machine.channels.size());
  channelCapped_ = next(machine.channels.size());
  ruleCapped_ = next(machine.rules.size());
  reached_ = next(machine.stages.size());
  totals_.assign(blockSize_ * machine.personas.size(), 0);
}

// ---------------------------------------------------------------------------------------------
// Customer: set-up

Customer::Customer(const Program& program, Counters* counters, Options options)
    : program_(program), m_(program.machine()), counters_(counters), options_(options) {
  if (options.totals == nullptr) ownTotals_.emplace(m_);
  countTotals_ = options.totals != nullptr ? options.totals : &*ownTotals_;
  vars_.resize(m_.vars.size());
  attributes_.resize(m_.attributes.size());
  std::size_t stages = m_.stages.size(), channels = m_.channels.size(), rules = m_.rules.size();
  // One zeroed block per customer: the sums (doubles first, for their alignment), the counts,
  // the rules' flags.
  std::size_t sumCount = 2 * stages + channels;
  std::size_t countCount =
      stages + m_.touchpoints.size() + 4 * channels + 2 * rules + channels + rules;
  cleared_.resize(sumCount * sizeof(double) + countCount * sizeof(std::uint32_t) + 2 * rules);
  sums_ = std::span<double>(reinterpret_cast<double*>(cleared_.data()), sumCount);
  counts_ = std::span<std::uint32_t>(
      reinterpret_cast<std::uint32_t*>(cleared_.data() + sumCount * sizeof(double)), countCount);
  auto* flags = reinterpret_cast<std::uint8_t*>(counts_.data() + countCount);
  conditionValue_ = std::span<std::uint8_t>(flags, rules);
  inactiveArmed_ = std::span<std::uint8_t>(flags + rules, rules);
  std::size_t at = 0;
  auto counts = [&](std::size_t n) {
    std::span<std::uint32_t> view(counts_.data() + at, n);
    at += n;
    return view;
  };
  // The counts of CountTotals, in its order, then what only the engine reads.
  visits_ = counts(stages);
  received_ = counts(m_.touchpoints.size());
  ruleRuns_ = counts(rules);
  channelDropped_ = counts(channels);
  channelDeferred_ = counts(channels);
  channelCapped_ = counts(channels);
  ruleCapped_ = counts(rules);
  receivedChannel_ = counts(channels);
  ringCount_ = counts(channels + rules);
  timeInStage_ = std::span<double>(sums_.data(), stages);
  emotionOnEntry_ = std::span<double>(sums_.data() + stages, stages);
  channelCost_ = std::span<double>(sums_.data() + 2 * stages, channels);
  tables_ = {.rules = m_.rules.data(),
             .actions = m_.actions.data(),
             .targets = m_.targets.data(),
             .branches = m_.branches.data(),
             .stages = m_.stages.data(),
             .events = m_.events.data(),
             .touchpoints = m_.touchpoints.data(),
             .channels = m_.channels.data(),
             .ruleStages = m_.ruleStages.data(),
             .rulePersonas = m_.rulePersonas.data(),
             .slots = program.slots().data(),
             .deliveries = program.deliveries().data(),
             .entries = nullptr,  // the persona's row, set by `begin`
             .eventRules = program.eventRuleLists(),
             .enterRules = program.enterRuleLists(),
             .leaveRules = program.leaveRuleLists(),
             .inactivityTimers = program.inactivityTimers(),
             .anyConditionReads = program.anyConditionReads()};
  ring_.resize(program.ringSize());
  inactiveDue_.resize(m_.rules.size());
  payloadStride_ = std::max<std::size_t>(1, program.maxPayloadFields());
  eventPayload_.resize(payloadStride_);
  context_.vars = vars_.data();
  context_.attributes = attributes_.data();
  context_.visits = visits_.data();
  context_.received = received_.data();
  context_.receivedChannel = receivedChannel_.data();
  context_.random = &journey_;
}

void Customer::reset(std::uint64_t seed, std::uint64_t index) {
  population_.reset(seed, index, Stream::Population);
  journey_.reset(seed, index, Stream::Journey);
  std::memset(cleared_.data(), 0, cleared_.size());  // all zero bits: 0 and +0.0
  std::fill(inactiveDue_.begin(), inactiveDue_.end(), std::numeric_limits<double>::infinity());
  pending_.clear();
  stageAfterDue_ = std::numeric_limits<double>::infinity();
  runs_.clear();
  freeRuns_.clear();
  runPayloads_.clear();
  waiting_.clear();
  actions_.clear();
  path_.clear();
  context_.payload = nullptr;
  context_.random = &journey_;
  context_.emotion = 0;
  context_.cost = 0;
  context_.now = 0;
  context_.stageEnteredAt = 0;
  context_.stage = kNone;
  context_.failed = 0;
  changed_ = 0xff;  // the first evaluation reads everything; ReadsAlways stays set
  steps_ = 0;
  visit_ = 0;
  pendingMove_ = kNone;
  instant_ = -1;
  entriesThisInstant_ = 0;
  finished_ = false;
  outcome_ = Outcome::InProgress;
  outcomeStage_ = kNone;
  outcomeTime_ = 0;
  value_ = 0;
  effort_ = 0;
  failedAt_ = kNone;
}

void Customer::start(std::uint64_t seed, std::uint64_t index) {
  reset(seed, index);
  // Semantics 3.1, 3.2: persona by share, then attributes, from the population stream.
  double u = population_.uniform();
  double sum = 0;
  Index persona = static_cast<Index>(m_.personas.size()) - 1;
  for (std::size_t p = 0; p + 1 < m_.personas.size(); ++p) {
    sum += m_.personas[p].share;
    if (u < sum) {
      persona = static_cast<Index>(p);
      break;
    }
  }
  context_.persona = persona;
  context_.random = &population_;
  guarded([&] {
    for (std::size_t a = 0; a < m_.attributes.size(); ++a) {
      ExprId value = m_.attribute(persona, static_cast<Index>(a));
      attributes_[a] = value == kNone ? 0 : eval(value);
    }
  });
  context_.random = &journey_;
  begin();
}

void Customer::start(std::uint64_t seed, std::uint64_t index, Index persona,
                     std::span<const double> attributes) {
  reset(seed, index);
  context_.persona = persona;
  for (std::size_t a = 0; a < attributes_.size(); ++a)
    attributes_[a] = a < attributes.size() ? attributes[a] : 0;
  begin();
}

void Customer::begin() {
  tables_.entries = &program_.entry(0, context_.persona);
  std::uint64_t* all = countTotals_->block(context_.persona);
  totals_ = {all, all + (visits_.data() - counts_.data()),
             all + (received_.data() - counts_.data()), all + (ruleRuns_.data() - counts_.data()),
             all + countTotals_->reachedAt()};
  if (finished_) return;  // an attribute failed
  guarded([&] {
    for (std::size_t v = 0; v < m_.vars.size(); ++v)
      vars_[v] = eval(m_.vars[v].initial);
    // Semantics 3.4: the entry, with no `leave`.
    Index stage = resolve(m_.entry);
    if (stage == kNone) {
      finish(Outcome::UnroutedAtEntry, kNone);
      return;
    }
    moveTo(stage);
    if (!finished_) evaluateConditions();
  });
}

template <typename F>
void Customer::guarded(F&& body) {
  try {
    body();
  } catch (const Stop&) {
    // stopWith has recorded the outcome.
  }
}

void Customer::stopWith(Outcome outcome, ExprId where) {
  failedAt_ = where;
  if (where != kNone && counters_ != nullptr) ++counters_->failures[where];
  finish(outcome, context_.stage);
  throw Stop{};
}

void Customer::finish(Outcome outcome, Index stage) {
  finished_ = true;
  outcome_ = outcome;
  outcomeStage_ = stage;
  outcomeTime_ = context_.now;
  pending_.clear();
  stageAfterDue_ = std::numeric_limits<double>::infinity();
  waiting_.clear();
  for (auto& run : runs_)
    run.active = false;
  record(ActionRecord::Kind::Finish, stage);
}

void Customer::stopAtHorizon() {
  if (finished_) return;
  context_.now = m_.horizon;
  if (context_.stage != kNone) timeInStage_[context_.stage] += m_.horizon - context_.stageEnteredAt;
  finished_ = true;
  outcome_ = Outcome::InProgress;
  outcomeStage_ = context_.stage;
  outcomeTime_ = m_.horizon;
}

// ---------------------------------------------------------------------------------------------
// Expressions

double Customer::interpretExpr(ExprId id) {
  double value = interpret(m_, m_.exprs[id], context_);
  if (context_.failed != 0) failedEvaluation(id);
  return value;
}

void Customer::failedEvaluation(ExprId id) {
  context_.failed = 0;
  stopWith(Outcome::Failed, id);
}

double Customer::negativeDuration(ExprId id) {
  if (counters_ != nullptr) ++counters_->negativeDurations[id];
  return 0;
}

double Customer::clampedProbability(ExprId id, double value) {
  if (counters_ != nullptr) ++counters_->clampedProbabilities[id];
  return value < 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// Time

void Customer::push(double time, ItemKind kind, std::uint32_t order, Index index, std::uint32_t tag,
                    bool spontaneous) {
  // Class and sub-class of each kind (5.2): events, rule timers and resumed waits, held
  // messages. The first class, the stage's `after`, is not in the array (`stageAfterDue_`).
  static constexpr std::uint8_t kClass[] = {1, 2, 2, 2, 2, 3};
  static constexpr std::uint8_t kSub[] = {0, 0, 1, 2, 3, 0};
  auto k = static_cast<std::size_t>(kind);
  Item item{time, orderKey(kClass[k], kSub[k], order), kind, spontaneous, index, tag};
  pending_.insert(item);
}

void Customer::advanceTo(double time) {
  time = std::min(time, m_.horizon);
  while (!finished_) {
    // 5.2: the stage's `after` goes first among the items due at one instant.
    bool stageAfter = pending_.empty() || stageAfterDue_ <= pending_.back().time;
    double due = stageAfter ? stageAfterDue_ : pending_.back().time;
    if (!(due <= time)) break;
    guarded([&] {
      if ((stageAfter ? stageAfterStep() : step()) && !finished_) evaluateConditions();
    });
  }
  if (!finished_ && time > context_.now) context_.now = time;
}

void Customer::deliver(Index event, std::span<const double> payload) {
  if (finished_) return;
  guarded([&] {
    handleEvent(event, false, visit_, payload);
    if (!finished_) evaluateConditions();
  });
}

/// 4.8: the current visit's `after` came due (it is never a cancelled one: a new visit replaces
/// it).
bool Customer::stageAfterStep() {
  if (++steps_ > options_.maxSteps) [[unlikely]]
    stopWith(Outcome::StepLimit);
  context_.now = stageAfterDue_;
  stageAfterDue_ = std::numeric_limits<double>::infinity();
  const Program::Entry& entry = tables_.entries[context_.stage];
  Index stage = entry.afterStage != kNone ? entry.afterStage : resolveBranches(entry.afterTarget);
  if (stage != kNone) moveTo(stage);
  return true;
}

/// The next item: a step, or no step at all when it was cancelled (4.4: with its visit, or a
/// run that ended): dropping it evaluates no condition at its time (7.1.6). An inactivity timer
/// that found activity since it was set moves to its new due time the same way. One switch
/// decides both (a second dispatch on the kind cost an indirect branch per item).
bool Customer::step() {
  Item item = pending_.back();
  switch (item.kind) {
    case ItemKind::Event:
      if (item.spontaneous && item.tag != visit_) return drop();
      take(item);
      handleEvent(item.index, item.spontaneous, item.tag, {});
      return true;
    case ItemKind::RuleAfter:
      if (item.tag != visit_) return drop();
      take(item);
      runTimers(item.kind, item.index);
      return true;
    case ItemKind::RuleInactive: {
      Index rule = item.index;
      double due = inactiveDue_[rule];
      if (due > item.time) {
        pending_.popBack();
        inactiveArmed_[rule] = 0;
        if (std::isfinite(due)) {
          inactiveArmed_[rule] = 1;
          push(due, ItemKind::RuleInactive, static_cast<std::uint32_t>(rule), rule, 0);
        }
        return false;
      }
      take(item);
      inactiveArmed_[rule] = 0;
      runTimers(item.kind, rule);
      return true;
    }
    case ItemKind::WaitEnd:
    case ItemKind::WaitTimeout:
    case ItemKind::Held:
      break;
  }
  const Run& run = runs_[item.index];
  if (!run.active || run.generation != item.tag) return drop();
  take(item);
  switch (item.kind) {
    case ItemKind::WaitEnd:
      resume(item.index);
      break;
    case ItemKind::WaitTimeout:
      // The time limit passed first: the remaining actions are dropped (7.4.5).
      waiting_.erase(std::find(waiting_.begin(), waiting_.end(), item.index));
      release(item.index);
      break;
    default: {  // Held
      Index touchpoint = run.touchpoint;
      Index rule = run.rule;
      if (!clausesHold(tables_.rules[rule], payloadOf(item.index))) {
        increment(channelDropped_[tables_.touchpoints[touchpoint].channel]);
        record(ActionRecord::Kind::Drop, touchpoint);
        release(item.index);
        break;
      }
      send(touchpoint, item.index, rule, payloadOf(item.index));
      break;
    }
  }
  return true;
}

/// `on after` and `on inactive` timers due at one instant form one group (7.2.1).
void Customer::runTimers(ItemKind kind, Index first) {
  group_.clear();
  group_.push_back(first);
  if (kind == ItemKind::RuleInactive) inactiveDue_[first] = std::numeric_limits<double>::infinity();
  while (!pending_.empty() && pending_.back().time == context_.now &&
         pending_.back().kind == kind) {
    Item item = pending_.back();
    pending_.popBack();
    if (kind == ItemKind::RuleAfter) {
      if (item.tag == visit_) group_.push_back(item.index);
    } else {
      inactiveArmed_[item.index] = 0;
      double due = inactiveDue_[item.index];
      if (due > item.time) {
        if (std::isfinite(due)) {
          inactiveArmed_[item.index] = 1;
          push(due, ItemKind::RuleInactive, static_cast<std::uint32_t>(item.index), item.index, 0);
        }
      } else {
        inactiveDue_[item.index] = std::numeric_limits<double>::infinity();
        group_.push_back(item.index);
      }
    }
  }
  std::sort(group_.begin(), group_.end(),
            [this](Index a, Index b) { return program_.groupRank(a) < program_.groupRank(b); });
  runGroup(group_, nullptr, Mode::Normal);
  applyPendingMove();
}

// ---------------------------------------------------------------------------------------------
// Stages

Index Customer::resolveBranches(Index target) {
  for (;;) {
    const Target& t = tables_.targets[target];
    if (t.kind == TargetKind::Stage) return t.stage;
    Index next = kNone, fallback = kNone;
    if (const Program::Chances* chances = program_.chances(target)) {
      double u = journey_.uniform();
      for (std::size_t i = 0; i < chances->sums.size(); ++i) {
        if (u < chances->sums[i]) {
          next = chances->targets[i];
          break;
        }
      }
      fallback = chances->otherwise;
    } else if (t.kind == TargetKind::Chance) {
      double u = journey_.uniform();
      double sum = 0;
      for (std::uint32_t i = 0; i < t.branchCount && next == kNone; ++i) {
        const Branch& branch = tables_.branches[t.firstBranch + i];
        if (branch.kind == BranchKind::Otherwise) {
          fallback = branch.target;
          continue;
        }
        sum += probability(branch.value);
        if (u < sum) next = branch.target;
      }
    } else {
      for (std::uint32_t i = 0; i < t.branchCount && next == kNone; ++i) {
        const Branch& branch = tables_.branches[t.firstBranch + i];
        if (branch.kind == BranchKind::Else) {
          fallback = branch.target;
          continue;
        }
        if (eval(branch.value) != 0) next = branch.target;
      }
    }
    if (next == kNone) next = fallback;
    if (next == kNone) {
      if (counters_ != nullptr) ++counters_->unrouted[target];
      return kNone;
    }
    target = next;
  }
}

void Customer::moveTo(Index stage) {
  for (;;) {
    enterStage(stage);
    if (finished_ || pendingMove_ == kNone) return;
    stage = pendingMove_;
    pendingMove_ = kNone;
  }
}

void Customer::applyPendingMove() {
  if (pendingMove_ == kNone || finished_) return;
  Index stage = pendingMove_;
  pendingMove_ = kNone;
  moveTo(stage);
}

void Customer::enterStage(Index stage) {
  double now = context_.now;
  if (now != instant_) {
    instant_ = now;
    entriesThisInstant_ = 0;
  }
  if (++entriesThisInstant_ > kInstantBound) stopWith(Outcome::Looping);

  Index from = context_.stage;
  if (from != kNone) {
    // 4.3: `leave` rules, still in the old stage; their moves are ignored.
    runGroup(tables_.leaveRules[from], nullptr, Mode::Leave);
    if (finished_) return;
    pendingMove_ = kNone;
    timeInStage_[from] += now - context_.stageEnteredAt;
  }
  // 4.4, 4.5: a new visit cancels what belonged to the old one. Removing those items now keeps
  // the pending array short (a customer in a support loop would otherwise collect them).
  if (from != kNone) {
    std::uint32_t old = visit_;
    pending_.eraseIf([old](const Item& item) {
      return item.tag == old && (item.kind == ItemKind::RuleAfter ||
                                 (item.kind == ItemKind::Event && item.spontaneous));
    });
  }
  ++visit_;
  stageAfterDue_ = std::numeric_limits<double>::infinity();  // the old visit's: cancelled (4.4)
  context_.stage = stage;
  context_.stageEnteredAt = now;
  std::uint32_t visits = ++visits_[stage];
  ++totals_.visits[stage];
  totals_.reached[stage] += visits == 1 ? 1 : 0;
  changed_ |= Program::ReadsStage;
  emotionOnEntry_[stage] += context_.emotion;
  record(ActionRecord::Kind::Enter, stage);
  if (options_.recordPath) path_.push_back(stage);
  activity();

  const Program::Entry& entry = tables_.entries[stage];
  for (const Program::Delivery& delivery : entry.deliveries)
    deliverTouchpoint(delivery, false);

  if (entry.kind != StageKind::Ordinary) {
    // 11.2: `enter` rules without moves or waits, the goal's value, then the end.
    runGroup(tables_.enterRules[stage], nullptr, Mode::Terminal);
    if (finished_) return;
    pendingMove_ = kNone;
    ExprId value = tables_.stages[stage].value;
    if (value != kNone) value_ = eval(value);
    finish(entry.kind == StageKind::Goal ? Outcome::Goal : Outcome::Exit, stage);
    return;
  }

  // 4.8: what the stage needs.
  if (entry.afterTarget != kNone) stageAfterDue_ = now + duration(entry.afterDelay);
  for (const Program::Clock& clock : entry.clocks)
    startClock(clock.event, clock.mean);
  for (const Program::Timer& timer : entry.timers) {
    push(now + duration(timer.delay), ItemKind::RuleAfter, static_cast<std::uint32_t>(timer.rule),
         timer.rule, visit_);
  }
  // 4.9: `enter` rules; a move among them is taken by `moveTo`.
  runGroup(tables_.enterRules[stage], nullptr, Mode::Normal);
}

/// 2.3: an event occurrence or a stage entry restarts the inactivity timers (7.1.4).
void Customer::activity() {
  for (const Program::Timer& timer : tables_.inactivityTimers) {
    Index r = timer.rule;
    double due = context_.now + duration(timer.delay);
    inactiveDue_[r] = due;
    if (!inactiveArmed_[r]) {
      inactiveArmed_[r] = 1;
      push(due, ItemKind::RuleInactive, static_cast<std::uint32_t>(r), r, 0);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Events

void Customer::scheduleEvent(Index event) {
  ExprId mean = m_.eventMean(event, context_.persona);
  if (mean != kNone) startClock(event, tables_.slots[mean]);
}

void Customer::startClock(Index event, const Program::ExprSlot& mean) {
  double value = eval(mean);
  if (!(value > 0)) return;  // 6.1: a mean not above zero draws no occurrence
  double delay = -value * std::log(1.0 - journey_.uniform());
  push(context_.now + delay, ItemKind::Event, static_cast<std::uint32_t>(event), event, visit_,
       true);
}

void Customer::handleEvent(Index event, bool spontaneous, std::uint32_t visit,
                           std::span<const double> given) {
  if (spontaneous && visit != visit_) return;  // its clock was cancelled with the visit
  Index stage = context_.stage;
  if (stage == kNone || !m_.eventCanHappen(event, stage)) return;  // 6.3.1: lost
  std::uint32_t visitAtStart = visit_;
  // 6.3.2: the payload.
  const Event& e = tables_.events[event];
  for (std::uint32_t i = 0; i < e.fieldCount; ++i) {
    eventPayload_[i] = i < given.size() ? given[i] : eval(m_.payloadFields[e.firstField + i].value);
  }
  activity();  // 6.3.3
  // 6.3.4: runs waiting for this event, in the order they began waiting.
  if (!waiting_.empty()) {
    std::vector<Index> ready;
    for (Index slot : waiting_)
      if (runs_[slot].waitEvent == event) ready.push_back(slot);
    for (Index slot : ready) {
      waiting_.erase(std::find(waiting_.begin(), waiting_.end(), slot));
      if (finished_) break;
      if (clausesHold(tables_.rules[runs_[slot].rule], payloadOf(slot))) {
        resume(slot);
      } else {
        release(slot);
      }
    }
    if (finished_) return;
  }
  // 6.3.5: the `on E` rules, with this payload.
  context_.payload = eventPayload_.data();
  runGroup(tables_.eventRules[event], eventPayload_.data(), Mode::Normal);
  applyPendingMove();
  if (finished_) return;
  // 6.3.6: the stage's own transition, if the customer is still in the same visit.
  if (visit_ == visitAtStart) {
    const Stage& s = tables_.stages[stage];
    for (std::uint32_t i = 0; i < s.eventTransitionCount; ++i) {
      const EventTransition& t = m_.eventTransitions[s.firstEventTransition + i];
      if (t.event != event) continue;
      Index target = m_.eventTarget(t, context_.persona);
      if (target == kNone) break;
      context_.payload = eventPayload_.data();
      Index to = resolve(target);
      context_.payload = nullptr;
      if (to != kNone) moveTo(to);
      break;
    }
  }
  context_.payload = nullptr;
  // 6.3.7: the next spontaneous occurrence.
  if (spontaneous && !finished_ && visit_ == visitAtStart) scheduleEvent(event);
}

// ---------------------------------------------------------------------------------------------
// Rules

bool Customer::clausesHold(const Rule& rule, const double* payload) {
  if (rule.personaCount > 0) {
    bool found = false;
    for (std::uint32_t i = 0; i < rule.personaCount && !found; ++i)
      found = tables_.rulePersonas[rule.firstPersona + i] == context_.persona;
    if (!found) return false;
  }
  if (rule.stageCount > 0) {
    bool found = false;
    for (std::uint32_t i = 0; i < rule.stageCount && !found; ++i)
      found = tables_.ruleStages[rule.firstStage + i] == context_.stage;
    if (!found) return false;
  }
  if (rule.condition != kNone) {
    const double* saved = context_.payload;
    context_.payload = payload;
    bool holds = eval(rule.condition) != 0;
    context_.payload = saved;
    if (!holds) return false;
  }
  return true;
}

bool Customer::capAllows(Index r) {
  const Rule& rule = tables_.rules[r];
  if (rule.capCount == 0) return true;
  if (rule.capWindow <= 0) return ruleRuns_[r] < rule.capCount;
  std::uint32_t count = ringCount_[m_.channels.size() + r];
  if (count < rule.capCount) return true;
  // The oldest of the last N runs: the ring's next slot.
  double oldest = ring_[program_.ruleRing(r) + count % rule.capCount];
  return !(oldest + rule.capWindow > context_.now);
}

void Customer::runRules(std::span<const Index> rules, const double* payload, Mode mode) {
  for (Index r : rules) {
    if (finished_) return;
    const Rule& rule = tables_.rules[r];
    if (!clausesHold(rule, payload)) continue;
    if (!capAllows(r)) {
      increment(ruleCapped_[r]);
      continue;
    }
    ++ruleRuns_[r];
    ++totals_.ruleRuns[r];
    if (rule.capCount > 0 && rule.capWindow > 0) {
      std::uint32_t& count = ringCount_[m_.channels.size() + r];
      ring_[program_.ruleRing(r) + count % rule.capCount] = context_.now;
      ++count;
    }
    record(ActionRecord::Kind::RuleRun, r);
    RunEnd end = execute(r, 0, payload, mode);
    if (end == RunEnd::Stopped || end == RunEnd::Moved) return;
  }
}

Customer::RunEnd Customer::execute(Index r, std::uint32_t pc, const double* payload, Mode mode) {
  const Rule& rule = tables_.rules[r];
  const double* saved = context_.payload;
  context_.payload = payload;
  struct Restore {
    EvalContext& context;
    const double* saved;
    ~Restore() { context.payload = saved; }
  } restore{context_, saved};
  for (; pc < rule.actionCount; ++pc) {
    if (finished_) return RunEnd::Stopped;
    const Action& action = tables_.actions[rule.firstAction + pc];
    switch (action.kind) {
      case ActionKind::Send: {
        // Most channels hold nothing back: their sends need neither quiet hours nor caps.
        const Program::Delivery& delivery = tables_.deliveries[action.index];
        if (delivery.direct) {
          deliverTouchpoint(delivery, true);
        } else {
          send(action.index, kNone, r, payload);
        }
        break;
      }
      case ActionKind::Set:
        vars_[action.index] = eval(action.value);
        changed_ |= Program::ReadsVars;
        record(ActionRecord::Kind::Set, action.index);
        break;
      case ActionKind::Move: {
        if (mode != Mode::Normal) return RunEnd::Moved;  // ignored (4.3, 11.2)
        Index stage = resolve(action.index);
        if (stage != kNone) pendingMove_ = stage;
        return RunEnd::Moved;
      }
      case ActionKind::Wait: {
        if (mode == Mode::Terminal) return RunEnd::Completed;
        double delay = duration(action.value);
        Index slot = suspend(r, pc + 1, payload);
        push(context_.now + delay, ItemKind::WaitEnd, static_cast<std::uint32_t>(r), slot,
             runs_[slot].generation);
        return RunEnd::Suspended;
      }
      case ActionKind::WaitFor: {
        if (mode == Mode::Terminal) return RunEnd::Completed;
        double limit = action.value == kNone ? 0 : duration(action.value);
        Index slot = suspend(r, pc + 1, payload);
        runs_[slot].waitEvent = action.index;
        waiting_.push_back(slot);
        if (action.value != kNone) {
          push(context_.now + limit, ItemKind::WaitTimeout, static_cast<std::uint32_t>(r), slot,
               runs_[slot].generation);
        }
        return RunEnd::Suspended;
      }
      case ActionKind::Stop:
        return RunEnd::Stopped;
    }
  }
  return RunEnd::Completed;
}

Index Customer::suspend(Index rule, std::uint32_t pc, const double* payload) {
  Index slot;
  if (!freeRuns_.empty()) {
    slot = freeRuns_.back();
    freeRuns_.pop_back();
  } else {
    slot = static_cast<Index>(runs_.size());
    runs_.emplace_back();
    runPayloads_.resize(runs_.size() * payloadStride_);
  }
  Run& run = runs_[slot];
  run.rule = rule;
  run.pc = pc;
  ++run.generation;
  run.active = true;
  run.waitEvent = kNone;
  run.touchpoint = kNone;
  const Rule& r = tables_.rules[rule];
  if (payload != nullptr && r.payloadEvent != kNone) {
    std::uint32_t fields = tables_.events[r.payloadEvent].fieldCount;
    std::copy(payload, payload + fields, payloadOf(slot));
  }
  return slot;
}

void Customer::release(Index slot) {
  runs_[slot].active = false;
  freeRuns_.push_back(slot);
}

/// 7.4.4: a run resumes only if the customer has not finished and its `in` and `if` hold.
void Customer::resume(Index slot) {
  Run run = runs_[slot];
  const Rule& rule = tables_.rules[run.rule];
  if (finished_ || !clausesHold(rule, payloadOf(slot))) {
    release(slot);
    return;
  }
  // Copy the payload out: the slot is free for reuse once released.
  double payload[64];
  std::size_t fields =
      rule.payloadEvent == kNone ? 0 : tables_.events[rule.payloadEvent].fieldCount;
  std::vector<double> large;
  double* copy = payload;
  if (fields > 64) {
    large.assign(payloadOf(slot), payloadOf(slot) + fields);
    copy = large.data();
  } else {
    std::copy(payloadOf(slot), payloadOf(slot) + fields, payload);
  }
  release(slot);
  execute(run.rule, run.pc, fields > 0 ? copy : nullptr, Mode::Normal);
  applyPendingMove();
}

void Customer::evaluateConditions() {
  if ((changed_ & tables_.anyConditionReads) != 0 && collectFiredConditions()) runConditionRounds();
}

bool Customer::collectFiredConditions() {
  fired_.clear();
  std::uint8_t changed = changed_;
  changed_ = Program::ReadsAlways;
  for (Index r : program_.conditionRules()) {
    if ((program_.conditionReads(r) & changed) == 0) continue;  // its value cannot differ
    bool value = eval(tables_.rules[r].triggerValue) != 0;
    if (value && conditionValue_[r] == 0) fired_.push_back(r);
    conditionValue_[r] = value ? 1 : 0;
  }
  return !fired_.empty();
}

/// Runs the conditions that fired, then evaluates again (what they did can make others true),
/// for at most kInstantBound rounds.
void Customer::runConditionRounds() {
  for (int round = 1;; ++round) {
    std::sort(fired_.begin(), fired_.end(),
              [this](Index a, Index b) { return program_.groupRank(a) < program_.groupRank(b); });
    runGroup(fired_, nullptr, Mode::Normal);
    applyPendingMove();
    if (finished_) return;
    if (round >= kInstantBound) stopWith(Outcome::Looping);
    if (!collectFiredConditions()) return;
  }
}

// ---------------------------------------------------------------------------------------------
// Touchpoints

/// 8.2, 8.3: a rule's message goes through the channel's quiet hours, then its cap. `slot` is
/// the held message being retried, or kNone for a fresh send.
void Customer::send(Index touchpoint, Index slot, Index rule, const double* payload) {
  const Touchpoint& tp = tables_.touchpoints[touchpoint];
  const Channel& channel = tables_.channels[tp.channel];
  double now = context_.now;
  double holdUntil = -1;
  CapPolicy policy = CapPolicy::Drop;
  if (channel.hasQuiet && channel.quietStart != channel.quietEnd) {
    double timeOfDay = rt::timeOfDay(now);
    bool quiet = channel.quietStart < channel.quietEnd
                     ? timeOfDay >= channel.quietStart && timeOfDay < channel.quietEnd
                     : timeOfDay >= channel.quietStart || timeOfDay < channel.quietEnd;
    if (quiet) {
      policy = channel.quietPolicy;
      double wait = channel.quietEnd - timeOfDay;
      if (wait <= 0) wait += kSecondsPerDay;
      holdUntil = now + wait;
    }
  }
  if (holdUntil < 0 && channel.capCount > 0) {
    std::uint32_t count = ringCount_[tp.channel];
    if (count >= channel.capCount) {
      double oldest = ring_[program_.channelRing(tp.channel) + count % channel.capCount];
      if (oldest + channel.capWindow > now) {
        policy = channel.capPolicy;
        holdUntil = oldest + channel.capWindow;
        increment(channelCapped_[tp.channel]);
      }
    }
  }
  if (holdUntil < 0) {
    if (slot != kNone) release(slot);
    deliverTouchpoint(tables_.deliveries[touchpoint], true);
    return;
  }
  if (policy == CapPolicy::Drop) {
    increment(channelDropped_[tp.channel]);
    record(ActionRecord::Kind::Drop, touchpoint);
    if (slot != kNone) release(slot);
    return;
  }
  increment(channelDeferred_[tp.channel]);
  record(ActionRecord::Kind::Defer, touchpoint);
  if (slot == kNone) {
    slot = suspend(rule, 0, payload);
    runs_[slot].touchpoint = touchpoint;
  }
  push(holdUntil, ItemKind::Held, static_cast<std::uint32_t>(rule), slot, runs_[slot].generation);
}

/// 8.4: a delivery.
void Customer::deliverTouchpoint(const Program::Delivery& delivery, bool byRule) {
  double cost = delivery.cost;
  if (delivery.costExpr != kNone) [[unlikely]]
    cost += eval(delivery.costExpr);
  context_.cost += cost;
  channelCost_[delivery.channel] += cost;
  changed_ |= Program::ReadsCost | Program::ReadsReceived;
  if (delivery.hasEmotion) {
    context_.emotion += eval(delivery.emotion);
    changed_ |= Program::ReadsEmotion;
  }
  ++received_[delivery.touchpoint];
  ++totals_.received[delivery.touchpoint];
  ++receivedChannel_[delivery.channel];
  if (delivery.capped) {
    const Channel& channel = tables_.channels[delivery.channel];
    std::uint32_t& count = ringCount_[delivery.channel];
    ring_[program_.channelRing(delivery.channel) + count % channel.capCount] = context_.now;
    ++count;
  }
  if (delivery.hasEffort) effort_ += duration(delivery.effort);
  record(ActionRecord::Kind::Deliver, delivery.touchpoint, byRule ? 1 : 0);
  if (delivery.responds) respond(delivery.touchpoint);
}

/// 8.4: a touchpoint's response, with its chance.
void Customer::respond(Index touchpoint) {
  const Touchpoint& tp = tables_.touchpoints[touchpoint];
  double p = probability(tp.responseProbability);
  if (journey_.uniform() < p) {
    double delay = tp.responseDelay == kNone ? 0 : duration(tp.responseDelay);
    push(context_.now + delay, ItemKind::Event, static_cast<std::uint32_t>(tp.responseEvent),
         tp.responseEvent, 0, false);
  }
}

}  // namespace journey::rt

// A customer's set-up, start and end, and what an expression that fails or warns does to it.
#include <algorithm>
#include <cstring>
#include <limits>

#include "runtime/engine.h"
#include "runtime/engine_inline.h"

namespace journey::rt {

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

// ---------------------------------------------------------------------------------------------
// Set-up, start and end

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
  bool surveys = m_.hasSurveys();
  std::size_t countCount = stages + m_.touchpoints.size() + 4 * channels + 2 * rules + channels +
                           rules + m_.events.size() + (surveys ? 3 * stages : 0);
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
  occurrences_ = counts(m_.events.size());
  npsAnswers_ = counts(surveys ? 3 * stages : 0);
  firstEntry_.resize(stages);
  discounting_ = m_.discountPeriod > 0 && m_.discountRate > 0;
  if (discounting_) discountPerSecond_ = std::log1p(m_.discountRate) / m_.discountPeriod;
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
  noPayload_.assign(payloadStride_, 0.0);
  context_.vars = vars_.data();
  context_.attributes = attributes_.data();
  context_.visits = visits_.data();
  context_.received = received_.data();
  context_.receivedChannel = receivedChannel_.data();
  context_.occurrences = occurrences_.data();
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
  context_.payload = noPayload_.data();
  context_.random = &journey_;
  context_.emotion = 0;
  context_.cost = 0;
  context_.now = 0;
  context_.stageEnteredAt = 0;
  context_.value = 0;
  context_.valueRate = 0;
  discountedValue_ = 0;
  discountedCost_ = 0;
  context_.stage = kNone;
  context_.failed = 0;
  changed_ = 0xff;  // the first evaluation reads everything; ReadsAlways stays set
  steps_ = 0;
  visit_ = 0;
  pendingMove_ = kNone;
  instant_ = -1;
  entriesThisInstant_ = 0;
  itemInstant_ = -1;
  itemsThisInstant_ = 0;
  loopingEvent_ = kNone;
  finished_ = false;
  outcome_ = Outcome::InProgress;
  outcomeStage_ = kNone;
  previousStage_ = kNone;
  outcomeTime_ = 0;
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

void Customer::stopWith(Outcome outcome, ExprId where) {
  failedAt_ = where;
  if (where != kNone && counters_ != nullptr) ++counters_->failures[where];
  finish(outcome, context_.stage);
  throw Stop{};
}

void Customer::finish(Outcome outcome, Index stage) {
  settleAccrual();
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
  settleAccrual();
  finished_ = true;
  outcome_ = Outcome::InProgress;
  outcomeStage_ = context_.stage;
  outcomeTime_ = m_.horizon;
}

void Customer::settleRate() {
  double rate = context_.valueRate;
  double from = context_.stageEnteredAt, to = context_.now;
  // The same expression as `Op::Value`, so that a read of `value` and the settled sum agree.
  context_.value = context_.value + rate * (to - from);
  if (discounting_) {
    double k = discountPerSecond_;
    discountedValue_ += rate * (std::exp(-k * from) - std::exp(-k * to)) / k;
  }
  context_.valueRate = 0;
}

double Customer::evaluate(ExprId id) const {
  const Program::ExprSlot& slot = tables_.slots[id];
  if (slot.constant) return slot.value;
  // A copy: the customer stays as it is. No payload is in scope.
  EvalContext context = context_;
  context.payload = noPayload_.data();
  double value =
      slot.function != nullptr ? slot.function(&context) : interpret(m_, m_.exprs[id], context);
  return context.failed != 0 ? std::numeric_limits<double>::quiet_NaN() : value;
}

// ---------------------------------------------------------------------------------------------
// Expressions that fail

void Customer::failedEvaluation(ExprId id) {
  context_.failed = 0;
  stopWith(Outcome::Failed, id);
}

}  // namespace journey::rt

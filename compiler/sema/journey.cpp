// The journey as a whole: the order of work, its settings, its currency, and the result.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/sema/analyzer.h"
#include "compiler/sema/types.h"

namespace journey::sema {

using ast::TypeKind;

void Analyzer::run(const std::vector<ast::Module*>& modules) {
  if (modules.empty() || modules.front() == nullptr) return;
  for (const Diagnostic* diagnostic : sink_.sorted()) {
    if (diagnostic->kind != DiagnosticKind::SyntaxError || !diagnostic->range.valid()) continue;
    syntaxErrors_.insert((static_cast<std::uint64_t>(diagnostic->range.file) << 32) |
                         diagnostic->range.begin);
  }
  collect(modules);
  collectAttributes();
  checkParams();
  checkVars();
  checkChannels();
  checkAttributeTypes();
  checkShares();
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
  checkDiscount();
  checkKpis();
  checkCurrencies();
  finish();
}

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
  // A lifetime journey measures milestones instead: customers reach them and go on.
  bool goal = std::any_of(stages_.begin(), stages_.end(), [](const ast::StageDecl* stage) {
    return stage->stageKind == ast::StageKind::Goal || stage->milestone;
  });
  if (!goal && !rootHasSyntaxErrors_) {
    report(DiagnosticKind::NoGoal, journeyRange_,
           fmt::format("journey `{}` has no goal stage", name))
        .help =
        "mark the stage customers should reach with `goal`, e.g. `goal Purchased`, or "
        "with `milestone` when they go on from it";
  }
}

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

}  // namespace journey::sema

// Stages with their transitions and goal values, and touchpoints.
#include <fmt/format.h>

#include "compiler/sema/analyzer.h"

namespace journey::sema {

using ast::TypeKind;

namespace {

std::string_view stageNoun(const ast::StageDecl& stage) {
  switch (stage.stageKind) {
    case ast::StageKind::Goal:
      return "goal";
    case ast::StageKind::Exit:
      return "exit";
    case ast::StageKind::Ordinary:
      break;
  }
  return stage.milestone ? "milestone" : "stage";
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
    case ast::TouchpointItemKind::Nps:
      return "nps";
  }
  return "";
}

}  // namespace

void Analyzer::checkStage(ast::StageDecl& stage) {
  bool terminal = stage.stageKind != ast::StageKind::Ordinary;
  std::string_view stageName = stage.name.text;
  const ast::StageItem* value = nullptr;
  const ast::StageItem* periodValue = nullptr;
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
        noteStageValue(stage, item, item.period != nullptr ? periodValue : value);
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
      case ast::StageItemKind::Value: {
        checkExpected(item.value.get(), customerPlace(allPersonas(), &reported), TypeKind::Money);
        if (!item.period) break;
        Folded period = checkExpected(
            item.period.get(),
            constantPlace("the period of a value",
                          "the period is fixed, e.g. `value 30 USD per 30d`: use a literal or a "
                          "param"),
            TypeKind::Duration);
        if (period.ok() && period.constant && period.value <= 0) {
          report(DiagnosticKind::InvalidValue, item.period->range,
                 fmt::format("the period must be longer than zero, found `{}`",
                             shown(item.period.get(), period)))
              .help = "e.g. `value 30 USD per 30d`";
        }
        break;
      }
    }
  }
}

void Analyzer::noteStageValue(const ast::StageDecl& stage, const ast::StageItem& item,
                              const ast::StageItem*& first) {
  std::string_view stageName = stage.name.text;
  bool perPeriod = item.period != nullptr;
  if (perPeriod && stage.stageKind != ast::StageKind::Ordinary) {
    Diagnostic& d = report(DiagnosticKind::PeriodValueOnTerminal, item.range,
                           fmt::format("`value ... per` on {} `{}`, where customers spend no time",
                                       stageNoun(stage), stageName));
    d.help = fmt::format(
        "a goal or exit ends the journey: earn the value once with `value` alone, or earn it per "
        "period in the stage before `{}`",
        stageName);
    return;
  }
  if (first != nullptr) {
    Diagnostic& d =
        report(DiagnosticKind::DuplicateSetting, keywordRange(item.range, "value"),
               fmt::format("{} is given twice in {} `{}`",
                           perPeriod ? "`value ... per`" : "`value`", stageNoun(stage), stageName));
    d.labels.push_back({keywordRange(first->range, "value"), "first given here"});
    d.help = "remove one of them, or add them up in one";
    return;
  }
  first = &item;
}

void Analyzer::checkTouchpoint(ast::TouchpointDecl& touchpoint) {
  std::unordered_set<std::string_view> reported;
  Place place = customerPlace(allPersonas(), &reported);
  const ast::TouchpointItem* firsts[6] = {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
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
      case ast::TouchpointItemKind::Nps: {
        // The answer to "how likely are you to recommend us?", drawn at each delivery.
        Place sampled = place;
        sampled.sampling = true;
        Folded answer = checkExpected(item.value.get(), sampled, TypeKind::Number);
        if (answer.ok() && answer.constant && (answer.value < 0 || answer.value > 10)) {
          report(DiagnosticKind::InvalidValue, item.value->range,
                 fmt::format("an NPS answer is from 0 to 10, found `{}`",
                             shown(item.value.get(), answer)))
              .help = "e.g. `nps clamp(round(normal(mean: 7 + emotion, sd: 2)), 0, 10)`";
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

}  // namespace journey::sema

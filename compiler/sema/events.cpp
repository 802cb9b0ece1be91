// Events: payload fields, the stages they happen in, and their rates.
#include <fmt/format.h>

#include "compiler/sema/analyzer.h"

namespace journey::sema {

using ast::TypeKind;

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
    const ast::EventItem* value = nullptr;
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
      } else if (item.kind == ast::EventItemKind::Value) {
        if (value != nullptr) {
          Diagnostic& d =
              report(DiagnosticKind::DuplicateSetting, keywordRange(item.range, "value"),
                     fmt::format("`value` is given twice in event `{}`", event->name.text));
          d.labels.push_back({keywordRange(value->range, "value"), "first given here"});
          d.help = "remove one of them, or add them up in one";
        } else {
          value = &item;
        }
        std::unordered_set<std::string_view> reported;
        checkExpected(item.value.get(), customerPlace(allPersonas(), &reported, event),
                      TypeKind::Money);
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

}  // namespace journey::sema

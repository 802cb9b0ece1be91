// Channels: cost, caps and quiet hours.
#include <fmt/format.h>

#include <cmath>

#include "compiler/sema/analyzer.h"
#include "compiler/sema/types.h"

namespace journey::sema {

using ast::TypeKind;

void Analyzer::checkCap(ast::Expr* count, ast::Expr* window, const Place& place) {
  Folded n = checkExpected(count, place, TypeKind::Number);
  if (n.ok() && n.constant && (n.value < 1 || n.value != std::floor(n.value))) {
    report(DiagnosticKind::InvalidValue, count->range,
           fmt::format("a cap must be a whole number of at least 1, found `{}`", shown(count, n)))
        .help = "`cap 2 per 7d` allows two in any seven days";
  } else if (window != nullptr && n.ok() && n.constant && n.value > kMaxCapCount) {
    report(DiagnosticKind::InvalidValue, count->range,
           fmt::format("a cap can allow at most {} messages in its window, found `{}`",
                       formatNumber(kMaxCapCount), shown(count, n)))
        .help = "a cap that high never binds: remove it, or cap over a shorter window";
  }
  if (window == nullptr || reportUnitWord(window, "a cap's period is a duration")) return;
  Folded w = checkExpected(window, place, TypeKind::Duration);
  if (w.ok() && w.constant && w.value <= 0) {
    report(DiagnosticKind::InvalidValue, window->range,
           fmt::format("a cap's window must be longer than zero, found `{}`", shown(window, w)));
  }
}

void Analyzer::checkChannels() {
  Place place =
      constantPlace("a channel setting", "channel settings are fixed: use literals and params");
  for (auto* channel : channels_) {
    const ast::ChannelItem* cost = nullptr;
    const ast::ChannelItem* quiet = nullptr;
    for (auto& item : channel->items) {
      switch (item.kind) {
        case ast::ChannelItemKind::Cost: {
          if (cost != nullptr) {
            Diagnostic& d =
                report(DiagnosticKind::DuplicateSetting, keywordRange(item.range, "cost"),
                       fmt::format("`cost` is given twice in channel `{}`", channel->name.text));
            d.labels.push_back({keywordRange(cost->range, "cost"), "first given here"});
            d.help = "remove one of them";
          } else {
            cost = &item;
          }
          Folded value = checkExpected(item.first.get(), place, TypeKind::Money);
          if (value.ok() && value.constant && value.value < 0) {
            report(DiagnosticKind::InvalidValue, item.first->range,
                   fmt::format("a channel's cost cannot be negative, found `{}`",
                               shown(item.first.get(), value)));
          }
          break;
        }
        case ast::ChannelItemKind::Cap:
          checkCap(item.first.get(), item.second.get(), place);
          break;
        case ast::ChannelItemKind::Quiet: {
          if (quiet != nullptr) {
            Diagnostic& d =
                report(DiagnosticKind::DuplicateSetting, keywordRange(item.range, "quiet"),
                       fmt::format("`quiet` is given twice in channel `{}`", channel->name.text));
            d.labels.push_back({keywordRange(quiet->range, "quiet"), "first given here"});
            d.help = "a channel has one quiet period";
          } else {
            quiet = &item;
          }
          for (auto* bound : {item.first.get(), item.second.get()}) {
            Folded value = checkExpected(bound, place, TypeKind::Duration);
            if (value.ok() && value.constant && (value.value < 0 || value.value >= 86400)) {
              report(DiagnosticKind::InvalidValue, bound->range,
                     fmt::format("quiet hours are times of day from `0h` to `24h`, found `{}`",
                                 shown(bound, value)))
                  .help = "`quiet 21h..8h` keeps the channel quiet from 9 pm to 8 am";
            }
          }
          break;
        }
      }
    }
  }
}

}  // namespace journey::sema

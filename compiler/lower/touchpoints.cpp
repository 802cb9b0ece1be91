// Channels (cost, caps, quiet hours) and touchpoints.
#include <algorithm>

#include "compiler/lower/lowerer.h"

namespace journey::lower {

using rt::kNone;

void Lowerer::channels() {
  for (const auto& channel : j_.channels) {
    rt::Channel out;
    out.name = channel.name;
    if (channel.declaration != nullptr) {
      for (const auto& item : channel.declaration->items) {
        auto policy = item.policy.value_or(ast::CapPolicy::Drop) == ast::CapPolicy::Defer
                          ? rt::CapPolicy::Defer
                          : rt::CapPolicy::Drop;
        switch (item.kind) {
          case ast::ChannelItemKind::Cost:
            out.cost = constant(item.first.get());
            break;
          case ast::ChannelItemKind::Cap:
            out.capCount = capCount(item.first.get());
            out.capWindow = constant(item.second.get());
            out.capPolicy = policy;
            break;
          case ast::ChannelItemKind::Quiet:
            out.hasQuiet = true;
            out.quietStart = constant(item.first.get());
            out.quietEnd = constant(item.second.get());
            out.quietPolicy = policy;
            break;
        }
      }
    }
    m_.channels.push_back(std::move(out));
  }
}

void Lowerer::touchpoints() {
  for (const ast::TouchpointDecl* tp : j_.touchpoints) {
    rt::Touchpoint out;
    out.name = tp->name.text;
    if (tp->display) out.display = tp->display->value;
    out.stage = tp->stage != nullptr ? lookup(stageIndex_, tp->stage) : kNone;
    for (const auto& item : tp->items) {
      switch (item.kind) {
        case ast::TouchpointItemKind::Via:
          out.channel = channelNamed(item.name.text);
          break;
        case ast::TouchpointItemKind::Cost:
          out.cost = add(item.value.get());
          break;
        case ast::TouchpointItemKind::Emotion:
          out.emotion = add(item.value.get());
          break;
        case ast::TouchpointItemKind::Duration:
          out.duration = add(item.value.get());
          break;
        case ast::TouchpointItemKind::Response:
          out.responseProbability = add(item.value.get());
          out.responseEvent = declNamed(eventIndex_, item.name.text);
          out.responseDelay = add(item.delay.get());
          break;
        case ast::TouchpointItemKind::Nps:
          out.nps = add(item.value.get());
          m_.lifetime = true;
          break;
      }
    }
    m_.touchpoints.push_back(std::move(out));
  }
}

}  // namespace journey::lower

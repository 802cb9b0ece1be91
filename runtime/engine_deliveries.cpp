// Deliveries: a rule's send through the channel's quiet hours and cap (semantics 8.2, 8.3), and
// a touchpoint's response (8.4).
#include <algorithm>
#include <cmath>

#include "runtime/calendar.h"
#include "runtime/engine.h"
#include "runtime/engine_inline.h"

namespace journey::rt {

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

/// 8.4: a touchpoint's response, with its chance.
void Customer::answerNps(const Program::ExprSlot& nps) {
  double answer = std::round(std::clamp(eval(nps), 0.0, 10.0));
  std::size_t bucket = answer >= 9 ? 0 : answer >= 7 ? 1 : 2;
  ++npsAnswers_[static_cast<std::size_t>(context_.stage) * 3 + bucket];
}

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

// Time of day for quiet hours (semantics 8.2), shared by the engine and the hand-written
// baseline of bench/ like the samplers are.
#pragma once

#include <cmath>
#include <cstdint>

namespace journey::rt {

inline constexpr double kSecondsPerDay = 86400;

/// Seconds since the last midnight: exactly `std::fmod(time, kSecondsPerDay)`, at a fraction of
/// its cost (glibc's fmod divides bit by bit). For 0 <= time < 2^53, `days * kSecondsPerDay` is
/// an exact integer and `time` minus it is exact too (a multiple of time's ulp, no larger than
/// time); the division can round `days` one off near a midnight, which the corrections undo.
inline double timeOfDay(double time) {
  if (!(time >= 0 && time < 0x1p53)) return std::fmod(time, kSecondsPerDay);
  auto days = static_cast<double>(static_cast<std::int64_t>(time / kSecondsPerDay));
  double rest = time - days * kSecondsPerDay;
  if (rest < 0) return rest + kSecondsPerDay;
  if (rest >= kSecondsPerDay) return rest - kSecondsPerDay;
  return rest;
}

}  // namespace journey::rt

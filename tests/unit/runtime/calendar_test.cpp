#include "runtime/calendar.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>

#include "runtime/random.h"

namespace journey::rt {
namespace {

void expectSameAsFmod(double time) {
  double expected = std::fmod(time, kSecondsPerDay), actual = timeOfDay(time);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(expected), std::bit_cast<std::uint64_t>(actual))
      << std::hexfloat << "time " << time << ": fmod " << expected << ", timeOfDay " << actual;
}

TEST(TimeOfDay, EqualsFmodAroundEveryKindOfMidnight) {
  for (double day : {0.0, 1.0, 2.0, 3.0, 364.0, 365.0, 730.0, 1e6, 1e9, 0x1p53 / 86400 - 1}) {
    double midnight = day * kSecondsPerDay;
    for (double offset : {0.0, 1e-9, 0.5, 3599.999, 68400.0, 86399.0, 86399.999999})
      expectSameAsFmod(midnight + offset);
    // The doubles just below and above midnight, where the division rounds.
    double t = midnight;
    for (int i = 0; i < 8; ++i) {
      t = std::nextafter(t, 0.0);
      expectSameAsFmod(t);
    }
    t = midnight;
    for (int i = 0; i < 8; ++i) {
      t = std::nextafter(t, double{INFINITY});
      expectSameAsFmod(t);
    }
  }
}

TEST(TimeOfDay, EqualsFmodOnRandomTimes) {
  RandomStream random(7, 0, Stream::Journey);
  for (int i = 0; i < 200000; ++i) {
    double scale = std::pow(2.0, 60 * random.uniform() - 10);  // 2^-10 s .. 2^50 s
    expectSameAsFmod(scale * random.uniform());
  }
}

TEST(TimeOfDay, OutsideTheExactRangeFallsBackToFmod) {
  for (double time : {0x1p53, 0x1p60, -1.0, -86400.5, double{INFINITY}, double{NAN}}) {
    double expected = std::fmod(time, kSecondsPerDay), actual = timeOfDay(time);
    EXPECT_TRUE(std::bit_cast<std::uint64_t>(expected) == std::bit_cast<std::uint64_t>(actual) ||
                (std::isnan(expected) && std::isnan(actual)))
        << time;
  }
}

}  // namespace
}  // namespace journey::rt

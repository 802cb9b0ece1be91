// Per-customer random streams and the distributions the language samples.
//
// Each stream is Philox4x32-10 (Random123) keyed by the run's seed, with the customer's index
// and the stream's number in the counter: a customer's draws depend only on (seed, customer,
// stream), never on threads, chunking or the backend. Both backends call these functions, so
// they draw the same numbers in the same order.
#pragma once

#include <Random123/philox.h>

#include <cmath>
#include <cstdint>
#include <numbers>

namespace journey::rt {

/// The numbered streams of one customer.
enum class Stream : std::uint32_t {
  /// The persona and the attributes (semantics 1.4: the same in two versions of a journey).
  Population = 0,
  /// Everything else.
  Journey = 1,
};

class RandomStream {
 public:
  RandomStream() = default;
  RandomStream(std::uint64_t seed, std::uint64_t customer, Stream stream) {
    reset(seed, customer, stream);
  }

  void reset(std::uint64_t seed, std::uint64_t customer, Stream stream) {
    key_ = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    counter_ = {{static_cast<std::uint32_t>(customer), static_cast<std::uint32_t>(customer >> 32),
                 static_cast<std::uint32_t>(stream), 0}};
    available_ = 0;
  }

  /// A uniform double in [0, 1) with 53 random bits.
  double uniform() {
    if (available_ == 0) refill();
    std::uint64_t bits = buffer_[--available_];
    return static_cast<double>(bits >> 11) * 0x1.0p-53;
  }

 private:
  void refill() {
    r123::Philox4x32 generator;
    auto block = generator(counter_, key_);
    ++counter_[3];
    buffer_[1] = (static_cast<std::uint64_t>(block[0]) << 32) | block[1];
    buffer_[0] = (static_cast<std::uint64_t>(block[2]) << 32) | block[3];
    available_ = 2;
  }

  r123::Philox4x32::key_type key_ = {{0, 0}};
  r123::Philox4x32::ctr_type counter_ = {{0, 0, 0, 0}};
  std::uint64_t buffer_[2] = {0, 0};
  int available_ = 0;
};

// Samplers. Invalid parameters (a negative mean, a shape of 0, ...) return NaN: the caller
// fails the customer with the expression's place (semantics 1.6).

inline double sampleUniform(RandomStream& random, double lo, double hi) {
  if (!(lo <= hi)) return NAN;
  return lo + (hi - lo) * random.uniform();
}

/// Box-Muller with two fresh uniforms per sample (no cached second value: each draw consumes
/// a fixed number of numbers, whatever came before).
inline double sampleStandardNormal(RandomStream& random) {
  double u1 = 1.0 - random.uniform();  // (0, 1]
  double u2 = random.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

inline double sampleNormal(RandomStream& random, double mean, double sd) {
  if (!(sd >= 0)) return NAN;
  return mean + sd * sampleStandardNormal(random);
}

inline double sampleLognormal(RandomStream& random, double median, double sigma) {
  if (!(median > 0) || !(sigma >= 0)) return NAN;
  return median * std::exp(sigma * sampleStandardNormal(random));
}

inline double sampleExponential(RandomStream& random, double mean) {
  if (!(mean > 0)) return NAN;
  return -mean * std::log(1.0 - random.uniform());
}

/// Marsaglia and Tsang (2000); shapes below 1 by boosting with U^(1/shape).
inline double sampleGamma(RandomStream& random, double shape, double scale) {
  if (!(shape > 0) || !(scale > 0)) return NAN;
  double boost = 1;
  if (shape < 1) {
    boost = std::pow(1.0 - random.uniform(), 1.0 / shape);
    shape += 1;
  }
  double d = shape - 1.0 / 3.0;
  double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = sampleStandardNormal(random);
    double v = 1.0 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    double u = 1.0 - random.uniform();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return boost * d * v * scale;
  }
}

inline double sampleWeibull(RandomStream& random, double shape, double scale) {
  if (!(shape > 0) || !(scale > 0)) return NAN;
  return scale * std::pow(-std::log(1.0 - random.uniform()), 1.0 / shape);
}

inline double sampleBernoulli(RandomStream& random, double p) {
  if (!(p >= 0 && p <= 1)) return NAN;
  return random.uniform() < p ? 1.0 : 0.0;
}

/// `pairs` holds (value, probability) pairs; the last value takes what the others leave.
inline double sampleDiscrete(RandomStream& random, const double* pairs, int count) {
  double u = random.uniform();
  double sum = 0;
  for (std::ptrdiff_t i = 0; i < count; ++i) {
    sum += pairs[2 * i + 1];
    if (u < sum) return pairs[2 * i];
  }
  return pairs[2 * static_cast<std::ptrdiff_t>(count - 1)];
}

}  // namespace journey::rt

// Confidence intervals at 95%.
#pragma once

#include <cmath>
#include <cstdint>

namespace journey::sim {

inline constexpr double kZ95 = 1.959963984540054;

struct Interval {
  double value = 0;
  double low = 0;
  double high = 0;
  double halfWidth() const { return (high - low) / 2; }
};

/// Wilson score interval for k successes in n trials (good near 0 and 1, unlike the normal
/// approximation).
inline Interval wilson(std::uint64_t k, std::uint64_t n) {
  if (n == 0) return {0, 0, 1};
  double nn = static_cast<double>(n);
  double p = static_cast<double>(k) / nn;
  double z2 = kZ95 * kZ95;
  double denominator = 1 + z2 / nn;
  double centre = (p + z2 / (2 * nn)) / denominator;
  double half = kZ95 * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denominator;
  return {p, std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

/// Mean with a normal interval from the sample variance.
inline Interval meanInterval(double sum, double squares, std::uint64_t n) {
  if (n == 0) return {NAN, NAN, NAN};
  double nn = static_cast<double>(n);
  double mean = sum / nn;
  if (n < 2) return {mean, NAN, NAN};
  double variance = std::max(0.0, (squares - sum * sum / nn) / (nn - 1));
  double half = kZ95 * std::sqrt(variance / nn);
  return {mean, mean - half, mean + half};
}

/// A ratio of two means, sum(y)/sum(x), over the same n customers, with the delta method.
/// `yy`, `xx`, `xy` are sums of squares and cross products.
inline Interval ratioInterval(double y, double x, double yy, double xx, double xy,
                              std::uint64_t n) {
  if (n < 2 || x == 0) return {NAN, NAN, NAN};
  double nn = static_cast<double>(n);
  double r = y / x;
  double mx = x / nn;
  // Variance of the residuals y - r x, per customer.
  double residual = (yy - 2 * r * xy + r * r * xx) / (nn - 1);
  double half = kZ95 * std::sqrt(std::max(0.0, residual) / nn) / std::fabs(mx);
  return {r, r - half, r + half};
}

}  // namespace journey::sim

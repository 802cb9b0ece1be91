// The samplers as plain C functions of the evaluation context: the one implementation that both
// backends call (the interpreter directly, JIT-compiled code through absolute symbols), so the two
// draw the same numbers and compute the same bits.
//
// Each returns the sample, NaN for invalid parameters: the caller fails the customer at once
// (the interpreter sets `failed`, compiled code returns the NaN), since later operations such as
// comparisons would hide it. `discrete` reads `count` (value, probability) pairs and never fails
// by itself.
#pragma once

#include <cstdint>

#include "runtime/eval.h"

// C symbols that the JIT's code calls by name: their names are the linker's, not the house style.
// NOLINTBEGIN(readability-identifier-naming)
extern "C" {
double journey_rt_sample_uniform(journey::rt::EvalContext* context, double lo, double hi);
double journey_rt_sample_normal(journey::rt::EvalContext* context, double mean, double sd);
double journey_rt_sample_lognormal(journey::rt::EvalContext* context, double median, double sigma);
double journey_rt_sample_exponential(journey::rt::EvalContext* context, double mean);
double journey_rt_sample_gamma(journey::rt::EvalContext* context, double shape, double scale);
double journey_rt_sample_weibull(journey::rt::EvalContext* context, double shape, double scale);
double journey_rt_sample_bernoulli(journey::rt::EvalContext* context, double p);
double journey_rt_sample_discrete(journey::rt::EvalContext* context, const double* pairs,
                                  std::int32_t count);
}
// NOLINTEND(readability-identifier-naming)

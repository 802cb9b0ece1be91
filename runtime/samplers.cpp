#include "runtime/samplers.h"

#include <cmath>

#include "runtime/random.h"

using journey::rt::EvalContext;

namespace {

/// A sampler's NaN (invalid parameters) fails the customer at once: later operations such as
/// comparisons would hide it.
inline double checked(EvalContext* context, double sample) {
  if (std::isnan(sample)) context->failed = 1;
  return sample;
}

}  // namespace

extern "C" {

double journey_rt_sample_uniform(EvalContext* context, double lo, double hi) {
  return checked(context, journey::rt::sampleUniform(*context->random, lo, hi));
}

double journey_rt_sample_normal(EvalContext* context, double mean, double sd) {
  return checked(context, journey::rt::sampleNormal(*context->random, mean, sd));
}

double journey_rt_sample_lognormal(EvalContext* context, double median, double sigma) {
  return checked(context, journey::rt::sampleLognormal(*context->random, median, sigma));
}

double journey_rt_sample_exponential(EvalContext* context, double mean) {
  return checked(context, journey::rt::sampleExponential(*context->random, mean));
}

double journey_rt_sample_gamma(EvalContext* context, double shape, double scale) {
  return checked(context, journey::rt::sampleGamma(*context->random, shape, scale));
}

double journey_rt_sample_weibull(EvalContext* context, double shape, double scale) {
  return checked(context, journey::rt::sampleWeibull(*context->random, shape, scale));
}

double journey_rt_sample_bernoulli(EvalContext* context, double p) {
  return checked(context, journey::rt::sampleBernoulli(*context->random, p));
}

double journey_rt_sample_discrete(EvalContext* context, const double* pairs, std::int32_t count) {
  return journey::rt::sampleDiscrete(*context->random, pairs, count);
}

}  // extern "C"

#include "runtime/samplers.h"

#include <cmath>

#include "runtime/random.h"

using journey::rt::EvalContext;

extern "C" {

double journey_rt_sample_uniform(EvalContext* context, double lo, double hi) {
  return journey::rt::sampleUniform(*context->random, lo, hi);
}

double journey_rt_sample_normal(EvalContext* context, double mean, double sd) {
  return journey::rt::sampleNormal(*context->random, mean, sd);
}

double journey_rt_sample_lognormal(EvalContext* context, double median, double sigma) {
  return journey::rt::sampleLognormal(*context->random, median, sigma);
}

double journey_rt_sample_exponential(EvalContext* context, double mean) {
  return journey::rt::sampleExponential(*context->random, mean);
}

double journey_rt_sample_gamma(EvalContext* context, double shape, double scale) {
  return journey::rt::sampleGamma(*context->random, shape, scale);
}

double journey_rt_sample_weibull(EvalContext* context, double shape, double scale) {
  return journey::rt::sampleWeibull(*context->random, shape, scale);
}

double journey_rt_sample_bernoulli(EvalContext* context, double p) {
  return journey::rt::sampleBernoulli(*context->random, p);
}

double journey_rt_sample_discrete(EvalContext* context, const double* pairs, std::int32_t count) {
  return journey::rt::sampleDiscrete(*context->random, pairs, count);
}

}  // extern "C"

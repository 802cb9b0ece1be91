#include "compiler/sema/builtins.h"

#include <algorithm>
#include <array>

namespace journey::sema {
namespace {

constexpr std::array<std::string_view, 14> kChannels = {
    "email",  "sms",  "phone", "chat",   "web",  "social", "ads",
    "in_app", "push", "store", "survey", "mail", "video",  "community",
};

constexpr std::array<StateInfo, 6> kState = {{
    {"emotion", ast::TypeKind::Number, "the customer's current emotion"},
    {"cost", ast::TypeKind::Money, "the cost to serve the customer so far"},
    {"time", ast::TypeKind::Duration, "the time since the customer entered the journey"},
    {"time_in_stage", ast::TypeKind::Duration,
     "the time the customer has spent in the current stage"},
    {"persona", ast::TypeKind::Persona, "the customer's persona"},
    {"value", ast::TypeKind::Money, "the value the customer has earned so far"},
}};

constexpr std::string_view kAB[] = {"a", "b"};
constexpr std::string_view kClamp[] = {"x", "lo", "hi"};
constexpr std::string_view kX[] = {"x"};
constexpr std::string_view kStage[] = {"stage"};
constexpr std::string_view kTouchpoint[] = {"touchpoint"};
constexpr std::string_view kEvent[] = {"event"};
constexpr std::string_view kValue[] = {"value"};
constexpr std::string_view kMinMax[] = {"min", "max"};
constexpr std::string_view kMeanSd[] = {"mean", "sd"};
constexpr std::string_view kMedianSigma[] = {"median", "sigma"};
constexpr std::string_view kMean[] = {"mean"};
constexpr std::string_view kShapeScale[] = {"shape", "scale"};
constexpr std::string_view kP[] = {"p"};

const std::array<FunctionInfo, 20> kFunctions = {{
    {Builtin::Min, "min", false, kAB},
    {Builtin::Max, "max", false, kAB},
    {Builtin::Clamp, "clamp", false, kClamp},
    {Builtin::Abs, "abs", false, kX},
    {Builtin::Round, "round", false, kX},
    {Builtin::Floor, "floor", false, kX},
    {Builtin::Ceil, "ceil", false, kX},
    {Builtin::Visits, "visits", false, kStage},
    {Builtin::Received, "received", false, kTouchpoint},
    {Builtin::InStage, "in_stage", false, kStage},
    {Builtin::Reached, "reached", false, kStage},
    {Builtin::Occurrences, "occurrences", false, kEvent},
    {Builtin::Fixed, "fixed", true, kValue},
    {Builtin::Uniform, "uniform", true, kMinMax},
    {Builtin::Normal, "normal", true, kMeanSd},
    {Builtin::Lognormal, "lognormal", true, kMedianSigma},
    {Builtin::Exponential, "exponential", true, kMean},
    {Builtin::Gamma, "gamma", true, kShapeScale},
    {Builtin::Weibull, "weibull", true, kShapeScale},
    {Builtin::Bernoulli, "bernoulli", true, kP},
}};

}  // namespace

std::span<const std::string_view> builtinChannels() {
  return kChannels;
}

bool isBuiltinChannel(std::string_view name) {
  return std::find(kChannels.begin(), kChannels.end(), name) != kChannels.end();
}

std::span<const StateInfo> customerState() {
  return kState;
}

const StateInfo* findCustomerState(std::string_view name) {
  for (const auto& state : kState) {
    if (state.name == name) return &state;
  }
  return nullptr;
}

std::span<const FunctionInfo> builtinFunctions() {
  return kFunctions;
}

const FunctionInfo* findFunction(std::string_view name) {
  for (const auto& function : kFunctions) {
    if (function.name == name) return &function;
  }
  return nullptr;
}

bool isReservedName(std::string_view name) {
  if (findCustomerState(name) != nullptr || findFunction(name) != nullptr) return true;
  return name == "persona" || name == "stage" || name == "discrete";
}

std::span<const std::string_view> builtinKpiNames() {
  static constexpr std::string_view kNames[] = {
      "conversion",
      "goal_conversion",
      "outcome",
      "days_to_goal_mean",
      "reached",
      "milestone",
      "days_to_milestone_mean",
      "visits_per_customer",
      "retention",
      "nps",
      "cost_per_customer",
      "cost_per_conversion",
      "value_per_customer",
      "clv_per_customer",
      "roi",
      "final_emotion",
      "effort_hours_per_customer",
      "touchpoint_delivered_per_customer",
      "channel_delivered_per_customer",
      "channel_cost_per_customer",
      "rule_runs_per_customer",
  };
  return kNames;
}

}  // namespace journey::sema

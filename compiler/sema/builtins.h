// What exists without being declared: built-in channels, customer state, functions and
// distributions, and the names declarations may not take.
#pragma once

#include <span>
#include <string_view>

#include "compiler/ast/ast.h"

namespace journey::sema {

/// `email`, `sms`, ...: channels that exist without a `channel` declaration.
std::span<const std::string_view> builtinChannels();
bool isBuiltinChannel(std::string_view name);

/// Customer state read by name in expressions: `emotion`, `cost`, `time`, ...
struct StateInfo {
  std::string_view name;
  ast::TypeKind type;
  /// What it is, for messages: "the customer's current emotion".
  std::string_view description;
};
std::span<const StateInfo> customerState();
const StateInfo* findCustomerState(std::string_view name);

enum class Builtin {
  Min,
  Max,
  Clamp,
  Abs,
  Round,
  Floor,
  Ceil,
  Visits,
  Received,
  InStage,
  Reached,
  Occurrences,
  Fixed,
  Uniform,
  Normal,
  Lognormal,
  Exponential,
  Gamma,
  Weibull,
  Bernoulli,
};

struct FunctionInfo {
  Builtin id;
  std::string_view name;
  /// True for distributions, which sample a value and are allowed only where one is sampled.
  bool distribution;
  /// Parameter names, in positional order.
  std::span<const std::string_view> parameters;
};

std::span<const FunctionInfo> builtinFunctions();
const FunctionInfo* findFunction(std::string_view name);

/// Names that declarations may not take: customer state, `persona`, `stage`, `value` and every
/// built-in function and distribution name.
bool isReservedName(std::string_view name);

/// The KPIs every simulation reports (`conversion`, `roi`, ...), which a `kpi` may not be named
/// after: gates and comparisons address KPIs by name.
std::span<const std::string_view> builtinKpiNames();

}  // namespace journey::sema

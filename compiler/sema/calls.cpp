// Calls of built-in functions and distributions: arguments bound to parameters by position or
// by name, then checked by family (customer state, arithmetic, distributions).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "compiler/sema/analyzer.h"
#include "compiler/sema/types.h"

namespace journey::sema {

using ast::TypeKind;

namespace {

std::string signature(const FunctionInfo& info) {
  std::string text = std::string(info.name) + "(";
  for (std::size_t i = 0; i < info.parameters.size(); ++i) {
    if (i > 0) text += ", ";
    text += info.parameters[i];
  }
  return text + ")";
}

}  // namespace

/// A call whose arguments are bound to the function's parameters and typed without errors.
struct Analyzer::BoundCall {
  ast::CallExpr& expr;
  const FunctionInfo& info;
  /// The argument of each parameter.
  std::vector<ast::Expr*> bound;
  std::vector<Folded> args;
  /// Some argument draws a random value.
  bool sampled = false;
  /// Every argument is a constant that is not sampled.
  bool allConstant = true;
  /// A distribution where none belongs: already reported.
  bool misplaced = false;

  bool isConstant(std::size_t i) const { return args[i].constant && !args[i].type.sampled; }
  /// A misplaced distribution's value is unusable, so nothing that uses it is reported again.
  Folded sampledResult(TypeKind kind) const {
    return misplaced ? Folded::error() : Folded::of(kind, true);
  }
};

Folded Analyzer::checkCall(ast::CallExpr& e, const Place& place) {
  if (e.callee.text.empty()) return Folded::error();
  const FunctionInfo* info = findFunction(e.callee.text);
  if (info == nullptr) {
    reportUnknownFunction(e);
    return Folded::error();
  }
  std::vector<ast::Expr*> bound(info->parameters.size(), nullptr);
  bool bad = !bindArguments(e, *info, bound);

  bool stateFunction = info->id == Builtin::Visits || info->id == Builtin::Received ||
                       info->id == Builtin::InStage || info->id == Builtin::Reached ||
                       info->id == Builtin::Occurrences;
  if (stateFunction) {
    if (bad || bound[0] == nullptr) return Folded::error();
    return checkStateFunction(e, *info, bound[0], place);
  }

  Place inner = place;
  bool misplaced = info->distribution && !place.sampling;
  if (info->distribution) {
    if (!place.sampling) {
      Diagnostic& d =
          report(DiagnosticKind::SamplingNotAllowed, e.range,
                 fmt::format("`{}` samples a random value, but this place needs a single value",
                             info->name));
      d.help = samplingHelp(place);
    }
    // Report once: what is nested inside is sampled either way.
    inner.sampling = true;
  }
  if (bad) {
    for (const auto& argument : e.arguments)
      check(argument.value.get(), inner);
    return Folded::error();
  }

  BoundCall call{e, *info, std::move(bound), {}};
  call.misplaced = misplaced;
  call.args.reserve(call.bound.size());
  bool argError = false;
  for (auto* argument : call.bound) {
    Folded folded = check(argument, inner);
    if (!folded.ok()) argError = true;
    call.sampled = call.sampled || folded.type.sampled;
    call.allConstant = call.allConstant && folded.constant && !folded.type.sampled;
    call.args.push_back(folded);
  }
  if (argError) return Folded::error();
  return info->distribution ? checkDistributionCall(call) : checkArithmeticCall(call);
}

void Analyzer::reportUnknownFunction(const ast::CallExpr& e) {
  Diagnostic& d = report(DiagnosticKind::UnknownFunction, e.callee.range,
                         fmt::format("unknown function `{}`", e.callee.text));
  std::vector<std::string_view> candidates;
  for (const auto& function : builtinFunctions())
    candidates.push_back(function.name);
  auto suggestion = closestName(e.callee.text, candidates);
  if (suggestion) {
    addDidYouMean(d, e.callee, suggestion);
  } else {
    d.help =
        "functions: `min`, `max`, `clamp`, `abs`, `round`, `floor`, `ceil`, `visits`, "
        "`reached`, `received`, `in_stage`, `occurrences`; distributions: `fixed`, `uniform`, "
        "`normal`, `lognormal`, "
        "`exponential`, `gamma`, `weibull`, `bernoulli`";
  }
}

bool Analyzer::bindArguments(const ast::CallExpr& e, const FunctionInfo& info,
                             std::vector<ast::Expr*>& bound) {
  std::size_t count = info.parameters.size();
  std::vector<const ast::Argument*> boundBy(count, nullptr);
  bool bad = false;
  std::size_t positional = 0;
  bool reportedExtra = false;
  for (const auto& argument : e.arguments) {
    if (argument.name) {
      if (argument.name->text.empty()) {
        bad = true;
        continue;
      }
      auto it = std::find(info.parameters.begin(), info.parameters.end(), argument.name->text);
      if (it == info.parameters.end()) {
        Diagnostic& d =
            report(DiagnosticKind::BadArguments, argument.name->range,
                   fmt::format("`{}` has no parameter `{}`", info.name, argument.name->text));
        std::vector<std::string_view> candidates(info.parameters.begin(), info.parameters.end());
        auto suggestion = closestName(argument.name->text, candidates);
        if (suggestion) {
          addDidYouMean(d, *argument.name, suggestion);
        } else {
          d.help = fmt::format("it takes `{}`", signature(info));
        }
        bad = true;
        continue;
      }
      auto index = static_cast<std::size_t>(it - info.parameters.begin());
      if (bound[index] != nullptr) {
        Diagnostic& d =
            report(DiagnosticKind::BadArguments, argument.name->range,
                   fmt::format("`{}` is given twice in `{}`", argument.name->text, info.name));
        if (boundBy[index]->value)
          d.labels.push_back({boundBy[index]->value->range, "first given here"});
        bad = true;
        continue;
      }
      bound[index] = argument.value.get();
      boundBy[index] = &argument;
      continue;
    }
    std::size_t index = positional++;
    if (index >= count) {
      if (!reportedExtra && argument.value) {
        reportedExtra = true;
        Diagnostic& d = report(DiagnosticKind::BadArguments, argument.value->range,
                               fmt::format("`{}` takes {} argument{}, found {}", info.name, count,
                                           count == 1 ? "" : "s", e.arguments.size()));
        d.help = fmt::format("it takes `{}`", signature(info));
      }
      bad = true;
      continue;
    }
    if (bound[index] != nullptr) {
      Diagnostic& d =
          report(DiagnosticKind::BadArguments, argument.value ? argument.value->range : e.range,
                 fmt::format("`{}` is given twice in `{}`", info.parameters[index], info.name));
      if (boundBy[index]->value)
        d.labels.push_back({boundBy[index]->value->range, "first given here"});
      d.help = "positional arguments come first, in the order of the parameters";
      bad = true;
      continue;
    }
    bound[index] = argument.value.get();
    boundBy[index] = &argument;
  }
  std::vector<std::string_view> missing;
  for (std::size_t i = 0; i < count; ++i) {
    if (boundBy[i] == nullptr) missing.push_back(info.parameters[i]);
  }
  if (!missing.empty() && !bad) {
    Diagnostic& d = report(DiagnosticKind::BadArguments, e.range,
                           fmt::format("`{}` is missing {}", info.name, joinNames(missing)));
    d.help = fmt::format("it takes `{}`", signature(info));
    bad = true;
  }
  return !bad;
}

Folded Analyzer::checkStateFunction(ast::CallExpr& e, const FunctionInfo& info, ast::Expr* argument,
                                    const Place& place) {
  bool event = info.id == Builtin::Occurrences;
  bool stage = info.id != Builtin::Received && !event;
  std::string_view what = event ? "event" : stage ? "stage" : "touchpoint or channel";
  if (argument->kind != ast::ExprKind::Name) {
    if (argument->kind != ast::ExprKind::Error) {
      report(DiagnosticKind::BadArguments, argument->range,
             fmt::format("`{}` takes the name of {} {}", info.name, event ? "an" : "a", what))
          .help = fmt::format("e.g. `{}({})`", info.name,
                              event   ? "ordered"
                              : stage ? "Research"
                                      : "WelcomeCall");
    }
    return Folded::error();
  }
  auto& name = ast::as<ast::NameExpr>(*argument);
  unsigned kinds = event   ? bit(NameKind::Event)
                   : stage ? bit(NameKind::Stage)
                           : bit(NameKind::Touchpoint) | bit(NameKind::Channel);
  const Symbol* symbol = resolve(name.name, kinds, what);
  if (symbol == nullptr) return Folded::error();
  name.symbol = event   ? ast::SymbolKind::Event
                : stage ? ast::SymbolKind::Stage
                        : (symbol->kind == NameKind::Channel ? ast::SymbolKind::Channel
                                                             : ast::SymbolKind::Touchpoint);
  name.declaration = symbol->decl;
  if (!place.customer) {
    reportNotConstant(e.range, fmt::format("{}({})", info.name, name.name.text), "customer state",
                      place);
    return Folded::error();
  }
  bool truth = info.id == Builtin::InStage || info.id == Builtin::Reached;
  return Folded::of(truth ? TypeKind::Bool : TypeKind::Number);
}

bool Analyzer::requireQuantity(const BoundCall& call, std::size_t i) {
  if (isQuantity(call.args[i].type.kind)) return true;
  report(DiagnosticKind::TypeMismatch, call.bound[i]->range,
         fmt::format("expected `number`, `duration` or `money`, found `{}`",
                     typeName(call.args[i].type.kind)))
      .help = fmt::format("`{}` of `{}` must be a number, a duration or money",
                          call.info.parameters[i], call.info.name);
  return false;
}

bool Analyzer::requireNumber(const BoundCall& call, std::size_t i) {
  if (call.args[i].type.kind == TypeKind::Number) return true;
  Diagnostic& d =
      report(DiagnosticKind::TypeMismatch, call.bound[i]->range,
             fmt::format("expected `number`, found `{}`", typeName(call.args[i].type.kind)));
  addTypeHelp(d, call.bound[i], TypeKind::Number, call.args[i].type.kind);
  return false;
}

bool Analyzer::requireSameType(const BoundCall& call, std::size_t first, std::size_t second) {
  TypeKind firstType = call.args[first].type.kind;
  TypeKind secondType = call.args[second].type.kind;
  if (firstType == secondType) return true;
  const auto& parameters = call.info.parameters;
  Diagnostic& d =
      report(DiagnosticKind::TypeMismatch, call.bound[second]->range,
             fmt::format("expected `{}`, found `{}`", typeName(firstType), typeName(secondType)));
  d.labels.push_back({call.bound[first]->range,
                      fmt::format("`{}` is `{}`", parameters[first], typeName(firstType))});
  d.help = fmt::format("`{}` and `{}` of `{}` must have the same type", parameters[first],
                       parameters[second], call.info.name);
  addTypeHelp(d, call.bound[second], firstType, secondType);
  return false;
}

std::string Analyzer::shownArgument(const BoundCall& call, std::size_t i) const {
  return "`" + shown(call.bound[i], call.args[i]) + "`";
}

void Analyzer::reportInvalidDistribution(const BoundCall& call, std::size_t i, std::string message,
                                         std::string help) {
  report(DiagnosticKind::InvalidDistribution, call.bound[i]->range, std::move(message)).help =
      std::move(help);
}

Folded Analyzer::checkArithmeticCall(const BoundCall& call) {
  const auto& args = call.args;
  Builtin id = call.info.id;
  Folded result;
  switch (id) {
    case Builtin::Min:
    case Builtin::Max: {
      if (!requireQuantity(call, 0) || !requireQuantity(call, 1) || !requireSameType(call, 0, 1))
        return Folded::error();
      result = Folded::of(args[0].type.kind, call.sampled);
      if (call.allConstant) {
        result.constant = true;
        result.value = id == Builtin::Min ? std::min(args[0].value, args[1].value)
                                          : std::max(args[0].value, args[1].value);
      }
      return result;
    }
    case Builtin::Clamp: {
      if (!requireQuantity(call, 0) || !requireQuantity(call, 1) || !requireQuantity(call, 2) ||
          !requireSameType(call, 0, 1) || !requireSameType(call, 0, 2)) {
        return Folded::error();
      }
      if (call.isConstant(1) && call.isConstant(2) && args[1].value > args[2].value) {
        Diagnostic& d = report(DiagnosticKind::InvalidValue, call.expr.range,
                               fmt::format("`clamp` bounds are reversed: `lo` is {} and `hi` is {}",
                                           shownArgument(call, 1), shownArgument(call, 2)));
        d.help = "swap `lo` and `hi`";
        return Folded::error();
      }
      result = Folded::of(args[0].type.kind, call.sampled);
      if (call.allConstant) {
        result.constant = true;
        result.value = std::clamp(args[0].value, args[1].value, args[2].value);
      }
      return result;
    }
    case Builtin::Abs:
    case Builtin::Round:
    case Builtin::Floor:
    case Builtin::Ceil: {
      if (id == Builtin::Abs ? !requireQuantity(call, 0) : !requireNumber(call, 0))
        return Folded::error();
      result = Folded::of(args[0].type.kind, call.sampled);
      if (call.allConstant) {
        result.constant = true;
        double x = args[0].value;
        result.value = id == Builtin::Abs     ? std::fabs(x)
                       : id == Builtin::Round ? std::round(x)
                       : id == Builtin::Floor ? std::floor(x)
                                              : std::ceil(x);
      }
      return result;
    }
    default:
      return Folded::error();
  }
}

Folded Analyzer::checkDistributionCall(const BoundCall& call) {
  const auto& args = call.args;
  switch (call.info.id) {
    case Builtin::Fixed:
      return call.sampledResult(args[0].type.kind);
    case Builtin::Uniform: {
      if (!requireQuantity(call, 0) || !requireQuantity(call, 1) || !requireSameType(call, 0, 1))
        return Folded::error();
      if (call.isConstant(0) && call.isConstant(1) && args[0].value > args[1].value) {
        reportInvalidDistribution(call, 1,
                                  fmt::format("`uniform` has `max` below `min`: {} < {}",
                                              shownArgument(call, 1), shownArgument(call, 0)),
                                  "swap `min` and `max`");
      }
      return call.sampledResult(args[0].type.kind);
    }
    case Builtin::Normal: {
      if (!requireQuantity(call, 0) || !requireQuantity(call, 1) || !requireSameType(call, 0, 1))
        return Folded::error();
      if (call.isConstant(1) && args[1].value < 0) {
        reportInvalidDistribution(
            call, 1, fmt::format("`normal` has a negative `sd`: {}", shownArgument(call, 1)),
            "`sd` must be 0 or more");
      }
      return call.sampledResult(args[0].type.kind);
    }
    case Builtin::Lognormal: {
      bool ok = requireQuantity(call, 0);
      ok = requireNumber(call, 1) && ok;
      if (!ok) return Folded::error();
      if (call.isConstant(0) && args[0].value <= 0) {
        reportInvalidDistribution(call, 0,
                                  fmt::format("`lognormal` needs a `median` above zero, found {}",
                                              shownArgument(call, 0)),
                                  "a lognormal distribution describes positive values only");
      }
      if (call.isConstant(1) && args[1].value < 0) {
        reportInvalidDistribution(
            call, 1, fmt::format("`lognormal` has a negative `sigma`: {}", shownArgument(call, 1)),
            "`sigma` must be 0 or more");
      }
      return call.sampledResult(args[0].type.kind);
    }
    case Builtin::Exponential: {
      if (!requireQuantity(call, 0)) return Folded::error();
      if (call.isConstant(0) && args[0].value <= 0) {
        reportInvalidDistribution(call, 0,
                                  fmt::format("`exponential` needs a `mean` above zero, found {}",
                                              shownArgument(call, 0)),
                                  "the mean time or amount must be positive");
      }
      return call.sampledResult(args[0].type.kind);
    }
    case Builtin::Gamma:
    case Builtin::Weibull: {
      bool ok = requireNumber(call, 0);
      ok = requireQuantity(call, 1) && ok;
      if (!ok) return Folded::error();
      if (call.isConstant(0) && args[0].value <= 0) {
        reportInvalidDistribution(call, 0,
                                  fmt::format("`{}` needs a `shape` above zero, found {}",
                                              call.info.name, shownArgument(call, 0)),
                                  "`shape` must be positive");
      }
      if (call.isConstant(1) && args[1].value <= 0) {
        reportInvalidDistribution(call, 1,
                                  fmt::format("`{}` needs a `scale` above zero, found {}",
                                              call.info.name, shownArgument(call, 1)),
                                  "`scale` must be positive");
      }
      return call.sampledResult(args[1].type.kind);
    }
    case Builtin::Bernoulli: {
      if (!requireNumber(call, 0)) return Folded::error();
      if (call.isConstant(0) && (args[0].value < 0 || args[0].value > 1)) {
        Diagnostic& d = reportProbabilityOutOfRange(call.bound[0], args[0].value);
        if (!d.fix) d.help = "`bernoulli(p)` is true with probability `p`, between 0% and 100%";
      }
      return call.sampledResult(TypeKind::Bool);
    }
    default:
      return Folded::error();
  }
}

}  // namespace journey::sema

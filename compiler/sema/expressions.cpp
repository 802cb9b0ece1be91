// Typing and constant folding of expressions, in one bottom-up pass.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "compiler/ast/units.h"
#include "compiler/sema/analyzer.h"
#include "compiler/sema/types.h"

namespace journey::sema {

using ast::TypeKind;

namespace {

ast::SymbolKind symbolKind(NameKind kind) {
  switch (kind) {
    case NameKind::Param:
      return ast::SymbolKind::Param;
    case NameKind::Var:
      return ast::SymbolKind::Var;
    case NameKind::Persona:
      return ast::SymbolKind::Persona;
    case NameKind::Stage:
      return ast::SymbolKind::Stage;
    case NameKind::Touchpoint:
      return ast::SymbolKind::Touchpoint;
    case NameKind::Channel:
      return ast::SymbolKind::Channel;
    case NameKind::Event:
      return ast::SymbolKind::Event;
    case NameKind::Rule:
      return ast::SymbolKind::Unresolved;
    case NameKind::Kpi:
      return ast::SymbolKind::Kpi;
  }
  return ast::SymbolKind::Unresolved;
}

Folded typed(TypeKind kind, bool sampled = false) {
  return Folded::of(kind, sampled);
}

Folded constantOf(TypeKind kind, double value) {
  Folded folded = Folded::of(kind);
  folded.constant = true;
  folded.value = value;
  return folded;
}

}  // namespace

std::string samplingHelp(const Place& place) {
  if (!place.customer) {
    return fmt::format("{} cannot be random: use a literal or a `param`",
                       place.what.empty() ? "this value" : place.what);
  }
  return "sample it in a persona attribute, once per customer, and read the attribute here";
}

// ---------------------------------------------------------------------------------------------

Folded Analyzer::check(ast::Expr* expr, const Place& place) {
  if (expr == nullptr) return Folded::error();
  Folded result;
  switch (expr->kind) {
    case ast::ExprKind::Literal:
      result = checkLiteral(ast::as<ast::LiteralExpr>(*expr));
      break;
    case ast::ExprKind::Name:
      result = checkName(ast::as<ast::NameExpr>(*expr), place);
      break;
    case ast::ExprKind::Member:
      result = checkMember(ast::as<ast::MemberExpr>(*expr), place);
      break;
    case ast::ExprKind::Call:
      result = checkCall(ast::as<ast::CallExpr>(*expr), place);
      break;
    case ast::ExprKind::Discrete:
      result = checkDiscrete(ast::as<ast::DiscreteExpr>(*expr), place);
      break;
    case ast::ExprKind::Unary:
      result = checkUnary(ast::as<ast::UnaryExpr>(*expr), place);
      break;
    case ast::ExprKind::Binary:
      result = checkBinary(ast::as<ast::BinaryExpr>(*expr), place);
      break;
    case ast::ExprKind::Error:
      expr->type = ast::Type{TypeKind::Error, false};
      return Folded::error();
  }
  if (result.constant && !std::isfinite(result.value)) {
    report(DiagnosticKind::InvalidValue, expr->range, "this value is too large to compute").help =
        "use smaller numbers";
    result = Folded::error();
  }
  expr->type = result.type;
  return result;
}

Folded Analyzer::checkExpected(ast::Expr* expr, const Place& place, TypeKind expected) {
  if (expected == TypeKind::Duration && reportUnitWord(expr, "expected a duration")) {
    return Folded::error();
  }
  Folded folded = check(expr, place);
  if (!folded.ok()) return Folded::error();
  if (expected != TypeKind::Unknown && folded.type.kind != expected) {
    if (followedBySyntaxError(expr)) return Folded::error();
    Diagnostic& d = report(
        DiagnosticKind::TypeMismatch, expr->range,
        fmt::format("expected `{}`, found `{}`", typeName(expected), typeName(folded.type.kind)));
    addTypeHelp(d, expr, expected, folded.type.kind);
    return Folded::error();
  }
  if (folded.constant && !folded.type.sampled && out_ != nullptr)
    out_->constants[expr] = folded.value;
  return folded;
}

bool Analyzer::reportUnitWord(ast::Expr* expr, std::string_view observed) {
  if (expr == nullptr || expr->kind != ast::ExprKind::Name) return false;
  std::string_view name = ast::as<ast::NameExpr>(*expr).name.text;
  const ast::DurationUnit* unit = ast::unitForWord(name);
  if (unit == nullptr || lookup(name) != nullptr || describeNonDeclaration(name)) return false;
  std::string replacement = fmt::format("1{}", unit->suffix);
  Diagnostic& d = report(DiagnosticKind::UnknownName, expr->range,
                         fmt::format("unknown name `{}`: {}", name, observed));
  d.help =
      fmt::format("a duration is a number and a unit: write `{}` for {}", replacement, unit->one);
  d.fix = Fix{expr->range, replacement};
  expr->type = ast::Type{TypeKind::Error, false};
  return true;
}

bool Analyzer::followedBySyntaxError(const ast::Expr* expr) const {
  if (!isNumberLiteral(expr) || syntaxErrors_.empty()) return false;
  for (std::uint32_t gap = 0; gap <= 3; ++gap) {
    std::uint64_t key =
        (static_cast<std::uint64_t>(expr->range.file) << 32) | (expr->range.end + gap);
    if (syntaxErrors_.count(key) != 0) return true;
  }
  return false;
}

std::string Analyzer::shown(const ast::Expr* expr, const Folded& value) const {
  if (expr != nullptr && expr->kind == ast::ExprKind::Literal)
    return ast::as<ast::LiteralExpr>(*expr).text;
  return formatValue(value.type.kind, value.value, currencyHint());
}

std::string Analyzer::currencyHint() const {
  if (!j_.currency.empty()) return j_.currency;
  if (!currencies_.empty()) {
    const MoneyUse* first = &currencies_.front();
    for (const auto& use : currencies_) {
      if (std::tie(use.rank, use.offset) < std::tie(first->rank, first->offset)) first = &use;
    }
    return first->currency;
  }
  return "USD";
}

void Analyzer::addTypeHelp(Diagnostic& d, const ast::Expr* expr, TypeKind expected,
                           TypeKind found) {
  if (found == TypeKind::Number && isNumberLiteral(expr)) {
    const auto& text = ast::as<ast::LiteralExpr>(*expr).text;
    if (expected == TypeKind::Duration) {
      d.help = fmt::format("durations need a unit: `{0}d` is {0} days, `{0}h` {0} hours", text);
    } else if (expected == TypeKind::Money) {
      d.help = fmt::format("money needs a currency: `{} {}`", text, currencyHint());
    }
    return;
  }
  if (expected == TypeKind::Number && (found == TypeKind::Duration || found == TypeKind::Money)) {
    d.help = found == TypeKind::Duration
                 ? "divide by a duration to get a number, e.g. `time / 1d`"
                 : fmt::format("divide by an amount to get a number, e.g. `cost / 1 {}`",
                               currencyHint());
    return;
  }
  if (expected == TypeKind::Bool && isQuantity(found)) {
    d.help = "a condition compares values, e.g. `seats > 10`";
  }
}

// ---------------------------------------------------------------------------------------------
// Leaves

Folded Analyzer::checkLiteral(ast::LiteralExpr& e) {
  if (e.type.kind == TypeKind::Error) return Folded::error();
  switch (e.literal) {
    case ast::LiteralKind::Number:
    case ast::LiteralKind::Percent:
      return constantOf(TypeKind::Number, e.value);
    case ast::LiteralKind::Duration:
      return constantOf(TypeKind::Duration, e.value);
    case ast::LiteralKind::Money:
      noteMoney(e);
      return constantOf(TypeKind::Money, e.value);
    case ast::LiteralKind::Bool:
      return constantOf(TypeKind::Bool, e.value != 0 ? 1 : 0);
    case ast::LiteralKind::String: {
      Folded folded = constantOf(TypeKind::String, 0);
      folded.text = e.stringValue;
      return folded;
    }
  }
  return Folded::error();
}

void Analyzer::noteMoney(const ast::LiteralExpr& literal) {
  if (literal.currency.empty()) return;
  if (out_ == nullptr) {
    if (!j_.currency.empty() && literal.currency != j_.currency) {
      Diagnostic& d = report(
          DiagnosticKind::MixedCurrencies, literal.range,
          fmt::format("money in `{}`, but the journey uses `{}`", literal.currency, j_.currency));
      d.help = fmt::format("write the amount in `{}`", j_.currency);
      if (j_.currencyRange.valid()) {
        d.labels.push_back({j_.currencyRange,
                            fmt::format("the journey's money is in `{}` from here", j_.currency)});
      }
    }
    return;
  }
  auto found = fileRank_.find(literal.range.file);
  std::size_t rank = found == fileRank_.end() ? fileRank_.size() : found->second;
  for (auto& use : currencies_) {
    if (use.currency != literal.currency) continue;
    if (std::tie(rank, literal.range.begin) < std::tie(use.rank, use.offset)) {
      use.rank = rank;
      use.offset = literal.range.begin;
      use.range = literal.range;
    }
    return;
  }
  currencies_.push_back({rank, literal.range.begin, literal.range, literal.currency});
}

void Analyzer::reportNotConstant(SourceRange range, std::string_view name,
                                 std::string_view description, const Place& place) {
  Diagnostic& d =
      report(DiagnosticKind::NotConstant, range,
             fmt::format("{} cannot read {} `{}`", place.what.empty() ? "this value" : place.what,
                         description, name));
  d.help =
      place.constantHelp.empty()
          ? std::string(
                "this value must be known before the simulation starts: use literals and params")
          : std::string(place.constantHelp);
}

Folded Analyzer::checkName(ast::NameExpr& e, const Place& place) {
  std::string_view name = e.name.text;
  if (name.empty()) return Folded::error();
  if (const Symbol* symbol = lookup(name)) {
    e.symbol = symbolKind(symbol->kind);
    e.declaration = symbol->decl;
    switch (symbol->kind) {
      case NameKind::Param: {
        const auto* decl = static_cast<const ast::ValueDecl*>(symbol->decl);
        if (decl == nullptr || cyclic_.count(decl) != 0 || !decl->value) return Folded::error();
        ast::Type type = decl->value->type;
        if (type.kind == TypeKind::Error || type.kind == TypeKind::Unknown) return Folded::error();
        Folded folded = typed(type.kind);
        if (auto value = j_.constant(decl->value.get())) {
          folded.constant = true;
          folded.value = *value;
          if (auto text = paramStrings_.find(decl); text != paramStrings_.end())
            folded.text = text->second;
        }
        return folded;
      }
      case NameKind::Var: {
        if (!place.customer) {
          reportNotConstant(e.name.range, name, "var", place);
          return Folded::error();
        }
        const auto* decl = static_cast<const ast::ValueDecl*>(symbol->decl);
        if (decl == nullptr || !decl->value) return Folded::error();
        ast::Type type = decl->value->type;
        if (type.kind == TypeKind::Error || type.kind == TypeKind::Unknown) return Folded::error();
        return typed(type.kind);
      }
      case NameKind::Persona: {
        auto index = personaIndex_.find(static_cast<const ast::PersonaDecl*>(symbol->decl));
        return constantOf(TypeKind::Persona,
                          index == personaIndex_.end() ? -1.0 : static_cast<double>(index->second));
      }
      case NameKind::Kpi:
        if (place.kpi) return readKpi(*symbol);
        [[fallthrough]];
      default: {
        Diagnostic& d = report(DiagnosticKind::WrongKindOfName, e.name.range,
                               fmt::format("`{}` is {}, not a value", name, describe(*symbol)));
        if (symbol->range.valid())
          d.labels.push_back({symbol->range, fmt::format("`{}` is declared here", name)});
        switch (symbol->kind) {
          case NameKind::Stage:
            d.help = fmt::format(
                "`in_stage({0})` tests whether the customer is in it; `visits({0})` counts visits",
                name);
            break;
          case NameKind::Touchpoint:
          case NameKind::Channel:
            d.help = fmt::format("`received({})` counts how many the customer received", name);
            break;
          case NameKind::Event:
            d.help = fmt::format("read a field of its payload as `{}.field`", name);
            break;
          case NameKind::Kpi:
            d.help = "a KPI is what a simulation reports; only another `kpi` can read it";
            break;
          default:
            break;
        }
        return Folded::error();
      }
    }
  }
  if (auto attribute = attributes_.find(name); attribute != attributes_.end()) {
    e.symbol = ast::SymbolKind::Attribute;
    if (!place.customer) {
      reportNotConstant(e.name.range, name, "persona attribute", place);
      return Folded::error();
    }
    checkAttributeScope(e, attribute->second, place);
    if (attribute->second.index >= j_.attributes.size()) return Folded::error();
    ast::Type type = j_.attributes[attribute->second.index].type;
    if (type.kind == TypeKind::Error || type.kind == TypeKind::Unknown) return Folded::error();
    return typed(type.kind);
  }
  if (const StateInfo* state = findCustomerState(name)) {
    e.symbol = ast::SymbolKind::Builtin;
    if (!place.customer) {
      reportNotConstant(e.name.range, name, "customer state", place);
      return Folded::error();
    }
    return typed(state->type);
  }
  Diagnostic& d =
      report(DiagnosticKind::UnknownName, e.name.range, fmt::format("unknown name `{}`", name));
  auto suggestion = suggest(name, kValueKinds, true);
  addDidYouMean(d, e.name, suggestion);
  if (!suggestion && findFunction(name) != nullptr) {
    d.help = fmt::format("`{}` is a function: call it with `{}(...)`", name, name);
  }
  return Folded::error();
}

void Analyzer::checkAttributeScope(const ast::NameExpr& e, const AttributeInfo& info,
                                   const Place& place) {
  std::string_view name = e.name.text;
  if (place.reportedAttributes != nullptr && place.reportedAttributes->count(name) != 0) return;
  std::vector<const ast::PersonaDecl*> missing;
  switch (place.scope.kind) {
    case PersonaScope::Kind::None:
      return;
    case PersonaScope::Kind::All:
    case PersonaScope::Kind::AllExcept:
      if (info.personas.size() >= personas_.size()) return;
      for (const auto* persona : personas_) {
        if (place.scope.kind == PersonaScope::Kind::AllExcept && place.scope.except != nullptr &&
            place.scope.except->count(persona) != 0) {
          continue;
        }
        if (info.personas.count(persona) == 0 && lookup(persona->name.text) != nullptr &&
            lookup(persona->name.text)->decl == persona) {
          missing.push_back(persona);
        }
      }
      break;
    case PersonaScope::Kind::Only:
      if (place.scope.only == nullptr) return;
      for (const auto* persona : *place.scope.only) {
        if (info.personas.count(persona) == 0) missing.push_back(persona);
      }
      break;
  }
  if (missing.empty()) return;
  if (place.reportedAttributes != nullptr) place.reportedAttributes->insert(name);
  std::vector<std::string_view> names;
  names.reserve(missing.size());
  for (const auto* persona : missing)
    names.push_back(persona->name.text);
  Diagnostic& d = report(DiagnosticKind::AttributeMissing, e.name.range,
                         fmt::format("attribute `{}` is not defined for persona{} {}", name,
                                     missing.size() == 1 ? "" : "s", joinNames(names)));
  for (const auto* persona : missing) {
    d.labels.push_back(
        {persona->name.range, fmt::format("`{}` has no `{}`", persona->name.text, name)});
  }
  d.help =
      place.scope.kind == PersonaScope::Kind::Only
          ? fmt::format("define `{}` in {}, or take {} out of the `for` list", name,
                        joinNames(names), missing.size() == 1 ? "it" : "them")
          : fmt::format("define `{}` in {}, or limit this to the personas that have it with `for`",
                        name, joinNames(names));
}

Folded Analyzer::checkMember(ast::MemberExpr& e, const Place& place) {
  if (e.object.text.empty() || e.member.text.empty()) return Folded::error();
  const Symbol* symbol = lookup(e.object.text);
  if (symbol == nullptr) {
    Diagnostic& d = report(DiagnosticKind::UnknownName, e.object.range,
                           fmt::format("unknown event `{}`", e.object.text));
    addDidYouMean(d, e.object, suggest(e.object.text, bit(NameKind::Event), false));
    return Folded::error();
  }
  if (symbol->kind != NameKind::Event) {
    Diagnostic& d =
        report(DiagnosticKind::WrongKindOfName, e.object.range,
               fmt::format("`{}` is {}, not an event", e.object.text, describe(*symbol)));
    if (symbol->range.valid())
      d.labels.push_back({symbol->range, fmt::format("`{}` is declared here", e.object.text)});
    d.help = "only events have fields: `event.field` reads the payload of the event being handled";
    return Folded::error();
  }
  const auto* event = static_cast<const ast::EventDecl*>(symbol->decl);
  e.declaration = event;
  std::string text = fmt::format("{}.{}", e.object.text, e.member.text);
  if (!place.customer) {
    reportNotConstant(e.range, text, "payload field", place);
    return Folded::error();
  }
  const ast::EventItem* field = nullptr;
  auto fields = payloads_.find(event);
  if (fields != payloads_.end()) {
    if (auto it = fields->second.find(e.member.text); it != fields->second.end())
      field = it->second;
  }
  if (field == nullptr) {
    Diagnostic& d =
        report(DiagnosticKind::UnknownName, e.member.range,
               fmt::format("event `{}` has no field `{}`", e.object.text, e.member.text));
    if (fields == payloads_.end() || fields->second.empty()) {
      d.help = fmt::format("`{}` carries no payload", e.object.text);
    } else {
      std::vector<std::string_view> candidates;
      for (const auto& [name, item] : fields->second)
        candidates.push_back(name);
      auto suggestion = closestName(e.member.text, candidates);
      if (suggestion) {
        addDidYouMean(d, e.member, suggestion);
      } else if (candidates.size() <= 8) {
        std::sort(candidates.begin(), candidates.end());
        d.help = fmt::format("its fields are {}", joinNames(candidates));
      }
    }
    return Folded::error();
  }
  if (place.event != event) {
    Diagnostic& d = report(
        DiagnosticKind::PayloadOutsideEvent, e.range,
        fmt::format("`{}` is read where no `{}` event is being handled", text, e.object.text));
    d.help = fmt::format(
        "payload fields can be read in a rule with `on {0}` and in the branches of a stage's `on "
        "{0} ->`",
        e.object.text);
    if (place.event != nullptr)
      d.notes.push_back(fmt::format("this place handles `{}`", place.event->name.text));
  }
  if (!field->value) return Folded::error();
  ast::Type type = field->value->type;
  if (type.kind == TypeKind::Error || type.kind == TypeKind::Unknown) return Folded::error();
  return typed(type.kind);
}

Folded Analyzer::checkDiscrete(ast::DiscreteExpr& e, const Place& place) {
  if (!place.sampling) {
    Diagnostic& d =
        report(DiagnosticKind::SamplingNotAllowed, e.range,
               "`discrete` samples a random value, but this place needs a single value");
    d.help = samplingHelp(place);
  }
  if (e.entries.empty()) {
    report(DiagnosticKind::InvalidDistribution, e.range, "`discrete` table has no entries").help =
        "list values with their probabilities, e.g. `discrete { 1: 50%, 2: 50% }`";
    return Folded::error();
  }
  Place valuePlace = place;
  valuePlace.sampling = true;
  Place probabilityPlace;
  probabilityPlace.customer = false;
  probabilityPlace.what = "a `discrete` probability";
  probabilityPlace.constantHelp =
      "probabilities in a `discrete` table are fixed: use literals and params";

  std::optional<TypeKind> valueType;
  const ast::Expr* firstValue = nullptr;
  bool bad = false;
  double sum = 0;
  for (auto& entry : e.entries) {
    Folded value = check(entry.value.get(), valuePlace);
    if (value.ok()) {
      if (!valueType) {
        valueType = value.type.kind;
        firstValue = entry.value.get();
      } else if (*valueType != value.type.kind) {
        Diagnostic& d = report(DiagnosticKind::TypeMismatch, entry.value->range,
                               fmt::format("expected `{}`, found `{}`", typeName(*valueType),
                                           typeName(value.type.kind)));
        d.labels.push_back(
            {firstValue->range, fmt::format("the first value is `{}`", typeName(*valueType))});
        d.help = "all values of a `discrete` table have one type";
      }
    }
    Folded probability = checkExpected(entry.probability.get(), probabilityPlace, TypeKind::Number);
    if (!probability.ok() || !probability.constant) {
      bad = true;
      continue;
    }
    if (probability.value < 0 || probability.value > 1) {
      reportProbabilityOutOfRange(entry.probability.get(), probability.value);
      bad = true;
      continue;
    }
    sum += probability.value;
  }
  if (!bad && std::fabs(sum - 1) > kSumTolerance) {
    Diagnostic& d =
        report(DiagnosticKind::BranchSum, e.range,
               fmt::format("`discrete` probabilities add up to {}, not 100%", formatPercent(sum)));
    d.help = sum < 1 ? fmt::format("add the remaining {} to the values", formatPercent(1 - sum))
                     : "lower the probabilities so that they add up to 100%";
  }
  if (!valueType || !place.sampling) return Folded::error();
  return typed(*valueType, true);
}

// ---------------------------------------------------------------------------------------------
// Operators

Folded Analyzer::checkUnary(ast::UnaryExpr& e, const Place& place) {
  Folded operand = check(e.operand.get(), place);
  if (!operand.ok()) return Folded::error();
  auto result = unaryResultType(e.op, operand.type.kind);
  if (!result) {
    auto found = typeName(operand.type.kind);
    switch (e.op) {
      case ast::UnaryOp::Not: {
        Diagnostic& d = report(DiagnosticKind::TypeMismatch, e.operand->range,
                               fmt::format("expected `bool`, found `{}`", found));
        d.help = "`not` negates a condition";
        break;
      }
      case ast::UnaryOp::Negate: {
        Diagnostic& d =
            report(DiagnosticKind::TypeMismatch, e.range, fmt::format("cannot negate `{}`", found));
        if (operand.type.kind == TypeKind::Bool) d.help = "write `not` to negate a condition";
        break;
      }
      case ast::UnaryOp::Plus:
        report(DiagnosticKind::TypeMismatch, e.range,
               fmt::format("cannot apply unary `+` to `{}`", found));
        break;
    }
    return Folded::error();
  }
  Folded folded = typed(*result, operand.type.sampled);
  if (operand.constant && !operand.type.sampled) {
    folded.constant = true;
    folded.value = foldUnary(e.op, operand.value);
  }
  return folded;
}

Folded Analyzer::checkBinary(ast::BinaryExpr& e, const Place& place) {
  Folded lhs = check(e.lhs.get(), place);
  Folded rhs = check(e.rhs.get(), place);
  if (!lhs.ok() || !rhs.ok()) return Folded::error();
  TypeKind l = lhs.type.kind;
  TypeKind r = rhs.type.kind;
  auto result = binaryResultType(e.op, l, r);
  if (!result) {
    if (e.op == ast::BinaryOp::And || e.op == ast::BinaryOp::Or) {
      for (auto* side : {e.lhs.get(), e.rhs.get()}) {
        if (side->type.kind == TypeKind::Bool) continue;
        Diagnostic& d =
            report(DiagnosticKind::TypeMismatch, side->range,
                   fmt::format("expected `bool`, found `{}`", typeName(side->type.kind)));
        d.help = fmt::format("`{}` combines conditions", ast::spelling(e.op));
      }
      return Folded::error();
    }
    if (followedBySyntaxError(e.lhs.get()) || followedBySyntaxError(e.rhs.get()))
      return Folded::error();
    Diagnostic& d =
        report(DiagnosticKind::TypeMismatch, e.range, binaryMismatchMessage(e.op, l, r));
    // The most common slip: a number where a duration or money was meant.
    const ast::Expr* bare = nullptr;
    TypeKind other = TypeKind::Unknown;
    bool additive = e.op != ast::BinaryOp::Mul && e.op != ast::BinaryOp::Div;
    if (additive && l == TypeKind::Number && isNumberLiteral(e.lhs.get())) {
      bare = e.lhs.get();
      other = r;
    } else if (additive && r == TypeKind::Number && isNumberLiteral(e.rhs.get())) {
      bare = e.rhs.get();
      other = l;
    }
    if (bare != nullptr && other == TypeKind::Duration) {
      const auto& text = ast::as<ast::LiteralExpr>(*bare).text;
      d.help = fmt::format("give `{0}` a unit, e.g. `{0}d` or `{0}h`", text);
    } else if (bare != nullptr && other == TypeKind::Money) {
      const auto& text = ast::as<ast::LiteralExpr>(*bare).text;
      d.help = fmt::format("give `{0}` a currency, e.g. `{0} {1}`", text, currencyHint());
    } else if (e.op == ast::BinaryOp::Mul && l == r &&
               (l == TypeKind::Duration || l == TypeKind::Money)) {
      d.help = fmt::format("`{}` can be multiplied by a plain number only", typeName(l));
    } else if (e.op == ast::BinaryOp::Div && l == TypeKind::Number &&
               (r == TypeKind::Duration || r == TypeKind::Money)) {
      d.help = fmt::format("a number divided by `{}` has no unit this language knows", typeName(r));
    } else if ((l == TypeKind::Persona && r == TypeKind::String) ||
               (l == TypeKind::String && r == TypeKind::Persona)) {
      const ast::Expr* text = l == TypeKind::String ? e.lhs.get() : e.rhs.get();
      const Symbol* persona = nullptr;
      if (text->kind == ast::ExprKind::Literal) {
        persona = lookup(ast::as<ast::LiteralExpr>(*text).stringValue);
        if (persona != nullptr && persona->kind != NameKind::Persona) persona = nullptr;
      }
      if (persona != nullptr) {
        d.help = fmt::format("write the persona's name without quotes: `{}`", persona->name);
        d.fix = Fix{text->range, std::string(persona->name)};
      } else {
        d.help = "compare with a persona's name, without quotes: `persona == SmallBiz`";
      }
    }
    return Folded::error();
  }
  bool sampled = lhs.type.sampled || rhs.type.sampled;
  if (e.op == ast::BinaryOp::Div && rhs.constant && !rhs.type.sampled && rhs.value == 0) {
    Diagnostic& d = report(DiagnosticKind::DivisionByZero, e.rhs->range, "division by zero");
    if (!(e.rhs->kind == ast::ExprKind::Literal)) d.notes.push_back("the divisor is 0");
    return Folded::error();
  }
  Folded folded = typed(*result, sampled);
  if (lhs.constant && rhs.constant && !sampled) {
    if (l == TypeKind::String) {
      bool equal = lhs.text == rhs.text;
      folded.constant = true;
      folded.value = (e.op == ast::BinaryOp::Eq) == equal ? 1 : 0;
    } else if (auto value = foldBinary(e.op, lhs.value, rhs.value)) {
      folded.constant = true;
      folded.value = *value;
    }
  }
  return folded;
}

}  // namespace journey::sema

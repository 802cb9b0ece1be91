// KPIs declared in the spec (`kpi NAME = EXPR primary`) and the `discount` of lifetime value.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/sema/analyzer.h"
#include "compiler/sema/types.h"

namespace journey::sema {

using ast::TypeKind;

void Analyzer::checkKpis() {
  const ast::KpiDecl* primary = nullptr;
  for (auto* kpi : kpis_) {
    Folded type = checkKpi(*kpi);
    if (!kpi->primary) continue;
    if (primary != nullptr) {
      Diagnostic& d = report(DiagnosticKind::DuplicateSetting, *kpi->primary,
                             fmt::format("`{}` is the second `primary` KPI", kpi->name.text));
      d.labels.push_back({*primary->primary, fmt::format("`{}` is primary", primary->name.text)});
      d.help = "one KPI is what `conversion` means: keep `primary` on one of them";
      continue;
    }
    primary = kpi;
    if (type.ok() && type.type.kind != TypeKind::Bool) {
      Diagnostic& d =
          report(DiagnosticKind::TypeMismatch, kpi->value->range,
                 fmt::format("a primary KPI is a share of customers: expected `bool`, found `{}`",
                             typeName(type.type.kind)));
      d.labels.push_back({*kpi->primary, "`conversion` means this KPI"});
      d.help =
          "make it a condition that holds for the customers who count, e.g. "
          "`reached(FirstOrder)`, or remove `primary`";
    }
  }
  if (out_ != nullptr) out_->kpis.assign(kpis_.begin(), kpis_.end());
}

Folded Analyzer::checkKpi(ast::KpiDecl& kpi) {
  if (auto done = kpiTypes_.find(&kpi); done != kpiTypes_.end()) return done->second;
  if (std::find(kpiStack_.begin(), kpiStack_.end(), &kpi) != kpiStack_.end()) {
    reportKpiCycle(kpi);
    return Folded::error();
  }
  kpiStack_.push_back(&kpi);
  std::unordered_set<std::string_view> reported;
  Place place = customerPlace(allPersonas(), &reported);
  place.kpi = true;
  Folded folded = checkExpected(kpi.value.get(), place, TypeKind::Unknown);
  kpiStack_.pop_back();
  if (folded.ok() && folded.constant) {
    report(DiagnosticKind::ConstantKpi, kpi.name.range,
           fmt::format("KPI `{}` is `{}` for every customer: it reads nothing about them",
                       kpi.name.text, shown(kpi.value.get(), folded)))
        .help =
        "measure the customers: read `reached(Stage)`, `visits(Stage)`, "
        "`occurrences(event)`, `value`, `cost`, `emotion`, `time` or a var";
  }
  if (folded.ok()) {
    TypeKind kind = folded.type.kind;
    if (kind == TypeKind::String || kind == TypeKind::Persona) {
      report(
          DiagnosticKind::TypeMismatch, kpi.value->range,
          fmt::format("a KPI is a number, money, a duration or a bool, found `{}`", typeName(kind)))
          .help =
          "a bool KPI is the share of customers for whom it holds; the others are a mean "
          "per customer, e.g. `kpi orders = visits(Ordered)`";
      folded = Folded::error();
    }
  }
  // A KPI on a cycle was typed as an error by the report; keep the first result.
  return kpiTypes_.try_emplace(&kpi, folded).first->second;
}

Folded Analyzer::readKpi(const Symbol& symbol) {
  auto* kpi = const_cast<ast::KpiDecl*>(static_cast<const ast::KpiDecl*>(symbol.decl));
  if (kpi == nullptr) return Folded::error();
  Folded type = checkKpi(*kpi);
  if (!type.ok()) return Folded::error();
  return Folded::of(type.type.kind);
}

void Analyzer::reportKpiCycle(const ast::KpiDecl& kpi) {
  auto first = std::find(kpiStack_.begin(), kpiStack_.end(), &kpi);
  std::string chain;
  for (auto it = first; it != kpiStack_.end(); ++it)
    chain += fmt::format("`{}` -> ", (*it)->name.text);
  chain += fmt::format("`{}`", kpi.name.text);
  Diagnostic& d = report(DiagnosticKind::CyclicDefinition, kpi.name.range,
                         fmt::format("KPI `{}` depends on itself", kpi.name.text));
  if (kpiStack_.end() - first > 1) d.notes.push_back(chain);
  d.help = "give one of these KPIs a value that does not read the others";
  // Every KPI on the cycle is an error: none is reported again.
  for (auto it = first; it != kpiStack_.end(); ++it)
    kpiTypes_.try_emplace(*it, Folded::error());
}

void Analyzer::checkDiscount() {
  for (auto* discount : discounts_) {
    if (discount != discounts_.front()) {
      Diagnostic& d = report(DiagnosticKind::DuplicateSetting,
                             keywordRange(discount->range, "discount"), "`discount` is set twice");
      d.labels.push_back({keywordRange(discounts_.front()->range, "discount"), "first set here"});
      d.help = "remove one of them";
      continue;
    }
    Place place = constantPlace("the discount rate",
                                "the discount is fixed: use a percentage or a param, e.g. "
                                "`discount 10% per 1y`");
    Folded rate = checkExpected(discount->rate.get(), place, TypeKind::Number);
    if (rate.ok() && rate.constant && (rate.value < 0 || rate.value > 1)) {
      Diagnostic& d = report(DiagnosticKind::InvalidValue, discount->rate->range,
                             fmt::format("a discount rate is between 0% and 100%, found `{}`",
                                         shown(discount->rate.get(), rate)));
      if (isNumberLiteral(discount->rate.get()) && rate.value > 1 && rate.value <= 100) {
        const auto& text = ast::as<ast::LiteralExpr>(*discount->rate).text;
        d.help = fmt::format("write `{0}%` for {0}% per period", text);
        d.fix = Fix{discount->rate->range, text + "%"};
      } else {
        d.help = "e.g. `discount 10% per 1y`: money a year from now counts 1 / 1.1 of its amount";
      }
    }
    Place periodPlace = constantPlace("the discount period",
                                      "the discount period is fixed: use a literal or a param");
    Folded period = checkExpected(discount->period.get(), periodPlace, TypeKind::Duration);
    if (period.ok() && period.constant && period.value <= 0) {
      report(DiagnosticKind::InvalidValue, discount->period->range,
             fmt::format("the discount period must be longer than zero, found `{}`",
                         shown(discount->period.get(), period)))
          .help = "e.g. `discount 10% per 1y`";
    }
  }
  if (out_ != nullptr && !discounts_.empty()) out_->discount = discounts_.front();
}

}  // namespace journey::sema

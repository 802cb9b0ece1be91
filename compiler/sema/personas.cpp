// Personas: their attributes (one type across personas) and their shares.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "compiler/sema/analyzer.h"
#include "compiler/sema/types.h"

namespace journey::sema {

using ast::TypeKind;

void Analyzer::collectAttributes() {
  for (std::size_t i = 0; i < personas_.size(); ++i)
    personaIndex_.emplace(personas_[i], i);

  // Their own scope per persona, names merged across personas.
  for (auto* persona : personas_) {
    std::unordered_map<std::string_view, const ast::PersonaItem*> seen;
    for (auto& item : persona->items) {
      if (item.kind != ast::PersonaItemKind::Attribute || item.name.text.empty()) continue;
      std::string_view name = item.name.text;
      if (isReservedName(name) || isBuiltinChannel(name)) {
        Diagnostic& d = report(DiagnosticKind::ReservedName, item.name.range,
                               isBuiltinChannel(name)
                                   ? fmt::format("`{}` is the name of a built-in channel", name)
                                   : fmt::format("`{}` is a built-in name", name));
        if (const StateInfo* state = findCustomerState(name)) {
          d.notes.push_back(fmt::format("`{}` is {}", name, state->description));
        }
        d.help = "choose another name for this attribute";
        continue;
      }
      if (const Symbol* symbol = lookup(name)) {
        Diagnostic& d =
            report(DiagnosticKind::DuplicateDefinition, item.name.range,
                   fmt::format("attribute `{}` has the name of {}", name, describe(*symbol)));
        if (symbol->range.valid())
          d.labels.push_back({symbol->range, fmt::format("`{}` is declared here", name)});
        d.help =
            "attributes are read by name, so they cannot share a name with a declaration: rename "
            "one of them";
        continue;
      }
      auto [previous, fresh] = seen.emplace(name, &item);
      if (!fresh) {
        Diagnostic& d = report(DiagnosticKind::DuplicateDefinition, item.name.range,
                               fmt::format("attribute `{}` is defined twice in persona `{}`", name,
                                           persona->name.text));
        d.labels.push_back({previous->second->name.range, "first defined here"});
        d.help = "remove one of them";
        continue;
      }
      auto [it, created] = attributes_.try_emplace(name);
      AttributeInfo& info = it->second;
      if (created && out_ != nullptr) {
        info.index = out_->attributes.size();
        out_->attributes.push_back(Attribute{std::string(name), ast::Type{}, {}});
      }
      info.personas.insert(persona);
      info.owners.push_back(persona);
      if (out_ != nullptr) out_->attributes[info.index].definitions.push_back(&item);
    }
  }
}

void Analyzer::checkAttributeTypes() {
  Place attributePlace;
  attributePlace.customer = false;
  attributePlace.sampling = true;
  attributePlace.what = "an attribute";
  attributePlace.constantHelp =
      "attributes are sampled independently when a customer is created: they can read params, not "
      "other "
      "attributes or customer state";
  std::unordered_map<std::string_view, const ast::PersonaItem*> typedBy;
  for (auto* persona : personas_) {
    for (auto& item : persona->items) {
      if (item.kind != ast::PersonaItemKind::Attribute) continue;
      Folded folded = checkExpected(item.value.get(), attributePlace, TypeKind::Unknown);
      auto info = attributes_.find(item.name.text);
      if (!folded.ok() || info == attributes_.end() || out_ == nullptr) continue;
      // Only the definitions that made it into the attribute count (not duplicates).
      auto& definitions = out_->attributes[info->second.index].definitions;
      if (std::find(definitions.begin(), definitions.end(), &item) == definitions.end()) continue;
      Attribute& attribute = out_->attributes[info->second.index];
      if (attribute.type.kind == TypeKind::Unknown || attribute.type.kind == TypeKind::Error) {
        attribute.type = ast::Type{folded.type.kind, folded.type.sampled};
        typedBy[item.name.text] = &item;
        continue;
      }
      attribute.type.sampled = attribute.type.sampled || folded.type.sampled;
      if (attribute.type.kind == folded.type.kind) continue;
      const ast::PersonaItem* first = typedBy[item.name.text];
      Diagnostic& d =
          report(DiagnosticKind::AttributeTypeConflict, item.value->range,
                 fmt::format("attribute `{}` is `{}` in persona `{}`, but `{}` elsewhere",
                             item.name.text, typeName(folded.type.kind), persona->name.text,
                             typeName(attribute.type.kind)));
      if (first != nullptr && first->value) {
        d.labels.push_back({first->value->range, fmt::format("`{}` is `{}` here", item.name.text,
                                                             typeName(attribute.type.kind))});
      }
      d.help = "an attribute has one type in every persona";
    }
  }
  // An attribute whose every definition failed to type stays an error: reads are silent.
  if (out_ != nullptr) {
    for (auto& attribute : out_->attributes) {
      if (attribute.type.kind == TypeKind::Unknown) attribute.type.kind = TypeKind::Error;
    }
  }
}

void Analyzer::reportShareOutOfRange(const ast::Expr* share, double value) {
  if (!isNumberLiteral(share) || value <= 1) {
    report(DiagnosticKind::InvalidValue, share->range,
           fmt::format("a share must be more than 0% and at most 100%, found {}",
                       formatPercent(value)))
        .help = "a share is the fraction of all customers who have this persona";
    return;
  }
  // `share 55` meant as a percentage: a bare number is a fraction, so it reads as 5500%.
  const auto& text = ast::as<ast::LiteralExpr>(*share).text;
  Diagnostic& d = report(
      DiagnosticKind::InvalidValue, share->range,
      fmt::format("a share is a fraction (more than 0, at most 1) or a percentage, found `{}`",
                  text));
  if (value <= 100) {
    d.help = fmt::format("write `{0}%` for {0}% of all customers", text);
    d.fix = Fix{share->range, text + "%"};
  } else {
    d.help = "a share is the fraction of all customers who have this persona, e.g. `0.3` or `30%`";
  }
}

void Analyzer::checkShares() {
  Place sharePlace = constantPlace(
      "a share", "shares are fixed fractions of all customers: use literals and params");
  bool sumKnown = true;
  double sum = 0;
  std::vector<std::pair<const ast::PersonaDecl*, const ast::Expr*>> shares;
  for (auto* persona : personas_) {
    const ast::PersonaItem* share = nullptr;
    for (auto& item : persona->items) {
      if (item.kind != ast::PersonaItemKind::Share) continue;
      if (share != nullptr) {
        Diagnostic& d =
            report(DiagnosticKind::DuplicateSetting, keywordRange(item.range, "share"),
                   fmt::format("`share` is given twice in persona `{}`", persona->name.text));
        d.labels.push_back({keywordRange(share->range, "share"), "first given here"});
        d.help = "remove one of them";
        checkExpected(item.value.get(), sharePlace, TypeKind::Number);
        sumKnown = false;
        continue;
      }
      share = &item;
      Folded value = checkExpected(item.value.get(), sharePlace, TypeKind::Number);
      if (!value.ok() || !value.constant) {
        sumKnown = false;
        continue;
      }
      if (value.value <= 0 || value.value > 1 + kSumTolerance) {
        reportShareOutOfRange(item.value.get(), value.value);
        sumKnown = false;
        continue;
      }
      sum += value.value;
      shares.emplace_back(persona, item.value.get());
    }
    if (share == nullptr) {
      sumKnown = false;
      if (persona->name.text.empty()) continue;
      report(DiagnosticKind::MissingShare, persona->name.range,
             fmt::format("persona `{}` has no `share`", persona->name.text))
          .help =
          fmt::format("add `share N%`: the fraction of customers who are `{}`", persona->name.text);
    }
  }
  if (sumKnown && !shares.empty() && std::fabs(sum - 1) > kSumTolerance) {
    SourceRange where = journey_ != nullptr ? journeyRange_ : personas_.front()->name.range;
    Diagnostic& d =
        report(DiagnosticKind::ShareSum, where,
               fmt::format("persona shares add up to {}, not 100%", formatPercent(sum)));
    for (const auto& [persona, value] : shares) {
      auto folded = j_.constant(value);
      d.labels.push_back({value->range, fmt::format("`{}` has {}", persona->name.text,
                                                    formatPercent(folded ? *folded : 0))});
    }
    d.help = sum < 1 ? fmt::format("give the remaining {} to the personas", formatPercent(1 - sum))
                     : fmt::format("take {} away from the personas", formatPercent(sum - 1));
  }
}

}  // namespace journey::sema

// The journey header, params (after `--set` overrides) and personas with their shares and
// attributes.
#include <cmath>

#include "compiler/lower/lowerer.h"

namespace journey::lower {

using rt::kNone;

void Lowerer::header() {
  if (j_.journey != nullptr) {
    m_.name = j_.journey->name.text;
    if (j_.journey->display) m_.display = j_.journey->display->value;
    if (j_.journey->range.valid()) m_.source = sources_.file(j_.journey->range.file).path();
  }
  m_.currency = j_.currency;
  m_.horizon = j_.horizon != nullptr ? constant(j_.horizon->value.get()) : 0;
  for (const ast::ValueDecl* param : j_.params) {
    rt::Param out;
    out.name = param->name.text;
    out.type = param->value ? valueType(param->value->type.kind) : rt::ValueType::Number;
    double value = paramValue(param);
    out.value = value;
    if (const ParamOverride* override = overrideOf(out.name)) {
      out.overridden = true;
      out.text = override->text;
    } else if (param->value) {
      const SourceFile& file = sources_.file(param->value->range.file);
      out.text = file.text().substr(param->value->range.begin,
                                    param->value->range.end - param->value->range.begin);
    }
    m_.params.push_back(std::move(out));
  }
}

double Lowerer::paramValue(const ast::Decl* decl) {
  if (decl == nullptr) return 0;
  if (auto it = params_.find(decl); it != params_.end()) return it->second;
  const auto& param = ast::as<ast::ValueDecl>(*decl);
  double value = 0;
  bool isString = param.value && param.value->type.kind == ast::TypeKind::String;
  if (const ParamOverride* override = overrideOf(param.name.text)) {
    value = isString ? intern(override->stringValue) : override->value;
  } else if (param.value) {
    Lowered lowered = expr(*param.value);
    value = lowered.constant ? lowered.value : 0;
  }
  params_[decl] = value;
  return value;
}

const ParamOverride* Lowerer::overrideOf(std::string_view name) const {
  for (const auto& override : options_.overrides)
    if (override.name == name) return &override;
  return nullptr;
}

void Lowerer::personas() {
  std::size_t attributes = j_.attributes.size();
  for (const auto& attribute : j_.attributes)
    m_.attributes.push_back({attribute.name, valueType(attribute.type.kind)});
  m_.personaAttributes.assign(j_.personas.size() * attributes, kNone);
  for (std::size_t p = 0; p < j_.personas.size(); ++p) {
    const ast::PersonaDecl* persona = j_.personas[p];
    rt::Persona out;
    out.name = persona->name.text;
    if (persona->display) out.display = persona->display->value;
    for (const auto& item : persona->items) {
      if (item.kind == ast::PersonaItemKind::Share) {
        out.share = constant(item.value.get());
      } else if (auto it = attributeIndex_.find(item.name.text); it != attributeIndex_.end()) {
        m_.personaAttributes[p * attributes + static_cast<std::size_t>(it->second)] =
            add(item.value.get());
      }
    }
    m_.personas.push_back(std::move(out));
  }
  // Shares add up to 1 within rounding (sema checked); make them exact for drawing.
  double sum = 0;
  for (const auto& persona : m_.personas)
    sum += persona.share;
  if (sum > 0 && std::fabs(sum - 1) < 1e-6 && std::fabs(sum - 1) > 1e-12) {
    for (auto& persona : m_.personas)
      persona.share /= sum;
  }
}

}  // namespace journey::lower

// `lower`: the order of work, and the names, places and strings every table refers to.
#include <fmt/format.h>

#include "compiler/lower/lowerer.h"

namespace journey::lower {
namespace {

using rt::Index;
using rt::kNone;

template <typename T>
void number(std::unordered_map<const ast::Decl*, Index>& into, const std::vector<T*>& decls) {
  for (std::size_t i = 0; i < decls.size(); ++i)
    into[decls[i]] = static_cast<Index>(i);
}

}  // namespace

rt::Machine Lowerer::run() {
  index();
  header();
  personas();
  vars();
  channels();
  events();
  touchpoints();
  stages();
  rules();
  kpis();
  m_.entry = j_.entry != nullptr ? target(j_.entry->target) : kNone;
  return std::move(m_);
}

void Lowerer::kpis() {
  for (const ast::KpiDecl* kpi : j_.kpis) {
    rt::Kpi out;
    out.name = kpi->name.text;
    if (kpi->display) out.display = kpi->display->value;
    out.value = add(kpi->value.get());
    out.primary = kpi->primary.has_value();
    m_.kpis.push_back(std::move(out));
  }
  if (j_.discount != nullptr) {
    m_.discountRate = constant(j_.discount->rate.get());
    m_.discountPeriod = constant(j_.discount->period.get());
  }
  m_.lifetime = m_.lifetime || !m_.kpis.empty() || j_.discount != nullptr;
}

void Lowerer::index() {
  number(personaIndex_, j_.personas);
  number(stageIndex_, j_.stages);
  number(touchpointIndex_, j_.touchpoints);
  number(eventIndex_, j_.events);
  number(varIndex_, j_.vars);
  for (std::size_t i = 0; i < j_.channels.size(); ++i)
    channelIndex_[j_.channels[i].name] = static_cast<Index>(i);
  for (std::size_t i = 0; i < j_.attributes.size(); ++i)
    attributeIndex_[j_.attributes[i].name] = static_cast<Index>(i);
}

Index Lowerer::place(SourceRange range) {
  if (!range.valid()) return kNone;
  const SourceFile& file = sources_.file(range.file);
  LineColumn at = file.lineColumn(range.begin);
  std::string text = fmt::format("{}:{}:{}", file.path(), at.line, at.column);
  auto [it, added] = places_.emplace(text, static_cast<Index>(m_.places.size()));
  if (added) m_.places.push_back(std::move(text));
  return it->second;
}

double Lowerer::intern(const std::string& text) {
  auto [it, added] = strings_.emplace(text, static_cast<double>(m_.strings.size()));
  if (added) m_.strings.push_back(text);
  return it->second;
}

rt::Machine lower(const sema::CheckedJourney& journey, const SourceManager& sources,
                  const LowerOptions& options) {
  return Lowerer(journey, sources, options).run();
}

}  // namespace journey::lower

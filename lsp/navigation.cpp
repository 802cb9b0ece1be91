#include "lsp/features.h"
#include "lsp/protocol.h"

namespace journey::lsp {

Json definition(const Analysis& a, std::uint32_t offset) {
  if (a.root == kNoFile) return nullptr;
  const Occurrence* occurrence = a.index.at(a.root, offset);
  if (occurrence == nullptr) return nullptr;
  Json result = Json::array();
  for (const auto& range : a.index.symbol(occurrence->symbol).definitions)
    result.push_back(location(a, range));
  return result;
}

Json references(const Analysis& a, std::uint32_t offset, bool includeDeclaration) {
  if (a.root == kNoFile) return nullptr;
  const Occurrence* occurrence = a.index.at(a.root, offset);
  if (occurrence == nullptr) return nullptr;
  Json result = Json::array();
  for (const auto& o : a.index.occurrencesOf(occurrence->symbol)) {
    if (o.definition && !includeDeclaration) continue;
    result.push_back(location(a, o.range));
  }
  return result;
}

}  // namespace journey::lsp

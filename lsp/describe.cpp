#include "lsp/describe.h"

#include <algorithm>

namespace journey::lsp {

std::string snippet(const Analysis& a, const SourceRange& range, std::size_t limit) {
  if (!range.valid() || range.file >= a.compilation->sources.size()) return {};
  const std::string& text = a.file(range.file).text();
  std::size_t end = std::min<std::size_t>(range.end, text.size());
  std::size_t begin = std::min<std::size_t>(range.begin, end);
  std::string result;
  bool space = false;
  for (std::size_t i = begin; i < end; ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !result.empty();
      continue;
    }
    if (space) result += ' ';
    space = false;
    result += c;
  }
  if (result.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(result[cut]) & 0xc0) == 0x80)
      --cut;
    result = result.substr(0, cut) + "…";
  }
  return result;
}

std::string docOf(const Symbol& symbol) {
  if (symbol.journey != nullptr) return symbol.journey->doc;
  if (symbol.decl != nullptr) return symbol.decl->doc;
  return {};
}

std::string displayOf(const Symbol& symbol) {
  if (symbol.journey != nullptr && symbol.journey->display) return symbol.journey->display->value;
  if (symbol.decl != nullptr && ast::isNamed(symbol.decl->kind)) {
    const auto& named = ast::as<ast::NamedDecl>(*symbol.decl);
    if (named.display) return named.display->value;
  }
  return {};
}

}  // namespace journey::lsp

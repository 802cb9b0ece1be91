#include <algorithm>

#include "compiler/format/format.h"
#include "lsp/features.h"
#include "lsp/protocol.h"

namespace journey::lsp {

std::optional<Json> formatting(const std::string& text, const std::string& path,
                               std::string& error) {
  MemoryFileReader reader;
  reader.set(path, text);
  auto compilation = compile(path, reader, CompileOptions{.parseOnly = true});
  const ast::Module* module = compilation->root();
  if (compilation->rootUnreadable || module == nullptr) {
    error = "the document could not be read";
    return std::nullopt;
  }
  if (module->hasSyntaxErrors || compilation->diagnostics.hasErrors()) {
    error = "not formatted: fix the syntax errors first";
    return std::nullopt;
  }
  std::string formatted = format::formatModule(*module, compilation->sources.file(module->file));
  Json edits = Json::array();
  if (formatted == text) return edits;
  // One minimal edit: skip the common prefix and suffix, on character boundaries.
  std::size_t prefix = 0;
  std::size_t limit = std::min(text.size(), formatted.size());
  while (prefix < limit && text[prefix] == formatted[prefix])
    ++prefix;
  while (prefix > 0 && (static_cast<unsigned char>(text[prefix]) & 0xc0) == 0x80)
    --prefix;
  std::size_t suffix = 0;
  while (suffix < limit - prefix &&
         text[text.size() - 1 - suffix] == formatted[formatted.size() - 1 - suffix])
    ++suffix;
  while (suffix > 0 && (static_cast<unsigned char>(text[text.size() - suffix]) & 0xc0) == 0x80)
    --suffix;
  LineIndex lines(text);
  Range range{lines.position(static_cast<std::uint32_t>(prefix)),
              lines.position(static_cast<std::uint32_t>(text.size() - suffix))};
  edits.push_back({{"range", toJson(range)},
                   {"newText", formatted.substr(prefix, formatted.size() - suffix - prefix)}});
  return edits;
}

}  // namespace journey::lsp

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "lsp/describe.h"
#include "lsp/features.h"
#include "lsp/protocol.h"

namespace journey::lsp {

namespace {

Json quickFix(const Analysis& a, const Diagnostic& d, const Fix& fix, bool preferred) {
  std::string old = snippet(a, fix.range, 40);
  std::string replacement = fix.replacement;
  std::string shown = replacement;
  std::replace(shown.begin(), shown.end(), '\n', ' ');
  std::replace(shown.begin(), shown.end(), '\r', ' ');
  auto trim = shown.find_first_not_of(' ');
  shown = trim == std::string::npos ? "" : shown.substr(trim);
  std::string title = fix.range.begin == fix.range.end ? fmt::format("Insert `{}`", shown)
                      : replacement.empty()            ? fmt::format("Remove `{}`", old)
                                            : fmt::format("Replace `{}` with `{}`", old, shown);
  Json edit = {{"range", toJson(a.range(fix.range))}, {"newText", replacement}};
  return {{"title", title},
          {"kind", "quickfix"},
          {"isPreferred", preferred},
          {"diagnostics", Json::array({diagnostic(a, d)})},
          {"edit", {{"changes", {{a.rootUri, Json::array({edit})}}}}}};
}

}  // namespace

Json codeActions(const Analysis& a, const Range& range) {
  Json actions = Json::array();
  if (a.root == kNoFile) return actions;
  const LineIndex& lines = a.lineIndex(a.root);
  std::uint32_t begin = lines.offset(range.start);
  std::uint32_t end = lines.offset(range.end);
  auto inRoot = [&](const Fix& fix) { return fix.range.valid() && fix.range.file == a.root; };
  for (const Diagnostic* d : a.compilation->diagnostics.sorted()) {
    if (!d->fix || !inRoot(*d->fix)) continue;
    if (d->range.file != a.root) continue;
    // Overlap, counting a cursor at either end of the diagnostic.
    if (d->range.end < begin || d->range.begin > end) continue;
    actions.push_back(quickFix(a, *d, *d->fix, true));
    for (const Fix& other : d->otherFixes) {
      if (inRoot(other)) actions.push_back(quickFix(a, *d, other, false));
    }
  }
  return actions;
}

}  // namespace journey::lsp

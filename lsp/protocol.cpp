#include "lsp/protocol.h"

namespace journey::lsp {

Json toJson(const Position& p) {
  return {{"line", p.line}, {"character", p.character}};
}
Json toJson(const Range& r) {
  return {{"start", toJson(r.start)}, {"end", toJson(r.end)}};
}

Json location(const Analysis& a, const SourceRange& range) {
  return {{"uri", a.uri(range.file)}, {"range", toJson(a.range(range))}};
}

}  // namespace journey::lsp

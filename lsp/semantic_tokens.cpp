#include <cstdint>
#include <vector>

#include "lsp/features.h"

namespace journey::lsp {

Json semanticTokensLegend() {
  return {{"tokenTypes",
           {"namespace", "class", "struct", "enumMember", "method", "event", "function", "variable",
            "property"}},
          {"tokenModifiers", {"declaration", "readonly", "defaultLibrary"}}};
}

Json semanticTokens(const Analysis& a) {
  std::vector<std::uint32_t> data;
  if (a.root != kNoFile) {
    const LineIndex& lines = a.lineIndex(a.root);
    Position last{0, 0};
    std::uint32_t lastEnd = 0;
    for (const auto& o : a.index.occurrences(a.root)) {
      // Tokens may not overlap: a range recorded twice is sent once.
      if (o.range.begin < lastEnd) continue;
      lastEnd = o.range.end;
      const Symbol& s = a.index.symbol(o.symbol);
      std::uint32_t type = 0;
      std::uint32_t modifiers = o.definition ? 1 : 0;
      switch (s.kind) {
        case SymbolKind::Journey:
          type = 0;
          break;
        case SymbolKind::Stage:
        case SymbolKind::Milestone:
        case SymbolKind::Goal:
        case SymbolKind::Exit:
          type = 1;
          break;
        case SymbolKind::Persona:
          type = 2;
          break;
        case SymbolKind::Channel:
          type = 3;
          if (s.builtin) modifiers |= 4;
          break;
        case SymbolKind::Touchpoint:
          type = 4;
          break;
        case SymbolKind::Event:
          type = 5;
          break;
        case SymbolKind::Rule:
          type = 6;
          break;
        case SymbolKind::Param:
          type = 7;
          modifiers |= 2;
          break;
        case SymbolKind::Var:
          type = 7;
          break;
        case SymbolKind::Kpi:
          // A KPI is computed from the run, never assigned.
          type = 7;
          modifiers |= 2;
          break;
        case SymbolKind::Attribute:
        case SymbolKind::Field:
          type = 8;
          break;
      }
      Position start = lines.position(o.range.begin);
      Position end = lines.position(o.range.end);
      if (end.line != start.line) continue;
      data.push_back(start.line - last.line);
      data.push_back(start.line == last.line ? start.character - last.character : start.character);
      data.push_back(end.character - start.character);
      data.push_back(type);
      data.push_back(modifiers);
      last = start;
    }
  }
  return {{"data", data}};
}

}  // namespace journey::lsp

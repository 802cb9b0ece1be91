// The words the features show for source text and symbols: hover, completion and quick fixes
// describe things the same way.
#pragma once

#include <cstddef>
#include <string>

#include "lsp/analysis.h"

namespace journey::lsp {

/// The source text of a range on one line: whitespace runs collapsed, text longer than
/// `limit` bytes shortened with an ellipsis.
std::string snippet(const Analysis& analysis, const SourceRange& range, std::size_t limit = 120);
/// The doc comment of a symbol's declaration; empty when there is none.
std::string docOf(const Symbol& symbol);
/// The display name (`stage Paid "Paid up"`) of a symbol's declaration; empty when there is none.
std::string displayOf(const Symbol& symbol);

}  // namespace journey::lsp

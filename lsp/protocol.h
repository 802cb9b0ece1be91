// The protocol's JSON for positions, ranges and locations, shared by the features.
#pragma once

#include <nlohmann/json.hpp>

#include "lsp/analysis.h"

namespace journey::lsp {

using Json = nlohmann::json;

Json toJson(const Position& position);
Json toJson(const Range& range);
/// A `Location`: the URI of the range's file and the range in protocol positions.
Json location(const Analysis& analysis, const SourceRange& range);

}  // namespace journey::lsp

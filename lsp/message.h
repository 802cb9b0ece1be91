// A JSON-RPC message body to JSON, tolerating what editors can send: text that is not
// well-formed Unicode is repaired rather than making the whole message unreadable.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace journey::lsp {

/// Deeper JSON is refused: no message of the protocol nests near this, and copying or
/// destroying a value recurses once per level.
constexpr std::size_t kMaxJsonDepth = 512;

/// The JSON of a message body. Ill-formed UTF-8 bytes and `\u` escapes of unpaired surrogates
/// (an editor buffer can hold a lone surrogate while a pair is typed) each become U+FFFD, one
/// UTF-16 code unit like what it replaces, so the positions in later edits stay right;
/// `repaired` says that happened. Nullopt, with `error` set, for a body that is not JSON or
/// nests deeper than kMaxJsonDepth.
std::optional<nlohmann::json> parseMessage(std::string_view body, std::string& error,
                                           bool& repaired);

}  // namespace journey::lsp

#include "lsp/message.h"

#include <fmt/format.h>

namespace journey::lsp {
namespace {

constexpr std::string_view kReplacementUtf8 = "\xef\xbf\xbd";
constexpr std::string_view kReplacementEscape = "\\ufffd";

// Length of the well-formed UTF-8 sequence that starts at `i`, 0 when there is none: no
// overlong forms, no surrogates, nothing past U+10FFFF (RFC 3629).
std::size_t sequenceLength(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  }
  return length;
}

// The code unit of a `\uXXXX` escape at `i` (which holds the backslash), or -1.
int escapedUnit(std::string_view text, std::size_t i) {
  if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
  int unit = 0;
  for (std::size_t k = i + 2; k < i + 6; ++k) {
    char c = text[k];
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

bool isHighSurrogate(int unit) {
  return unit >= 0xd800 && unit <= 0xdbff;
}
bool isLowSurrogate(int unit) {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

// Copies the escape at `i` (a backslash) into `out`, an unpaired surrogate as U+FFFD; returns
// the length read.
std::size_t copyEscape(std::string_view body, std::size_t i, std::string& out, bool& repaired) {
  int unit = escapedUnit(body, i);
  if (unit < 0) {
    std::size_t length = std::min<std::size_t>(2, body.size() - i);
    out.append(body.substr(i, length));
    return length;
  }
  if (isHighSurrogate(unit) && isLowSurrogate(escapedUnit(body, i + 6))) {
    out.append(body.substr(i, 12));
    return 12;
  }
  if (isHighSurrogate(unit) || isLowSurrogate(unit)) {
    out.append(kReplacementEscape);
    repaired = true;
  } else {
    out.append(body.substr(i, 6));
  }
  return 6;
}

}  // namespace

std::optional<nlohmann::json> parseMessage(std::string_view body, std::string& error,
                                           bool& repaired) {
  repaired = false;
  std::string text;
  text.reserve(body.size());
  bool inString = false;
  std::size_t depth = 0;
  std::size_t i = 0;
  while (i < body.size()) {
    char c = body[i];
    if (inString && c == '\\') {
      i += copyEscape(body, i, text, repaired);
      continue;
    }
    std::size_t length = sequenceLength(body, i);
    if (length == 0) {
      text.append(kReplacementUtf8);
      repaired = true;
      ++i;
      continue;
    }
    if (c == '"') {
      inString = !inString;
    } else if (!inString && (c == '[' || c == '{')) {
      if (++depth > kMaxJsonDepth) {
        error = fmt::format("JSON nested more than {} deep", kMaxJsonDepth);
        return std::nullopt;
      }
    } else if (!inString && (c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    text.append(body.substr(i, length));
    i += length;
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& parseError) {
    error = parseError.what();
    return std::nullopt;
  }
}

}  // namespace journey::lsp

#include "lsp/text.h"

#include <algorithm>
#include <cctype>

namespace journey::lsp {
namespace {

// Length in bytes of the UTF-8 sequence that starts with `lead`; 1 for a byte that starts
// none, so that invalid text still moves forward.
std::uint32_t sequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  if ((lead & 0xf8) == 0xf0) return 4;
  return 1;
}

bool isContinuation(unsigned char byte) {
  return (byte & 0xc0) == 0x80;
}

}  // namespace

LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (std::uint32_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      starts_.push_back(i + 1);
    } else if (text[i] == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      starts_.push_back(i + 1);
    }
  }
}

std::uint32_t LineIndex::lineStart(std::uint32_t line) const {
  return starts_[std::min<std::size_t>(line, starts_.size() - 1)];
}

std::uint32_t LineIndex::lineEnd(std::uint32_t line) const {
  line = std::min<std::uint32_t>(line, lineCount() - 1);
  std::uint32_t end =
      line + 1 < lineCount() ? starts_[line + 1] : static_cast<std::uint32_t>(text_.size());
  while (end > starts_[line] && (text_[end - 1] == '\n' || text_[end - 1] == '\r'))
    --end;
  return end;
}

std::uint32_t LineIndex::offset(Position position) const {
  if (position.line >= lineCount()) return static_cast<std::uint32_t>(text_.size());
  std::uint32_t at = starts_[position.line];
  std::uint32_t end = lineEnd(position.line);
  std::uint32_t units = 0;
  while (at < end) {
    std::uint32_t length = sequenceLength(static_cast<unsigned char>(text_[at]));
    std::uint32_t width = length == 4 ? 2 : 1;
    // A position inside a surrogate pair stays at the start of its character.
    if (units + width > position.character) break;
    units += width;
    at = std::min(at + length, end);
  }
  return at;
}

Position LineIndex::position(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  auto line = static_cast<std::uint32_t>(it - starts_.begin() - 1);
  std::uint32_t start = starts_[line];
  std::uint32_t end = std::min(offset, lineEnd(line));
  // A byte in the middle of a UTF-8 sequence belongs to the character that sequence encodes.
  while (end > start && end < text_.size() &&
         isContinuation(static_cast<unsigned char>(text_[end])))
    --end;
  return {line, utf16Length(text_.substr(start, end - start))};
}

std::uint32_t utf16Length(std::string_view text) {
  std::uint32_t units = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint32_t length = sequenceLength(static_cast<unsigned char>(text[i]));
    units += length == 4 ? 2 : 1;
    i += length;
  }
  return units;
}

void applyEdit(std::string& text, const Range& range, std::string_view replacement) {
  LineIndex index(text);
  std::uint32_t begin = index.offset(range.start);
  std::uint32_t end = index.offset(range.end);
  if (end < begin) std::swap(begin, end);
  text.replace(begin, end - begin, replacement);
}

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool isIdentifier(std::string_view name) {
  if (name.empty()) return false;
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return letter(c) || (c >= '0' && c <= '9'); });
}

}  // namespace journey::lsp

// Text positions as the Language Server Protocol counts them: 0-based lines and UTF-16 code
// units within a line, converted to and from the byte offsets the compiler uses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace journey::lsp {

struct Position {
  std::uint32_t line = 0;
  /// UTF-16 code units from the start of the line.
  std::uint32_t character = 0;
  friend bool operator==(const Position&, const Position&) = default;
};

struct Range {
  Position start;
  Position end;
  friend bool operator==(const Range&, const Range&) = default;
};

/// The line starts of a UTF-8 text. Lines end at `\n`, `\r\n` or a lone `\r`, as the protocol
/// says. Conversions never fail: positions past the end of a line or of the text are clamped,
/// and a position inside a surrogate pair or a byte inside a UTF-8 sequence moves back to the
/// start of its character.
class LineIndex {
 public:
  LineIndex() : LineIndex(std::string_view{}) {}
  explicit LineIndex(std::string_view text);

  std::uint32_t offset(Position position) const;
  Position position(std::uint32_t offset) const;
  std::uint32_t lineCount() const { return static_cast<std::uint32_t>(starts_.size()); }
  /// Byte offset where a 0-based line starts (clamped to the last line).
  std::uint32_t lineStart(std::uint32_t line) const;
  /// Byte offset where the line's content ends, before its terminator.
  std::uint32_t lineEnd(std::uint32_t line) const;
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
  std::vector<std::uint32_t> starts_;
};

/// Number of UTF-16 code units in a UTF-8 string (4-byte sequences count 2). Invalid bytes
/// count one each.
std::uint32_t utf16Length(std::string_view text);

/// Replaces `range` of `text` (protocol positions) with `replacement`, as
/// `textDocument/didChange` asks.
void applyEdit(std::string& text, const Range& range, std::string_view replacement);

/// True for a character of a word: an ASCII letter or digit, or `_`.
bool isWordChar(char c);

/// True when `name` is a valid Journey name: a letter or `_`, then letters, digits and `_`.
bool isIdentifier(std::string_view name);

}  // namespace journey::lsp

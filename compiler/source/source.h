// Source files, byte ranges and their line/column positions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace journey {

using FileId = std::uint32_t;

/// The UTF-8 byte-order mark some editors write at the start of a file; the compiler skips it.
inline constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
inline constexpr FileId kNoFile = 0xffffffffu;

/// A half-open byte range [begin, end) in one source file.
struct SourceRange {
  FileId file = kNoFile;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;

  bool valid() const { return file != kNoFile; }
  friend bool operator==(const SourceRange&, const SourceRange&) = default;
};

/// 1-based line and column; the column counts Unicode code points, as a reader counts
/// characters.
struct LineColumn {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

class SourceFile {
 public:
  SourceFile(FileId id, std::string path, std::string text);

  FileId id() const { return id_; }
  /// The path as the user gave it, used in every message.
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }

  LineColumn lineColumn(std::uint32_t offset) const;
  /// The 1-based line of `offset`: `lineColumn(offset).line` without counting the column.
  std::uint32_t line(std::uint32_t offset) const;
  std::uint32_t lineCount() const { return static_cast<std::uint32_t>(lineStarts_.size()); }
  /// The text of a 1-based line, without its line terminator.
  std::string_view lineText(std::uint32_t line) const;
  std::uint32_t lineStart(std::uint32_t line) const { return lineStarts_.at(line - 1); }

 private:
  FileId id_;
  std::string path_;
  std::string text_;
  std::vector<std::uint32_t> lineStarts_;
};

/// Owns every file a compilation reads; ranges refer to files by id.
class SourceManager {
 public:
  FileId add(std::string path, std::string text);
  const SourceFile& file(FileId id) const { return *files_.at(id); }
  std::size_t size() const { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

/// Returns the byte offset of the first invalid UTF-8 sequence, or npos when the text is valid.
std::size_t findInvalidUtf8(std::string_view text);

/// Number of code points in a valid UTF-8 string.
std::size_t codePointCount(std::string_view text);

}  // namespace journey

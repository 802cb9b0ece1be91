#include "lsp/text.h"

#include <gtest/gtest.h>

#include "lsp/analysis.h"

namespace journey::lsp {
namespace {

TEST(LineIndex, AsciiRoundTrip) {
  LineIndex index("ab\ncd\n");
  EXPECT_EQ(index.lineCount(), 3u);
  EXPECT_EQ(index.offset({1, 1}), 4u);
  EXPECT_EQ(index.position(4), (Position{1, 1}));
  EXPECT_EQ(index.position(6), (Position{2, 0}));
}

TEST(LineIndex, CountsUtf16CodeUnits) {
  // é is 2 bytes and 1 unit; 😀 is 4 bytes and 2 units (a surrogate pair); 日 is 3 bytes, 1 unit.
  std::string text = "x = \"é😀日\" y\nnext";
  LineIndex index(text);
  std::uint32_t y = static_cast<std::uint32_t>(text.find(" y") + 1);
  // Columns: x0 ' '1 =2 ' '3 "4 é5 😀6-7 日8 "9 ' '10 y11
  EXPECT_EQ(index.position(y), (Position{0, 11}));
  EXPECT_EQ(index.offset({0, 11}), y);
  std::uint32_t emoji = static_cast<std::uint32_t>(text.find("😀"));
  EXPECT_EQ(index.position(emoji), (Position{0, 6}));
  EXPECT_EQ(index.offset({0, 6}), emoji);
  EXPECT_EQ(index.offset({0, 8}), emoji + 4);
}

TEST(LineIndex, PositionsInsideCharactersMoveToTheirStart) {
  std::string text = "a😀b";
  LineIndex index(text);
  // Character 2 is the low surrogate of 😀: the offset of 😀 itself.
  EXPECT_EQ(index.offset({0, 2}), 1u);
  // Bytes 2..4 are inside the UTF-8 sequence of 😀.
  EXPECT_EQ(index.position(3), (Position{0, 1}));
}

TEST(LineIndex, OutOfRangeClamps) {
  std::string text = "abc\nde";
  LineIndex index(text);
  EXPECT_EQ(index.offset({0, 99}), 3u);
  EXPECT_EQ(index.offset({99, 0}), text.size());
  EXPECT_EQ(index.position(999), (Position{1, 2}));
  LineIndex empty("");
  EXPECT_EQ(empty.offset({5, 5}), 0u);
  EXPECT_EQ(empty.position(3), (Position{0, 0}));
}

TEST(LineIndex, LineEndings) {
  std::string text = "a\r\nb\rc\nd";
  LineIndex index(text);
  EXPECT_EQ(index.lineCount(), 4u);
  EXPECT_EQ(index.offset({1, 0}), 3u);
  EXPECT_EQ(index.offset({2, 0}), 5u);
  EXPECT_EQ(index.offset({3, 0}), 7u);
  // The end of line 0 is before its `\r\n`.
  EXPECT_EQ(index.offset({0, 5}), 1u);
  EXPECT_EQ(index.position(2), (Position{0, 1}));
}

TEST(LineIndex, InvalidUtf8DoesNotCrash) {
  std::string text = "a\xff\xfe\xc3";
  LineIndex index(text);
  EXPECT_EQ(index.position(static_cast<std::uint32_t>(text.size())).line, 0u);
  EXPECT_LE(index.offset({0, 100}), text.size());
}

TEST(ApplyEdit, ReplacesProtocolRanges) {
  std::string text = "héllo\nwörld";
  applyEdit(text, {{1, 1}, {1, 2}}, "o");
  EXPECT_EQ(text, "héllo\nworld");
  applyEdit(text, {{0, 5}, {1, 0}}, " ");
  EXPECT_EQ(text, "héllo world");
  // A reversed range is read as its normal form; positions past the end clamp.
  applyEdit(text, {{0, 99}, {0, 5}}, "!");
  EXPECT_EQ(text, "héllo!");
  applyEdit(text, {{7, 0}, {9, 0}}, "?");
  EXPECT_EQ(text, "héllo!?");
}

TEST(Text, Utf16LengthAndIdentifiers) {
  EXPECT_EQ(utf16Length("a😀é"), 4u);
  EXPECT_TRUE(isIdentifier("Paid_2"));
  EXPECT_TRUE(isIdentifier("_x"));
  EXPECT_FALSE(isIdentifier("2x"));
  EXPECT_FALSE(isIdentifier(""));
  EXPECT_FALSE(isIdentifier("Café"));
  EXPECT_FALSE(isIdentifier("a-b"));
}

TEST(Uri, PathsRoundTripWithEscapes) {
  EXPECT_EQ(uriToPath("file:///tmp/dir%20with%20space/caf%C3%A9.journey"),
            "/tmp/dir with space/café.journey");
  EXPECT_EQ(pathToUri("/tmp/dir with space/café.journey"),
            "file:///tmp/dir%20with%20space/caf%C3%A9.journey");
  EXPECT_EQ(uriToPath("file://localhost/a/b.journey"), "/a/b.journey");
  EXPECT_EQ(uriToPath("untitled:Untitled-1"), "untitled:Untitled-1");
  EXPECT_EQ(pathToUri("untitled:Untitled-1"), "untitled:Untitled-1");
  EXPECT_EQ(uriToPath("file:///bad%zz"), "/bad%zz");
}

}  // namespace
}  // namespace journey::lsp

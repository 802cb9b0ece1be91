#include "compiler/source/source.h"

#include <gtest/gtest.h>

namespace journey {
namespace {

TEST(SourceFile, LineAndColumnCountCodePoints) {
  SourceFile file(0, "x.journey", "ab\nc\u00e9d\n\nlast");
  EXPECT_EQ(file.lineCount(), 4u);
  EXPECT_EQ(file.lineColumn(0).line, 1u);
  EXPECT_EQ(file.lineColumn(0).column, 1u);
  EXPECT_EQ(file.lineColumn(3).line, 2u);
  // "cé" is three bytes but two characters: `d` is in column 3.
  LineColumn d = file.lineColumn(6);
  EXPECT_EQ(d.line, 2u);
  EXPECT_EQ(d.column, 3u);
  EXPECT_EQ(file.lineText(2), "c\u00e9d");
  EXPECT_EQ(file.lineText(3), "");
  EXPECT_EQ(file.lineText(4), "last");
  EXPECT_EQ(file.lineText(5), "");
}

TEST(SourceFile, OffsetsPastTheEndClamp) {
  SourceFile file(0, "x.journey", "abc");
  EXPECT_EQ(file.lineColumn(100).column, 4u);
}

TEST(SourceFile, CarriageReturnsAreNotPartOfLines) {
  SourceFile file(0, "x.journey", "one\r\ntwo\r\n");
  EXPECT_EQ(file.lineText(1), "one");
  EXPECT_EQ(file.lineText(2), "two");
}

TEST(SourceFile, LoneCarriageReturnsEndLinesToo) {
  // LF, CRLF and CR (old Mac files) in one file: four lines, CRLF counted once.
  SourceFile file(0, "x.journey", "one\rtwo\r\nthree\nfour");
  EXPECT_EQ(file.lineCount(), 4u);
  EXPECT_EQ(file.lineText(1), "one");
  EXPECT_EQ(file.lineText(2), "two");
  EXPECT_EQ(file.lineText(3), "three");
  EXPECT_EQ(file.lineColumn(4).line, 2u);
  EXPECT_EQ(file.lineColumn(15).line, 4u);
  EXPECT_EQ(file.lineColumn(15).column, 1u);
}

TEST(SourceFile, AByteOrderMarkTakesNoColumn) {
  SourceFile file(0, "x.journey", std::string(kByteOrderMark) + "ab");
  EXPECT_EQ(file.lineColumn(3).column, 1u);
  EXPECT_EQ(file.lineColumn(4).column, 2u);
}

TEST(Utf8, AcceptsValidText) {
  EXPECT_EQ(findInvalidUtf8("plain ascii"), std::string_view::npos);
  EXPECT_EQ(findInvalidUtf8("caf\u00e9 \u2615 \U0001F600"), std::string_view::npos);
}

TEST(Utf8, RejectsInvalidSequences) {
  EXPECT_EQ(findInvalidUtf8("ab\xff"), 2u);
  // Truncated sequence at the end.
  EXPECT_EQ(findInvalidUtf8("ab\xe2\x98"), 2u);
  // Overlong encoding of '/'.
  EXPECT_EQ(findInvalidUtf8("\xc0\xaf"), 0u);
  // UTF-16 surrogate encoded in UTF-8.
  EXPECT_EQ(findInvalidUtf8("x\xed\xa0\x80"), 1u);
  // Past U+10FFFF.
  EXPECT_EQ(findInvalidUtf8("\xf4\x90\x80\x80"), 0u);
  // Continuation byte without a lead byte.
  EXPECT_EQ(findInvalidUtf8("a\x80"), 1u);
}

TEST(Utf8, CountsCodePoints) {
  EXPECT_EQ(codePointCount(""), 0u);
  EXPECT_EQ(codePointCount("caf\u00e9"), 4u);
  EXPECT_EQ(codePointCount("\U0001F600"), 1u);
}

}  // namespace
}  // namespace journey

// Unit tests of `journey fmt`: idempotence and comment preservation on in-memory sources.
#include <gtest/gtest.h>

#include "compiler/driver/driver.h"
#include "compiler/format/format.h"

namespace journey {
namespace {

std::string formatText(const std::string& source) {
  MemoryFileReader reader;
  reader.set("test.journey", source);
  auto compilation = compile("test.journey", reader, CompileOptions{.parseOnly = true});
  const ast::Module* module = compilation->root();
  EXPECT_NE(module, nullptr);
  if (module == nullptr) return {};
  EXPECT_FALSE(module->hasSyntaxErrors) << source;
  return format::formatModule(*module, compilation->sources.file(module->file));
}

TEST(Format, EmptyFile) { EXPECT_EQ(formatText(""), ""); }

}  // namespace
}  // namespace journey

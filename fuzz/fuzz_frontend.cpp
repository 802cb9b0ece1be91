// Feeds arbitrary bytes through the whole front end (parse, `use` resolution, analysis) and the
// formatter. Any crash, hang, sanitizer report or non-idempotent formatting is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "compiler/driver/driver.h"
#include "compiler/format/format.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  journey::MemoryFileReader reader;
  reader.set("fuzz.journey", text);
  // A `use` of itself or of a missing file exercises the loader too.
  reader.set("lib.journey", "persona Shared { share 100% }\n");
  auto compilation = journey::compile("fuzz.journey", reader);
  const journey::ast::Module* root = compilation->root();
  if (root == nullptr || root->hasSyntaxErrors) return 0;
  const auto& file = compilation->sources.file(root->file);
  std::string formatted = journey::format::formatModule(*root, file);
  journey::MemoryFileReader again;
  again.set("fuzz.journey", formatted);
  auto reparsed =
      journey::compile("fuzz.journey", again, journey::CompileOptions{.parseOnly = true});
  if (reparsed->root()->hasSyntaxErrors) std::abort();
  std::string twice = journey::format::formatModule(*reparsed->root(),
                                                    reparsed->sources.file(reparsed->root()->file));
  if (twice != formatted) std::abort();
  return 0;
}

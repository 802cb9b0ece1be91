// Feeds arbitrary bytes through the file primitives of support/file.h: written as a new file,
// over a regular file and in place over a hard link, then read back under a limit taken from
// the first byte. Anything but the same bytes back (or a refusal over the limit), or a
// temporary file left behind, is a bug.
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/file.h"

namespace {

namespace fs = std::filesystem;

fs::path makeDirectory() {
  std::string pattern = (fs::temp_directory_path() / "journey-fuzz-files-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

void expectReadBack(const fs::path& path, const std::string& text, std::size_t limit) {
  std::string error;
  auto read = journey::support::readRegularFile(path.string(), limit, error);
  if (text.size() <= limit ? read != text : read || error.find("over the limit") == error.npos)
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path directory = makeDirectory();
  std::string text(reinterpret_cast<const char*>(data), size);
  std::size_t limit = size == 0 ? 0 : std::size_t{data[0]} * 40;
  fs::path file = directory / "file.journey";
  fs::path link = directory / "link.journey";
  fs::remove(file);
  fs::remove(link);
  std::string error;

  if (!journey::support::writeFile(file.string(), text, error)) std::abort();
  expectReadBack(file, text, limit);
  std::string reversed(text.rbegin(), text.rend());
  if (!journey::support::writeFile(file.string(), reversed, error)) std::abort();
  expectReadBack(file, reversed, limit);
  fs::create_hard_link(file, link);
  if (!journey::support::writeFile(file.string(), text, error, {.keepHardLinks = true}))
    std::abort();
  expectReadBack(link, text, limit);

  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(directory))
    ++entries;
  if (entries != 2) std::abort();
  return 0;
}

// The front end's disk reader: a `use` of a pipe, a device or an oversized file is an error at
// the `use`, at once; it never waits for a writer nor reads without end (the language server
// reads `use`d files through it too).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/diagnostics/render.h"
#include "compiler/driver/driver.h"
#include "compiler/parse/parse.h"

namespace fs = std::filesystem;

namespace {

class DiskReader : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "journey-reader-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { fs::remove_all(directory_); }

  // The rendered diagnostics of checking a spec that uses `used`.
  std::string checkUsing(const std::string& used) {
    std::string spec = (directory_ / "main.journey").string();
    std::ofstream(spec) << "use \"" << used << "\"\njourney J { horizon 1d entry A persona P "
                        << "{ share 100% } stage A { after 1d -> B } goal B }\n";
    journey::DiskFileReader disk;
    auto compilation = journey::compile(spec, disk);
    EXPECT_FALSE(compilation->rootUnreadable);
    std::ostringstream text;
    journey::renderText(text, compilation->sources, compilation->diagnostics);
    return text.str();
  }

  fs::path directory_;
};

}  // namespace

TEST_F(DiskReader, AUseOfAPipeIsRefusedAtTheUse) {
  ASSERT_EQ(::mkfifo((directory_ / "lib.journey").c_str(), 0600), 0);
  std::string text = checkUsing("lib.journey");
  EXPECT_NE(
      text.find("main.journey:1:5: error: cannot read `" + (directory_ / "lib.journey").string() +
                "`: it is a pipe, not a regular file [use-not-found]"),
      std::string::npos)
      << text;
}

TEST_F(DiskReader, AUseOfADeviceOrStandardInputIsRefused) {
  EXPECT_NE(checkUsing("/dev/zero").find("it is a character device, not a regular file"),
            std::string::npos);
  // What an editor's language server has on standard input: a pipe to the editor.
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  int saved = ::dup(STDIN_FILENO);
  ::dup2(ends[0], STDIN_FILENO);
  std::string text = checkUsing("/dev/stdin");
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
  ::close(ends[0]);
  ::close(ends[1]);
  EXPECT_NE(text.find("`/dev/stdin`: it is a pipe, not a regular file [use-not-found]"),
            std::string::npos)
      << text;
}

TEST_F(DiskReader, AFileOverTheLimitIsRefusedWithTheLimit) {
  std::string big = (directory_ / "big.journey").string();
  std::ofstream(big).close();
  fs::resize_file(big, journey::parse::kMaxFileBytes + 1);
  journey::DiskFileReader disk;
  std::string error;
  EXPECT_FALSE(disk.read(big, error));
  EXPECT_EQ(error, "it is 65 MB, over the limit of 64 MB");
  auto compilation = journey::compile(big, disk);
  EXPECT_TRUE(compilation->rootUnreadable);
}

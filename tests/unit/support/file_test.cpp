// support/file.h: the bounded reader refuses what is not a regular file and never reads past
// its limit; the writer replaces regular files atomically, writes into devices, pipes and open
// descriptors, follows no planted link, and leaves no temporary file behind.
#include "support/file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using journey::support::readRegularFile;
using journey::support::writeFile;

namespace {

class SupportFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "journey-support-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::string path(const std::string& name) const { return (directory_ / name).string(); }

  static void put(const std::string& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
  }
  static std::string get(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory_))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  static struct stat status(const std::string& file) {
    struct stat result {};
    EXPECT_EQ(::lstat(file.c_str(), &result), 0) << file;
    return result;
  }

  fs::path directory_;
};

bool isRoot() {
  return ::geteuid() == 0;
}

}  // namespace

TEST_F(SupportFile, ReadsARegularFile) {
  put(path("a.journey"), "journey A {}\n");
  std::string error;
  EXPECT_EQ(readRegularFile(path("a.journey"), 100, error), "journey A {}\n");
  put(path("empty.journey"), "");
  EXPECT_EQ(readRegularFile(path("empty.journey"), 100, error), "");
  EXPECT_FALSE(readRegularFile(path("missing.journey"), 100, error));
  EXPECT_EQ(error, "no such file");
}

TEST_F(SupportFile, ReadRefusesWhatIsNotARegularFile) {
  std::string error;
  fs::create_directory(path("dir.journey"));
  EXPECT_FALSE(readRegularFile(path("dir.journey"), 100, error));
  EXPECT_EQ(error, "it is a directory, not a file");
  // A FIFO without a writer: opening it for reading would wait for ever.
  ASSERT_EQ(::mkfifo(path("fifo.journey").c_str(), 0600), 0);
  EXPECT_FALSE(readRegularFile(path("fifo.journey"), 100, error));
  EXPECT_EQ(error, "it is a pipe, not a regular file");
  EXPECT_FALSE(readRegularFile("/dev/zero", 100, error));
  EXPECT_EQ(error, "it is a character device, not a regular file");
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  EXPECT_FALSE(readRegularFile("/proc/self/fd/" + std::to_string(ends[0]), 100, error));
  EXPECT_EQ(error, "it is a pipe, not a regular file");
  ::close(ends[0]);
  ::close(ends[1]);
}

TEST_F(SupportFile, ReadRefusesAFileOverTheLimit) {
  std::string error;
  put(path("ten.journey"), "0123456789");
  EXPECT_EQ(readRegularFile(path("ten.journey"), 10, error), "0123456789");
  EXPECT_FALSE(readRegularFile(path("ten.journey"), 9, error));
  EXPECT_EQ(error, "it is 10 bytes, over the limit of 9 bytes");
  // A sparse file of 100 GB is refused by its size, without reading it.
  std::ofstream(path("sparse.journey")).close();
  fs::resize_file(path("sparse.journey"), std::uintmax_t{100} << 30);
  EXPECT_FALSE(readRegularFile(path("sparse.journey"), 64u << 20, error));
  EXPECT_EQ(error, "it is 102400 MB, over the limit of 64 MB");
}

TEST_F(SupportFile, ReadStopsAtTheLimitWhenTheSizeIsWrong) {
  // Files in /proc are regular files that say they are empty.
  std::string error;
  auto whole = readRegularFile("/proc/self/status", 1 << 20, error);
  ASSERT_TRUE(whole) << error;
  EXPECT_GT(whole->size(), 16u);
  EXPECT_FALSE(readRegularFile("/proc/self/status", 16, error));
  EXPECT_EQ(error, "it is over the limit of 16 bytes");
}

TEST_F(SupportFile, WritesANewFileAndLeavesNothingElse) {
  std::string error;
  ASSERT_TRUE(writeFile(path("new.txt"), "text\n", error)) << error;
  EXPECT_EQ(get(path("new.txt")), "text\n");
  EXPECT_EQ(entries(), std::vector<std::string>{"new.txt"});
  mode_t mask = ::umask(0);
  ::umask(mask);
  EXPECT_EQ(status(path("new.txt")).st_mode & 07777, 0666 & ~mask);
}

TEST_F(SupportFile, ReplacesARegularFileKeepingModeOwnerAndGroup) {
  put(path("report.txt"), "old\n");
  ASSERT_EQ(::chmod(path("report.txt").c_str(), 0640), 0);
  if (isRoot()) {
    ASSERT_EQ(::chown(path("report.txt").c_str(), 1234, 5678), 0);
  }
  ino_t before = status(path("report.txt")).st_ino;
  std::string error;
  ASSERT_TRUE(writeFile(path("report.txt"), "new\n", error)) << error;
  struct stat after = status(path("report.txt"));
  EXPECT_EQ(get(path("report.txt")), "new\n");
  EXPECT_NE(after.st_ino, before) << "replaced by a rename, not rewritten";
  EXPECT_EQ(after.st_mode & 07777, 0640u);
  if (isRoot()) {
    EXPECT_EQ(after.st_uid, 1234u);
    EXPECT_EQ(after.st_gid, 5678u);
  }
  EXPECT_EQ(entries(), std::vector<std::string>{"report.txt"});
}

TEST_F(SupportFile, FollowsNoLinkPlantedBesideTheTarget) {
  put(path("spec.journey"), "old\n");
  put(path("victim"), "precious\n");
  for (const char* suffix : {".journey-fmt.tmp", ".tmp", "~"})
    fs::create_symlink(path("victim"), path(std::string("spec.journey") + suffix));
  std::string error;
  ASSERT_TRUE(writeFile(path("spec.journey"), "new\n", error)) << error;
  EXPECT_EQ(get(path("spec.journey")), "new\n");
  EXPECT_EQ(get(path("victim")), "precious\n");
  EXPECT_EQ(entries().size(), 5u);
}

TEST_F(SupportFile, WritesTheFileALinkNamesAndKeepsTheLink) {
  put(path("target.txt"), "old\n");
  fs::create_symlink("target.txt", path("link.txt"));
  std::string error;
  ASSERT_TRUE(writeFile(path("link.txt"), "new\n", error)) << error;
  EXPECT_TRUE(fs::is_symlink(path("link.txt")));
  EXPECT_EQ(get(path("target.txt")), "new\n");
  // A dangling link: the file it names is created.
  fs::create_symlink("later.txt", path("dangling.txt"));
  ASSERT_TRUE(writeFile(path("dangling.txt"), "later\n", error)) << error;
  EXPECT_TRUE(fs::is_symlink(path("dangling.txt")));
  EXPECT_EQ(get(path("later.txt")), "later\n");
}

TEST_F(SupportFile, RefusesADirectory) {
  fs::create_directory(path("out"));
  std::string error;
  EXPECT_FALSE(writeFile(path("out"), "text", error));
  EXPECT_EQ(error, "it is a directory");
  EXPECT_FALSE(writeFile(path("no/such/dir/out.txt"), "text", error));
  EXPECT_EQ(error, "cannot create a temporary file beside it: No such file or directory");
}

TEST_F(SupportFile, WritesIntoAFifo) {
  ASSERT_EQ(::mkfifo(path("pipe").c_str(), 0600), 0);
  int reader = ::open(path("pipe").c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  std::string error;
  ASSERT_TRUE(writeFile(path("pipe"), "through\n", error)) << error;
  char buffer[64] = {};
  EXPECT_EQ(::read(reader, buffer, sizeof buffer), 8);
  EXPECT_EQ(std::string(buffer), "through\n");
  ::close(reader);
  EXPECT_TRUE(S_ISFIFO(status(path("pipe")).st_mode));
  EXPECT_EQ(entries(), std::vector<std::string>{"pipe"});
}

TEST_F(SupportFile, WritesIntoAnOpenDescriptorAppending) {
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  std::string error;
  ASSERT_TRUE(writeFile("/proc/self/fd/" + std::to_string(ends[1]), "piped\n", error)) << error;
  char buffer[64] = {};
  EXPECT_EQ(::read(ends[0], buffer, sizeof buffer), 6);
  ::close(ends[0]);
  ::close(ends[1]);
  // Standard output redirected with `>>` to a log that has a line already: the log keeps it.
  put(path("log.txt"), "header\n");
  int log = ::open(path("log.txt").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(log, 0);
  ino_t before = status(path("log.txt")).st_ino;
  ASSERT_TRUE(writeFile("/dev/fd/" + std::to_string(log), "report\n", error)) << error;
  ::close(log);
  EXPECT_EQ(get(path("log.txt")), "header\nreport\n");
  EXPECT_EQ(status(path("log.txt")).st_ino, before);
}

TEST_F(SupportFile, WritesIntoADeviceAndReportsItsErrors) {
  if (!isRoot()) GTEST_SKIP() << "making device nodes needs root";
  ASSERT_EQ(::mknod(path("null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  ASSERT_EQ(::mknod(path("full").c_str(), S_IFCHR | 0666, makedev(1, 7)), 0);
  std::string error;
  EXPECT_TRUE(writeFile(path("null"), "gone\n", error)) << error;
  EXPECT_TRUE(S_ISCHR(status(path("null")).st_mode));
  EXPECT_FALSE(writeFile(path("full"), "lost\n", error));
  EXPECT_EQ(error, "No space left on device");
  EXPECT_TRUE(S_ISCHR(status(path("full")).st_mode));
  EXPECT_EQ(entries(), (std::vector<std::string>{"full", "null"}));
}

TEST_F(SupportFile, AFailedWriteLeavesTheFileAndNoTemporary) {
  put(path("report.txt"), "old\n");
  // Files may not grow past 4 bytes: the write fails with EFBIG instead of a signal.
  struct rlimit saved {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto previous = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 4;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string error;
  bool written = writeFile(path("report.txt"), "a longer text\n", error);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previous);
  EXPECT_FALSE(written);
  EXPECT_EQ(error, "File too large");
  EXPECT_EQ(get(path("report.txt")), "old\n");
  EXPECT_EQ(entries(), std::vector<std::string>{"report.txt"});
}

TEST_F(SupportFile, RefusesReadOnlyFilesWhenAsked) {
  put(path("locked.journey"), "old\n");
  ASSERT_EQ(::chmod(path("locked.journey").c_str(), 0444), 0);
  std::string error;
  EXPECT_FALSE(writeFile(path("locked.journey"), "new\n", error, {.refuseReadOnly = true}));
  EXPECT_EQ(error, "it is read-only");
  EXPECT_EQ(get(path("locked.journey")), "old\n");
  EXPECT_EQ(entries(), std::vector<std::string>{"locked.journey"});
}

TEST_F(SupportFile, KeepsHardLinksOneFileWhenAsked) {
  put(path("a.journey"), "the old text\n");
  fs::create_hard_link(path("a.journey"), path("b.journey"));
  ino_t before = status(path("a.journey")).st_ino;
  std::string error;
  for (std::string text : {"short\n", "a text longer than the old one\n"}) {
    ASSERT_TRUE(writeFile(path("a.journey"), text, error, {.keepHardLinks = true})) << error;
    EXPECT_EQ(get(path("b.journey")), text);
    EXPECT_EQ(status(path("a.journey")).st_ino, before);
    EXPECT_EQ(status(path("b.journey")).st_nlink, 2u);
  }
  EXPECT_EQ(entries(), (std::vector<std::string>{"a.journey", "b.journey"}));
}

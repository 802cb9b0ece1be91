// Reading and writing the user's files without losing data: a bounded reader that refuses
// what is not a regular file, and a writer that replaces regular files atomically and writes
// into everything else.
#pragma once

#include <cstddef>
#include <optional>
#include <streambuf>
#include <string>
#include <string_view>

namespace journey::support {

/// The bytes of the regular file at `path`, or nullopt with the cause in `error` ("no such
/// file", "it is a pipe, not a regular file", "it is 70 MB, over the limit of 64 MB"). A file
/// over `limit` bytes is refused, and at most `limit + 1` bytes are ever read, even from a file
/// that grows or misstates its size. A directory, a device, a FIFO or a pipe (`/dev/stdin`) is
/// refused without reading from it, and opening it never waits.
std::optional<std::string> readRegularFile(const std::string& path, std::size_t limit,
                                           std::string& error);

struct WriteOptions {
  /// Refuse a regular file that its mode or the caller's rights make read-only, like gofmt and
  /// rustfmt do, instead of replacing it because its directory is writable.
  bool refuseReadOnly = false;
  /// Rewrite a regular file with several hard links in place, so that the links stay one file.
  /// Unlike a rename, a failure part way can leave the file half-written.
  bool keepHardLinks = false;
};

/// Writes `text` to `path`, or returns false with the cause in `error` ("No space left on
/// device", "it is a directory").
/// - A regular file, or a new path, is replaced atomically: the text goes to a new, exclusively
///   created temporary file with an unpredictable name beside it, which keeps the mode, owner
///   and group of the file it replaces and is renamed over it. On failure the temporary file is
///   removed and the file is left as it was.
/// - A symbolic link stays one: the file it points to is what gets written.
/// - Anything else (a device such as `/dev/null`, a FIFO, `/dev/stdout`, an open descriptor in
///   `/proc/self/fd`) is written into, appending, and never replaced.
bool writeFile(const std::string& path, std::string_view text, std::string& error,
               const WriteOptions& options = {});

/// While it lives, `std::cout` writes through C's `stdout` (as it does by default) and
/// remembers why a write failed: C's stream keeps only that one did, and by the time it is
/// flushed `errno` says something else.
class CheckedStandardOutput : private std::streambuf {
 public:
  CheckedStandardOutput();
  CheckedStandardOutput(const CheckedStandardOutput&) = delete;
  CheckedStandardOutput& operator=(const CheckedStandardOutput&) = delete;
  ~CheckedStandardOutput() override;

  /// Flushes standard output. False with the cause in `error` ("No space left on device") when
  /// anything written to it was lost.
  bool flush(std::string& error);

 private:
  int overflow(int character) override;
  std::streamsize xsputn(const char* text, std::streamsize count) override;
  int sync() override;
  void remember(int cause);

  std::streambuf* previous_;
  int cause_ = 0;
};

}  // namespace journey::support

#include "support/file.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>

namespace journey::support {

namespace {

namespace fs = std::filesystem;

std::string describeErrno(int code) {
  return std::strerror(code);
}

// Closes the descriptor it owns unless `close` already did, which reports the error.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool close(std::string& error) {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) == 0) return true;
    error = describeErrno(errno);
    return false;
  }

 private:
  int fd_;
};

std::string describeSize(std::size_t bytes) {
  constexpr std::size_t kMegabyte = std::size_t{1} << 20;
  if (bytes < kMegabyte) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  // Rounded up, so that a file one byte over a limit of whole megabytes reads as over it.
  return std::to_string((bytes + kMegabyte - 1) / kMegabyte) + " MB";
}

std::string describeTooLarge(std::optional<std::size_t> size, std::size_t limit) {
  std::string over = "over the limit of " + describeSize(limit);
  return size ? "it is " + describeSize(*size) + ", " + over : "it is " + over;
}

std::string describeNonRegular(mode_t mode) {
  if (S_ISDIR(mode)) return "it is a directory, not a file";
  if (S_ISFIFO(mode)) return "it is a pipe, not a regular file";
  if (S_ISCHR(mode)) return "it is a character device, not a regular file";
  if (S_ISBLK(mode)) return "it is a block device, not a regular file";
  if (S_ISSOCK(mode)) return "it is a socket, not a regular file";
  return "it is not a regular file";
}

std::string describeMissing(int code) {
  return code == ENOENT || code == ENOTDIR ? "no such file" : describeErrno(code);
}

bool writeAll(int fd, std::string_view text, std::string& error) {
  while (!text.empty()) {
    ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      error = describeErrno(errno);
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

// True for a path inside /proc, where `/dev/stdout` and `/dev/fd/N` lead: such a link names an
// open descriptor, and what it reads as is not a path to rename over.
bool isOnProc(const fs::path& directory) {
  struct statfs filesystem {};
  return ::statfs(directory.c_str(), &filesystem) == 0 &&
         filesystem.f_type == static_cast<decltype(filesystem.f_type)>(PROC_SUPER_MAGIC);
}

struct Destination {
  fs::path path;
  /// An open descriptor's link in /proc: write into it, never resolve or replace it.
  bool descriptor = false;
};

// Follows symbolic links one at a time to the file they finally name, which may not exist yet.
std::optional<Destination> resolveLinks(const fs::path& given, std::string& error) {
  constexpr int kMaxLinks = 40;
  fs::path hop = given;
  for (int links = 0; links <= kMaxLinks; ++links) {
    struct stat status {};
    if (::lstat(hop.c_str(), &status) != 0) {
      if (errno == ENOENT) return Destination{hop};
      error = describeErrno(errno);
      return std::nullopt;
    }
    if (!S_ISLNK(status.st_mode)) return Destination{hop};
    fs::path directory = hop.has_parent_path() ? hop.parent_path() : fs::path(".");
    if (isOnProc(directory)) return Destination{hop, true};
    std::string target(static_cast<std::size_t>(status.st_size) + 256, '\0');
    ssize_t length = ::readlink(hop.c_str(), target.data(), target.size());
    if (length < 0) {
      error = describeErrno(errno);
      return std::nullopt;
    }
    target.resize(static_cast<std::size_t>(length));
    fs::path next(target);
    hop = next.is_absolute() ? next : directory / next;
  }
  error = describeErrno(ELOOP);
  return std::nullopt;
}

bool writeInto(const fs::path& path, std::string_view text, std::string& error) {
  Descriptor file(::open(path.c_str(), O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC));
  if (file.get() < 0) {
    error = describeErrno(errno);
    return false;
  }
  return writeAll(file.get(), text, error) && file.close(error);
}

bool isReadOnly(const fs::path& path, const struct stat& status) {
  // The mode first: root may write anything, yet a file marked read-only is meant to stay so.
  if ((status.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0) return true;
  return ::access(path.c_str(), W_OK) != 0;
}

bool rewriteInPlace(const fs::path& path, const struct stat& before, std::string_view text,
                    std::string& error) {
  Descriptor file(::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC));
  struct stat status {};
  if (file.get() < 0 || ::fstat(file.get(), &status) != 0) {
    error = describeErrno(errno);
    return false;
  }
  if (status.st_dev != before.st_dev || status.st_ino != before.st_ino) {
    error = "it was replaced while being written";
    return false;
  }
  // Written over first and truncated after: when the new text is no longer than the old one,
  // a full disk cannot stop the write half way.
  if (!writeAll(file.get(), text, error)) return false;
  if (::ftruncate(file.get(), static_cast<off_t>(text.size())) != 0) {
    error = describeErrno(errno);
    return false;
  }
  return file.close(error);
}

std::string randomName(std::size_t length) {
  static constexpr std::string_view kLetters =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device device;
  std::uniform_int_distribution<std::size_t> pick(0, kLetters.size() - 1);
  std::string name;
  for (std::size_t i = 0; i < length; ++i)
    name += kLetters[pick(device)];
  return name;
}

// A new file beside `path`, created exclusively and never through a link: nobody can plant
// its name in advance. Removed when it goes out of scope unless it was renamed into place.
class TemporaryFile {
 public:
  bool create(const fs::path& path, mode_t mode, std::string& error) {
    constexpr int kAttempts = 100;
    // A short prefix of the name keeps the temporary's name within NAME_MAX.
    std::string stem = path.filename().string().substr(0, 64);
    fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      fs::path candidate = directory / ("." + stem + "." + randomName(10) + ".tmp");
      int fd =
          ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
      if (fd >= 0) {
        fd_ = fd;
        path_ = candidate;
        return true;
      }
      if (errno != EEXIST) break;
    }
    error = "cannot create a temporary file beside it: " + describeErrno(errno);
    return false;
  }
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  bool close(std::string& error) {
    Descriptor file(fd_);
    fd_ = -1;
    return file.close(error);
  }
  bool renameOver(const fs::path& target, std::string& error) {
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      error = describeErrno(errno);
      return false;
    }
    path_.clear();
    return true;
  }

 private:
  int fd_ = -1;
  fs::path path_;
};

// `before` is the regular file being replaced, or null for a new file.
bool replace(const fs::path& path, const struct stat* before, std::string_view text,
             std::string& error) {
  TemporaryFile temporary;
  // A new file gets the usual 0666 less the umask; a replacement its old mode, set below.
  if (!temporary.create(path, before != nullptr ? S_IRUSR | S_IWUSR : 0666, error)) return false;
  if (before != nullptr) {
    // The owner may only be kept by root; the group also by a member of it. Ownership first:
    // changing it clears the set-user-ID and set-group-ID bits that the mode then restores.
    if (::fchown(temporary.fd(), before->st_uid, before->st_gid) != 0)
      (void)!::fchown(temporary.fd(), static_cast<uid_t>(-1), before->st_gid);
    if (::fchmod(temporary.fd(), before->st_mode & 07777) != 0) {
      error = describeErrno(errno);
      return false;
    }
  }
  return writeAll(temporary.fd(), text, error) && temporary.close(error) &&
         temporary.renameOver(path, error);
}

}  // namespace

std::optional<std::string> readRegularFile(const std::string& path, std::size_t limit,
                                           std::string& error) {
  // Decided before opening: opening a device or a FIFO can wait, or do something of its own.
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    error = describeMissing(errno);
    return std::nullopt;
  }
  if (!S_ISREG(status.st_mode)) {
    error = describeNonRegular(status.st_mode);
    return std::nullopt;
  }
  Descriptor file(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (file.get() < 0 || ::fstat(file.get(), &status) != 0) {
    error = describeMissing(errno);
    return std::nullopt;
  }
  if (!S_ISREG(status.st_mode)) {
    error = describeNonRegular(status.st_mode);
    return std::nullopt;
  }
  auto size = static_cast<std::size_t>(status.st_size);
  if (size > limit) {
    error = describeTooLarge(size, limit);
    return std::nullopt;
  }
  // The size is a hint: files in /proc say 0, and a file may grow while it is read.
  std::string text(std::min(size, limit) + 1, '\0');
  std::size_t filled = 0;
  while (filled <= limit) {
    if (filled == text.size()) text.resize(std::min(text.size() * 2, limit + 1));
    ssize_t got = ::read(file.get(), text.data() + filled, text.size() - filled);
    if (got < 0) {
      if (errno == EINTR) continue;
      error = describeErrno(errno);
      return std::nullopt;
    }
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  if (filled > limit) {
    error = describeTooLarge(std::nullopt, limit);
    return std::nullopt;
  }
  text.resize(filled);
  return text;
}

bool writeFile(const std::string& path, std::string_view text, std::string& error,
               const WriteOptions& options) {
  std::optional<Destination> destination = resolveLinks(path, error);
  if (!destination) return false;
  if (destination->descriptor) return writeInto(destination->path, text, error);
  struct stat status {};
  if (::lstat(destination->path.c_str(), &status) != 0) {
    if (errno != ENOENT) {
      error = describeErrno(errno);
      return false;
    }
    return replace(destination->path, nullptr, text, error);
  }
  if (S_ISDIR(status.st_mode)) {
    error = "it is a directory";
    return false;
  }
  if (!S_ISREG(status.st_mode)) return writeInto(destination->path, text, error);
  if (options.refuseReadOnly && isReadOnly(destination->path, status)) {
    error = "it is read-only";
    return false;
  }
  if (options.keepHardLinks && status.st_nlink > 1)
    return rewriteInPlace(destination->path, status, text, error);
  return replace(destination->path, &status, text, error);
}

CheckedStandardOutput::CheckedStandardOutput() : previous_(std::cout.rdbuf(this)) {}

CheckedStandardOutput::~CheckedStandardOutput() {
  std::cout.rdbuf(previous_);
}

int CheckedStandardOutput::overflow(int character) {
  if (traits_type::eq_int_type(character, traits_type::eof()))
    return traits_type::not_eof(character);
  char byte = traits_type::to_char_type(character);
  return xsputn(&byte, 1) == 1 ? character : traits_type::eof();
}

std::streamsize CheckedStandardOutput::xsputn(const char* text, std::streamsize count) {
  // An empty string view may come with a null pointer, which fwrite must not be given.
  if (count <= 0) return 0;
  auto wanted = static_cast<std::size_t>(count);
  std::size_t written = std::fwrite(text, 1, wanted, stdout);
  if (written < wanted) remember(errno);
  return static_cast<std::streamsize>(written);
}

int CheckedStandardOutput::sync() {
  if (std::fflush(stdout) != 0) remember(errno);
  return cause_ == 0 ? 0 : -1;
}

void CheckedStandardOutput::remember(int cause) {
  if (cause_ == 0) cause_ = cause != 0 ? cause : EIO;
}

bool CheckedStandardOutput::flush(std::string& error) {
  std::cout.flush();
  sync();
  if (cause_ == 0 && (std::ferror(stdout) || !std::cout.good())) cause_ = EIO;
  if (cause_ == 0) return true;
  error = describeErrno(cause_);
  return false;
}

}  // namespace journey::support

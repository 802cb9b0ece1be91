#include "lsp/transport.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace journey::lsp {
namespace {

constexpr std::size_t kMaxHeader = std::size_t{64} * 1024;
constexpr std::size_t kMaxBody = 512u << 20;

}  // namespace

bool Transport::fill() {
  char chunk[65536];
  for (;;) {
    ssize_t n = ::read(in_, chunk, sizeof chunk);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    eof_ = true;
    return false;
  }
}

bool Transport::waitReadable(int timeoutMs) {
  if (!buffer_.empty() || eof_) return true;
  pollfd fd{in_, POLLIN, 0};
  for (;;) {
    int n = ::poll(&fd, 1, timeoutMs);
    if (n < 0 && errno == EINTR) continue;
    return n != 0;
  }
}

Transport::Status Transport::read(std::string& body, std::string& error) {
  // The header ends at an empty line; be lenient about bare `\n` line ends.
  std::size_t headerEnd;
  std::size_t separator;
  for (;;) {
    headerEnd = buffer_.find("\r\n\r\n");
    separator = 4;
    auto lenient = buffer_.find("\n\n");
    if (lenient != std::string::npos && (headerEnd == std::string::npos || lenient < headerEnd)) {
      headerEnd = lenient;
      separator = 2;
    }
    if (headerEnd != std::string::npos) break;
    if (buffer_.size() > kMaxHeader) {
      buffer_.clear();
      error = "header longer than 64 KiB without an empty line: dropped";
      return Status::Malformed;
    }
    if (eof_ || !fill()) {
      if (!buffer_.empty()) {
        error = "input ended inside a message header";
        buffer_.clear();
        return Status::Malformed;
      }
      return Status::Eof;
    }
  }
  std::string header = buffer_.substr(0, headerEnd);
  buffer_.erase(0, headerEnd + separator);
  long long length = -1;
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t end = header.find('\n', start);
    if (end == std::string::npos) end = header.size();
    std::string line = header.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    start = end + 1;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // Junk before a header (the rest of a message whose length was wrong) is skipped.
    if (name.size() < 14 || name.compare(name.size() - 14, 14, "content-length") != 0) continue;
    std::string value = line.substr(colon + 1);
    char* rest = nullptr;
    errno = 0;
    long long parsed = std::strtoll(value.c_str(), &rest, 10);
    bool ok = errno == 0 && rest != value.c_str() && parsed >= 0;
    while (ok && *rest != '\0') {
      if (*rest != ' ' && *rest != '\t') ok = false;
      ++rest;
    }
    length = ok ? parsed : -2;
  }
  if (length < 0) {
    error = length == -1 ? "message without a Content-Length header: skipped"
                         : "invalid Content-Length: message skipped";
    return Status::Malformed;
  }
  if (static_cast<unsigned long long>(length) > kMaxBody) {
    error = "Content-Length larger than 512 MiB: message skipped";
    return Status::Malformed;
  }
  auto size = static_cast<std::size_t>(length);
  while (buffer_.size() < size) {
    if (eof_ || !fill()) {
      buffer_.clear();
      error = "input ended inside a message body";
      return Status::Malformed;
    }
  }
  body = buffer_.substr(0, size);
  buffer_.erase(0, size);
  return Status::Message;
}

bool Transport::write(const std::string& body) {
  std::string message = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::size_t done = 0;
  while (done < message.size()) {
    ssize_t n = ::write(out_, message.data() + done, message.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace journey::lsp

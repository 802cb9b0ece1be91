// JSON-RPC framing over file descriptors: `Content-Length: N\r\n\r\n` then N bytes of JSON.
#pragma once

#include <string>

namespace journey::lsp {

class Transport {
 public:
  Transport(int in, int out) : in_(in), out_(out) {}

  enum class Status { Message, Malformed, Eof };
  /// Reads the next message body. Malformed: a header without a usable `Content-Length`
  /// (skipped, `error` says why); reading goes on after it.
  Status read(std::string& body, std::string& error);
  /// Waits up to `timeoutMs` (-1: forever) for input; true when there is some to read.
  bool waitReadable(int timeoutMs);
  /// Writes one framed message; false when the output is closed.
  bool write(const std::string& body);

 private:
  bool fill();
  int in_;
  int out_;
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace journey::lsp

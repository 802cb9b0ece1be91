// Drives the language server's message loop with arbitrary input: each line is one message body
// (a JSON-RPC request or notification, or anything else), after `initialize` and `initialized`,
// with the diagnostics published after every message. `Server::receive` promises never to throw
// whatever a message holds: an exception, a crash or a sanitizer report is a bug. Documents use
// in-memory text; a `use` or a closed document's URI reaches the disk only through the reader
// that refuses anything but regular files.
#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "lsp/server.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace lsp = journey::lsp;
  std::ostringstream log;
  std::size_t replies = 0;
  lsp::Server server(
      lsp::ServerOptions{std::chrono::milliseconds(0)}, [&](const lsp::Json&) { ++replies; }, log);
  server.receive(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{}}})");
  server.receive(R"({"jsonrpc":"2.0","method":"initialized","params":{}})");
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty() && !server.exited()) {
    std::size_t end = input.find('\n');
    server.receive(std::string(input.substr(0, end)));
    server.flush(true);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
  }
  return 0;
}

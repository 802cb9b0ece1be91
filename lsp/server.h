// The Journey language server: documents, dispatch of JSON-RPC messages to the features,
// debounced diagnostics. Single-threaded; `runStdio` drives it over stdin and stdout.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "lsp/analysis.h"

namespace journey::lsp {

using Json = nlohmann::json;

struct ServerOptions {
  /// Diagnostics are computed once the document has not changed for this long.
  std::chrono::milliseconds debounce{50};
};

struct Document {
  std::string uri;
  /// Normalised path, the key the compiler reads the buffer under.
  std::string path;
  std::string text;
  std::int64_t version = 0;
  bool dirty = true;
  std::chrono::steady_clock::time_point due;
  std::shared_ptr<Analysis> analysis;
  /// The latest analysis without syntax errors: names for completion while the text is broken.
  std::shared_ptr<Analysis> lastClean;
  /// Why an edit could not be applied, while `text` may differ from the editor's: until the
  /// whole text comes again (a full change, a reopen, or the file read after a save).
  std::string dropped;
};

class Server {
 public:
  using Clock = std::chrono::steady_clock;
  /// `send` writes one message to the client; `log` receives one line per problem.
  Server(ServerOptions options, std::function<void(const Json&)> send, std::ostream& log);

  /// Handles one message body (a JSON text). Never throws: whatever a message holds, the
  /// server answers it or logs why not, and goes on.
  void receive(const std::string& body);
  /// Handles one parsed message. Never throws.
  void handle(const Json& message);

  /// Milliseconds until some document's diagnostics are due; -1 when none are pending.
  int msUntilDue() const;
  /// Analyses and publishes every document whose diagnostics are due (all pending ones when
  /// `force`). Never throws: a document whose check fails is logged and left until it changes.
  void flush(bool force = false);

  bool exited() const { return exited_; }
  /// 0 after `shutdown` then `exit`, 1 otherwise (the protocol's rule).
  int exitCode() const { return shutdown_ ? 0 : 1; }
  const std::map<std::string, Document>& documents() const { return documents_; }

 private:
  void request(const Json& id, const std::string& method, const Json& params);
  void notification(const std::string& method, const Json& params);
  void didOpen(const Json& params);
  /// Applies every change or, when one cannot be applied, none: a notification cannot be
  /// refused, so the edit is dropped, logged, and reported as a diagnostic of the document.
  void didChange(const Json& params);
  void didClose(const Json& params);
  /// After a save, a document that dropped an edit takes the text of its file.
  void resynchronise(const Json& params);
  /// `textDocument.version`, or `fallback` when it is missing or not a 64-bit integer.
  std::int64_t versionOf(const Json& textDocument, std::int64_t fallback);
  Json dispatch(const std::string& method, const Json& params);
  void respond(const Json& id, Json result);
  void respondError(const Json& id, int code, const std::string& message);
  void publish(Document& document);
  void analyse(Document& document);
  /// The document for a request's `textDocument`, analysed and current; opens files that the
  /// editor has not opened (a definition's target) from disk. Null when there is none.
  Document* ready(const Json& params);
  std::uint32_t offsetOf(const Document& document, const Json& position) const;
  void markDependentsDirty(const std::string& path);

  ServerOptions options_;
  std::function<void(const Json&)> send_;
  std::ostream& log_;
  std::map<std::string, Document> documents_;
  /// Files read for requests on documents the editor has not opened.
  std::map<std::string, Document> closed_;
  bool initialized_ = false;
  bool shutdown_ = false;
  bool exited_ = false;
};

/// Runs the server on stdin and stdout until `exit` or the end of input; returns the exit code.
int runStdio(ServerOptions options);

}  // namespace journey::lsp

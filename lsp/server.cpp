#include "lsp/server.h"

#include <fmt/format.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <stdexcept>

#include "lsp/features.h"
#include "lsp/message.h"
#include "lsp/protocol.h"
#include "lsp/transport.h"

#ifndef JOURNEY_VERSION
#define JOURNEY_VERSION "0.0.0"
#endif

namespace journey::lsp {
namespace {

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kServerNotInitialized = -32002;
constexpr int kRequestFailed = -32803;

// The protocol's `uinteger`, which positions are made of.
constexpr std::int64_t kMaxUinteger = 2147483647;

// A request that cannot be answered as asked; becomes an error response.
struct RequestError : std::runtime_error {
  RequestError(int code, const std::string& message) : std::runtime_error(message), code(code) {}
  int code;
};

// What the exception being handled says, inside any `catch`.
std::string currentError() {
  try {
    throw;
  } catch (const std::exception& error) {
    return error.what();
  } catch (...) {
    return "an exception of unknown type";
  }
}

Position toPosition(const Json& position) {
  if (!position.is_object()) throw RequestError{kInvalidParams, "position must be an object"};
  auto number = [&](const char* key) -> std::uint32_t {
    auto value = position.find(key);
    bool valid = value != position.end() && value->is_number_integer() &&
                 (value->is_number_unsigned() ? value->get<std::uint64_t>() <= kMaxUinteger
                                              : value->get<std::int64_t>() >= 0 &&
                                                    value->get<std::int64_t>() <= kMaxUinteger);
    if (!valid)
      throw RequestError{kInvalidParams,
                         fmt::format("position.{} must be an integer from 0 to 2^31 - 1", key)};
    return value->get<std::uint32_t>();
  };
  return {number("line"), number("character")};
}

Range toRange(const Json& range) {
  if (!range.is_object()) throw RequestError{kInvalidParams, "range must be an object"};
  auto start = range.find("start");
  auto end = range.find("end");
  if (start == range.end() || end == range.end())
    throw RequestError{kInvalidParams, "range needs a start and an end"};
  return {toPosition(*start), toPosition(*end)};
}

// The text after a didChange's `contentChanges`, all of them or none: throws when one cannot
// be applied. `whole` is set when one of them replaced the whole text.
std::string applyChanges(std::string text, const Json& changes, bool& whole) {
  if (!changes.is_array()) throw RequestError{kInvalidParams, "contentChanges must be an array"};
  for (const auto& change : changes) {
    if (!change.is_object() || !change.contains("text") || !change["text"].is_string())
      throw RequestError{kInvalidParams, "a content change must be an object with a text"};
    const std::string& replacement = change["text"].get_ref<const std::string&>();
    if (change.contains("range")) {
      applyEdit(text, toRange(change["range"]), replacement);
    } else {
      text = replacement;
      whole = true;
    }
  }
  return text;
}

// The diagnostic that says the server no longer holds the editor's text.
Json droppedEditNotice(const std::string& why) {
  return {{"range", toJson(Range{})},
          {"severity", 1},
          {"code", "edit-dropped"},
          {"source", "journey"},
          {"message", fmt::format("journey lsp could not apply an edit to this file ({}) and "
                                  "dropped it: the diagnostics are for an older text. Save the "
                                  "file, or close and reopen it, to check it again.",
                                  why)}};
}

}  // namespace

Server::Server(ServerOptions options, std::function<void(const Json&)> send, std::ostream& log)
    : options_(options), send_(std::move(send)), log_(log) {}

void Server::receive(const std::string& body) {
  std::optional<Json> message;
  try {
    std::string error;
    bool repaired = false;
    message = parseMessage(body, error, repaired);
    if (!message) {
      log_ << "journey lsp: malformed JSON, ignored: " << error << '\n';
      respondError(nullptr, kParseError, "malformed JSON: " + error);
      return;
    }
    if (repaired) log_ << "journey lsp: text that is not well-formed Unicode, read as U+FFFD\n";
  } catch (...) {
    log_ << "journey lsp: a message could not be read: " << currentError() << '\n';
    return;
  }
  handle(*message);
}

void Server::handle(const Json& message) {
  Json id = nullptr;
  try {
    if (!message.is_object()) {
      log_ << "journey lsp: a message that is not a JSON object, ignored\n";
      respondError(nullptr, kInvalidRequest, "a message must be a JSON object");
      return;
    }
    if (message.contains("id")) id = message["id"];
    if (!id.is_null() && !id.is_string() && !id.is_number_integer()) {
      respondError(nullptr, kInvalidRequest, "id must be a string or an integer");
      return;
    }
    auto method = message.find("method");
    if (method == message.end()) {
      // A response to a request of ours (we send none that need an answer): nothing to do.
      if (message.contains("result") || message.contains("error")) return;
      respondError(id, kInvalidRequest, "a message needs a method");
      return;
    }
    if (!method->is_string()) {
      respondError(id, kInvalidRequest, "method must be a string");
      return;
    }
    static const Json noParams = Json::object();
    const Json& params = message.contains("params") ? message["params"] : noParams;
    if (message.contains("id")) {
      request(id, method->get<std::string>(), params);
    } else {
      notification(method->get<std::string>(), params);
    }
  } catch (...) {
    std::string error = currentError();
    log_ << "journey lsp: internal error: " << error << '\n';
    if (!id.is_null()) respondError(id, kInternalError, error);
  }
}

void Server::respond(const Json& id, Json result) {
  send_({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

void Server::respondError(const Json& id, int code, const std::string& message) {
  send_({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
}

void Server::request(const Json& id, const std::string& method, const Json& params) {
  if (method == "initialize") {
    initialized_ = true;
    Json capabilities = {
        {"positionEncoding", "utf-16"},
        {"textDocumentSync",
         {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
        {"hoverProvider", true},
        {"definitionProvider", true},
        {"referencesProvider", true},
        {"renameProvider", {{"prepareProvider", true}}},
        {"documentSymbolProvider", true},
        {"workspaceSymbolProvider", true},
        {"completionProvider", {{"triggerCharacters", {".", ">"}}}},
        {"documentFormattingProvider", true},
        {"semanticTokensProvider", {{"legend", semanticTokensLegend()}, {"full", true}}},
        {"foldingRangeProvider", true},
        {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}},
    };
    respond(id, {{"capabilities", capabilities},
                 {"serverInfo", {{"name", "journey"}, {"version", JOURNEY_VERSION}}}});
    return;
  }
  if (!initialized_) {
    respondError(id, kServerNotInitialized, "the server is not initialized");
    return;
  }
  if (method == "shutdown") {
    shutdown_ = true;
    respond(id, nullptr);
    return;
  }
  if (shutdown_) {
    respondError(id, kInvalidRequest, "the server is shutting down");
    return;
  }
  try {
    respond(id, dispatch(method, params));
  } catch (const RequestError& error) {
    log_ << "journey lsp: " << method << ": " << error.what() << '\n';
    respondError(id, error.code, error.what());
  } catch (const Json::exception& error) {
    log_ << "journey lsp: " << method << ": bad params: " << error.what() << '\n';
    respondError(id, kInvalidParams, std::string("bad params: ") + error.what());
  } catch (...) {
    std::string error = currentError();
    log_ << "journey lsp: " << method << ": internal error: " << error << '\n';
    respondError(id, kInternalError, error);
  }
}

Json Server::dispatch(const std::string& method, const Json& params) {
  if (method == "workspace/symbol") {
    flush(true);
    std::vector<const Analysis*> analyses;
    for (const auto& [uri, document] : documents_) {
      if (document.analysis) analyses.push_back(document.analysis.get());
    }
    return workspaceSymbols(analyses, params.value("query", std::string()));
  }
  if (method == "textDocument/completion") {
    // Completion reads the current text for its context but the names of the latest analysis:
    // it does not wait for the edit just typed to be analysed.
    std::string uri = params.at("textDocument").at("uri").get<std::string>();
    auto it = documents_.find(uri);
    Document* document = it != documents_.end() ? &it->second : ready(params);
    if (document == nullptr) return nullptr;
    if (!document->analysis) analyse(*document);
    LineIndex lines(document->text);
    std::uint32_t offset = lines.offset(toPosition(params.at("position")));
    const Analysis* fallback = document->lastClean.get();
    return {{"isIncomplete", false},
            {"items", completion(document->text, offset, *document->analysis, fallback)}};
  }
  static const std::vector<std::string> documentMethods = {
      "textDocument/hover",        "textDocument/definition",
      "textDocument/references",   "textDocument/prepareRename",
      "textDocument/rename",       "textDocument/documentSymbol",
      "textDocument/formatting",   "textDocument/semanticTokens/full",
      "textDocument/foldingRange", "textDocument/codeAction"};
  if (std::find(documentMethods.begin(), documentMethods.end(), method) == documentMethods.end())
    throw RequestError{kMethodNotFound, "unknown method " + method};

  Document* document = ready(params);
  if (document == nullptr) {
    if (method == "textDocument/documentSymbol" || method == "textDocument/foldingRange" ||
        method == "textDocument/codeAction")
      return Json::array();
    return nullptr;
  }
  const Analysis& a = *document->analysis;
  if (method == "textDocument/formatting") {
    std::string error;
    auto edits = formatting(document->text, document->path, error);
    if (!edits) {
      log_ << "journey lsp: formatting " << document->uri << ": " << error << '\n';
      return Json::array();
    }
    return *edits;
  }
  if (method == "textDocument/documentSymbol") return documentSymbols(a);
  if (method == "textDocument/semanticTokens/full") return semanticTokens(a);
  if (method == "textDocument/foldingRange") return foldingRanges(a);
  if (method == "textDocument/codeAction") return codeActions(a, toRange(params.at("range")));

  std::uint32_t offset = offsetOf(*document, params.at("position"));
  if (method == "textDocument/hover") return hover(a, offset);
  if (method == "textDocument/definition") return definition(a, offset);
  if (method == "textDocument/references") {
    bool declarations = true;
    if (params.contains("context"))
      declarations = params["context"].value("includeDeclaration", true);
    return references(a, offset, declarations);
  }
  std::string error;
  if (method == "textDocument/prepareRename") {
    Json result = prepareRename(a, offset, error);
    if (!error.empty()) throw RequestError{kRequestFailed, error};
    return result;
  }
  // textDocument/rename
  Json result = rename(a, offset, params.at("newName").get<std::string>(), error);
  if (!error.empty()) throw RequestError{kRequestFailed, error};
  return result;
}

void Server::notification(const std::string& method, const Json& params) {
  if (method == "exit") {
    exited_ = true;
    return;
  }
  if (method == "initialized" || method == "$/cancelRequest" || method == "$/setTrace" ||
      method == "workspace/didChangeConfiguration" || method == "textDocument/willSave")
    return;
  if (!initialized_) {
    log_ << "journey lsp: " << method << " before initialize, ignored\n";
    return;
  }
  try {
    if (method == "textDocument/didOpen") {
      didOpen(params);
    } else if (method == "textDocument/didChange") {
      didChange(params);
    } else if (method == "textDocument/didClose") {
      didClose(params);
    } else if (method == "textDocument/didSave" || method == "workspace/didChangeWatchedFiles") {
      // Files on disk changed (a library was edited, created or deleted): check again.
      for (auto& [uri, document] : documents_) {
        if (!document.dirty) document.due = Clock::now() + options_.debounce;
        document.dirty = true;
      }
      closed_.clear();
      if (method == "textDocument/didSave") resynchronise(params);
    } else {
      log_ << "journey lsp: unknown notification " << method << ", ignored\n";
    }
  } catch (...) {
    log_ << "journey lsp: " << method << ": bad params, ignored: " << currentError() << '\n';
  }
}

void Server::didOpen(const Json& params) {
  const Json& item = params.at("textDocument");
  Document document;
  document.uri = item.at("uri").get<std::string>();
  document.path = normalisePath(uriToPath(document.uri));
  document.text = item.at("text").get<std::string>();
  document.version = versionOf(item, 0);
  document.due = Clock::now();
  closed_.erase(document.uri);
  std::string path = document.path;
  documents_[document.uri] = std::move(document);
  markDependentsDirty(path);
  // The first diagnostics come at once: the user is not typing yet.
  flush();
}

void Server::didChange(const Json& params) {
  const Json& item = params.at("textDocument");
  std::string uri = item.at("uri").get<std::string>();
  auto it = documents_.find(uri);
  if (it == documents_.end()) {
    log_ << "journey lsp: didChange for a document that is not open: " << uri << '\n';
    return;
  }
  Document& document = it->second;
  document.version = versionOf(item, document.version + 1);
  bool whole = false;
  try {
    document.text = applyChanges(document.text, params.at("contentChanges"), whole);
    if (whole) document.dropped.clear();
    document.due = Clock::now() + options_.debounce;
  } catch (...) {
    // A notification has no answer: keep the text as it was and say so where the user looks.
    document.dropped = currentError();
    std::string message = fmt::format("an edit to {} could not be applied and was dropped: {}", uri,
                                      document.dropped);
    log_ << "journey lsp: " << message << '\n';
    send_({{"jsonrpc", "2.0"},
           {"method", "window/logMessage"},
           {"params", {{"type", 1}, {"message", message}}}});
    document.due = Clock::now();
  }
  document.dirty = true;
  markDependentsDirty(document.path);
}

void Server::didClose(const Json& params) {
  std::string uri = params.at("textDocument").at("uri").get<std::string>();
  auto it = documents_.find(uri);
  if (it == documents_.end()) return;
  std::string path = it->second.path;
  documents_.erase(it);
  send_({{"jsonrpc", "2.0"},
         {"method", "textDocument/publishDiagnostics"},
         {"params", {{"uri", uri}, {"diagnostics", Json::array()}}}});
  markDependentsDirty(path);
}

void Server::resynchronise(const Json& params) {
  auto it = documents_.find(params.at("textDocument").at("uri").get<std::string>());
  if (it == documents_.end() || it->second.dropped.empty()) return;
  Document& document = it->second;
  DiskFileReader disk;
  std::string error;
  auto text = disk.read(document.path, error);
  if (!text) {
    log_ << "journey lsp: " << document.uri << " cannot be read again: " << error << '\n';
    return;
  }
  document.text = std::move(*text);
  document.dropped.clear();
}

std::int64_t Server::versionOf(const Json& textDocument, std::int64_t fallback) {
  auto version = textDocument.find("version");
  if (version == textDocument.end() || version->is_null()) return fallback;
  if (version->is_number_integer() &&
      (!version->is_number_unsigned() || version->get<std::uint64_t>() <= std::uint64_t{INT64_MAX}))
    return version->get<std::int64_t>();
  log_ << "journey lsp: the version " << version->dump() << " is not a 64-bit integer, counted as "
       << fallback << '\n';
  return fallback;
}

void Server::markDependentsDirty(const std::string& path) {
  for (auto& [uri, document] : documents_) {
    if (document.path == path || !document.analysis || document.dirty) continue;
    const auto& sources = document.analysis->compilation->sources;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      if (sources.file(static_cast<FileId>(i)).path() == path) {
        document.dirty = true;
        document.due = Clock::now() + options_.debounce;
        break;
      }
    }
  }
}

void Server::analyse(Document& document) {
  DiskFileReader disk;
  MemoryFileReader reader(&disk);
  for (const auto& [uri, open] : documents_)
    reader.set(open.path, open.text);
  if (documents_.count(document.uri) == 0) reader.set(document.path, document.text);
  std::shared_ptr<Analysis> previous = document.analysis;
  document.analysis = journey::lsp::analyze(document.path, document.uri, reader, previous.get());
  // An incremental analysis took declarations from the previous one: keep the new one.
  if (document.analysis->incremental && document.lastClean == previous)
    document.lastClean = document.analysis;
  if (!document.analysis->hasSyntaxErrors()) document.lastClean = document.analysis;
  document.dirty = false;
}

void Server::publish(Document& document) {
  Json items = diagnostics(*document.analysis);
  // A library on its own is `missing-journey`, as `journey check` says; in the editor it is
  // better checked as part of an open journey that uses it, when there is one.
  if (isLibrary(*document.analysis)) {
    for (const auto& [uri, other] : documents_) {
      if (uri == document.uri || !other.analysis || isLibrary(*other.analysis)) continue;
      const auto& sources = other.analysis->compilation->sources;
      for (std::size_t i = 0; i < sources.size(); ++i) {
        auto id = static_cast<FileId>(i);
        if (id == other.analysis->root || sources.file(id).path() != document.path) continue;
        items = diagnosticsIn(*other.analysis, id);
        break;
      }
    }
  }
  if (!document.dropped.empty()) items.insert(items.begin(), droppedEditNotice(document.dropped));
  send_(
      {{"jsonrpc", "2.0"},
       {"method", "textDocument/publishDiagnostics"},
       {"params", {{"uri", document.uri}, {"version", document.version}, {"diagnostics", items}}}});
  // Libraries this document uses show what this analysis found in them.
  if (!isLibrary(*document.analysis)) {
    for (auto& [uri, library] : documents_) {
      if (uri == document.uri || !library.analysis || library.dirty ||
          !isLibrary(*library.analysis))
        continue;
      const auto& sources = document.analysis->compilation->sources;
      for (std::size_t i = 1; i < sources.size(); ++i) {
        if (sources.file(static_cast<FileId>(i)).path() == library.path) {
          send_({{"jsonrpc", "2.0"},
                 {"method", "textDocument/publishDiagnostics"},
                 {"params",
                  {{"uri", library.uri},
                   {"version", library.version},
                   {"diagnostics", diagnosticsIn(*document.analysis, static_cast<FileId>(i))}}}});
          break;
        }
      }
    }
  }
}

int Server::msUntilDue() const {
  std::optional<Clock::time_point> earliest;
  for (const auto& [uri, document] : documents_) {
    if (document.dirty && (!earliest || document.due < *earliest)) earliest = document.due;
  }
  if (!earliest) return -1;
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*earliest - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(0, wait.count()));
}

void Server::flush(bool force) {
  auto now = Clock::now();
  for (auto& [uri, document] : documents_) {
    if (!document.dirty || (!force && document.due > now)) continue;
    try {
      analyse(document);
      publish(document);
    } catch (...) {
      // Not again until the next change: trying on every turn of the loop would spin.
      document.dirty = false;
      log_ << "journey lsp: checking " << uri << " failed: " << currentError() << '\n';
    }
  }
}

Document* Server::ready(const Json& params) {
  std::string uri = params.at("textDocument").at("uri").get<std::string>();
  auto it = documents_.find(uri);
  if (it != documents_.end()) {
    if (it->second.dirty || !it->second.analysis) {
      analyse(it->second);
      publish(it->second);
    }
    return &it->second;
  }
  // Not open in the editor: read it from disk, as it is now.
  std::string path = normalisePath(uriToPath(uri));
  DiskFileReader disk;
  std::string error;
  auto text = disk.read(path, error);
  if (!text) {
    log_ << "journey lsp: " << uri << " is not open and cannot be read: " << error << '\n';
    closed_.erase(uri);
    return nullptr;
  }
  Document& document = closed_[uri];
  if (!document.analysis || document.text != *text) {
    document.uri = uri;
    document.path = path;
    document.text = std::move(*text);
    analyse(document);
  }
  return &document;
}

std::uint32_t Server::offsetOf(const Document& document, const Json& position) const {
  return document.analysis->lineIndex(document.analysis->root).offset(toPosition(position));
}

int runStdio(ServerOptions options) {
  std::signal(SIGPIPE, SIG_IGN);
  std::ios::sync_with_stdio(false);
  Transport transport(STDIN_FILENO, STDOUT_FILENO);
  bool outputClosed = false;
  Server server(
      options,
      [&](const Json& message) {
        if (outputClosed) return;
        if (!transport.write(message.dump(-1, ' ', false, Json::error_handler_t::replace))) {
          outputClosed = true;
          std::cerr << "journey lsp: the client closed its input; stopping\n";
        }
      },
      std::cerr);
  std::cerr << "journey lsp: ready\n";
  // One turn: check what is due, or read and handle one message. False at the end of input.
  auto turn = [&] {
    int wait = server.msUntilDue();
    if (!transport.waitReadable(wait)) {
      server.flush();
      return true;
    }
    std::string body;
    std::string error;
    auto status = transport.read(body, error);
    if (status == Transport::Status::Eof) return false;
    if (status == Transport::Status::Malformed) {
      std::cerr << "journey lsp: " << error << '\n';
      return true;
    }
    server.receive(body);
    return true;
  };
  while (!server.exited() && !outputClosed) {
    // The server handles its own errors; this keeps anything else from ending the process.
    try {
      if (!turn()) break;
    } catch (...) {
      std::cerr << "journey lsp: internal error, carrying on: " << currentError() << '\n';
    }
  }
  return server.exitCode();
}

}  // namespace journey::lsp

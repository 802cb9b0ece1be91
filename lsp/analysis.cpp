#include "lsp/analysis.h"

#include <filesystem>

#include "compiler/parse/parse.h"
#include "lsp/incremental.h"

namespace journey::lsp {

bool Analysis::hasSyntaxErrors() const {
  for (const auto& module : compilation->modules) {
    if (module->hasSyntaxErrors) return true;
  }
  return false;
}

const LineIndex& Analysis::lineIndex(FileId file) const {
  static const LineIndex empty;
  auto it = lines.find(file);
  return it == lines.end() ? empty : it->second;
}

std::string Analysis::uri(FileId id) const {
  if (id == root) return rootUri;
  return pathToUri(compilation->sources.file(id).path());
}

Range Analysis::range(const SourceRange& r) const {
  if (!r.valid()) return {};
  const LineIndex& index = lineIndex(r.file);
  return {index.position(r.begin), index.position(r.end)};
}

const ast::Module* Analysis::module(FileId file) const {
  for (const auto& module : compilation->modules) {
    if (module->file == file) return module.get();
  }
  return nullptr;
}

std::shared_ptr<Analysis> analyze(const std::string& path, const std::string& uri,
                                  FileReader& reader, Analysis* previous) {
  auto analysis = std::make_shared<Analysis>();
  analysis->rootUri = uri;
  bool root = true;
  CompileOptions options;
  options.parser = [&](const SourceFile& file, DiagnosticSink& sink) {
    bool isRoot = root;
    root = false;
    std::unique_ptr<ast::Module> module;
    if (isRoot && previous != nullptr && previous->rootParseClean && previous->root != kNoFile &&
        previous->file(previous->root).path() == file.path()) {
      ast::Module& old = *previous->compilation->modules.front();
      module = reparse(old, previous->file(previous->root).text(), file);
      analysis->incremental = module != nullptr;
    }
    std::size_t before = sink.errorCount() + sink.warningCount();
    if (!module) module = parse::parseFile(file, sink);
    if (isRoot)
      analysis->rootParseClean =
          !module->hasSyntaxErrors && sink.errorCount() + sink.warningCount() == before;
    return module;
  };
  analysis->compilation = compile(path, reader, options);
  const Compilation& c = *analysis->compilation;
  if (!c.rootUnreadable && c.root() != nullptr) analysis->root = c.root()->file;
  for (std::size_t i = 0; i < c.sources.size(); ++i) {
    auto id = static_cast<FileId>(i);
    analysis->lines.emplace(id, LineIndex(c.sources.file(id).text()));
  }
  std::vector<const ast::Module*> modules;
  for (const auto& module : c.modules)
    modules.push_back(module.get());
  analysis->index = Index::build(modules);
  return analysis;
}

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string uriToPath(const std::string& uri) {
  constexpr std::string_view scheme = "file://";
  if (uri.rfind(scheme, 0) != 0) return uri;
  std::string rest = uri.substr(scheme.size());
  // `file://host/path`: keep the path only (a host is rare and means the same machine here).
  if (!rest.empty() && rest.front() != '/') {
    auto slash = rest.find('/');
    rest = slash == std::string::npos ? "/" : rest.substr(slash);
  }
  std::string path;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && hexValue(rest[i + 1]) >= 0 &&
        hexValue(rest[i + 2]) >= 0) {
      path += static_cast<char>(hexValue(rest[i + 1]) * 16 + hexValue(rest[i + 2]));
      i += 2;
    } else {
      path += rest[i];
    }
  }
  return path;
}

std::string pathToUri(const std::string& path) {
  if (path.empty() || path.front() != '/') {
    // Not an absolute path: an untitled document's URI kept as its path, or a relative path.
    if (path.find(':') != std::string::npos) return path;
    std::error_code error;
    auto absolute = std::filesystem::absolute(path, error);
    if (error) return path;
    return pathToUri(absolute.lexically_normal().generic_string());
  }
  static const char* hex = "0123456789ABCDEF";
  std::string uri = "file://";
  for (unsigned char c : path) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '/' || c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      uri += static_cast<char>(c);
    } else {
      uri += '%';
      uri += hex[c >> 4];
      uri += hex[c & 15];
    }
  }
  return uri;
}

std::string normalisePath(const std::string& path) {
  return std::filesystem::path(path).lexically_normal().generic_string();
}

}  // namespace journey::lsp

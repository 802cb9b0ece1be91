#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "lsp/features.h"
#include "lsp/protocol.h"

namespace journey::lsp {
namespace {

int severityCode(Severity severity) {
  switch (severity) {
    case Severity::Error:
      return 1;
    case Severity::Warning:
      return 2;
    case Severity::Note:
      return 3;
  }
  return 1;
}

// Where a diagnostic in a `use`d file shows in the document: the `use` that brings the file in.
SourceRange usePlace(const Analysis& a, FileId file) {
  const ast::Module* root = a.module(a.root);
  if (root == nullptr || root->uses.empty()) return SourceRange{a.root, 0, 0};
  auto directory = std::filesystem::path(a.file(a.root).path()).parent_path();
  const std::string& target = a.file(file).path();
  for (const auto& use : root->uses) {
    if (normalisePath((directory / use.path.value).string()) == target) return use.range;
  }
  return root->uses.front().range;
}

// The message with its notes and help: the protocol has no place of its own for them.
std::string fullMessage(const Diagnostic& d) {
  std::string message = d.message;
  for (const auto& note : d.notes)
    message += "\nnote: " + note;
  if (!d.help.empty()) message += "\nhelp: " + d.help;
  return message;
}

// The protocol's diagnostic shown at `place`; the labels follow `related`.
Json toLsp(const Analysis& a, const Diagnostic& d, const SourceRange& place,
           const std::string& message, Json related) {
  for (const auto& label : d.labels) {
    if (label.range.valid())
      related.push_back({{"location", location(a, label.range)}, {"message", label.message}});
  }
  Json result = {{"range", toJson(a.range(place))},
                 {"severity", severityCode(d.severity)},
                 {"code", std::string(d.code())},
                 {"source", "journey"},
                 {"message", message}};
  if (!related.empty()) result["relatedInformation"] = std::move(related);
  return result;
}

}  // namespace

Json diagnostic(const Analysis& a, const Diagnostic& d) {
  std::string message = fullMessage(d);
  SourceRange place = d.range;
  Json related = Json::array();
  if (!place.valid()) {
    place = SourceRange{a.root, 0, 0};
  } else if (place.file != a.root) {
    related.push_back({{"location", location(a, d.range)}, {"message", "the problem is here"}});
    LineColumn at = a.file(d.range.file).lineColumn(d.range.begin);
    message = fmt::format("in `{}` (line {}): {}", a.file(d.range.file).path(), at.line, message);
    place = usePlace(a, d.range.file);
  }
  return toLsp(a, d, place, message, std::move(related));
}

Json diagnostics(const Analysis& a) {
  Json result = Json::array();
  if (a.root == kNoFile) return result;
  for (const Diagnostic* d : a.compilation->diagnostics.sorted())
    result.push_back(diagnostic(a, *d));
  return result;
}

Json diagnosticsIn(const Analysis& a, FileId file) {
  Json result = Json::array();
  for (const Diagnostic* d : a.compilation->diagnostics.sorted()) {
    if (d->range.valid() && d->range.file == file)
      result.push_back(toLsp(a, *d, d->range, fullMessage(*d), Json::array()));
  }
  return result;
}

bool isLibrary(const Analysis& a) {
  const ast::Module* module = a.module(a.root);
  if (module == nullptr || module->items.empty()) return false;
  return std::none_of(module->items.begin(), module->items.end(),
                      [](const ast::TopItem& item) { return item.journey != nullptr; });
}

}  // namespace journey::lsp

#include <optional>
#include <string_view>
#include <utility>

#include "lsp/features.h"

namespace journey::lsp {
namespace {

void foldTarget(const Analysis& a, const ast::Target* target, Json& out);

void fold(const Analysis& a, SourceRange range, Json& out, const char* kind = nullptr) {
  if (!range.valid() || range.end <= range.begin) return;
  const LineIndex& lines = a.lineIndex(range.file);
  std::uint32_t start = lines.position(range.begin).line;
  std::uint32_t end = lines.position(range.end - 1).line;
  if (end <= start) return;
  // Keep the closing line visible when it holds only the closing brace.
  std::string_view closing =
      lines.text().substr(lines.lineStart(end), lines.lineEnd(end) - lines.lineStart(end));
  auto first = closing.find_first_not_of(" \t");
  if (first != std::string_view::npos && closing[first] == '}' && end - 1 > start) --end;
  Json item = {{"startLine", start}, {"endLine", end}};
  if (kind != nullptr) item["kind"] = kind;
  out.push_back(std::move(item));
}

void foldTarget(const Analysis& a, const ast::Target* target, Json& out) {
  if (target == nullptr || !target->isBlock) return;
  fold(a, target->range, out);
  for (const auto& branch : target->branches)
    foldTarget(a, branch.target.get(), out);
}

void foldDecl(const Analysis& a, const ast::Decl& decl, Json& out) {
  fold(a, decl.range, out);
  switch (decl.kind) {
    case ast::DeclKind::Entry:
      foldTarget(a, &ast::as<ast::EntryDecl>(decl).target, out);
      break;
    case ast::DeclKind::Stage:
      for (const auto& item : ast::as<ast::StageDecl>(decl).items) {
        foldTarget(a, item.target.get(), out);
        if (item.touchpoint) fold(a, item.touchpoint->range, out);
      }
      break;
    case ast::DeclKind::Rule:
      for (const auto& item : ast::as<ast::RuleDecl>(decl).items)
        foldTarget(a, item.target.get(), out);
      break;
    default:
      break;
  }
}

}  // namespace

Json foldingRanges(const Analysis& a) {
  Json out = Json::array();
  const ast::Module* module = a.module(a.root);
  if (module == nullptr) return out;
  for (const auto& item : module->items) {
    if (item.journey) {
      fold(a, item.journey->range, out);
      for (const auto& decl : item.journey->decls)
        foldDecl(a, *decl, out);
    }
    if (item.decl) foldDecl(a, *item.decl, out);
  }
  // Block comments, and runs of line comments on consecutive lines.
  const LineIndex& lines = a.lineIndex(a.root);
  std::optional<std::pair<std::uint32_t, std::uint32_t>> run;
  auto flush = [&] {
    if (run && run->second > run->first)
      out.push_back({{"startLine", run->first}, {"endLine", run->second}, {"kind", "comment"}});
    run.reset();
  };
  for (const auto& comment : module->comments) {
    std::uint32_t start = lines.position(comment.range.begin).line;
    std::uint32_t end =
        lines
            .position(comment.range.end > comment.range.begin ? comment.range.end - 1
                                                              : comment.range.end)
            .line;
    if (comment.text.rfind("/*", 0) == 0) {
      flush();
      if (end > start) out.push_back({{"startLine", start}, {"endLine", end}, {"kind", "comment"}});
      continue;
    }
    if (run && start == run->second + 1) {
      run->second = start;
    } else {
      flush();
      run = {start, start};
    }
  }
  flush();
  if (module->uses.size() >= 2) {
    std::uint32_t start = lines.position(module->uses.front().range.begin).line;
    std::uint32_t end = lines.position(module->uses.back().range.begin).line;
    if (end > start) out.push_back({{"startLine", start}, {"endLine", end}, {"kind", "imports"}});
  }
  return out;
}

}  // namespace journey::lsp

#include "compiler/diagnostics/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace journey {

const std::vector<DiagnosticInfo>& allDiagnosticKinds() {
  static const std::vector<DiagnosticInfo> kinds = {
#define JOURNEY_DIAGNOSTIC(name, code, severity, summary) \
  {DiagnosticKind::name, code, Severity::severity, summary},
#include "compiler/diagnostics/kinds.def"
#undef JOURNEY_DIAGNOSTIC
  };
  return kinds;
}

const DiagnosticInfo& diagnosticInfo(DiagnosticKind kind) {
  return allDiagnosticKinds()[static_cast<std::size_t>(kind)];
}

std::optional<DiagnosticKind> diagnosticKindFromCode(std::string_view code) {
  for (const auto& info : allDiagnosticKinds()) {
    if (info.code == code) return info.kind;
  }
  return std::nullopt;
}

std::string_view severityName(Severity severity) {
  switch (severity) {
    case Severity::Note:
      return "note";
    case Severity::Warning:
      return "warning";
    case Severity::Error:
      return "error";
  }
  return "error";
}

Diagnostic& DiagnosticSink::report(DiagnosticKind kind, SourceRange range, std::string message) {
  Severity severity = diagnosticInfo(kind).severity;
  if (severity == Severity::Error) ++errors_;
  if (severity == Severity::Warning) ++warnings_;
  return diagnostics_.emplace_back(
      Diagnostic{kind, severity, range, std::move(message), {}, {}, {}, {}, {}});
}

std::vector<const Diagnostic*> DiagnosticSink::sorted() const {
  std::vector<const Diagnostic*> result;
  result.reserve(diagnostics_.size());
  for (const auto& diagnostic : diagnostics_)
    result.push_back(&diagnostic);
  std::stable_sort(result.begin(), result.end(), [](const Diagnostic* a, const Diagnostic* b) {
    return std::tie(a->range.file, a->range.begin, a->range.end, a->message) <
           std::tie(b->range.file, b->range.begin, b->range.end, b->message);
  });
  return result;
}

namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
// transpositions (`emial` -> `email` is one edit), ignoring case.
std::size_t editDistance(std::string_view a, std::string_view b) {
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> closestName(std::string_view name,
                                       const std::vector<std::string_view>& candidates) {
  // A third of the name's length, at least 1 and at most 3 edits, like rustc's heuristic.
  std::size_t limit = std::clamp<std::size_t>(name.size() / 3, 1, 3);
  std::optional<std::string> best;
  std::size_t bestDistance = limit + 1;
  for (auto candidate : candidates) {
    if (candidate == name) continue;
    // Cheap length filter first: edit distance is at least the length difference.
    std::size_t lengthGap = candidate.size() > name.size() ? candidate.size() - name.size()
                                                           : name.size() - candidate.size();
    if (lengthGap >= bestDistance) continue;
    std::size_t distance = editDistance(name, candidate);
    if (distance < bestDistance || (distance == bestDistance && best && candidate < *best)) {
      bestDistance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

}  // namespace journey

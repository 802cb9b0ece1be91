#include "compiler/driver/machine.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "compiler/lower/lower.h"
#include "compiler/parse/parse.h"
#include "runtime/verify.h"

namespace journey {

std::optional<rt::Machine> buildMachine(Compilation& compilation,
                                        const std::vector<std::string>& overrides) {
  if (compilation.journey == nullptr || compilation.diagnostics.hasErrors()) return std::nullopt;
  lower::LowerOptions options;
  // The override expressions must outlive the analysis that reads them.
  std::vector<ast::ExprPtr> values;
  bool ok = true;
  for (const std::string& text : overrides) {
    auto equals = text.find('=');
    std::string name = text.substr(0, equals);
    std::string value = equals == std::string::npos ? std::string() : text.substr(equals + 1);
    if (equals == std::string::npos || name.empty() || value.empty()) {
      FileId file = compilation.sources.add("--set", text);
      Diagnostic& d = compilation.diagnostics.report(
          DiagnosticKind::InvalidValue,
          SourceRange{file, 0, static_cast<std::uint32_t>(text.size())},
          fmt::format("`--set {}` needs the form NAME=VALUE", text));
      d.help = "for example `--set renewal_discount=15%`";
      ok = false;
      continue;
    }
    // The value is a pseudo-file named after the option, so messages point into it.
    FileId file = compilation.sources.add(fmt::format("--set {}", name), value);
    ast::ExprPtr expr =
        parse::parseExpression(compilation.sources.file(file), compilation.diagnostics);
    if (expr == nullptr) {
      ok = false;
      continue;
    }
    auto folded = sema::checkOverride(*compilation.journey, name, *expr, compilation.diagnostics);
    if (!folded) {
      ok = false;
      continue;
    }
    lower::ParamOverride override;
    override.name = name;
    override.value = *folded;
    override.text = value;
    if (expr->kind == ast::ExprKind::Literal)
      override.stringValue = ast::as<ast::LiteralExpr>(*expr).stringValue;
    for (auto& existing : options.overrides) {
      if (existing.name == name) existing = override;  // the last one wins, as on most CLIs
    }
    if (std::none_of(options.overrides.begin(), options.overrides.end(),
                     [&](const auto& o) { return o.name == name; }))
      options.overrides.push_back(std::move(override));
    values.push_back(std::move(expr));
  }
  if (!ok) return std::nullopt;
  rt::Machine machine = lower::lower(*compilation.journey, compilation.sources, options);
  if (options.overrides.empty()) return machine;
  // The spec's own values were checked where they are used; an override is checked against its
  // param's type only, so a value the machine cannot run with (a cap over its limit) shows here.
  auto problems = rt::verify(machine);
  if (problems.empty()) return machine;
  std::string given = fmt::format("--set {}", fmt::join(overrides, " --set "));
  FileId file = compilation.sources.add("command line", given);
  Diagnostic& d = compilation.diagnostics.report(
      DiagnosticKind::InvalidValue, SourceRange{file, 0, static_cast<std::uint32_t>(given.size())},
      fmt::format("with the `--set` values given the journey cannot run: {}", problems.front()));
  d.help =
      "give the params values that their uses allow (`journey check` shows the limits with "
      "the values written in the spec)";
  return std::nullopt;
}

std::string machineFilePath(const std::string& spec) {
  std::string path = spec;
  auto extension = path.rfind(".journey");
  if (extension != std::string::npos && extension + 8 == path.size()) path.resize(extension);
  return path + ".jm";
}

}  // namespace journey

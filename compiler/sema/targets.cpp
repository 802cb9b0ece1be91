// Where customers go: single stages and branch blocks, by probability or by condition.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "compiler/sema/analyzer.h"
#include "compiler/sema/types.h"

namespace journey::sema {

using ast::TypeKind;

void Analyzer::checkTargetStage(const ast::Identifier& id, TargetUse use) {
  const Symbol* symbol = resolve(id, bit(NameKind::Stage), "stage");
  if (symbol == nullptr || symbol->decl == nullptr || use != TargetUse::Entry) return;
  const auto& stage = ast::as<ast::StageDecl>(*symbol->decl);
  if (stage.stageKind == ast::StageKind::Ordinary) return;
  Diagnostic& d =
      report(DiagnosticKind::EntryNotOrdinary, id.range,
             fmt::format("customers cannot enter at `{}`, {}", id.text, describe(*symbol)));
  d.labels.push_back({symbol->range, fmt::format("`{}` is declared here", id.text)});
  d.help = "the entry must be an ordinary `stage`";
}

void Analyzer::checkProbability(const Folded& value, const ast::Expr* expr) {
  if (!value.ok() || !value.constant || expr == nullptr) return;
  if (value.value >= 0 && value.value <= 1 + kSumTolerance) return;
  reportProbabilityOutOfRange(expr, value.value);
}

Diagnostic& Analyzer::reportProbabilityOutOfRange(const ast::Expr* expr, double value) {
  if (isNumberLiteral(expr) && value > 1 && value <= 100) {
    // A bare number is a fraction, so `55` reads as 5500%: meant as a percentage.
    const auto& text = ast::as<ast::LiteralExpr>(*expr).text;
    Diagnostic& d = report(
        DiagnosticKind::ProbabilityOutOfRange, expr->range,
        fmt::format("a probability is a fraction (0 to 1) or a percentage, found `{}`", text));
    d.help = fmt::format("write `{0}%` for a {0}% chance", text);
    d.fix = Fix{expr->range, text + "%"};
    return d;
  }
  Diagnostic& d = report(DiagnosticKind::ProbabilityOutOfRange, expr->range,
                         fmt::format("probability {} is {}", formatPercent(value),
                                     value < 0 ? "below 0%" : "above 100%"));
  d.help = "probabilities are between 0% and 100%";
  return d;
}

void Analyzer::checkTarget(ast::Target* target, const Place& place, TargetUse use) {
  if (target == nullptr) return;
  if (!target->isBlock) {
    checkTargetStage(target->stage, use);
    return;
  }
  auto& branches = target->branches;
  if (branches.empty()) {
    report(DiagnosticKind::EmptyBranches, target->range, "branch block has no branches").help =
        "name one stage, or list branches: `{ A 70%, B otherwise }` or `{ if c -> A else -> B }`";
    return;
  }
  auto probabilistic = [](ast::BranchKind kind) {
    return kind == ast::BranchKind::Chance || kind == ast::BranchKind::Otherwise;
  };
  bool byChance = probabilistic(branches.front().kind);
  bool mixed = false;
  for (const auto& branch : branches) {
    if (probabilistic(branch.kind) == byChance) continue;
    Diagnostic& d = report(DiagnosticKind::MixedBranches, branch.range,
                           byChance ? "condition branch in a block of probability branches"
                                    : "probability branch in a block of condition branches");
    d.labels.push_back({branches.front().range, byChance
                                                    ? "the block picks by probability from here"
                                                    : "the block picks by condition from here"});
    d.help =
        "a block picks either by probability or by condition; nest one block inside a branch of "
        "the other";
    mixed = true;
    break;
  }
  const ast::Branch* catchAll = nullptr;
  for (std::size_t i = 0; i < branches.size(); ++i) {
    const auto& branch = branches[i];
    if (branch.kind != ast::BranchKind::Otherwise && branch.kind != ast::BranchKind::Else) continue;
    std::string_view keyword = branch.kind == ast::BranchKind::Else ? "else" : "otherwise";
    if (catchAll != nullptr) {
      Diagnostic& d = report(DiagnosticKind::MisplacedElse, branch.range,
                             fmt::format("a second `{}` branch", keyword));
      d.labels.push_back({catchAll->range, "the first one is here"});
      d.help = fmt::format("a block has at most one `{}`", keyword);
      continue;
    }
    catchAll = &branch;
    bool followed = std::any_of(branches.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                branches.end(), [](const ast::Branch& next) {
                                  return next.kind != ast::BranchKind::Otherwise &&
                                         next.kind != ast::BranchKind::Else;
                                });
    if (followed) {
      report(DiagnosticKind::MisplacedElse, branch.range,
             fmt::format("`{}` is not the last branch", keyword))
          .help = "move it to the end of the block: it takes the customers no other branch took";
    }
  }

  Place inner = place;
  inner.sampling = false;
  bool bad = false;
  bool hasOtherwise = false;
  const ast::Expr* computed = nullptr;
  double sum = 0;
  for (auto& branch : branches) {
    switch (branch.kind) {
      case ast::BranchKind::Chance: {
        checkTargetStage(branch.stage, use);
        Folded value = checkExpected(branch.value.get(), inner, TypeKind::Number);
        if (!value.ok()) {
          bad = true;
        } else if (!value.constant) {
          if (computed == nullptr) computed = branch.value.get();
        } else if (value.value < 0 || value.value > 1 + kSumTolerance) {
          checkProbability(value, branch.value.get());
          bad = true;
        } else {
          sum += value.value;
        }
        break;
      }
      case ast::BranchKind::Otherwise:
        checkTargetStage(branch.stage, use);
        hasOtherwise = true;
        break;
      case ast::BranchKind::If:
        checkExpected(branch.value.get(), inner, TypeKind::Bool);
        checkTarget(branch.target.get(), place, use);
        break;
      case ast::BranchKind::Else:
        checkTarget(branch.target.get(), place, use);
        break;
    }
  }
  if (mixed || !byChance || bad) return;
  if (computed != nullptr) {
    if (!hasOtherwise) {
      report(DiagnosticKind::MissingRemainder, computed->range,
             "this probability is computed, but the block has no `otherwise` branch")
          .help =
          "add a last branch `Stage otherwise` for the customers the computed probabilities leave";
    }
    return;
  }
  if (!hasOtherwise && std::fabs(sum - 1) > kSumTolerance) {
    Diagnostic& d =
        report(DiagnosticKind::BranchSum, target->range,
               fmt::format("branch probabilities add up to {}, not 100%", formatPercent(sum)));
    d.help = sum < 1 ? fmt::format("give the remaining {} to a stage with `Stage otherwise`",
                                   formatPercent(1 - sum))
                     : "lower the probabilities so that they add up to 100%";
  } else if (hasOtherwise && sum > 1 + kSumTolerance) {
    report(DiagnosticKind::BranchSum, target->range,
           fmt::format("branch probabilities add up to {}, more than 100%", formatPercent(sum)))
        .help = "`otherwise` takes what is left, so the other branches must add up to at most 100%";
  }
}

}  // namespace journey::sema

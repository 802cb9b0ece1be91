// Files and the gathering of declarations: which file holds the journey, settings outside it,
// and every declaration in order, libraries first.
#include <fmt/format.h>

#include <cctype>

#include "compiler/sema/analyzer.h"

namespace journey::sema {

namespace {

bool isIdentifier(std::string_view text) {
  if (text.empty()) return true;  // empty names are skipped where they are used
  auto c = static_cast<unsigned char>(text.front());
  return std::isalpha(c) != 0 || c == '_';
}

}  // namespace

void Analyzer::collect(const std::vector<ast::Module*>& modules) {
  ast::Module* root = modules.front();
  std::vector<ast::Module*> order = orderFiles(modules);
  reserveNamespace(order);
  rootHasSyntaxErrors_ = root->hasSyntaxErrors;
  findJourney(*root);
  for (auto* module : order)
    collectModule(*module, module == root);
}

std::vector<ast::Module*> Analyzer::orderFiles(const std::vector<ast::Module*>& modules) {
  std::vector<ast::Module*> order;
  for (std::size_t i = 1; i < modules.size(); ++i) {
    if (modules[i] != nullptr) order.push_back(modules[i]);
  }
  order.push_back(modules.front());
  for (std::size_t rank = 0; rank < order.size(); ++rank)
    fileRank_.emplace(order[rank]->file, rank);
  return order;
}

void Analyzer::reserveNamespace(const std::vector<ast::Module*>& order) {
  // Every item may declare a name (stages also their touchpoints).
  std::size_t estimate = builtinChannels().size();
  for (const auto* module : order) {
    for (const auto& item : module->items)
      estimate += item.journey ? item.journey->decls.size() * 2 : 2;
  }
  names_.reserve(estimate);
  if (out_ != nullptr) out_->constants.reserve(estimate * 2);
}

void Analyzer::findJourney(const ast::Module& root) {
  for (const auto& item : root.items) {
    if (!item.journey) continue;
    if (journey_ == nullptr) {
      journey_ = item.journey.get();
      continue;
    }
    const auto& second = *item.journey;
    SourceRange where =
        second.name.text.empty() ? keywordRange(second.range, "journey") : second.name.range;
    Diagnostic& d =
        report(DiagnosticKind::MultipleJourneys, where,
               second.name.text.empty()
                   ? std::string("a second `journey` block in one file")
                   : fmt::format("a second `journey` block, `{}`, in one file", second.name.text));
    d.labels.push_back({journey_->name.text.empty() ? keywordRange(journey_->range, "journey")
                                                    : journey_->name.range,
                        "the file's journey is declared here"});
    d.help = "put each journey in its own file; share declarations between them with `use`";
  }
  if (journey_ != nullptr) {
    journeyRange_ = journey_->name.text.empty() ? keywordRange(journey_->range, "journey")
                                                : journey_->name.range;
  } else {
    journeyRange_ = SourceRange{root.file, 0, 0};
    // Point at the first declaration: that is where the `journey` block would begin.
    for (const auto& item : root.items) {
      if (!item.decl) continue;
      journeyRange_ = SourceRange{root.file, item.decl->range.begin, item.decl->range.begin};
      if (ast::isNamed(item.decl->kind)) {
        const auto& named = static_cast<const ast::NamedDecl&>(*item.decl);
        if (!named.name.text.empty()) journeyRange_ = named.name.range;
      }
      break;
    }
    if (!root.hasSyntaxErrors) {
      report(DiagnosticKind::MissingJourney, journeyRange_, "this file has no `journey` block")
          .help =
          "wrap the declarations in `journey Name { ... }`; a file without one can only be `use`d";
    }
  }
  if (out_ != nullptr) out_->journey = journey_;
}

void Analyzer::collectModule(ast::Module& module, bool isRoot) {
  for (auto& item : module.items) {
    if (item.journey) {
      if (!isRoot) {
        reportJourneyInLibrary(*item.journey);
        for (auto& decl : item.journey->decls) {
          if (decl) collectDecl(*decl, false);
        }
      } else if (item.journey.get() == journey_) {
        for (auto& decl : item.journey->decls) {
          if (decl) collectDecl(*decl, true);
        }
      }
    }
    if (item.decl) {
      auto kind = item.decl->kind;
      if (kind == ast::DeclKind::Horizon || kind == ast::DeclKind::Entry ||
          kind == ast::DeclKind::Discount) {
        std::string_view keyword = kind == ast::DeclKind::Horizon ? "horizon"
                                   : kind == ast::DeclKind::Entry ? "entry"
                                                                  : "discount";
        report(DiagnosticKind::SettingOutsideJourney, keywordRange(item.decl->range, keyword),
               fmt::format("`{}` outside a `journey` block", keyword))
            .help = isRoot ? fmt::format("move `{}` into the `journey` block", keyword)
                           : fmt::format("set `{}` in the journey that `use`s this file", keyword);
        continue;
      }
      collectDecl(*item.decl, false);
    }
  }
}

void Analyzer::reportJourneyInLibrary(const ast::JourneyBlock& block) {
  SourceRange where =
      block.name.text.empty() ? keywordRange(block.range, "journey") : block.name.range;
  report(DiagnosticKind::JourneyInLibrary, where,
         block.name.text.empty()
             ? std::string("a file brought in by `use` declares a journey")
             : fmt::format("a file brought in by `use` declares journey `{}`", block.name.text))
      .help =
      "a `use`d file holds bare declarations: remove the `journey { }` around them, with its "
      "`horizon` and `entry`";
}

void Analyzer::collectDecl(ast::Decl& decl, bool inJourney) {
  // Error recovery can leave a declaration named by a stray token (`persona ==`): the syntax
  // error was reported; the declaration is not one the user wrote.
  if (ast::isNamed(decl.kind) &&
      !isIdentifier(static_cast<const ast::NamedDecl&>(decl).name.text)) {
    return;
  }
  switch (decl.kind) {
    case ast::DeclKind::Horizon:
      if (inJourney) horizons_.push_back(&ast::as<ast::HorizonDecl>(decl));
      break;
    case ast::DeclKind::Entry:
      if (inJourney) entries_.push_back(&ast::as<ast::EntryDecl>(decl));
      break;
    case ast::DeclKind::Param: {
      auto& param = ast::as<ast::ValueDecl>(decl);
      params_.push_back(&param);
      declare(param, NameKind::Param);
      break;
    }
    case ast::DeclKind::Var: {
      auto& var = ast::as<ast::ValueDecl>(decl);
      vars_.push_back(&var);
      declare(var, NameKind::Var);
      break;
    }
    case ast::DeclKind::Channel: {
      auto& channel = ast::as<ast::ChannelDecl>(decl);
      channels_.push_back(&channel);
      declare(channel, NameKind::Channel);
      break;
    }
    case ast::DeclKind::Persona: {
      auto& persona = ast::as<ast::PersonaDecl>(decl);
      personas_.push_back(&persona);
      declare(persona, NameKind::Persona);
      break;
    }
    case ast::DeclKind::Stage: {
      auto& stage = ast::as<ast::StageDecl>(decl);
      stages_.push_back(&stage);
      declare(stage, NameKind::Stage);
      for (auto& item : stage.items) {
        if (item.kind != ast::StageItemKind::Touchpoint || !item.touchpoint) continue;
        touchpoints_.push_back(item.touchpoint.get());
        declare(*item.touchpoint, NameKind::Touchpoint);
      }
      break;
    }
    case ast::DeclKind::Touchpoint: {
      auto& touchpoint = ast::as<ast::TouchpointDecl>(decl);
      touchpoints_.push_back(&touchpoint);
      declare(touchpoint, NameKind::Touchpoint);
      break;
    }
    case ast::DeclKind::Event: {
      auto& event = ast::as<ast::EventDecl>(decl);
      events_.push_back(&event);
      declare(event, NameKind::Event);
      break;
    }
    case ast::DeclKind::Rule: {
      auto& rule = ast::as<ast::RuleDecl>(decl);
      rules_.push_back(&rule);
      declare(rule, NameKind::Rule);
      break;
    }
    case ast::DeclKind::Kpi: {
      auto& kpi = ast::as<ast::KpiDecl>(decl);
      kpis_.push_back(&kpi);
      declare(kpi, NameKind::Kpi);
      break;
    }
    case ast::DeclKind::Discount:
      if (inJourney) discounts_.push_back(&ast::as<ast::DiscountDecl>(decl));
      break;
  }
}

}  // namespace journey::sema

// `split-gap` and `split-overlap`: conditional branch blocks whose conditions all compare one
// value with constants, checked by the sets of values each condition covers.
#include <fmt/format.h>

#include <set>
#include <unordered_map>

#include "compiler/checks/rules.h"

namespace journey::checks {
namespace {

const ast::Expr* findKeyed(const ast::Expr* expr, const std::string& key) {
  if (expr == nullptr) return nullptr;
  if (auto k = valueKey(*expr); k && *k == key) return expr;
  switch (expr->kind) {
    case ast::ExprKind::Unary:
      return findKeyed(ast::as<ast::UnaryExpr>(*expr).operand.get(), key);
    case ast::ExprKind::Binary: {
      const auto& binary = ast::as<ast::BinaryExpr>(*expr);
      const ast::Expr* found = findKeyed(binary.lhs.get(), key);
      return found != nullptr ? found : findKeyed(binary.rhs.get(), key);
    }
    default:
      return nullptr;
  }
}

using Constraints = std::map<std::string, ValueSet>;

void constrain(Constraints& constraints, const std::string& key, const ValueSet& set) {
  auto it = constraints.find(key);
  if (it == constraints.end()) {
    constraints.emplace(key, set);
  } else {
    it->second = intersect(it->second, set);
  }
}

class SplitChecker {
 public:
  SplitChecker(const sema::CheckedJourney& journey, const Evaluator& evaluator,
               DiagnosticSink& sink)
      : journey_(journey), evaluator_(evaluator), sink_(sink) {
    for (std::size_t i = 0; i < journey.personas.size(); ++i)
      personaIndex_[journey.personas[i]->name.text] = i;
  }

  void run() {
    std::vector<std::size_t> everyone;
    for (std::size_t p = 0; p < journey_.personas.size(); ++p)
      everyone.push_back(p);
    if (journey_.entry != nullptr) {
      Place place{everyone, {}, nullptr, true, "are not followed: they count as unrouted at entry"};
      checkTarget(journey_.entry->target, place);
    }
    for (const auto* stage : journey_.stages)
      checkStage(*stage);
    for (const auto* rule : journey_.rules)
      checkRule(*rule, everyone);
  }

 private:
  struct Place {
    std::vector<std::size_t> personas;
    Constraints constraints;
    const std::vector<ast::Identifier>* stages = nullptr;
    bool atEntry = false;
    /// What happens to customers no branch takes.
    const char* unrouted = "";
    /// A stage's transition: the fix for a gap sends the customers no branch takes to an exit.
    bool transition = false;
  };

  const ast::StageDecl* firstExit() const {
    for (const auto* stage : journey_.stages) {
      if (stage->stageKind == ast::StageKind::Exit) return stage;
    }
    return nullptr;
  }

  std::vector<std::size_t> personasOf(const std::vector<ast::Identifier>& names) const {
    std::vector<std::size_t> result;
    for (const auto& name : names) {
      if (auto it = personaIndex_.find(name.text); it != personaIndex_.end())
        result.push_back(it->second);
    }
    return result;
  }

  void checkStage(const ast::StageDecl& stage) {
    std::vector<ast::Identifier> here{stage.name};
    for (const auto& item : stage.items) {
      if ((item.kind != ast::StageItemKind::After && item.kind != ast::StageItemKind::On) ||
          !item.target)
        continue;
      std::vector<std::size_t> personas;
      if (!item.personas.empty()) {
        personas = personasOf(item.personas);
      } else {
        // The default applies to personas without an override of their own.
        for (std::size_t p = 0; p < journey_.personas.size(); ++p) {
          bool overridden = false;
          for (const auto& other : stage.items) {
            if (other.kind != item.kind || other.personas.empty()) continue;
            if (item.kind == ast::StageItemKind::On && other.event.text != item.event.text)
              continue;
            for (const auto& name : other.personas)
              overridden |= name.text == journey_.personas[p]->name.text;
          }
          if (!overridden) personas.push_back(p);
        }
      }
      Place place{personas, {}, &here, false, "stay in the stage: the transition does nothing",
                  true};
      checkTarget(*item.target, place);
    }
  }

  static bool isMutable(const sema::CheckedJourney& journey, const std::string& key) {
    return journey.attribute(key) == nullptr && journey.param(key) == nullptr &&
           key.find('.') == std::string::npos;
  }

  void checkRule(const ast::RuleDecl& rule, const std::vector<std::size_t>& everyone) {
    std::vector<std::size_t> personas = everyone;
    const std::vector<ast::Identifier>* stages = nullptr;
    const ast::Expr* ifCondition = nullptr;
    const ast::Expr* triggerCondition = nullptr;
    for (const auto& item : rule.items) {
      if (item.kind == ast::RuleItemKind::For) personas = personasOf(item.names);
      if (item.kind == ast::RuleItemKind::In) stages = &item.names;
      if (item.kind == ast::RuleItemKind::If) ifCondition = item.value.get();
      if (item.kind == ast::RuleItemKind::On && item.trigger &&
          item.trigger->kind == ast::TriggerKind::Expr && item.trigger->value &&
          item.trigger->value->type.kind == ast::TypeKind::Bool) {
        triggerCondition = item.trigger->value.get();
      }
    }
    if (personas.empty()) return;
    EvalContext context;
    context.persona = personas.front();
    // What the rule's trigger condition and `if` establish, as long as the actions before the
    // move do not change it (a `wait` re-checks the `if`, not the trigger).
    std::optional<std::pair<std::string, ValueSet>> fromIf;
    std::optional<std::pair<std::string, ValueSet>> fromTrigger;
    if (ifCondition != nullptr) fromIf = evaluator_.conditionSet(*ifCondition, context);
    if (triggerCondition != nullptr)
      fromTrigger = evaluator_.conditionSet(*triggerCondition, context);
    bool sent = false;
    bool waited = false;
    std::set<std::string> assigned;
    auto valid = [&](const std::optional<std::pair<std::string, ValueSet>>& fact,
                     bool fromTriggerSide) {
      if (!fact) return false;
      const std::string& key = fact->first;
      if (!isMutable(journey_, key)) return true;
      if (fromTriggerSide && waited) return false;
      if (sent && (key == "emotion" || key == "cost" || key.rfind("received(", 0) == 0))
        return false;
      return assigned.count(key) == 0;
    };
    for (const auto& item : rule.items) {
      if (item.kind == ast::RuleItemKind::Send) sent = true;
      if (item.kind == ast::RuleItemKind::Wait || item.kind == ast::RuleItemKind::WaitFor)
        waited = true;
      if (item.kind == ast::RuleItemKind::Set) assigned.insert(item.name.text);
      if (item.kind != ast::RuleItemKind::Move || !item.target) continue;
      Place place{personas, {}, stages, false, "stay where they are: the `move` does nothing"};
      if (valid(fromIf, false)) constrain(place.constraints, fromIf->first, fromIf->second);
      if (valid(fromTrigger, true))
        constrain(place.constraints, fromTrigger->first, fromTrigger->second);
      checkTarget(*item.target, place);
    }
  }

  EvalContext contextFor(const Place& place, std::size_t persona) const {
    EvalContext context;
    context.persona = persona;
    context.stages = place.stages;
    context.atEntry = place.atEntry;
    context.constraints = place.constraints;
    return context;
  }

  void checkTarget(const ast::Target& target, const Place& place) {
    if (!target.isBlock || target.branches.empty() || place.personas.empty()) return;
    if (target.branches.front().kind != ast::BranchKind::If) return;
    EvalContext first = contextFor(place, place.personas.front());
    // The set each `if` condition covers, when it is about one value.
    std::vector<std::optional<std::pair<std::string, ValueSet>>> sets;
    const ast::Branch* elseBranch = nullptr;
    for (const auto& branch : target.branches) {
      if (branch.kind == ast::BranchKind::If && branch.value) {
        sets.push_back(evaluator_.conditionSet(*branch.value, first));
      } else if (branch.kind == ast::BranchKind::Else) {
        elseBranch = &branch;
      } else {
        sets.push_back(std::nullopt);
      }
    }
    bool sameKey = !sets.empty();
    for (const auto& set : sets)
      sameKey = sameKey && set && set->first == sets.front()->first;
    if (sameKey) checkBlock(target, place, sets, elseBranch != nullptr);
    // Branches see what earlier conditions ruled out and their own condition established.
    for (std::size_t i = 0; i < target.branches.size(); ++i) {
      const ast::Branch& branch = target.branches[i];
      if (!branch.target) continue;
      Place inner = place;
      for (std::size_t j = 0; j < i && j < sets.size(); ++j) {
        if (sets[j]) constrain(inner.constraints, sets[j]->first, complement(sets[j]->second));
      }
      if (i < sets.size() && sets[i]) constrain(inner.constraints, sets[i]->first, sets[i]->second);
      checkTarget(*branch.target, inner);
    }
  }

  void checkBlock(const ast::Target& target, const Place& place,
                  const std::vector<std::optional<std::pair<std::string, ValueSet>>>& sets,
                  bool hasElse) {
    const std::string& key = sets.front()->first;
    const ast::Expr* keyed = findKeyed(target.branches.front().value.get(), key);
    if (keyed == nullptr) return;
    ast::TypeKind type = keyed->type.kind;
    std::vector<ValueSet> domains;
    for (auto p : place.personas)
      domains.push_back(evaluator_.valueOf(*keyed, contextFor(place, p)));
    if (!hasElse) {
      ValueSet covered = ValueSet::none();
      for (const auto& set : sets)
        covered = unite(covered, set->second);
      for (std::size_t i = 0; i < domains.size(); ++i) {
        const ValueSet& domain = domains[i];
        // A string of unknown values has no example to show.
        if (domain.isString && domain.complemented) continue;
        ValueSet left = intersect(domain, complement(covered));
        if (left.empty()) continue;
        std::string example = left.isString ? "\"" + left.strings.front() + "\""
                                            : describeValue(*left.example(), type, journey_);
        const std::string& persona = journey_.personas[place.personas[i]]->name.text;
        Diagnostic& d =
            sink_.report(DiagnosticKind::SplitGap, target.range,
                         fmt::format("no branch matches customers of `{}` with `{}` = {}", persona,
                                     key, example));
        std::string missed = describe(left, type, journey_);
        for (const char* prefix : {"always ", "one of "}) {
          if (missed.rfind(prefix, 0) == 0) missed = missed.substr(std::string_view(prefix).size());
        }
        d.notes.push_back(fmt::format("for customers of `{}`, `{}` is {}; no condition covers {}",
                                      persona, key, describe(domain, type, journey_), missed));
        d.notes.push_back(fmt::format("customers that no branch matches {} (docs/semantics.md 9.5)",
                                      place.unrouted));
        for (std::size_t b = 0; b < sets.size(); ++b) {
          const ast::Branch& branch = target.branches[b];
          d.labels.push_back({branch.value->range,
                              fmt::format("covers {}", describe(sets[b]->second, type, journey_))});
        }
        d.help = "add an `else` branch, or widen the conditions to cover every value";
        const ast::StageDecl* exit = firstExit();
        if (place.transition && exit != nullptr && !target.branches.empty()) {
          SourceRange after = target.branches.back().range;
          d.fix = Fix{{after.file, after.end, after.end}, " else -> " + exit->name.text};
        }
        break;
      }
    }
    for (std::size_t j = 1; j < sets.size(); ++j) {
      for (std::size_t i = 0; i < j; ++i) {
        bool reported = false;
        for (std::size_t k = 0; k < domains.size() && !reported; ++k) {
          ValueSet earlier = intersect(domains[k], sets[i]->second);
          ValueSet later = intersect(domains[k], sets[j]->second);
          ValueSet both = intersect(earlier, later);
          // Specific before general (`>= 50` then `>= 10`) is how tiers are written.
          if (both.empty() || subset(earlier, sets[j]->second)) continue;
          const ast::Branch& branch = target.branches[j];
          const std::string& persona = journey_.personas[place.personas[k]]->name.text;
          bool never = subset(later, sets[i]->second);
          std::string example = both.isString
                                    ? (both.complemented ? std::string("other strings")
                                                         : "\"" + both.strings.front() + "\"")
                                    : describeValue(*both.example(), type, journey_);
          Diagnostic& d =
              never ? sink_.report(DiagnosticKind::SplitOverlap, branch.value->range,
                                   fmt::format("this branch is never taken: every customer it "
                                               "matches takes an earlier branch"))
                    : sink_.report(DiagnosticKind::SplitOverlap, branch.value->range,
                                   fmt::format("customers of `{}` with `{}` = {} match this branch "
                                               "and an earlier one, "
                                               "which takes them",
                                               persona, key, example));
          d.notes.push_back(fmt::format(
              "the earlier branch covers {}, this one {}; the first branch that matches wins",
              describe(sets[i]->second, type, journey_),
              describe(sets[j]->second, type, journey_)));
          d.labels.push_back({target.branches[i].value->range, "the earlier branch"});
          d.help = never ? "remove this branch, or reorder the branches so that the narrower "
                           "condition comes first"
                         : "make the conditions exclusive, or put the narrower condition first";
          reported = true;
        }
        if (reported) break;
      }
    }
  }

  const sema::CheckedJourney& journey_;
  const Evaluator& evaluator_;
  DiagnosticSink& sink_;
  std::unordered_map<std::string, std::size_t> personaIndex_;
};

}  // namespace

void checkSplits(const sema::CheckedJourney& journey, const Evaluator& evaluator,
                 DiagnosticSink& sink) {
  SplitChecker(journey, evaluator, sink).run();
}

}  // namespace journey::checks

// Builds the journey map from a checked journey. Which moves exist for which persona comes from
// the checks' per-persona stage graphs (compiler/checks/stage_graph.h); the labels (probabilities,
// delays, conditions) come from the AST and the folded constants.
#include "compiler/map/map.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "compiler/checks/stage_graph.h"

namespace journey::map {
namespace {

bool contains(const std::vector<ast::Identifier>& list, std::string_view name) {
  for (const auto& id : list) {
    if (id.text == name) return true;
  }
  return false;
}

std::string joinNames(const std::vector<ast::Identifier>& list, std::string_view separator) {
  std::string result;
  for (const auto& id : list) {
    if (!result.empty()) result += separator;
    result += id.text;
  }
  return result;
}

std::string withoutBackticks(std::string_view text) {
  std::string result;
  for (char c : text) {
    if (c != '`') result += c;
  }
  return result;
}

bool inside(SourceRange inner, SourceRange outer) {
  return inner.valid() && inner.file == outer.file && inner.begin >= outer.begin &&
         inner.end <= outer.end;
}

std::string trimNumber(double value, int decimals) {
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0')
      text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

// Up to `limit` characters (code points are not split: only ASCII is cut), with an ellipsis.
std::string shorten(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return text.substr(0, cut) + "…";
}

constexpr double kMinute = 60;
constexpr double kHour = 3600;
constexpr double kDay = 86400;
constexpr double kYear = 365 * kDay;

class MapBuilder {
 public:
  MapBuilder(const sema::CheckedJourney& journey, const SourceManager& sources,
             const MapOptions& options)
      : journey_(journey), sources_(sources), options_(options) {}

  JourneyMap build(const std::vector<const Diagnostic*>& findings) {
    graph_ = checks::buildGraph(journey_);
    for (std::size_t s = 0; s < graph_.stages.size(); ++s)
      stageIndex_.emplace(graph_.stages[s]->name.text, s);
    for (const auto& persona : graph_.personas) {
      if (options_.persona == nullptr || persona.persona == options_.persona)
        selected_.push_back(&persona);
    }
    for (const auto* persona : selected_) {
      for (const auto& edge : persona->edges)
        moves_.insert({edge.where.file, edge.where.begin, edge.where.end, edge.to});
    }

    map_.name = journey_.journey != nullptr ? journey_.journey->name.text : "";
    map_.title = map_.name;
    if (journey_.journey != nullptr && journey_.journey->display)
      map_.title = journey_.journey->display->value;
    if (options_.persona != nullptr) map_.persona = options_.persona->name.text;
    map_.subtitle = subtitle();

    addStages();
    addEntryEdges();
    for (const auto& stage : map_.stages)
      addTransitions(*graph_.stages[stageIndex_.at(stage.name)]);
    for (const auto* rule : journey_.rules)
      addRule(*rule);
    indexPlaces();
    attachFindings(findings);
    return std::move(map_);
  }

 private:
  // --- Text of expressions -------------------------------------------------------------------

  std::string sourceText(SourceRange range) const {
    if (!range.valid() || range.file >= sources_.size()) return "";
    const std::string& text = sources_.file(range.file).text();
    if (range.end > text.size() || range.begin > range.end) return "";
    std::string result;
    bool space = false;
    for (std::size_t i = range.begin; i < range.end; ++i) {
      char c = text[i];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        space = !result.empty();
        continue;
      }
      if (space) result += ' ';
      space = false;
      result += c;
    }
    return result;
  }

  // The value of an expression the compiler can compute before running: folded constants,
  // literals, params, and arithmetic on them (distribution arguments are not folded by sema).
  std::optional<double> value(const ast::Expr* expr, int depth = 0) const {
    if (expr == nullptr || depth > 32) return std::nullopt;
    if (auto folded = journey_.constant(expr)) return folded;
    switch (expr->kind) {
      case ast::ExprKind::Literal: {
        const auto& literal = ast::as<ast::LiteralExpr>(*expr);
        if (literal.literal == ast::LiteralKind::String) return std::nullopt;
        return literal.value;
      }
      case ast::ExprKind::Name: {
        const auto& name = ast::as<ast::NameExpr>(*expr);
        if (name.symbol != ast::SymbolKind::Param || name.declaration == nullptr)
          return std::nullopt;
        return value(ast::as<ast::ValueDecl>(*name.declaration).value.get(), depth + 1);
      }
      case ast::ExprKind::Unary: {
        const auto& unary = ast::as<ast::UnaryExpr>(*expr);
        auto operand = value(unary.operand.get(), depth + 1);
        if (!operand || unary.op == ast::UnaryOp::Not) return std::nullopt;
        return unary.op == ast::UnaryOp::Negate ? -*operand : *operand;
      }
      case ast::ExprKind::Binary: {
        const auto& binary = ast::as<ast::BinaryExpr>(*expr);
        auto lhs = value(binary.lhs.get(), depth + 1);
        auto rhs = value(binary.rhs.get(), depth + 1);
        if (!lhs || !rhs) return std::nullopt;
        switch (binary.op) {
          case ast::BinaryOp::Add:
            return *lhs + *rhs;
          case ast::BinaryOp::Sub:
            return *lhs - *rhs;
          case ast::BinaryOp::Mul:
            return *lhs * *rhs;
          case ast::BinaryOp::Div:
            if (*rhs == 0) return std::nullopt;
            return *lhs / *rhs;
          default:
            return std::nullopt;
        }
      }
      default:
        return std::nullopt;
    }
  }

  // A value as a reader writes it: `10d`, `30%`, `12 USD`, `3`.
  std::string quantity(const ast::Expr* expr) const {
    if (expr == nullptr) return "";
    auto v = value(expr);
    if (!v) return shorten(sourceText(expr->range), 40);
    switch (expr->type.kind) {
      case ast::TypeKind::Duration:
        return formatDuration(*v);
      case ast::TypeKind::Money:
        return fmt::format("{} {}", trimNumber(*v, 2), journey_.currency);
      default:
        if (expr->kind == ast::ExprKind::Literal &&
            ast::as<ast::LiteralExpr>(*expr).literal == ast::LiteralKind::Percent) {
          return formatPercent(*v);
        }
        return trimNumber(*v, 2);
    }
  }

  static const ast::Expr* argument(const ast::CallExpr& call, std::size_t position,
                                   std::string_view name) {
    std::size_t index = 0;
    for (const auto& argument : call.arguments) {
      if (argument.name) {
        if (argument.name->text == name) return argument.value.get();
        continue;
      }
      if (index++ == position) return argument.value.get();
    }
    return nullptr;
  }

  // A delay as a planner reads it: `21d`, `exp 10d`, `lognormal median 10d`, `gamma mean 10d`.
  std::string delay(const ast::Expr* expr) const {
    if (expr == nullptr) return "";
    if (!expr->type.sampled) {
      if (auto v = value(expr)) return formatDuration(*v);
    }
    if (expr->kind == ast::ExprKind::Call) {
      const auto& call = ast::as<ast::CallExpr>(*expr);
      const std::string& f = call.callee.text;
      if (f == "exponential") {
        if (const auto* mean = argument(call, 0, "mean")) return "exp " + quantity(mean);
      } else if (f == "lognormal") {
        if (const auto* median = argument(call, 0, "median"))
          return "lognormal median " + quantity(median);
      } else if (f == "gamma" || f == "weibull") {
        auto shape = value(argument(call, 0, "shape"));
        auto scale = value(argument(call, 1, "scale"));
        if (shape && scale && *shape > 0) {
          double mean = f == "gamma" ? *shape * *scale : *scale * std::tgamma(1 + 1 / *shape);
          return f + " mean " + formatDuration(mean);
        }
      } else if (f == "uniform") {
        const auto* lo = argument(call, 0, "min");
        const auto* hi = argument(call, 1, "max");
        if (lo != nullptr && hi != nullptr) return "uniform " + quantity(lo) + "–" + quantity(hi);
      } else if (f == "normal") {
        const auto* mean = argument(call, 0, "mean");
        const auto* sd = argument(call, 1, "sd");
        if (mean != nullptr && sd != nullptr)
          return "normal " + quantity(mean) + " ± " + quantity(sd);
      } else if (f == "fixed") {
        if (const auto* v = argument(call, 0, "value")) return quantity(v);
      }
    }
    return shorten(sourceText(expr->range), 48);
  }

  std::string condition(const ast::Expr* expr) const {
    return expr == nullptr ? "" : shorten(sourceText(expr->range), 48);
  }

  // --- Stages --------------------------------------------------------------------------------

  std::string subtitle() const {
    std::vector<std::string> parts;
    if (options_.persona != nullptr) {
      std::string persona = "persona " + options_.persona->name.text;
      if (auto share = personaShare(*options_.persona))
        persona += " (" + formatPercent(*share) + ")";
      parts.push_back(persona);
    }
    if (journey_.horizon != nullptr) {
      if (auto horizon = value(journey_.horizon->value.get()))
        parts.push_back("horizon " + formatDuration(*horizon));
    }
    if (options_.persona == nullptr) {
      for (const auto* persona : journey_.personas) {
        std::string part = persona->name.text;
        if (auto share = personaShare(*persona)) part += " " + formatPercent(*share);
        parts.push_back(part);
      }
    }
    std::string result;
    for (const auto& part : parts) {
      if (!result.empty()) result += " · ";
      result += part;
    }
    return result;
  }

  std::optional<double> personaShare(const ast::PersonaDecl& persona) const {
    for (const auto& item : persona.items) {
      if (item.kind == ast::PersonaItemKind::Share) return value(item.value.get());
    }
    return std::nullopt;
  }

  Touchpoint touchpoint(const ast::TouchpointDecl& decl) const {
    Touchpoint result;
    result.name = decl.name.text;
    result.label = decl.display ? decl.display->value : decl.name.text;
    for (const auto& item : decl.items) {
      if (item.kind == ast::TouchpointItemKind::Via) result.channel = item.name.text;
      if (item.kind == ast::TouchpointItemKind::Emotion) {
        result.emotion = value(item.value.get());
        if (!result.emotion) result.emotionText = condition(item.value.get());
      }
    }
    return result;
  }

  void addStages() {
    std::size_t count = graph_.stages.size();
    std::vector<bool> reached(count, false);
    std::vector<bool> entry(count, false);
    std::vector<bool> seen(count, false);
    std::vector<std::size_t> order;
    std::deque<std::size_t> queue;
    for (const auto* persona : selected_) {
      auto reach = checks::reachableFromEntry(graph_, *persona);
      for (std::size_t s = 0; s < count; ++s)
        reached[s] = reached[s] || reach.reached[s];
      for (auto e : persona->entries) {
        entry[e] = true;
        if (!seen[e]) {
          seen[e] = true;
          queue.push_back(e);
        }
      }
    }
    // Breadth first over the union of the personas' moves, edges in the order they were
    // built (stage items in source order, then rules).
    while (!queue.empty()) {
      std::size_t stage = queue.front();
      queue.pop_front();
      order.push_back(stage);
      for (const auto* persona : selected_) {
        for (auto e : persona->outgoing[stage]) {
          std::size_t to = persona->edges[e].to;
          if (seen[to]) continue;
          seen[to] = true;
          queue.push_back(to);
        }
      }
    }
    for (std::size_t s = 0; s < count; ++s) {
      if (!seen[s]) order.push_back(s);
    }
    for (std::size_t s : order) {
      const ast::StageDecl& decl = *graph_.stages[s];
      Stage stage;
      stage.name = decl.name.text;
      stage.label = decl.display ? decl.display->value : decl.name.text;
      stage.kind = decl.stageKind;
      stage.milestone = decl.milestone;
      stage.entry = entry[s];
      stage.reached = reached[s];
      for (const auto& item : decl.items) {
        if (item.kind != ast::StageItemKind::Touchpoint || !item.touchpoint) continue;
        stage.touchpoints.push_back(touchpoint(*item.touchpoint));
        if (auto e = stage.touchpoints.back().emotion)
          stage.emotion = stage.emotion.value_or(0) + *e;
      }
      map_.stages.push_back(std::move(stage));
    }
  }

  // --- Transitions ---------------------------------------------------------------------------

  struct Leg {
    std::string stage;
    std::string label;
  };

  static std::string joinLabel(const std::string& prefix, const std::string& label) {
    if (prefix.empty()) return label;
    if (label.empty()) return prefix;
    return prefix + ": " + label;
  }

  // Every stage a target leads to, with the branch that leads there. A branch with a constant
  // 0% (or an `otherwise` left with nothing) leads nowhere.
  void legs(const ast::Target& target, const std::string& prefix, std::vector<Leg>& out) const {
    if (!target.isBlock) {
      out.push_back({target.stage.text, prefix});
      return;
    }
    double sum = 0;
    bool allConstant = true;
    for (const auto& branch : target.branches) {
      if (branch.kind != ast::BranchKind::Chance) continue;
      if (auto p = value(branch.value.get())) {
        sum += *p;
      } else {
        allConstant = false;
      }
    }
    for (const auto& branch : target.branches) {
      switch (branch.kind) {
        case ast::BranchKind::Chance: {
          auto p = value(branch.value.get());
          if (p && *p <= 0) break;
          out.push_back({branch.stage.text,
                         joinLabel(prefix, p ? formatPercent(*p) : condition(branch.value.get()))});
          break;
        }
        case ast::BranchKind::Otherwise:
          if (allConstant && 1 - sum <= 1e-12) break;
          out.push_back({branch.stage.text,
                         joinLabel(prefix, allConstant ? formatPercent(1 - sum) : "rest")});
          break;
        case ast::BranchKind::If:
          if (branch.target)
            legs(*branch.target, joinLabel(prefix, "if " + condition(branch.value.get())), out);
          break;
        case ast::BranchKind::Else:
          if (branch.target) legs(*branch.target, joinLabel(prefix, "else"), out);
          break;
      }
    }
  }

  // Whether the checks' graphs have the move made by `where` to `stage` for a chosen persona.
  bool moves(SourceRange where, const std::string& stage) const {
    auto it = stageIndex_.find(stage);
    return it != stageIndex_.end() &&
           moves_.count({where.file, where.begin, where.end, it->second}) > 0;
  }

  // One edge per stage a target leads to, with one line per branch that leads there.
  void addLegs(EdgeKind kind, const std::string& from, const std::string& trigger,
               const std::string& personas, const std::vector<Leg>& all, SourceRange where) {
    std::vector<Edge> edges;
    for (const auto& leg : all) {
      if (kind != EdgeKind::Entry && !moves(where, leg.stage)) continue;
      Edge* edge = nullptr;
      for (auto& existing : edges) {
        if (existing.to == leg.stage) edge = &existing;
      }
      if (edge == nullptr) {
        edges.push_back(Edge{kind, from, leg.stage, trigger, {}, personas, {}});
        edge = &edges.back();
      }
      if (!leg.label.empty()) edge->lines.push_back(leg.label);
    }
    for (auto& edge : edges)
      map_.edges.push_back(std::move(edge));
  }

  void addEntryEdges() {
    if (journey_.entry == nullptr) return;
    std::vector<Leg> all;
    legs(journey_.entry->target, "", all);
    addLegs(EdgeKind::Entry, "", "", "", all, {});
  }

  // Whether a stage item applies to the chosen persona: its own override, or the default
  // when the persona has none of the same kind (and the same event for `on`).
  bool applies(const ast::StageDecl& stage, const ast::StageItem& item) const {
    if (options_.persona == nullptr) return true;
    const std::string& persona = options_.persona->name.text;
    if (!item.personas.empty()) return contains(item.personas, persona);
    for (const auto& other : stage.items) {
      if (other.kind != item.kind || !contains(other.personas, persona)) continue;
      if (item.kind == ast::StageItemKind::After || other.event.text == item.event.text)
        return false;
    }
    return true;
  }

  void addTransitions(const ast::StageDecl& stage) {
    for (const auto& item : stage.items) {
      if (item.kind != ast::StageItemKind::After && item.kind != ast::StageItemKind::On) continue;
      if (!item.target || !applies(stage, item)) continue;
      std::string personas = options_.persona == nullptr ? joinNames(item.personas, ", ") : "";
      std::string trigger = item.kind == ast::StageItemKind::After
                                ? "after " + delay(item.value.get())
                                : "on " + item.event.text;
      std::vector<Leg> all;
      legs(*item.target, "", all);
      addLegs(item.kind == ast::StageItemKind::After ? EdgeKind::After : EdgeKind::OnEvent,
              stage.name.text, trigger, personas, all, item.range);
    }
  }

  // --- Rules ---------------------------------------------------------------------------------

  const ast::EventDecl* event(const ast::Expr* expr) const {
    if (expr == nullptr || expr->kind != ast::ExprKind::Name) return nullptr;
    const auto& name = ast::as<ast::NameExpr>(*expr);
    if (name.symbol != ast::SymbolKind::Event || name.declaration == nullptr) return nullptr;
    return &ast::as<ast::EventDecl>(*name.declaration);
  }

  Edge& ruleEdge(const std::string& from, const std::string& to, const std::string& trigger,
                 const ast::RuleDecl& rule) {
    auto [it, added] = ruleEdgeIndex_.try_emplace({from, to, trigger}, map_.edges.size());
    if (added) map_.edges.push_back(Edge{EdgeKind::Rule, from, to, trigger, {}, "", {}});
    ruleEdges_[&rule].push_back(it->second);
    return map_.edges[it->second];
  }

  void addTrigger(const std::string& id, const std::string& label, Trigger::Kind kind) {
    if (triggerIndex_.try_emplace(id, map_.triggers.size()).second)
      map_.triggers.push_back({id, label, kind});
  }

  void addRule(const ast::RuleDecl& rule) {
    const ast::Trigger* trigger = nullptr;
    const std::vector<ast::Identifier>* in = nullptr;
    const std::vector<ast::Identifier>* forList = nullptr;
    const ast::Expr* ifCondition = nullptr;
    std::vector<std::string> narrowed;
    for (const auto& item : rule.items) {
      if (item.kind == ast::RuleItemKind::On && item.trigger) trigger = &*item.trigger;
      if (item.kind == ast::RuleItemKind::In) in = &item.names;
      if (item.kind == ast::RuleItemKind::For) forList = &item.names;
      if (item.kind == ast::RuleItemKind::If) {
        ifCondition = item.value.get();
        checks::collectInStage(ifCondition, narrowed);
      }
    }
    if (trigger == nullptr) return;
    if (trigger->kind == ast::TriggerKind::Expr)
      checks::collectInStage(trigger->value.get(), narrowed);
    if (options_.persona != nullptr && forList != nullptr &&
        !contains(*forList, options_.persona->name.text)) {
      return;
    }

    // The rule's line: its name, for whom and when, and what it does before any move.
    std::vector<std::string> qualifiers;
    if (options_.persona == nullptr && forList != nullptr)
      qualifiers.push_back("for " + joinNames(*forList, ", "));
    if (ifCondition != nullptr) qualifiers.push_back("if " + condition(ifCondition));
    std::string name = rule.name.text;
    if (!qualifiers.empty()) {
      name += " (";
      for (std::size_t i = 0; i < qualifiers.size(); ++i)
        name += (i > 0 ? ", " : "") + qualifiers[i];
      name += ")";
    }
    std::vector<std::string> actions;
    const ast::RuleItem* move = nullptr;
    for (const auto& item : rule.items) {
      if (move != nullptr) break;
      switch (item.kind) {
        case ast::RuleItemKind::Send:
          actions.push_back("send " + item.name.text);
          break;
        case ast::RuleItemKind::Set:
          actions.push_back("set " + item.name.text);
          break;
        case ast::RuleItemKind::Wait:
          actions.push_back("wait " + delay(item.value.get()));
          break;
        case ast::RuleItemKind::WaitFor:
          actions.push_back("wait for " + item.name.text +
                            (item.value ? " within " + delay(item.value.get()) : ""));
          break;
        case ast::RuleItemKind::Stop:
          actions.push_back("stop");
          break;
        case ast::RuleItemKind::Move:
          // Moves in `leave` rules are ignored (docs/semantics.md).
          if (trigger->kind != ast::TriggerKind::Leave) move = &item;
          break;
        default:
          break;
      }
    }
    std::string actionText;
    for (const auto& action : actions)
      actionText += (actionText.empty() ? "" : ", ") + action;

    // Where the rule fires: its `in` stages, the stage of `enter`/`leave`, `in_stage(S)`,
    // else the stages of its event.
    std::vector<std::string> scope;
    const ast::EventDecl* onEvent =
        trigger->kind == ast::TriggerKind::Expr ? event(trigger->value.get()) : nullptr;
    if (in != nullptr) {
      for (const auto& id : *in)
        scope.push_back(id.text);
    } else if (trigger->kind == ast::TriggerKind::Enter ||
               trigger->kind == ast::TriggerKind::Leave) {
      scope.push_back(trigger->stage.text);
    } else if (!narrowed.empty()) {
      scope.push_back(narrowed.front());
    } else if (onEvent != nullptr) {
      for (const auto& item : onEvent->items) {
        if (item.kind != ast::EventItemKind::In) continue;
        for (const auto& id : item.names)
          scope.push_back(id.text);
      }
    }
    std::string scopeText;
    for (const auto& stage : scope)
      scopeText += (scopeText.empty() ? "" : ", ") + stage;

    // The trigger: a stage for `enter` and `leave`, else a node of its own.
    std::string from;
    std::string edgeTrigger;
    switch (trigger->kind) {
      case ast::TriggerKind::Enter:
      case ast::TriggerKind::Leave:
        from = trigger->stage.text;
        edgeTrigger = trigger->kind == ast::TriggerKind::Enter ? "on enter" : "on leave";
        break;
      case ast::TriggerKind::After:
      case ast::TriggerKind::Inactive: {
        from = "rule:" + rule.name.text;
        std::string label = (trigger->kind == ast::TriggerKind::After ? "after " : "inactive ") +
                            delay(trigger->value.get());
        if (!scopeText.empty()) label += " in " + scopeText;
        addTrigger(from, label, Trigger::Kind::Time);
        break;
      }
      case ast::TriggerKind::Expr:
        if (onEvent != nullptr) {
          from = "event:" + onEvent->name.text;
          addTrigger(from, onEvent->name.text, Trigger::Kind::Event);
        } else {
          from = "rule:" + rule.name.text;
          addTrigger(from, "when " + condition(trigger->value.get()), Trigger::Kind::Condition);
        }
        break;
    }

    if (move != nullptr && move->target) {
      std::vector<Leg> all;
      legs(*move->target, "", all);
      std::string prefix = name + ": " + (actionText.empty() ? "" : actionText + ", ") + "move";
      if (!scopeText.empty() && from.rfind("rule:", 0) != 0 && from != scopeText)
        prefix += " (in " + scopeText + ")";
      for (const auto& leg : all) {
        if (!moves(move->range, leg.stage)) continue;
        ruleEdge(from, leg.stage, edgeTrigger, rule).lines.push_back(joinLabel(prefix, leg.label));
      }
      return;
    }
    std::string line = name + (actionText.empty() ? "" : ": " + actionText);
    if (scope.empty()) {
      // Fires in any stage: the trigger node carries the rule.
      if (auto it = triggerIndex_.find(from); it != triggerIndex_.end())
        map_.triggers[it->second].label += "\n" + line + " (any stage)";
      if (from.rfind("rule:", 0) != 0 && from.rfind("event:", 0) != 0)
        ruleEdge(from, from, edgeTrigger, rule).lines.push_back(line);
      return;
    }
    for (const auto& stage : scope) {
      if (journey_.stage(stage) == nullptr) continue;
      ruleEdge(from, stage, edgeTrigger, rule).lines.push_back(line);
    }
  }

  // --- Findings ------------------------------------------------------------------------------

  void attachFindings(const std::vector<const Diagnostic*>& diagnostics) {
    for (const auto* diagnostic : diagnostics) {
      if (diagnostic->severity == Severity::Note) continue;
      Finding finding;
      finding.code = std::string(diagnostic->code());
      finding.severity = diagnostic->severity;
      finding.message = withoutBackticks(diagnostic->message);
      if (diagnostic->range.valid() && diagnostic->range.file < sources_.size()) {
        finding.line =
            sources_.file(diagnostic->range.file).lineColumn(diagnostic->range.begin).line;
      }
      if (attachToStage(diagnostic->range, finding) || attachToRule(diagnostic->range, finding))
        continue;
      map_.findings.push_back(std::move(finding));
    }
  }

  // Declarations by where they are, for finding the one that holds a diagnostic: stages
  // (the index in map_.stages) and rules (the index in journey_.rules). They do not nest.
  struct Place {
    FileId file;
    std::uint32_t begin;
    std::uint32_t end;
    bool rule;
    std::size_t index;
    bool operator<(const Place& other) const {
      return std::tie(file, begin) < std::tie(other.file, other.begin);
    }
  };

  void indexPlaces() {
    for (std::size_t i = 0; i < map_.stages.size(); ++i) {
      SourceRange range = graph_.stages[stageIndex_.at(map_.stages[i].name)]->range;
      places_.push_back({range.file, range.begin, range.end, false, i});
    }
    for (std::size_t i = 0; i < journey_.rules.size(); ++i) {
      SourceRange range = journey_.rules[i]->range;
      places_.push_back({range.file, range.begin, range.end, true, i});
    }
    std::sort(places_.begin(), places_.end());
  }

  const Place* placeOf(SourceRange range) const {
    if (!range.valid()) return nullptr;
    Place key{range.file, range.begin, range.end, false, 0};
    auto it = std::upper_bound(places_.begin(), places_.end(), key);
    if (it == places_.begin()) return nullptr;
    --it;
    if (!inside(range, SourceRange{it->file, it->begin, it->end})) return nullptr;
    return &*it;
  }

  bool attachToStage(SourceRange range, const Finding& finding) {
    const Place* place = placeOf(range);
    if (place == nullptr || place->rule) return false;
    map_.stages[place->index].findings.push_back(finding);
    return true;
  }

  bool attachToRule(SourceRange range, const Finding& finding) {
    const Place* place = placeOf(range);
    if (place == nullptr || !place->rule) return false;
    auto it = ruleEdges_.find(journey_.rules[place->index]);
    if (it == ruleEdges_.end()) return false;
    std::set<std::size_t> done;
    for (auto e : it->second) {
      if (done.insert(e).second) map_.edges[e].findings.push_back(finding);
    }
    return true;
  }

  const sema::CheckedJourney& journey_;
  const SourceManager& sources_;
  const MapOptions& options_;
  checks::JourneyGraph graph_;
  std::vector<const checks::PersonaGraph*> selected_;
  // (file, begin, end, to) of every move the chosen personas can make.
  std::set<std::tuple<FileId, std::uint32_t, std::uint32_t, std::size_t>> moves_;
  std::map<const ast::RuleDecl*, std::vector<std::size_t>> ruleEdges_;
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> ruleEdgeIndex_;
  std::unordered_map<std::string, std::size_t> stageIndex_;
  std::unordered_map<std::string, std::size_t> triggerIndex_;
  std::vector<Place> places_;
  JourneyMap map_;
};

}  // namespace

std::string formatDuration(double seconds) {
  double magnitude = std::fabs(seconds);
  if (magnitude >= kYear && std::fmod(magnitude, kYear) == 0)
    return trimNumber(seconds / kYear, 0) + "y";
  if (magnitude >= kDay) return trimNumber(seconds / kDay, magnitude >= 100 * kDay ? 0 : 1) + "d";
  if (magnitude >= kHour) return trimNumber(seconds / kHour, 1) + "h";
  if (magnitude >= kMinute) return trimNumber(seconds / kMinute, 1) + "m";
  return trimNumber(seconds, 1) + "s";
}

std::string formatPercent(double fraction) {
  double percent = fraction * 100;
  return trimNumber(percent, std::fabs(percent) < 1 ? 2 : 1) + "%";
}

JourneyMap buildMap(const sema::CheckedJourney& journey, const SourceManager& sources,
                    const std::vector<const Diagnostic*>& findings, const MapOptions& options) {
  return MapBuilder(journey, sources, options).build(findings);
}

}  // namespace journey::map

#include "simulator/gates.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

namespace journey::sim {
namespace {

bool identStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool identChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

class GateParser {
 public:
  GateParser(std::string_view text, bool compare, const std::vector<DeclaredMetric>& declared)
      : text_(text), compare_(compare), declared_(declared) {}

  std::variant<Gate, GateError> parse() {
    Gate gate;
    gate.text = std::string(text_);
    skipSpace();
    std::size_t start = pos_;
    std::string first = identifier();
    if (first.empty()) return error("expected a KPI name such as `conversion`");
    bool scoped = false;
    if ((first == "delta" || first == "old" || first == "new") && peek() == '(') {
      if (!compare_) {
        return GateError{
            fmt::format("`{}(...)` is for `journey compare`; on simulate write the KPI alone",
                        first),
            start + 1};
      }
      gate.scope = first == "delta" ? GateScope::Delta
                   : first == "old" ? GateScope::Old
                                    : GateScope::New;
      ++pos_;
      skipSpace();
      start = pos_;
      first = identifier();
      if (first.empty()) return error("expected a KPI name such as `conversion`");
      scoped = true;
    } else if (compare_) {
      return GateError{fmt::format("on compare, say which value the gate reads: `delta({0})`, "
                                   "`new({0})` or `old({0})`",
                                   first),
                       start + 1};
    }
    gate.metricColumn = start + 1;
    if (first == "goal" || first == "exit") {
      gate.stageKind = first;
      first = "outcome";
    }
    auto unit = metricUnit(first, declared_);
    if (!unit) {
      std::vector<std::string> names = metricNames();
      for (const auto& d : declared_)
        names.push_back(d.name);
      return GateError{
          fmt::format("unknown KPI `{}`; the KPIs are {}", first, fmt::join(names, ", ")),
          start + 1};
    }
    gate.metric = first;
    gate.unit = *unit;
    skipSpace();
    if (peek() == '(') {
      ++pos_;
      std::size_t itemStart = pos_;
      while (pos_ < text_.size() && text_[pos_] != ')')
        ++pos_;
      if (pos_ >= text_.size()) return GateError{"missing `)`", itemStart};
      gate.item = trim(text_.substr(itemStart, pos_ - itemStart));
      ++pos_;
      if (gate.item.empty()) return GateError{"expected a name inside `()`", itemStart + 1};
      if (metricItem(gate.metric) == KpiItem::None)
        return GateError{fmt::format("`{}` takes no item", gate.metric), itemStart};
    } else if (metricItem(gate.metric) != KpiItem::None) {
      return GateError{fmt::format("`{}` needs an item, e.g. `{}(NAME)`",
                                   gate.stageKind.empty() ? gate.metric : gate.stageKind,
                                   gate.stageKind.empty() ? gate.metric : gate.stageKind),
                       pos_ + 1};
    }
    if (auto problem = group(gate)) return *problem;
    if (scoped) {
      skipSpace();
      if (peek() != ')') return error("expected `)`");
      ++pos_;
      if (auto problem = group(gate)) return *problem;
    }
    skipSpace();
    std::size_t opStart = pos_;
    if (text_.substr(pos_, 2) == "<=") {
      gate.op = GateOp::LessOrEqual;
      pos_ += 2;
    } else if (text_.substr(pos_, 2) == ">=") {
      gate.op = GateOp::GreaterOrEqual;
      pos_ += 2;
    } else if (peek() == '<') {
      gate.op = GateOp::Less;
      ++pos_;
    } else if (peek() == '>') {
      gate.op = GateOp::Greater;
      ++pos_;
    } else {
      return GateError{"expected a comparison: <, <=, > or >=", opStart + 1};
    }
    skipSpace();
    if (auto problem = number(gate)) return *problem;
    skipSpace();
    if (pos_ < text_.size())
      return error(fmt::format("unexpected `{}` after the number", text_.substr(pos_)));
    return gate;
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0)
      ++pos_;
  }
  std::string identifier() {
    if (!identStart(peek())) return "";
    std::size_t start = pos_;
    while (pos_ < text_.size() && identChar(text_[pos_]))
      ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  static std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0)
      s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0)
      s.remove_suffix(1);
    return std::string(s);
  }
  GateError error(std::string message) const { return GateError{std::move(message), pos_ + 1}; }

  std::optional<GateError> group(Gate& gate) {
    skipSpace();
    if (peek() != '[') return std::nullopt;
    std::size_t start = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != ']')
      ++pos_;
    if (pos_ >= text_.size()) return GateError{"missing `]`", start};
    std::string name = trim(text_.substr(start, pos_ - start));
    ++pos_;
    if (name.empty()) return GateError{"expected a persona inside `[]`", start + 1};
    if (gate.group != "all") return GateError{"the persona is given twice", start};
    gate.group = name;
    return std::nullopt;
  }

  std::optional<GateError> number(Gate& gate) {
    std::size_t start = pos_;
    gate.numberColumn = start + 1;
    bool negative = false;
    if (peek() == '-' || peek() == '+') {
      negative = peek() == '-';
      ++pos_;
    }
    std::string digits;
    bool point = false;
    while (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) != 0 ||
                                   text_[pos_] == '_' || (text_[pos_] == '.' && !point))) {
      if (text_[pos_] == '.') point = true;
      if (text_[pos_] != '_') digits += text_[pos_];
      ++pos_;
    }
    if (digits.empty() || digits == ".")
      return GateError{"expected a number, e.g. `12%`, `-1pt`, `30d` or `50`", start + 1};
    double value = std::stod(digits) * (negative ? -1 : 1);
    std::size_t unitStart = pos_;
    std::string unitText;
    while (pos_ < text_.size() &&
           (std::isalpha(static_cast<unsigned char>(text_[pos_])) != 0 || text_[pos_] == '%'))
      unitText += text_[pos_++];
    if (unitText.empty()) {
      // A currency may follow a space.
      std::size_t save = pos_;
      skipSpace();
      std::size_t codeStart = pos_;
      while (pos_ < text_.size() && std::isupper(static_cast<unsigned char>(text_[pos_])) != 0)
        unitText += text_[pos_++];
      if (unitText.empty()) {
        pos_ = save;
      } else {
        unitStart = codeStart;
      }
    }
    gate.thresholdText = trim(text_.substr(start, pos_ - start));
    bool delta = gate.scope == GateScope::Delta;
    auto unitError = [&](std::string message) {
      return GateError{std::move(message), unitStart + 1};
    };
    static const std::pair<const char*, double> durations[] = {
        {"s", 1},         {"m", 60},          {"h", 3600},         {"d", 86400},
        {"w", 7 * 86400}, {"mo", 30 * 86400}, {"y", 365 * 86400.0}};
    double seconds = NAN;
    for (const auto& [name, scale] : durations)
      if (unitText == name) seconds = value * scale;
    bool currency = unitText.size() == 3 && std::isupper(static_cast<unsigned char>(unitText[0])) &&
                    std::isupper(static_cast<unsigned char>(unitText[1])) &&
                    std::isupper(static_cast<unsigned char>(unitText[2]));
    switch (gate.unit) {
      case KpiUnit::Share:
        if (unitText == "%") {
          if (delta)
            return unitError(
                fmt::format("a difference of shares is in percentage points: write `{}pt`",
                            gate.thresholdText.substr(0, gate.thresholdText.size() - 1)));
          value /= 100;
        } else if (unitText == "pt") {
          if (!delta)
            return unitError(fmt::format(
                "`pt` (percentage points) is for differences, `delta({})`; a share is `{}%`",
                gate.metric, digits));
          value /= 100;
        } else if (!unitText.empty()) {
          return unitError(fmt::format("`{}` is a share: write `%`{}", gate.metric,
                                       delta ? " or `pt` for points" : ""));
        } else if (std::fabs(value) > 1 && delta) {
          // A difference of shares is in points: `-2%` would be refused in turn.
          return GateError{
              fmt::format("a difference of shares is in percentage points: write `{}pt` (or the "
                          "fraction {:g})",
                          gate.thresholdText, value / 100),
              gate.numberColumn};
        } else if (std::fabs(value) > 1) {
          return GateError{fmt::format("`{}` is a share: write `{}%` (or a fraction such as 0.12)",
                                       gate.metric, gate.thresholdText),
                           gate.numberColumn};
        }
        break;
      case KpiUnit::Days:
      case KpiUnit::Hours:
        if (!std::isnan(seconds)) {
          value = seconds / (gate.unit == KpiUnit::Days ? 86400 : 3600);
        } else if (!unitText.empty()) {
          return unitError(fmt::format("`{}` is in {}: write a duration such as `30d` or `12h`",
                                       gate.metric, kpiUnitName(gate.unit)));
        }
        break;
      case KpiUnit::Money:
        if (currency) {
          gate.currency = unitText;
        } else if (!unitText.empty()) {
          return unitError(fmt::format(
              "`{}` is money: write a number, optionally with the journey's currency (`50 USD`)",
              gate.metric));
        }
        break;
      case KpiUnit::Ratio:
        if (unitText == "%") {
          value /= 100;
        } else if (!unitText.empty()) {
          return unitError(fmt::format("`{}` is a ratio: write `50%` or `0.5`", gate.metric));
        }
        break;
      case KpiUnit::Number:
        if (!unitText.empty())
          return unitError(fmt::format("`{}` is a plain number: no unit", gate.metric));
        break;
    }
    gate.threshold = value;
    return std::nullopt;
  }

  std::string_view text_;
  bool compare_;
  const std::vector<DeclaredMetric>& declared_;
  std::size_t pos_ = 0;
};

const char* opWords(GateOp op) {
  switch (op) {
    case GateOp::Less:
      return "below";
    case GateOp::LessOrEqual:
      return "at or below";
    case GateOp::Greater:
      return "above";
    case GateOp::GreaterOrEqual:
      return "at or above";
  }
  return "below";
}

bool holds(GateOp op, double x, double threshold) {
  switch (op) {
    case GateOp::Less:
      return x < threshold;
    case GateOp::LessOrEqual:
      return x <= threshold;
    case GateOp::Greater:
      return x > threshold;
    case GateOp::GreaterOrEqual:
      return x >= threshold;
  }
  return false;
}

// A gate with a currency (`cost_per_customer > 40 EUR`) must name the journey's.
bool currencyMatches(const Gate& gate, const rt::Machine& machine, std::string& error) {
  if (gate.currency.empty() || gate.currency == machine.currency) return true;
  error = fmt::format("the journey's money is in {}, not {}",
                      machine.currency.empty() ? "no currency" : machine.currency, gate.currency);
  return false;
}

// `goal(X)` and `exit(X)`: X must be a stage of that kind; `stage` is the one X names, or null.
bool stageKindMatches(const Gate& gate, const rt::Stage* stage, std::string& error) {
  if (gate.stageKind.empty()) return true;
  bool goal = stage != nullptr && stage->kind == rt::StageKind::Goal;
  bool exit = stage != nullptr && stage->kind == rt::StageKind::Exit;
  if ((gate.stageKind == "goal" && goal) || (gate.stageKind == "exit" && exit)) return true;
  error = fmt::format("`{}` is not {} {}", gate.item, gate.stageKind == "goal" ? "a" : "an",
                      gate.stageKind);
  return false;
}

}  // namespace

std::variant<Gate, GateError> parseGate(std::string_view text, bool compare,
                                        const std::vector<DeclaredMetric>& declared) {
  return GateParser(text, compare, declared).parse();
}

std::string describeGateError(std::string_view text, const GateError& error) {
  std::size_t column = std::min(error.column, text.size() + 1);
  return fmt::format("error: --fail-if '{}': {}\n  {}\n  {}^\n", text, error.message, text,
                     std::string(column - 1, ' '));
}

std::string gateSubject(const Gate& gate) {
  std::string metric =
      kpiName(gate.stageKind.empty() ? gate.metric : gate.stageKind, gate.item, gate.group);
  switch (gate.scope) {
    case GateScope::Value:
      return metric;
    case GateScope::Delta:
      return fmt::format("delta({})", metric);
    case GateScope::Old:
      return fmt::format("old({})", metric);
    case GateScope::New:
      return fmt::format("new({})", metric);
  }
  return metric;
}

GateVerdict judgeValue(const Gate& gate, const Interval& value) {
  GateVerdict verdict;
  std::string subject = gateSubject(gate);
  if (!std::isfinite(value.value)) {
    verdict.failed = true;
    verdict.message = fmt::format("{} has no value in this run, so the gate cannot pass", subject);
    return verdict;
  }
  std::string interval = formatInterval(value, gate.unit, false);
  std::string measured = fmt::format("{} is {}{}", subject, formatKpi(value.value, gate.unit),
                                     interval.empty() ? "" : fmt::format(" (95% CI {})", interval));
  verdict.failed = holds(gate.op, value.value, gate.threshold);
  verdict.message = fmt::format("{}: {}{} {}", measured, verdict.failed ? "" : "not ",
                                opWords(gate.op), gate.thresholdText);
  return verdict;
}

GateVerdict judgeDelta(const Gate& gate, const Interval& delta) {
  GateVerdict verdict;
  std::string subject = gateSubject(gate);
  if (!std::isfinite(delta.value) || !std::isfinite(delta.low) || !std::isfinite(delta.high)) {
    verdict.failed = true;
    verdict.message = fmt::format(
        "{} has no interval in this run (a KPI without a value, or too few customers), so the "
        "gate cannot pass",
        subject);
    return verdict;
  }
  // The bound nearest the threshold's side must also meet the condition.
  bool lessThan = gate.op == GateOp::Less || gate.op == GateOp::LessOrEqual;
  double bound = lessThan ? delta.high : delta.low;
  verdict.failed = holds(gate.op, bound, gate.threshold);
  verdict.message =
      fmt::format("{} is {} (95% CI {}): {}{} {} at 95% confidence", subject,
                  formatDelta(delta.value, gate.unit), formatInterval(delta, gate.unit, true),
                  verdict.failed ? "" : "not ", opWords(gate.op), gate.thresholdText);
  return verdict;
}

std::optional<GateTarget> resolveGate(const Gate& gate, const rt::Machine& machine,
                                      std::string& error) {
  GateTarget target;
  if (gate.group != "all") {
    for (std::size_t p = 0; p < machine.personas.size(); ++p)
      if (machine.personas[p].name == gate.group) target.persona = static_cast<rt::Index>(p);
    if (target.persona < 0) {
      std::vector<std::string> names;
      for (const auto& p : machine.personas)
        names.push_back(p.name);
      error = fmt::format("there is no persona `{}` (personas: {})", gate.group,
                          fmt::join(names, ", "));
      return std::nullopt;
    }
  }
  if (!currencyMatches(gate, machine, error)) return std::nullopt;
  std::vector<std::string> items;
  for (const auto& def : kpiDefinitions(machine)) {
    if (def.metric != gate.metric) continue;
    items.push_back(def.item);
    if (def.item != gate.item) continue;
    const rt::Stage* stage = def.itemKind == KpiItem::Stage
                                 ? &machine.stages[static_cast<std::size_t>(def.index)]
                                 : nullptr;
    if (!stageKindMatches(gate, stage, error)) return std::nullopt;
    target.kpi = def;
    return target;
  }
  if (items.empty()) {
    error = fmt::format("this journey has no `{}`", gate.metric);
  } else {
    error = fmt::format("there is no `{}({})`; the items of `{}` are {}", gate.metric, gate.item,
                        gate.metric, fmt::join(items, ", "));
  }
  return std::nullopt;
}

std::vector<GateVerdict> judgeGates(const std::vector<Gate>& gates,
                                    const std::vector<GateTarget>& targets,
                                    const rt::Machine& machine, const Results& results) {
  std::vector<GateVerdict> verdicts;
  for (std::size_t g = 0; g < gates.size(); ++g) {
    const GateTarget& target = targets[g];
    Tally tally = target.persona < 0 ? results.overall()
                                     : results.personas[static_cast<std::size_t>(target.persona)];
    verdicts.push_back(judgeValue(gates[g], kpiValue(machine, tally, target.kpi)));
  }
  return verdicts;
}

const ComparedKpi* resolveCompareGate(const Gate& gate, const Comparison& comparison,
                                      const rt::Machine& oldMachine, const rt::Machine& newMachine,
                                      std::string& error) {
  const ComparedGroup* group = nullptr;
  std::vector<std::string> groups;
  for (const auto& g : comparison.groups) {
    groups.push_back(g.name);
    if (g.name == gate.group) group = &g;
  }
  if (group == nullptr) {
    error = fmt::format("there is no persona `{}` in both versions (groups: {})", gate.group,
                        fmt::join(groups, ", "));
    return nullptr;
  }
  bool readsOld = gate.scope == GateScope::Old;
  const rt::Machine& machine = readsOld ? oldMachine : newMachine;
  if (!currencyMatches(gate, machine, error)) return nullptr;
  std::vector<std::string> items;
  for (const auto& k : group->kpis) {
    if (k.metric != gate.metric) continue;
    const std::string& item = readsOld ? k.oldItem : k.newItem;
    bool present = readsOld ? k.inOld : k.inNew;
    if (present) items.push_back(item);
    if (!(present && item == gate.item) && !(gate.scope == GateScope::Delta && k.item == gate.item))
      continue;
    const rt::Stage* stage = nullptr;
    for (const auto& s : machine.stages)
      if (s.name == gate.item) stage = &s;
    if (!stageKindMatches(gate, stage, error)) return nullptr;
    if (gate.scope == GateScope::Delta && !(k.inOld && k.inNew)) {
      error = fmt::format(
          "`{}` is only in the {} version, so it has no difference; `{}({})` reads "
          "it",
          kpiName(k.metric, k.item), k.inOld ? "old" : "new", k.inOld ? "old" : "new",
          kpiName(k.metric, k.item));
      return nullptr;
    }
    return &k;
  }
  if (items.empty()) {
    error = fmt::format("the {} version has no `{}`", readsOld ? "old" : "new", gate.metric);
  } else {
    error = fmt::format("there is no `{}({})` in the {} version; its items are {}", gate.metric,
                        gate.item, readsOld ? "old" : "new", fmt::join(items, ", "));
  }
  return nullptr;
}

std::vector<GateVerdict> judgeCompareGates(const std::vector<Gate>& gates,
                                           const Comparison& comparison,
                                           const rt::Machine& oldMachine,
                                           const rt::Machine& newMachine) {
  std::vector<GateVerdict> verdicts;
  for (const auto& gate : gates) {
    std::string error;
    const ComparedKpi* kpi = resolveCompareGate(gate, comparison, oldMachine, newMachine, error);
    switch (gate.scope) {
      case GateScope::Delta:
        verdicts.push_back(judgeDelta(gate, kpi->delta));
        break;
      case GateScope::Old:
        verdicts.push_back(judgeValue(gate, kpi->oldValue));
        break;
      default:
        verdicts.push_back(judgeValue(gate, kpi->newValue));
        break;
    }
  }
  return verdicts;
}

}  // namespace journey::sim

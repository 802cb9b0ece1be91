#include "runtime/print.h"

#include <fmt/format.h>

#include <map>
#include <vector>

namespace journey::rt {
namespace {

std::string number(double value) {
  return fmt::format("{}", value);
}

const char* binarySpelling(Op op) {
  switch (op) {
    case Op::Add:
      return "+";
    case Op::Sub:
      return "-";
    case Op::Mul:
      return "*";
    case Op::Div:
      return "/";
    case Op::Lt:
      return "<";
    case Op::Le:
      return "<=";
    case Op::Gt:
      return ">";
    case Op::Ge:
      return ">=";
    case Op::Eq:
      return "==";
    case Op::Ne:
      return "!=";
    default:
      return nullptr;
  }
}

std::string quoted(const std::string& text) {
  return text.empty() ? std::string() : fmt::format(" \"{}\"", text);
}

class Printer {
 public:
  explicit Printer(const Machine& machine) : m_(machine) {}

  std::string expr(ExprId id) const {
    if (id == kNone) return "-";
    if (id < 0 || static_cast<std::size_t>(id) >= m_.exprs.size()) return fmt::format("<e{}?>", id);
    const Expr& e = m_.exprs[id];
    if (e.begin + static_cast<std::size_t>(e.size) > m_.code.size()) return "<bad code>";
    std::vector<std::string> stack;
    std::multimap<std::uint32_t, const char*> joins;
    auto pop = [&stack]() {
      if (stack.empty()) return std::string("<empty>");
      std::string top = std::move(stack.back());
      stack.pop_back();
      return top;
    };
    auto join = [&](std::uint32_t pc) {
      auto [first, last] = joins.equal_range(pc);
      std::vector<const char*> ops;
      for (auto it = first; it != last; ++it)
        ops.push_back(it->second);
      for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
        std::string rhs = pop(), lhs = pop();
        stack.push_back(fmt::format("({} {} {})", lhs, *it, rhs));
      }
    };
    for (std::uint32_t pc = 0; pc < e.size; ++pc) {
      join(pc);
      const Instr& instr = m_.code[e.begin + pc];
      auto name = [&](const auto& table, Index index) -> std::string {
        if (index < 0 || static_cast<std::size_t>(index) >= table.size())
          return fmt::format("#{}", index);
        return table[index].name;
      };
      switch (instr.op) {
        case Op::Const:
          if (e.type == ValueType::String && instr.k >= 0 &&
              instr.k < static_cast<double>(m_.strings.size()))
            stack.push_back(fmt::format("\"{}\"", m_.strings[static_cast<std::size_t>(instr.k)]));
          else
            stack.push_back(number(instr.k));
          break;
        case Op::Var:
          stack.push_back(name(m_.vars, instr.a));
          break;
        case Op::Attribute:
          stack.push_back(name(m_.attributes, instr.a));
          break;
        case Op::Payload:
          stack.push_back(fmt::format("payload[{}]", instr.a));
          break;
        case Op::Emotion:
        case Op::Cost:
        case Op::Time:
        case Op::TimeInStage:
        case Op::Persona:
        case Op::Value:
          stack.push_back(opName(instr.op));
          break;
        case Op::Occurrences:
          stack.push_back(fmt::format("occurrences({})", name(m_.events, instr.a)));
          break;
        case Op::Visits:
          stack.push_back(fmt::format("visits({})", name(m_.stages, instr.a)));
          break;
        case Op::InStage:
          stack.push_back(fmt::format("in_stage({})", name(m_.stages, instr.a)));
          break;
        case Op::Received:
          stack.push_back(fmt::format("received({})", name(m_.touchpoints, instr.a)));
          break;
        case Op::ReceivedChannel:
          stack.push_back(fmt::format("received({})", name(m_.channels, instr.a)));
          break;
        case Op::Neg:
          stack.push_back("-" + pop());
          break;
        case Op::Not:
          stack.push_back("not " + pop());
          break;
        case Op::JumpIfFalse:
          joins.emplace(static_cast<std::uint32_t>(instr.a), "and");
          break;
        case Op::JumpIfTrue:
          joins.emplace(static_cast<std::uint32_t>(instr.a), "or");
          break;
        case Op::Discrete: {
          std::vector<std::string> parts;
          for (Index i = 0; i < instr.a; ++i) {
            std::string p = pop(), v = pop();
            parts.insert(parts.begin(), fmt::format("{}: {}", v, p));
          }
          stack.push_back(fmt::format("discrete {{ {} }}", fmt::join(parts, ", ")));
          break;
        }
        default: {
          if (const char* spelling = binarySpelling(instr.op)) {
            std::string rhs = pop(), lhs = pop();
            stack.push_back(fmt::format("({} {} {})", lhs, spelling, rhs));
            break;
          }
          int arity = opPops(instr);
          std::vector<std::string> args(static_cast<std::size_t>(arity));
          for (int i = arity - 1; i >= 0; --i)
            args[static_cast<std::size_t>(i)] = pop();
          stack.push_back(fmt::format("{}({})", opName(instr.op), fmt::join(args, ", ")));
        }
      }
    }
    join(e.size);
    return stack.empty() ? "<empty>" : stack.back();
  }

  std::string target(Index id) const {
    if (id == kNone) return "-";
    if (id < 0 || static_cast<std::size_t>(id) >= m_.targets.size())
      return fmt::format("<t{}?>", id);
    const Target& t = m_.targets[id];
    if (t.kind == TargetKind::Stage) return stageName(t.stage);
    std::vector<std::string> parts;
    for (std::uint32_t i = 0; i < t.branchCount && t.firstBranch + i < m_.branches.size(); ++i) {
      const Branch& b = m_.branches[t.firstBranch + i];
      switch (b.kind) {
        case BranchKind::Chance:
          parts.push_back(fmt::format("{} {}", target(b.target), expr(b.value)));
          break;
        case BranchKind::Otherwise:
          parts.push_back(fmt::format("{} otherwise", target(b.target)));
          break;
        case BranchKind::If:
          parts.push_back(fmt::format("if {} -> {}", expr(b.value), target(b.target)));
          break;
        case BranchKind::Else:
          parts.push_back(fmt::format("else -> {}", target(b.target)));
          break;
      }
    }
    return fmt::format("{{ {} }}", fmt::join(parts, ", "));
  }

  std::string stageName(Index id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= m_.stages.size())
      return fmt::format("<s{}?>", id);
    return m_.stages[id].name;
  }
  std::string personaName(Index id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= m_.personas.size())
      return fmt::format("<p{}?>", id);
    return m_.personas[id].name;
  }

  std::string all() const {
    std::string out;
    auto line = [&out](const std::string& text) {
      out += text;
      out += '\n';
    };
    line(fmt::format("machine {}{} (format version {})", m_.name, quoted(m_.display),
                     kMachineVersion));
    if (!m_.source.empty()) line(fmt::format("  source {}", m_.source));
    line(fmt::format("  horizon {}s", number(m_.horizon)));
    if (!m_.currency.empty()) line(fmt::format("  currency {}", m_.currency));
    line(fmt::format("  entry -> {}", target(m_.entry)));
    std::size_t p = m_.personas.size();
    for (std::size_t i = 0; i < m_.params.size(); ++i) {
      const Param& param = m_.params[i];
      line(fmt::format("param {} = {} ({}{})", param.name, param.text, valueTypeName(param.type),
                       param.overridden ? ", overridden" : ""));
    }
    for (const auto& var : m_.vars)
      line(fmt::format("var {}: {} = {}", var.name, valueTypeName(var.type), expr(var.initial)));
    for (std::size_t i = 0; i < p; ++i) {
      const Persona& persona = m_.personas[i];
      line(fmt::format("persona {}{} share {}", persona.name, quoted(persona.display),
                       number(persona.share)));
      for (std::size_t a = 0; a < m_.attributes.size(); ++a) {
        ExprId value = m_.attribute(static_cast<Index>(i), static_cast<Index>(a));
        if (value != kNone) line(fmt::format("  {} = {}", m_.attributes[a].name, expr(value)));
      }
    }
    for (const auto& channel : m_.channels) {
      std::string text = fmt::format("channel {} cost {}", channel.name, number(channel.cost));
      if (channel.capCount > 0)
        text += fmt::format(" cap {} per {}s {}", channel.capCount, number(channel.capWindow),
                            channel.capPolicy == CapPolicy::Drop ? "drop" : "defer");
      if (channel.hasQuiet)
        text +=
            fmt::format(" quiet {}s..{}s {}", number(channel.quietStart), number(channel.quietEnd),
                        channel.quietPolicy == CapPolicy::Drop ? "drop" : "defer");
      line(text);
    }
    for (std::size_t s = 0; s < m_.stages.size(); ++s) {
      const Stage& stage = m_.stages[s];
      const char* kind = stage.kind == StageKind::Goal   ? "goal"
                         : stage.kind == StageKind::Exit ? "exit"
                                                         : "stage";
      line(fmt::format("{} {}{}", kind, stage.name, quoted(stage.display)));
      for (std::uint32_t i = 0; i < stage.touchpointCount; ++i) {
        Index tp = m_.stageTouchpoints[stage.firstTouchpoint + i];
        line(fmt::format("  delivers {}",
                         tp >= 0 && static_cast<std::size_t>(tp) < m_.touchpoints.size()
                             ? m_.touchpoints[tp].name
                             : "?"));
      }
      if (stage.value != kNone) line(fmt::format("  value {}", expr(stage.value)));
      for (std::size_t q = 0; q < p && s * p + q < m_.afters.size(); ++q) {
        const Transition& t = m_.afters[s * p + q];
        if (t.target == kNone) continue;
        line(fmt::format("  for {} after {} -> {}", personaName(static_cast<Index>(q)),
                         expr(t.delay), target(t.target)));
      }
      for (std::uint32_t i = 0; i < stage.eventTransitionCount; ++i) {
        const EventTransition& t = m_.eventTransitions[stage.firstEventTransition + i];
        for (std::size_t q = 0; q < p; ++q) {
          Index to = m_.eventTargets[t.firstTarget + q];
          if (to == kNone) continue;
          line(fmt::format("  for {} on {} -> {}", personaName(static_cast<Index>(q)),
                           t.event >= 0 && static_cast<std::size_t>(t.event) < m_.events.size()
                               ? m_.events[t.event].name
                               : "?",
                           target(to)));
        }
      }
    }
    for (const auto& tp : m_.touchpoints) {
      std::string text =
          fmt::format("touchpoint {}{} via {}", tp.name, quoted(tp.display),
                      tp.channel >= 0 && static_cast<std::size_t>(tp.channel) < m_.channels.size()
                          ? m_.channels[tp.channel].name
                          : "?");
      if (tp.stage != kNone) text += fmt::format(" in {}", stageName(tp.stage));
      if (tp.cost != kNone) text += fmt::format(" cost {}", expr(tp.cost));
      if (tp.emotion != kNone) text += fmt::format(" emotion {}", expr(tp.emotion));
      if (tp.duration != kNone) text += fmt::format(" duration {}", expr(tp.duration));
      if (tp.responseEvent != kNone &&
          static_cast<std::size_t>(tp.responseEvent) < m_.events.size())
        text += fmt::format(" response {} emits {} delay {}", expr(tp.responseProbability),
                            m_.events[tp.responseEvent].name, expr(tp.responseDelay));
      line(text);
    }
    for (std::size_t e = 0; e < m_.events.size(); ++e) {
      const Event& event = m_.events[e];
      line(fmt::format("event {}{}", event.name, quoted(event.display)));
      std::vector<std::string> in;
      for (std::size_t s = 0; s < m_.stages.size(); ++s)
        if (m_.eventInStage[e * m_.stages.size() + s]) in.push_back(m_.stages[s].name);
      line(fmt::format("  in {}", in.size() == m_.stages.size()
                                      ? std::string("every stage")
                                      : fmt::format("{}", fmt::join(in, ", "))));
      for (std::size_t q = 0; q < p; ++q) {
        ExprId mean = m_.eventMeans[e * p + q];
        if (mean != kNone)
          line(fmt::format("  for {} every {}", personaName(static_cast<Index>(q)), expr(mean)));
      }
      for (std::uint32_t i = 0; i < event.fieldCount; ++i) {
        const PayloadField& field = m_.payloadFields[event.firstField + i];
        line(fmt::format("  payload[{}] {} = {}", i, field.name, expr(field.value)));
      }
    }
    for (const auto& rule : m_.rules)
      printRule(rule, line);
    line(fmt::format("; {} expressions, {} instructions, {} targets, {} branches", m_.exprs.size(),
                     m_.code.size(), m_.targets.size(), m_.branches.size()));
    return out;
  }

  template <typename Line>
  void printRule(const Rule& rule, Line& line) const {
    line(fmt::format("rule {}{} priority {}", rule.name, quoted(rule.display),
                     number(rule.priority)));
    std::string trigger;
    auto eventName = [&](Index e) {
      return e >= 0 && static_cast<std::size_t>(e) < m_.events.size() ? m_.events[e].name
                                                                      : std::string("?");
    };
    switch (rule.trigger) {
      case TriggerKind::Event:
        trigger = eventName(rule.triggerIndex);
        break;
      case TriggerKind::Enter:
        trigger = "enter " + stageName(rule.triggerIndex);
        break;
      case TriggerKind::Leave:
        trigger = "leave " + stageName(rule.triggerIndex);
        break;
      case TriggerKind::After:
        trigger = "after " + expr(rule.triggerValue);
        break;
      case TriggerKind::Inactive:
        trigger = "inactive " + expr(rule.triggerValue);
        break;
      case TriggerKind::Condition:
        trigger = expr(rule.triggerValue);
        break;
    }
    line("  on " + trigger);
    if (rule.stageCount > 0) {
      std::vector<std::string> names;
      for (std::uint32_t i = 0; i < rule.stageCount; ++i)
        names.push_back(stageName(m_.ruleStages[rule.firstStage + i]));
      line(fmt::format("  in {}", fmt::join(names, ", ")));
    }
    if (rule.personaCount > 0) {
      std::vector<std::string> names;
      for (std::uint32_t i = 0; i < rule.personaCount; ++i)
        names.push_back(personaName(m_.rulePersonas[rule.firstPersona + i]));
      line(fmt::format("  for {}", fmt::join(names, ", ")));
    }
    if (rule.condition != kNone) line("  if " + expr(rule.condition));
    if (rule.capCount > 0)
      line(rule.capWindow > 0
               ? fmt::format("  cap {} per {}s", rule.capCount, number(rule.capWindow))
               : fmt::format("  cap {}", rule.capCount));
    for (std::uint32_t i = 0; i < rule.actionCount; ++i) {
      const Action& action = m_.actions[rule.firstAction + i];
      switch (action.kind) {
        case ActionKind::Send:
          line("  send " +
               (action.index >= 0 && static_cast<std::size_t>(action.index) < m_.touchpoints.size()
                    ? m_.touchpoints[action.index].name
                    : std::string("?")));
          break;
        case ActionKind::Set:
          line(fmt::format(
              "  set {} = {}",
              action.index >= 0 && static_cast<std::size_t>(action.index) < m_.vars.size()
                  ? m_.vars[action.index].name
                  : std::string("?"),
              expr(action.value)));
          break;
        case ActionKind::Move:
          line("  move " + target(action.index));
          break;
        case ActionKind::Wait:
          line("  wait " + expr(action.value));
          break;
        case ActionKind::WaitFor:
          line(
              fmt::format("  wait for {}{}", eventName(action.index),
                          action.value == kNone ? std::string() : " within " + expr(action.value)));
          break;
        case ActionKind::Stop:
          line("  stop");
          break;
      }
    }
  }

 private:
  const Machine& m_;
};

}  // namespace

std::string printExpr(const Machine& machine, ExprId id) {
  return Printer(machine).expr(id);
}

std::string print(const Machine& machine) {
  return Printer(machine).all();
}

}  // namespace journey::rt

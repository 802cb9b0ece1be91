#include "simulator/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <set>
#include <thread>

#include "simulator/chunks.h"
#include "simulator/report.h"

namespace journey::sim {

const char* matchKindName(MatchKind kind) {
  switch (kind) {
    case MatchKind::Persona:
      return "persona";
    case MatchKind::Stage:
      return "stage";
    case MatchKind::Touchpoint:
      return "touchpoint";
    case MatchKind::Channel:
      return "channel";
    case MatchKind::Rule:
      return "rule";
  }
  return "stage";
}

const char* matchHowName(MatchHow how) {
  switch (how) {
    case MatchHow::Name:
      return "name";
    case MatchHow::Option:
      return "option";
    case MatchHow::Guessed:
      return "guessed";
    case MatchHow::Added:
      return "added";
    case MatchHow::Removed:
      return "removed";
  }
  return "name";
}

std::optional<Rename> parseRename(const std::string& text, std::string& error) {
  Rename rename;
  std::string rest = text;
  auto colon = rest.find(':');
  auto equals = rest.find('=');
  if (colon != std::string::npos && (equals == std::string::npos || colon < equals)) {
    rename.kind = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
    static const std::set<std::string> kinds{"persona", "stage", "touchpoint", "channel", "rule"};
    if (kinds.count(rename.kind) == 0) {
      error = fmt::format(
          "`--rename {}`: `{}` is not a kind of declaration (persona, stage, touchpoint, channel "
          "or rule)",
          text, rename.kind);
      return std::nullopt;
    }
  }
  equals = rest.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == rest.size()) {
    error = fmt::format("`--rename {}` needs the form OLD=NEW (or KIND:OLD=NEW)", text);
    return std::nullopt;
  }
  rename.oldName = rest.substr(0, equals);
  rename.newName = rest.substr(equals + 1);
  return rename;
}

// ---------------------------------------------------------------------------------------------
// Matching

namespace {

std::vector<std::string> namesOf(const rt::Machine& m, MatchKind kind) {
  std::vector<std::string> names;
  switch (kind) {
    case MatchKind::Persona:
      for (const auto& p : m.personas)
        names.push_back(p.name);
      break;
    case MatchKind::Stage:
      for (const auto& s : m.stages)
        names.push_back(s.name);
      break;
    case MatchKind::Touchpoint:
      for (const auto& t : m.touchpoints)
        names.push_back(t.name);
      break;
    case MatchKind::Channel:
      for (const auto& c : m.channels)
        names.push_back(c.name);
      break;
    case MatchKind::Rule:
      for (const auto& r : m.rules)
        names.push_back(r.name);
      break;
  }
  return names;
}

rt::Index find(const std::vector<std::string>& names, const std::string& name) {
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? rt::kNone : static_cast<rt::Index>(it - names.begin());
}

/// The stages a target can lead to.
void targetStages(const rt::Machine& m, rt::Index target, std::set<rt::Index>& into) {
  if (target == rt::kNone) return;
  const rt::Target& t = m.targets[static_cast<std::size_t>(target)];
  if (t.kind == rt::TargetKind::Stage) {
    into.insert(t.stage);
    return;
  }
  for (std::uint32_t b = 0; b < t.branchCount; ++b)
    targetStages(m, m.branches[t.firstBranch + b].target, into);
}

/// Builds the matching of one kind step by step.
class Matcher {
 public:
  Matcher(const rt::Machine& oldMachine, const rt::Machine& newMachine, Matching& matching)
      : old_(oldMachine), new_(newMachine), matching_(matching) {
    for (int k = 0; k < kMatchKinds; ++k) {
      auto kind = static_cast<MatchKind>(k);
      oldNames_[k] = namesOf(old_, kind);
      newNames_[k] = namesOf(new_, kind);
      matching_.oldToNew[k].assign(oldNames_[k].size(), rt::kNone);
      matching_.newToOld[k].assign(newNames_[k].size(), rt::kNone);
      how_[k].assign(newNames_[k].size(), MatchHow::Added);
      reasons_[k].assign(newNames_[k].size(), {});
    }
  }

  bool applyRenames(const std::vector<Rename>& renames, std::string& error) {
    for (const Rename& r : renames) {
      bool applied = false;
      bool oldSeen = false, newSeen = false;
      for (int k = 0; k < kMatchKinds; ++k) {
        if (!r.kind.empty() && r.kind != matchKindName(static_cast<MatchKind>(k))) continue;
        rt::Index o = find(oldNames_[k], r.oldName), n = find(newNames_[k], r.newName);
        oldSeen |= o != rt::kNone;
        newSeen |= n != rt::kNone;
        if (o == rt::kNone || n == rt::kNone) continue;
        link(k, o, n, MatchHow::Option, {"--rename"});
        applied = true;
      }
      if (!applied) {
        std::string what = r.kind.empty() ? "declaration" : r.kind;
        if (!oldSeen) {
          error = fmt::format("`--rename {}={}`: the old version has no {} named `{}`", r.oldName,
                              r.newName, what, r.oldName);
        } else if (!newSeen) {
          error = fmt::format("`--rename {}={}`: the new version has no {} named `{}`", r.oldName,
                              r.newName, what, r.newName);
        } else {
          error = fmt::format("`--rename {}={}`: `{}` and `{}` are different kinds of declaration",
                              r.oldName, r.newName, r.oldName, r.newName);
        }
        return false;
      }
    }
    return true;
  }

  void matchNames() {
    for (int k = 0; k < kMatchKinds; ++k) {
      for (std::size_t o = 0; o < oldNames_[k].size(); ++o) {
        if (matching_.oldToNew[k][o] != rt::kNone) continue;
        rt::Index n = find(newNames_[k], oldNames_[k][o]);
        if (n != rt::kNone && matching_.newToOld[k][static_cast<std::size_t>(n)] == rt::kNone)
          link(k, static_cast<rt::Index>(o), n, MatchHow::Name, {});
      }
    }
  }

  void guess() {
    // Channels and personas first: touchpoints and rules are recognised by them.
    for (MatchKind kind : {MatchKind::Channel, MatchKind::Persona, MatchKind::Stage,
                           MatchKind::Touchpoint, MatchKind::Rule}) {
      int k = static_cast<int>(kind);
      struct Candidate {
        std::size_t score;
        rt::Index o, n;
        std::vector<std::string> reasons;
      };
      std::vector<Candidate> candidates;
      for (std::size_t o = 0; o < oldNames_[k].size(); ++o) {
        if (matching_.oldToNew[k][o] != rt::kNone) continue;
        for (std::size_t n = 0; n < newNames_[k].size(); ++n) {
          if (matching_.newToOld[k][n] != rt::kNone) continue;
          auto reasons = evidence(kind, static_cast<rt::Index>(o), static_cast<rt::Index>(n));
          if (reasons && reasons->size() >= threshold(kind))
            candidates.push_back(
                {reasons->size(), static_cast<rt::Index>(o), static_cast<rt::Index>(n), *reasons});
        }
      }
      std::stable_sort(candidates.begin(), candidates.end(),
                       [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
      for (auto& c : candidates) {
        if (matching_.oldToNew[k][static_cast<std::size_t>(c.o)] != rt::kNone ||
            matching_.newToOld[k][static_cast<std::size_t>(c.n)] != rt::kNone)
          continue;
        link(k, c.o, c.n, MatchHow::Guessed, std::move(c.reasons));
      }
    }
  }

  /// The list of matches, in the new version's order with removed ones after their old
  /// predecessor.
  void finish() {
    for (int k = 0; k < kMatchKinds; ++k) {
      auto kind = static_cast<MatchKind>(k);
      std::size_t nextOld = 0;
      auto flushRemoved = [&](std::size_t upTo) {
        for (; nextOld < upTo; ++nextOld) {
          if (matching_.oldToNew[k][nextOld] != rt::kNone) continue;
          Match m;
          m.kind = kind;
          m.how = MatchHow::Removed;
          m.oldIndex = static_cast<rt::Index>(nextOld);
          m.oldName = oldNames_[k][nextOld];
          matching_.matches.push_back(std::move(m));
        }
      };
      for (std::size_t n = 0; n < newNames_[k].size(); ++n) {
        rt::Index o = matching_.newToOld[k][n];
        if (o != rt::kNone) flushRemoved(static_cast<std::size_t>(o));
        Match m;
        m.kind = kind;
        m.how = how_[k][n];
        m.oldIndex = o;
        m.newIndex = static_cast<rt::Index>(n);
        if (o != rt::kNone) m.oldName = oldNames_[k][static_cast<std::size_t>(o)];
        m.newName = newNames_[k][n];
        m.reasons = reasons_[k][n];
        matching_.matches.push_back(std::move(m));
      }
      flushRemoved(oldNames_[k].size());
    }
  }

 private:
  void link(int k, rt::Index o, rt::Index n, MatchHow how, std::vector<std::string> reasons) {
    matching_.oldToNew[k][static_cast<std::size_t>(o)] = n;
    matching_.newToOld[k][static_cast<std::size_t>(n)] = o;
    how_[k][static_cast<std::size_t>(n)] = how;
    reasons_[k][static_cast<std::size_t>(n)] = std::move(reasons);
  }

  static std::size_t threshold(MatchKind kind) {
    // Touchpoints of one stage often share their channel: it takes more to recognise one.
    return kind == MatchKind::Touchpoint ? 3 : 2;
  }

  /// An old declaration's name as the new version calls it (or a name no new one has).
  std::string mapped(MatchKind kind, rt::Index o) const {
    if (o == rt::kNone) return "";
    int k = static_cast<int>(kind);
    rt::Index n = matching_.oldToNew[k][static_cast<std::size_t>(o)];
    if (n == rt::kNone) return "\x01" + oldNames_[k][static_cast<std::size_t>(o)];
    return newNames_[k][static_cast<std::size_t>(n)];
  }
  std::string named(MatchKind kind, rt::Index n) const {
    if (n == rt::kNone) return "";
    return newNames_[static_cast<int>(kind)][static_cast<std::size_t>(n)];
  }

  std::set<std::string> touchpointsOfStage(const rt::Machine& m, rt::Index s, bool isOld) const {
    std::set<std::string> out;
    const rt::Stage& stage = m.stages[static_cast<std::size_t>(s)];
    for (std::uint32_t i = 0; i < stage.touchpointCount; ++i) {
      rt::Index t = m.stageTouchpoints[stage.firstTouchpoint + i];
      out.insert(isOld ? mapped(MatchKind::Touchpoint, t) : named(MatchKind::Touchpoint, t));
    }
    return out;
  }
  std::set<std::string> successors(const rt::Machine& m, rt::Index s, bool isOld) const {
    std::set<rt::Index> stages;
    for (std::size_t p = 0; p < m.personas.size(); ++p)
      targetStages(m, m.after(s, static_cast<rt::Index>(p)).target, stages);
    const rt::Stage& stage = m.stages[static_cast<std::size_t>(s)];
    for (std::uint32_t e = 0; e < stage.eventTransitionCount; ++e) {
      const auto& transition = m.eventTransitions[stage.firstEventTransition + e];
      for (std::size_t p = 0; p < m.personas.size(); ++p)
        targetStages(m, m.eventTarget(transition, static_cast<rt::Index>(p)), stages);
    }
    std::set<std::string> out;
    for (rt::Index t : stages)
      out.insert(isOld ? mapped(MatchKind::Stage, t) : named(MatchKind::Stage, t));
    return out;
  }
  std::vector<std::string> actionsOf(const rt::Machine& m, const rt::Rule& r, bool isOld) const {
    std::vector<std::string> out;
    for (std::uint32_t a = 0; a < r.actionCount; ++a) {
      const rt::Action& action = m.actions[r.firstAction + a];
      std::string what = std::to_string(static_cast<int>(action.kind));
      if (action.kind == rt::ActionKind::Send)
        what += isOld ? mapped(MatchKind::Touchpoint, action.index)
                      : named(MatchKind::Touchpoint, action.index);
      out.push_back(what);
    }
    return out;
  }
  static std::string joined(const std::set<std::string>& names) {
    std::vector<std::string> shown;
    for (const auto& n : names)
      if (!n.empty() && n[0] != '\x01') shown.push_back(n);
    return fmt::format("{}", fmt::join(shown, ", "));
  }

  /// What the two declarations have in common; nullopt when they cannot be the same.
  std::optional<std::vector<std::string>> evidence(MatchKind kind, rt::Index o, rt::Index n) const {
    std::vector<std::string> reasons;
    auto so = static_cast<std::size_t>(o), sn = static_cast<std::size_t>(n);
    auto sameDisplay = [&](const std::string& a, const std::string& b) {
      if (!a.empty() && a == b) reasons.push_back(fmt::format("same description \"{}\"", a));
    };
    switch (kind) {
      case MatchKind::Persona: {
        sameDisplay(old_.personas[so].display, new_.personas[sn].display);
        if (old_.personas[so].share == new_.personas[sn].share) reasons.push_back("same share");
        if (o == n) reasons.push_back("same place in the persona list");
        break;
      }
      case MatchKind::Stage: {
        const rt::Stage& a = old_.stages[so];
        const rt::Stage& b = new_.stages[sn];
        if (a.kind != b.kind) return std::nullopt;
        sameDisplay(a.display, b.display);
        auto orderOld = journeyOrder(old_), orderNew = journeyOrder(new_);
        auto position = [](const std::vector<rt::Index>& order, rt::Index s) {
          return std::find(order.begin(), order.end(), s) - order.begin();
        };
        if (position(orderOld, o) == position(orderNew, n) && orderOld.size() == orderNew.size())
          reasons.push_back("same place in the journey order");
        auto ta = touchpointsOfStage(old_, o, true), tb = touchpointsOfStage(new_, n, false);
        if (!ta.empty() && ta == tb)
          reasons.push_back(fmt::format("same touchpoints ({})", joined(tb)));
        auto sa = successors(old_, o, true), sb = successors(new_, n, false);
        if (!sa.empty() && sa == sb)
          reasons.push_back(fmt::format("same transitions (to {})", joined(sb)));
        break;
      }
      case MatchKind::Touchpoint: {
        const rt::Touchpoint& a = old_.touchpoints[so];
        const rt::Touchpoint& b = new_.touchpoints[sn];
        sameDisplay(a.display, b.display);
        if (mapped(MatchKind::Channel, a.channel) == named(MatchKind::Channel, b.channel))
          reasons.push_back(fmt::format("same channel ({})", named(MatchKind::Channel, b.channel)));
        if (a.stage == rt::kNone && b.stage == rt::kNone) {
          // Touchpoints that rules send: recognised by the rules that send them.
          auto senders = [&](const rt::Machine& m, rt::Index t, bool isOld) {
            std::set<std::string> out;
            for (std::size_t r = 0; r < m.rules.size(); ++r) {
              const rt::Rule& rule = m.rules[r];
              for (std::uint32_t i = 0; i < rule.actionCount; ++i) {
                const rt::Action& action = m.actions[rule.firstAction + i];
                if (action.kind == rt::ActionKind::Send && action.index == t)
                  out.insert(isOld ? mapped(MatchKind::Rule, static_cast<rt::Index>(r))
                                   : named(MatchKind::Rule, static_cast<rt::Index>(r)));
              }
            }
            return out;
          };
          auto sa = senders(old_, o, true), sb = senders(new_, n, false);
          if (!sa.empty() && sa == sb)
            reasons.push_back(fmt::format("sent by the same rules ({})", joined(sb)));
          break;
        }
        if (mapped(MatchKind::Stage, a.stage) == named(MatchKind::Stage, b.stage))
          reasons.push_back(fmt::format("same stage ({})", named(MatchKind::Stage, b.stage)));
        // The position among the touchpoints of its stage.
        auto rank = [](const rt::Machine& m, rt::Index t) {
          int r = 0;
          for (rt::Index i = 0; i < t; ++i)
            r += m.touchpoints[static_cast<std::size_t>(i)].stage ==
                 m.touchpoints[static_cast<std::size_t>(t)].stage;
          return r;
        };
        if (rank(old_, o) == rank(new_, n))
          reasons.push_back("same place among its stage's touchpoints");
        break;
      }
      case MatchKind::Channel: {
        const rt::Channel& a = old_.channels[so];
        const rt::Channel& b = new_.channels[sn];
        if (a.cost == b.cost && a.capCount == b.capCount && a.capWindow == b.capWindow &&
            a.hasQuiet == b.hasQuiet)
          reasons.push_back("same cost, cap and quiet hours");
        std::set<std::string> ta, tb;
        for (std::size_t t = 0; t < old_.touchpoints.size(); ++t)
          if (old_.touchpoints[t].channel == o)
            ta.insert(mapped(MatchKind::Touchpoint, static_cast<rt::Index>(t)));
        for (std::size_t t = 0; t < new_.touchpoints.size(); ++t)
          if (new_.touchpoints[t].channel == n)
            tb.insert(named(MatchKind::Touchpoint, static_cast<rt::Index>(t)));
        if (!ta.empty() && ta == tb)
          reasons.push_back(fmt::format("same touchpoints ({})", joined(tb)));
        break;
      }
      case MatchKind::Rule: {
        const rt::Rule& a = old_.rules[so];
        const rt::Rule& b = new_.rules[sn];
        sameDisplay(a.display, b.display);
        bool sameTrigger = a.trigger == b.trigger;
        if (sameTrigger &&
            (a.trigger == rt::TriggerKind::Enter || a.trigger == rt::TriggerKind::Leave))
          sameTrigger =
              mapped(MatchKind::Stage, a.triggerIndex) == named(MatchKind::Stage, b.triggerIndex);
        if (sameTrigger && a.trigger == rt::TriggerKind::Event)
          sameTrigger = old_.events[static_cast<std::size_t>(a.triggerIndex)].name ==
                        new_.events[static_cast<std::size_t>(b.triggerIndex)].name;
        if (sameTrigger) reasons.push_back("same trigger");
        auto aa = actionsOf(old_, a, true), ab = actionsOf(new_, b, false);
        if (!aa.empty() && aa == ab) reasons.push_back("same actions");
        std::set<std::string> ia, ib;
        for (std::uint32_t i = 0; i < a.stageCount; ++i)
          ia.insert(mapped(MatchKind::Stage, old_.ruleStages[a.firstStage + i]));
        for (std::uint32_t i = 0; i < b.stageCount; ++i)
          ib.insert(named(MatchKind::Stage, new_.ruleStages[b.firstStage + i]));
        if (!ia.empty() && ia == ib) reasons.push_back(fmt::format("same stages ({})", joined(ib)));
        break;
      }
    }
    return reasons;
  }

  const rt::Machine& old_;
  const rt::Machine& new_;
  Matching& matching_;
  std::vector<std::string> oldNames_[kMatchKinds], newNames_[kMatchKinds];
  std::vector<MatchHow> how_[kMatchKinds];
  std::vector<std::vector<std::string>> reasons_[kMatchKinds];
};

}  // namespace

std::optional<Matching> matchMachines(const rt::Machine& oldMachine, const rt::Machine& newMachine,
                                      const MatchOptions& options, std::string& error) {
  Matching matching;
  Matcher matcher(oldMachine, newMachine, matching);
  if (!matcher.applyRenames(options.renames, error)) return std::nullopt;
  matcher.matchNames();
  if (options.guessRenames) matcher.guess();
  matcher.finish();
  return matching;
}

// ---------------------------------------------------------------------------------------------
// Paired statistics

void PairedSums::add(double yOld, double xOld, double yNew, double xNew) {
  double v[4] = {yNew - yOld, xNew - xOld, yOld, xOld};
  ++n;
  if (v[0] != 0 || v[1] != 0) ++differing;
  int i = 0;
  for (int j = 0; j < 4; ++j) {
    sum[j] += v[j];
    for (int k = j; k < 4; ++k)
      moment[i++] += v[j] * v[k];
  }
}

void PairedSums::merge(const PairedSums& o) {
  n += o.n;
  differing += o.differing;
  for (int j = 0; j < 4; ++j)
    sum[j] += o.sum[j];
  for (int i = 0; i < 10; ++i)
    moment[i] += o.moment[i];
}

Interval PairedSums::difference(double delta) const {
  if (n < 2 || std::isnan(delta)) return {delta, NAN, NAN};
  if (differing == 0) return {delta, delta, delta};
  auto nn = static_cast<double>(n);
  double yOld = sum[2], xOld = sum[3], yNew = sum[0] + sum[2], xNew = sum[1] + sum[3];
  if (xOld == 0 || xNew == 0) return {delta, NAN, NAN};
  double meanXOld = xOld / nn, meanXNew = xNew / nn;
  double rOld = yOld / xOld, rNew = yNew / xNew;
  // The linearised difference per customer: z = (y_new - r_new x_new) / mean(x_new)
  //                                           - (y_old - r_old x_old) / mean(x_old),
  // written in the basis (dy, dx, y_old, x_old).
  double alpha = 1 / meanXNew, gamma = 1 / meanXOld;
  double beta = rNew / meanXNew, delta0 = rOld / meanXOld;
  double c[4] = {alpha, -beta, alpha - gamma, delta0 - beta};
  auto covariance = [&](int j, int k) {
    if (j > k) std::swap(j, k);
    static const int offset[4] = {0, 4, 7, 9};
    double m = moment[offset[j] + (k - j)];
    return (m - sum[j] * (sum[k] / nn)) / (nn - 1);
  };
  double variance = 0;
  for (int j = 0; j < 4; ++j) {
    if (c[j] == 0) continue;
    for (int k = 0; k < 4; ++k)
      if (c[k] != 0) variance += c[j] * c[k] * covariance(j, k);
  }
  double half = kZ95 * std::sqrt(std::max(0.0, variance) / nn);
  return {delta, delta - half, delta + half};
}

// ---------------------------------------------------------------------------------------------
// The comparison

namespace {

struct PairedKpi {
  const KpiDef* oldDef = nullptr;
  const KpiDef* newDef = nullptr;
};

bool sameKpi(const Matching& matching, const KpiDef& a, const KpiDef& b) {
  if (a.metric != b.metric || a.itemKind != b.itemKind) return false;
  switch (a.itemKind) {
    case KpiItem::None:
      return true;
    case KpiItem::Outcome:
      return a.item == b.item;
    case KpiItem::Stage:
      return matching.toNew(MatchKind::Stage, a.index) == b.index;
    case KpiItem::Touchpoint:
      return matching.toNew(MatchKind::Touchpoint, a.index) == b.index;
    case KpiItem::Channel:
      return matching.toNew(MatchKind::Channel, a.index) == b.index;
    case KpiItem::Rule:
      return matching.toNew(MatchKind::Rule, a.index) == b.index;
  }
  return false;
}

/// The KPIs of both versions, paired where they match, in the new version's order.
struct KpiPairs {
  KpiPairs(const rt::Machine& oldMachine, const rt::Machine& newMachine, const Matching& matching);
  KpiPairs(const KpiPairs&) = delete;
  KpiPairs& operator=(const KpiPairs&) = delete;

  std::vector<KpiDef> oldDefs, newDefs;
  /// Every KPI, pointing into the definitions.
  std::vector<PairedKpi> list;
  /// Into `list`, for the KPIs in both versions.
  std::vector<std::size_t> paired;
};

KpiPairs::KpiPairs(const rt::Machine& oldMachine, const rt::Machine& newMachine,
                   const Matching& matching)
    : oldDefs(kpiDefinitions(oldMachine)), newDefs(kpiDefinitions(newMachine)) {
  std::vector<bool> oldUsed(oldDefs.size(), false);
  std::size_t nextOld = 0;
  auto flushOld = [&](std::size_t upTo) {
    for (; nextOld < upTo; ++nextOld)
      if (!oldUsed[nextOld]) list.push_back({&oldDefs[nextOld], nullptr});
  };
  for (const KpiDef& d : newDefs) {
    std::size_t match = oldDefs.size();
    for (std::size_t o = 0; o < oldDefs.size(); ++o) {
      if (!oldUsed[o] && sameKpi(matching, oldDefs[o], d)) {
        match = o;
        break;
      }
    }
    if (match == oldDefs.size()) {
      list.push_back({nullptr, &d});
      continue;
    }
    oldUsed[match] = true;
    flushOld(match);
    list.push_back({&oldDefs[match], &d});
    nextOld = std::max(nextOld, match + 1);
  }
  flushOld(oldDefs.size());
  for (std::size_t i = 0; i < list.size(); ++i)
    if (list[i].oldDef != nullptr && list[i].newDef != nullptr) paired.push_back(i);
}

/// The groups compared: everyone (group 0), then each new persona that has an old one.
struct PersonaGroups {
  PersonaGroups(const rt::Machine& newMachine, const Matching& matching);
  std::size_t count() const { return 1 + personas.size(); }

  /// By new persona: its group, or kNone.
  std::vector<rt::Index> groupOfNewPersona;
  /// By group after the first: (old persona, new persona).
  std::vector<std::pair<rt::Index, rt::Index>> personas;
};

PersonaGroups::PersonaGroups(const rt::Machine& newMachine, const Matching& matching)
    : groupOfNewPersona(newMachine.personas.size(), rt::kNone) {
  for (std::size_t p = 0; p < newMachine.personas.size(); ++p) {
    rt::Index o = matching.toOld(MatchKind::Persona, static_cast<rt::Index>(p));
    if (o == rt::kNone) continue;
    groupOfNewPersona[p] = static_cast<rt::Index>(1 + personas.size());
    personas.emplace_back(o, static_cast<rt::Index>(p));
  }
}

/// What pairing and comparing the two versions' customers works from.
struct Plan {
  const rt::Machine& oldMachine;
  const rt::Machine& newMachine;
  const Matching& matching;
  const KpiPairs& kpis;
  const PersonaGroups& groups;
};

/// What one chunk of customers adds up to.
struct ChunkSums {
  ChunkSums(const rt::Machine& oldMachine, const rt::Machine& newMachine, std::size_t groups,
            std::size_t paired)
      : oldTallies(oldMachine.personas.size(), Tally(oldMachine)),
        newTallies(newMachine.personas.size(), Tally(newMachine)),
        oldCounters(oldMachine),
        newCounters(newMachine),
        oldTotals(oldMachine),
        newTotals(newMachine),
        sums(groups, std::vector<PairedSums>(paired)),
        diverged(groups, 0) {}
  std::vector<Tally> oldTallies, newTallies;
  rt::Counters oldCounters, newCounters;
  rt::CountTotals oldTotals, newTotals;
  std::vector<std::vector<PairedSums>> sums;  // by group, by paired KPI
  std::vector<std::uint64_t> diverged;        // by group
  std::uint64_t personaMismatches = 0;
  std::uint64_t customers = 0;

  void merge(const ChunkSums& chunk) {
    for (std::size_t p = 0; p < oldTallies.size(); ++p)
      oldTallies[p].merge(chunk.oldTallies[p]);
    for (std::size_t p = 0; p < newTallies.size(); ++p)
      newTallies[p].merge(chunk.newTallies[p]);
    oldCounters.merge(chunk.oldCounters);
    newCounters.merge(chunk.newCounters);
    for (std::size_t g = 0; g < sums.size(); ++g) {
      for (std::size_t k = 0; k < sums[g].size(); ++k)
        sums[g][k].merge(chunk.sums[g][k]);
      diverged[g] += chunk.diverged[g];
    }
    personaMismatches += chunk.personaMismatches;
    customers += chunk.customers;
  }
};

/// A thread's two customers and the sums of its chunk.
struct Worker {
  Worker(const rt::Program& oldProgram, const rt::Program& newProgram, std::size_t groups,
         std::size_t paired, std::uint64_t maxSteps)
      : chunkSums(oldProgram.machine(), newProgram.machine(), groups, paired),
        a(oldProgram, &chunkSums.oldCounters,
          rt::Customer::Options{false, maxSteps, false, &chunkSums.oldTotals}),
        b(newProgram, &chunkSums.newCounters,
          rt::Customer::Options{false, maxSteps, false, &chunkSums.newTotals}),
        contributions(paired * 4) {}
  ChunkSums chunkSums;
  rt::Customer a, b;
  std::vector<double> contributions;
};

/// Runs customer `i` through both versions and adds the pair to the worker's chunk sums.
void addCustomerPair(Worker& w, const Plan& plan, std::uint64_t seed, std::uint64_t i) {
  ChunkSums& chunkSums = w.chunkSums;
  rt::Customer &a = w.a, &b = w.b;
  const rt::Machine& mo = plan.oldMachine;
  const rt::Machine& mn = plan.newMachine;
  a.start(seed, i);
  a.advanceTo(mo.horizon);
  a.stopAtHorizon();
  b.start(seed, i);
  b.advanceTo(mn.horizon);
  b.stopAtHorizon();
  chunkSums.oldTallies[static_cast<std::size_t>(a.persona())].add(a, mo.horizon);
  chunkSums.newTallies[static_cast<std::size_t>(b.persona())].add(b, mn.horizon);
  ++chunkSums.customers;
  rt::Index personaGroup = plan.groups.groupOfNewPersona[static_cast<std::size_t>(b.persona())];
  if (personaGroup != rt::kNone &&
      plan.matching.toOld(MatchKind::Persona, b.persona()) != a.persona())
    personaGroup = rt::kNone;
  if (personaGroup == rt::kNone) ++chunkSums.personaMismatches;
  bool differs = false;
  for (std::size_t k = 0; k < plan.kpis.paired.size(); ++k) {
    const PairedKpi& kpi = plan.kpis.list[plan.kpis.paired[k]];
    double* c = &w.contributions[k * 4];
    kpiContribution(a, *kpi.oldDef, c[0], c[1]);
    kpiContribution(b, *kpi.newDef, c[2], c[3]);
    differs |= c[0] != c[2] || c[1] != c[3];
    chunkSums.sums[0][k].add(c[0], c[1], c[2], c[3]);
    if (personaGroup != rt::kNone)
      chunkSums.sums[static_cast<std::size_t>(personaGroup)][k].add(c[0], c[1], c[2], c[3]);
  }
  if (differs) {
    ++chunkSums.diverged[0];
    if (personaGroup != rt::kNone) ++chunkSums.diverged[static_cast<std::size_t>(personaGroup)];
  }
}

/// Both versions on the same customers, in chunks on threads; sets `stopped` when interrupted.
ChunkSums runCustomerPairs(const rt::Program& oldProgram, const rt::Program& newProgram,
                           const Plan& plan, const CompareOptions& options, bool& stopped) {
  const rt::Machine& mo = plan.oldMachine;
  const rt::Machine& mn = plan.newMachine;
  const std::size_t groups = plan.groups.count(), paired = plan.kpis.paired.size();
  ChunkSums total(mo, mn, groups, paired);
  unsigned threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::uint64_t customers = std::max<std::uint64_t>(1, options.customers);
  auto compute = [&](std::unique_ptr<Worker>& w, std::uint64_t chunk) {
    std::uint64_t begin = chunk * kChunk;
    std::uint64_t end = std::min(customers, begin + kChunk);
    w->chunkSums = ChunkSums(mo, mn, groups, paired);
    for (std::uint64_t i = begin; i < end; ++i)
      addCustomerPair(*w, plan, options.seed, i);
    ChunkSums& chunkSums = w->chunkSums;
    for (std::size_t p = 0; p < chunkSums.oldTallies.size(); ++p)
      chunkSums.oldTallies[p].addCounts(chunkSums.oldTotals, static_cast<rt::Index>(p));
    for (std::size_t p = 0; p < chunkSums.newTallies.size(); ++p)
      chunkSums.newTallies[p].addCounts(chunkSums.newTotals, static_cast<rt::Index>(p));
  };
  auto merge = [&](std::unique_ptr<Worker>& w, std::uint64_t) {
    total.merge(w->chunkSums);
    if (options.progress) options.progress(total.customers, customers);
  };
  // The customers point into the chunk sums: the state lives on the heap, never moved.
  auto makeState = [&] {
    return std::make_unique<Worker>(oldProgram, newProgram, groups, paired, options.maxSteps);
  };
  stopped = runChunksInOrder((customers + kChunk - 1) / kChunk, threads, options.stop, makeState,
                             compute, merge);
  return total;
}

/// One group's KPIs side by side, with the difference's interval: paired on common random
/// numbers, or from independent samples when the group's customers do not pair up.
ComparedGroup compareGroup(const Plan& plan, const std::vector<PairedSums>& sumsOfGroup,
                           std::uint64_t diverged, const std::string& name, const Tally& oldTally,
                           const Tally& newTally, bool paired) {
  ComparedGroup group;
  group.name = name;
  group.paired = paired;
  group.oldCustomers = oldTally.customers;
  group.newCustomers = newTally.customers;
  group.diverged = diverged;
  std::size_t k = 0;
  for (const PairedKpi& kpi : plan.kpis.list) {
    ComparedKpi row;
    const KpiDef& def = kpi.newDef != nullptr ? *kpi.newDef : *kpi.oldDef;
    row.metric = def.metric;
    row.item = def.item;
    row.unit = def.unit;
    row.inOld = kpi.oldDef != nullptr;
    row.inNew = kpi.newDef != nullptr;
    if (row.inOld) {
      row.oldItem = kpi.oldDef->item;
      row.oldValue = kpiValue(plan.oldMachine, oldTally, *kpi.oldDef);
    }
    if (row.inNew) {
      row.newItem = kpi.newDef->item;
      row.newValue = kpiValue(plan.newMachine, newTally, *kpi.newDef);
    }
    if (row.inOld && row.inNew) {
      const PairedSums& sums = sumsOfGroup[k++];
      double delta = row.newValue.value - row.oldValue.value;
      if (paired) {
        row.delta = sums.difference(delta);
        row.differing = sums.differing;
      } else {
        // Independent samples: the two intervals' half-widths in quadrature.
        double half = std::hypot(row.oldValue.halfWidth(), row.newValue.halfWidth());
        row.delta = {delta, delta - half, delta + half};
        row.differing = sums.differing;
      }
      row.significant = significant(row.delta);
    }
    group.kpis.push_back(std::move(row));
  }
  return group;
}

}  // namespace

Comparison compare(const rt::Program& oldProgram, const rt::Program& newProgram,
                   const Matching& matching, const CompareOptions& options) {
  const rt::Machine& mo = oldProgram.machine();
  const rt::Machine& mn = newProgram.machine();
  Comparison result(mo, mn);
  auto started = std::chrono::steady_clock::now();
  KpiPairs kpis(mo, mn, matching);
  PersonaGroups groups(mn, matching);
  Plan plan{mo, mn, matching, kpis, groups};
  bool stopped = false;
  ChunkSums total = runCustomerPairs(oldProgram, newProgram, plan, options, stopped);

  result.interrupted = stopped;
  result.customers = total.customers;
  result.personaMismatches = total.personaMismatches;
  result.oldResults.personas = total.oldTallies;
  result.oldResults.counters = total.oldCounters;
  result.oldResults.customers = total.customers;
  result.oldResults.interrupted = stopped;
  result.newResults.personas = total.newTallies;
  result.newResults.counters = total.newCounters;
  result.newResults.customers = total.customers;
  result.newResults.interrupted = stopped;

  result.groups.push_back(compareGroup(plan, total.sums[0], total.diverged[0], "all",
                                       result.oldResults.overall(), result.newResults.overall(),
                                       true));
  for (std::size_t i = 0; i < groups.personas.size(); ++i) {
    auto [o, n] = groups.personas[i];
    result.groups.push_back(compareGroup(plan, total.sums[1 + i], total.diverged[1 + i],
                                         mn.personas[static_cast<std::size_t>(n)].name,
                                         total.oldTallies[static_cast<std::size_t>(o)],
                                         total.newTallies[static_cast<std::size_t>(n)],
                                         total.personaMismatches == 0));
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace journey::sim

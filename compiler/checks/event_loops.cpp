#include "compiler/checks/event_loops.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <cmath>
#include <map>
#include <set>

#include "compiler/sema/types.h"

namespace journey::checks {
using sema::joinNames;

namespace {

// A mean below 1 by less than this is rounding: the chain of occurrences does not die out.
constexpr double kRounding = 1e-9;

// The occurrences of one event in one stage.
struct Node {
  std::size_t stage;
  std::string event;
  bool operator<(const Node& other) const {
    return std::tie(stage, event) < std::tie(other.stage, other.event);
  }
};

// One loop, gathered across the personas whose customers can go round it.
struct Loop {
  std::vector<std::string> personas;
  std::vector<const InstantEmission*> emissions;
  /// How many occurrences each occurrence sets off at once, on average, in the long run (the
  /// Perron root of the mean matrix): at least 1, the chain never dies out.
  double growth = 0;
  /// For a loop of one event: the expected number of its occurrences set off by the first.
  bool oneEvent = false;
};

// The Perron root of a non-negative irreducible matrix, by power iteration on M + I (whose
// powers converge even when M is periodic).
double perronRoot(const std::vector<std::vector<double>>& m) {
  std::size_t n = m.size();
  std::vector<double> x(n, 1.0 / static_cast<double>(n)), next(n);
  double root = 0;
  for (int round = 0; round < 500; ++round) {
    double norm = 0;
    for (std::size_t i = 0; i < n; ++i) {
      next[i] = x[i];
      for (std::size_t j = 0; j < n; ++j)
        next[i] += m[i][j] * x[j];
      norm += next[i];
    }
    double previous = root;
    root = norm - 1;  // x sums to 1
    for (std::size_t i = 0; i < n; ++i)
      x[i] = next[i] / norm;
    if (round > 0 && std::abs(root - previous) < 1e-12) break;
  }
  return root;
}

// The persona's loops, keyed by their first node.
void findLoops(const JourneyGraph& graph, const PersonaGraph& persona,
               std::map<std::string, Loop>& loops) {
  Reachability reach = reachableFromEntry(graph, persona);
  auto leaves = [&](std::size_t stage, const std::string& event) {
    const auto& events = persona.leavingEvents[stage];
    return persona.leavesAnyInstant[stage] ||
           std::find(events.begin(), events.end(), event) != events.end();
  };
  std::map<Node, std::size_t> index;
  std::vector<Node> nodes;
  std::vector<const InstantEmission*> kept;
  auto nodeOf = [&](std::size_t stage, const std::string& event) {
    auto [it, added] = index.try_emplace(Node{stage, event}, nodes.size());
    if (added) nodes.push_back(it->first);
    return it->second;
  };
  for (const auto& emission : persona.emissions) {
    if (!reach.reached[emission.stage] || leaves(emission.stage, emission.from)) continue;
    nodeOf(emission.stage, emission.from);
    nodeOf(emission.stage, emission.to);
    kept.push_back(&emission);
  }
  if (kept.empty()) return;
  using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  BoostGraph g(nodes.size());
  for (const auto* emission : kept)
    boost::add_edge(index[{emission->stage, emission->from}],
                    index[{emission->stage, emission->to}], g);
  std::vector<std::size_t> component(nodes.size());
  std::size_t count = boost::strong_components(
      g, boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, g)));
  for (std::size_t c = 0; c < count; ++c) {
    std::vector<std::size_t> members;
    for (std::size_t v = 0; v < nodes.size(); ++v)
      if (component[v] == c) members.push_back(v);
    std::vector<const InstantEmission*> inside;
    std::vector<std::vector<double>> mean(members.size(), std::vector<double>(members.size(), 0));
    auto position = [&](std::size_t v) {
      return static_cast<std::size_t>(std::find(members.begin(), members.end(), v) -
                                      members.begin());
    };
    for (const auto* emission : kept) {
      std::size_t from = index[{emission->stage, emission->from}];
      std::size_t to = index[{emission->stage, emission->to}];
      if (component[from] != c || component[to] != c) continue;
      inside.push_back(emission);
      mean[position(from)][position(to)] += emission->chance;
    }
    if (inside.empty()) continue;  // one node without a loop onto itself
    const Node& first = nodes[members.front()];
    Loop& loop = loops[fmt::format("{}\n{}", graph.name(first.stage), first.event)];
    loop.personas.push_back(persona.persona->name.text);
    if (loop.emissions.empty()) {
      loop.emissions = inside;
      loop.growth = perronRoot(mean);
      loop.oneEvent = members.size() == 1;
    }
  }
}

void report(const JourneyGraph& graph, const Loop& loop, DiagnosticSink& sink) {
  const InstantEmission& first = *loop.emissions.front();
  std::set<std::string> eventSet, ruleSet;
  for (const auto* emission : loop.emissions) {
    eventSet.insert(emission->from);
    ruleSet.insert(emission->rule->name.text);
  }
  std::vector<std::string> events(eventSet.begin(), eventSet.end());
  std::vector<std::string> rules(ruleSet.begin(), ruleSet.end());
  bool endless = loop.growth >= 1 - kRounding;
  std::string through =
      fmt::format("{} {} and {} {}", events.size() == 1 ? "event" : "events", joinNames(events),
                  rules.size() == 1 ? "rule" : "rules", joinNames(rules));
  std::string stage = graph.name(first.stage);
  Diagnostic& d =
      endless ? sink.report(DiagnosticKind::ZeroTimeCycle, first.where,
                            fmt::format("customers in `{}` can loop through {} without any time "
                                        "passing",
                                        stage, through))
              : sink.report(DiagnosticKind::ZeroTimeLoop, first.where,
                            fmt::format("customers in `{}` can loop through {} without any time "
                                        "passing before the loop ends",
                                        stage, through));
  d.notes.push_back(fmt::format("for customers of {}", joinNames(loop.personas)));
  bool certain = std::all_of(loop.emissions.begin(), loop.emissions.end(),
                             [](const InstantEmission* e) { return e->chance >= 1; });
  if (endless && certain && loop.growth <= 1 + kRounding) {
    d.notes.push_back(loop.oneEvent
                          ? fmt::format("each occurrence of `{}` sets off another at once, for "
                                        "ever",
                                        events.front())
                          : "each occurrence sets off the next at once, for ever");
  } else if (endless) {
    d.notes.push_back(fmt::format(
        "each occurrence sets off {:.3g} more at once on average: the chain need never end",
        loop.growth));
  } else if (loop.oneEvent) {
    d.notes.push_back(
        fmt::format("each occurrence of `{}` sets off {:.3g} more at once on average: {:.3g} "
                    "occurrences in all",
                    events.front(), loop.growth, 1 / (1 - loop.growth)));
  } else {
    d.notes.push_back(fmt::format(
        "each occurrence sets off {:.3g} more at once on average: the chain almost surely ends",
        loop.growth));
  }
  d.help = endless ? "put time in the loop: a `delay` on the response, a `wait` before the "
                     "`send`, or a `cap` on the rule"
                   : "a customer with more than 1,000 occurrences at one instant is stopped as "
                     "looping; put a `delay` on the response if going round should take time";
  // The first send is the primary location: its account is a note.
  for (const auto* emission : loop.emissions) {
    std::string what =
        fmt::format("`{}` on `{}` sends `{}`, whose response emits `{}` at once ({})",
                    emission->rule->name.text, emission->from, emission->touchpoint->name.text,
                    emission->to, sema::formatPercent(emission->chance));
    if (emission == &first) {
      d.notes.insert(d.notes.begin(), what);
    } else {
      d.labels.push_back({emission->where, what});
    }
  }
}

}  // namespace

void checkEventLoops(const JourneyGraph& graph, DiagnosticSink& sink) {
  std::map<std::string, Loop> loops;
  for (const auto& persona : graph.personas)
    findLoops(graph, persona, loops);
  for (const auto& [key, loop] : loops)
    report(graph, loop, sink);
}

}  // namespace journey::checks

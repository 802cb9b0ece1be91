// The journey map as Graphviz DOT: left to right, each stage an HTML-like table with its
// touchpoints, milestones amber with a flag, goals green and doubled, exits grey, rules dashed,
// findings red.
#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "compiler/map/map.h"
#include "compiler/map/text.h"
#include "support/html.h"

namespace journey::map {
namespace {

using detail::wrap;

// Colours, chosen to stay readable printed in grey.
constexpr const char* kInk = "#263238";
constexpr const char* kMuted = "#78909c";
constexpr const char* kStageBorder = "#5c6bc0";
constexpr const char* kHeaderNeutral = "#e8eaf6";
constexpr const char* kHeaderHappy = "#e8f5e9";
constexpr const char* kHeaderUnhappy = "#fff3e0";
constexpr const char* kHappy = "#2e7d32";
constexpr const char* kUnhappy = "#e65100";
constexpr const char* kMilestone = "#c77800";
constexpr const char* kGoal = "#2e7d32";
constexpr const char* kGoalHeader = "#c8e6c9";
constexpr const char* kExit = "#9e9e9e";
constexpr const char* kExitHeader = "#eeeeee";
constexpr const char* kExitInk = "#616161";
constexpr const char* kFinding = "#c62828";
constexpr const char* kFindingFill = "#ffebee";
constexpr const char* kTransition = "#546e7a";
constexpr const char* kEvent = "#1565c0";
constexpr const char* kPersona = "#8e24aa";
constexpr const char* kRule = "#00897b";
constexpr const char* kRuleFill = "#e0f2f1";

// Text in an HTML-like label: its attributes are double-quoted, so apostrophes stay as typed.
std::string html(std::string_view text) {
  return support::escapeHtml(text, support::Apostrophes::Keep);
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Node ids: a stage's is its name, a trigger's `rule:NAME` or `event:NAME` (map.h), and the
// start and findings nodes have a ':' too, which no name has: a stage named `start` or
// `findings` stays a node of its own.
constexpr std::string_view kStartNode = "map:start";
constexpr std::string_view kFindingsNode = "map:findings";

std::string nodeId(std::string_view name) {
  return quoted(name);
}

// Wrapped lines of `text`, HTML-escaped, joined by line breaks.
std::string wrapped(std::string_view text, std::size_t width) {
  std::string out;
  for (const auto& line : wrap(text, width)) {
    if (!out.empty()) out += "<br/>";
    out += html(line);
  }
  return out;
}

std::string stageLabel(const Stage& stage, const std::string& persona) {
  bool goal = stage.kind == ast::StageKind::Goal;
  bool exit = stage.kind == ast::StageKind::Exit;
  const char* header = goal   ? kGoalHeader
                       : exit ? kExitHeader
                              : (stage.emotion && *stage.emotion > 0   ? kHeaderHappy
                                 : stage.emotion && *stage.emotion < 0 ? kHeaderUnhappy
                                                                       : kHeaderNeutral);
  const char* ink = exit || !stage.reached ? kExitInk : kInk;
  std::ostringstream out;
  out << "<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"3\">";
  // Header: the display name, the emotion mark, and the name and kind below.
  out << fmt::format("<tr><td colspan=\"2\" bgcolor=\"{}\" cellpadding=\"6\">", header);
  if (stage.milestone)
    out << fmt::format("<font point-size=\"13\" color=\"{}\">{} </font>", kMilestone,
                       detail::kMilestoneMark);
  out << fmt::format("<font point-size=\"13\" color=\"{}\"><b>{}</b></font>", ink,
                     wrapped(stage.label, 28));
  if (auto mark = detail::emotionMark(stage.emotion); !mark.empty()) {
    const char* color = *stage.emotion > 0 ? kHappy : *stage.emotion < 0 ? kUnhappy : kMuted;
    out << fmt::format("  <font point-size=\"12\" color=\"{}\">{}</font>", color, html(mark));
  }
  std::string kind(detail::kindWord(stage));
  std::string caption = stage.label == stage.name ? kind : stage.name + " \u00B7 " + kind;
  if (stage.entry) caption += " \u00B7 entry";
  out << fmt::format("<br/><font point-size=\"9\" color=\"{}\">{}</font></td></tr>", kMuted,
                     html(caption));
  // Touchpoints: channel, what happens, emotion.
  for (const auto& touchpoint : stage.touchpoints) {
    // The channel and what happens in one left-aligned cell: Graphviz spreads a wider
    // header's extra width over the columns, which would push a second column's text right.
    std::string channel;
    if (!touchpoint.channel.empty()) {
      channel = fmt::format("<font point-size=\"9\" color=\"{}\">{}</font>  ", kMuted,
                            html(touchpoint.channel));
    }
    out << fmt::format(
        "<tr><td align=\"left\" balign=\"left\">{}<font point-size=\"10\" "
        "color=\"{}\">{}</font></td>",
        channel, ink, wrapped(touchpoint.label, 30));
    std::string emotion;
    const char* color = kMuted;
    if (touchpoint.emotion && *touchpoint.emotion != 0) {
      emotion = detail::signedNumber(*touchpoint.emotion);
      color = *touchpoint.emotion > 0 ? kHappy : kUnhappy;
    } else if (!touchpoint.emotionText.empty()) {
      emotion = touchpoint.emotionText;
    }
    if (emotion.empty()) {
      out << "<td></td></tr>";
    } else {
      out << fmt::format(
          "<td align=\"right\" valign=\"top\"><font point-size=\"10\" "
          "color=\"{}\">{}</font></td></tr>",
          color, html(emotion));
    }
  }
  if (!stage.reached && !persona.empty()) {
    out << fmt::format(
        "<tr><td colspan=\"2\" align=\"left\"><font point-size=\"9\" color=\"{}\"><i>{} "
        "customers never get here</i></font></td></tr>",
        kMuted, html(persona));
  }
  for (const auto& finding : stage.findings) {
    out << fmt::format(
        "<tr><td colspan=\"2\" align=\"left\" balign=\"left\" bgcolor=\"{}\"><font "
        "point-size=\"10\" color=\"{}\">{}</font></td></tr>",
        kFindingFill, kFinding, wrapped(detail::findingText(finding), 40));
  }
  out << "</table>";
  return out.str();
}

void writeStage(std::ostream& out, const Stage& stage, const std::string& persona) {
  std::string color = kStageBorder;
  std::string style = "rounded,filled";
  std::string extra;
  double penwidth = 1.4;
  if (stage.kind == ast::StageKind::Goal) {
    color = kGoal;
    extra = ", peripheries=2";
    penwidth = 1.8;
  } else if (stage.kind == ast::StageKind::Exit) {
    color = kExit;
  } else if (stage.milestone) {
    color = kMilestone;
    penwidth = 1.8;
  }
  if (!stage.reached) {
    style += ",dashed";
    color = kExit;
  }
  if (!stage.findings.empty()) {
    color = kFinding;
    penwidth = 2.6;
  }
  out << fmt::format(
      "  {} [id={}, shape=box, style=\"{}\", fillcolor=\"white\", color=\"{}\", penwidth={}, "
      "margin=0{}, label=<{}>];\n",
      nodeId(stage.name), quoted("stage-" + stage.name), style, color, penwidth, extra,
      stageLabel(stage, persona));
}

void writeTrigger(std::ostream& out, const Trigger& trigger) {
  const char* glyph = trigger.kind == Trigger::Kind::Event  ? "\u26A1"
                      : trigger.kind == Trigger::Kind::Time ? "\u25F7"
                                                            : "\u25C7";
  std::string label;
  std::size_t start = 0;
  bool first = true;
  while (start <= trigger.label.size()) {
    std::size_t end = trigger.label.find('\n', start);
    if (end == std::string::npos) end = trigger.label.size();
    std::string_view line(trigger.label.data() + start, end - start);
    if (first) {
      label +=
          fmt::format("<font color=\"{}\">{} </font><b>{}</b>", kRule, glyph, wrapped(line, 36));
    } else {
      label += "<br/><font point-size=\"9\">" + wrapped(line, 44) + "</font>";
    }
    first = false;
    start = end + 1;
  }
  out << fmt::format(
      "  {} [id={}, shape=box, style=\"rounded,dashed,filled\", fillcolor=\"{}\", color=\"{}\", "
      "fontsize=10, fontcolor=\"{}\", margin=\"0.12,0.06\", label=<{}>];\n",
      quoted(trigger.id), quoted("trigger-" + trigger.id), kRuleFill, kRule, kInk, label);
}

void writeEdge(std::ostream& out, const Edge& edge) {
  std::string_view from = edge.kind == EdgeKind::Entry ? kStartNode : edge.from;
  const char* color = kTransition;
  std::string style = "solid";
  std::string extra;
  switch (edge.kind) {
    case EdgeKind::Entry:
      color = kInk;
      break;
    case EdgeKind::After:
      break;
    case EdgeKind::OnEvent:
      color = kEvent;
      break;
    case EdgeKind::Rule:
      color = kRule;
      style = "dashed";
      // Stage-to-stage rules follow the flow instead of shaping it.
      if (edge.from.rfind("rule:", 0) != 0 && edge.from.rfind("event:", 0) != 0)
        extra = ", constraint=false";
      break;
  }
  if (!edge.personas.empty()) color = kPersona;
  if (!edge.findings.empty()) color = kFinding;

  // The persona scope and the trigger, then the branches in bold (a transition) or one line
  // per rule with the rule's name in bold.
  std::string label;
  std::size_t head = (edge.personas.empty() ? 0 : 1) + (edge.trigger.empty() ? 0 : 1);
  auto lines = detail::edgeLines(edge);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!label.empty()) label += "<br/>";
    if (i < head) {
      label += wrapped(lines[i], 44);
    } else if (edge.kind != EdgeKind::Rule) {
      label += "<b>" + wrapped(lines[i], 36) + "</b>";
    } else {
      std::size_t name = lines[i].find_first_of(" :");
      if (name == std::string::npos) name = lines[i].size();
      std::string rest = wrapped(lines[i].substr(name), 52);
      if (name < lines[i].size() && lines[i][name] == ' ') rest.insert(0, 1, ' ');
      label.append("<b>").append(html(lines[i].substr(0, name))).append("</b>").append(rest);
    }
  }
  for (const auto& finding : edge.findings) {
    if (!label.empty()) label += "<br/>";
    label += fmt::format("<font color=\"{}\">{}</font>", kFinding,
                         wrapped(detail::findingText(finding), 40));
  }
  out << fmt::format("  {} -> {} [color=\"{}\", fontcolor=\"{}\", style={}{}{}];\n", nodeId(from),
                     nodeId(edge.to), color, color, style,
                     label.empty() ? "" : ", label=<" + label + ">", extra);
}

}  // namespace

std::string renderDot(const JourneyMap& map) {
  std::ostringstream out;
  out << "// The journey map of " << map.name << ", drawn by `journey graph`.\n";
  out << "digraph " << quoted(map.name) << " {\n";
  // The title, what the map covers, and a legend of the colours.
  auto key = [](const char* color, std::string_view mark, const char* text) {
    return fmt::format("<font color=\"{}\">{}</font> {}", color, mark, text);
  };
  std::string legend = key(kTransition, "\u2501\u2501", "after a delay") + "   " +
                       key(kEvent, "\u2501\u2501", "on an event") + "   ";
  if (map.persona.empty()) legend += key(kPersona, "\u2501\u2501", "one persona only") + "   ";
  legend += key(kRule, "\u254D\u254D", "rule") + "   ";
  // The legend names milestones only on a map that has some.
  bool milestones = std::any_of(map.stages.begin(), map.stages.end(),
                                [](const Stage& stage) { return stage.milestone; });
  if (milestones) legend += key(kMilestone, detail::kMilestoneMark, "milestone") + "   ";
  legend += key(kGoal, "\u25A0", "goal") + "   " + key(kExit, "\u25A0", "exit") + "   " +
            key(kFinding, "\u25A0", "finding") + "   " + key(kHappy, "\u263A", "") +
            key(kUnhappy, "\u2639", "emotion on arrival");
  std::string title = fmt::format(
      "<font point-size=\"22\" color=\"{}\"><b>{}</b></font><br align=\"left\"/><font "
      "point-size=\"11\" color=\"{}\">{}</font><br align=\"left\"/><font point-size=\"9\" "
      "color=\"{}\">{}</font><br align=\"left\"/>",
      kInk, html(map.title), kMuted, html(map.subtitle), kMuted, legend);
  out << fmt::format(
      "  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, labeljust=l, nodesep=0.4, "
      "ranksep=0.7, pad=0.4, bgcolor=\"white\", label=<{} >];\n",
      title);
  out << "  node [fontname=\"Helvetica\"];\n";
  out << fmt::format(
      "  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7, penwidth=1.2, color=\"{}\"];\n",
      kTransition);
  out << fmt::format(
      "  {} [id=\"start\", shape=circle, style=filled, fillcolor=\"{}\", color=\"{}\", "
      "fontcolor=\"white\", fontsize=9, width=0.55, fixedsize=true, label=\"start\"];\n",
      nodeId(kStartNode), kInk, kInk);
  for (const auto& stage : map.stages)
    writeStage(out, stage, map.persona);
  for (const auto& trigger : map.triggers)
    writeTrigger(out, trigger);
  if (!map.findings.empty()) {
    std::string rows;
    for (const auto& finding : map.findings) {
      std::string where = finding.line > 0 ? fmt::format("line {} \u00B7 ", finding.line) : "";
      rows += fmt::format("<tr><td align=\"left\" balign=\"left\">{}</td></tr>",
                          wrapped(where + detail::findingText(finding), 60));
    }
    out << fmt::format(
        "  {} [id=\"findings\", shape=box, style=\"rounded,filled\", fillcolor=\"{}\", "
        "color=\"{}\", penwidth=2, fontsize=10, fontcolor=\"{}\", margin=0, label=<<table "
        "border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"4\"><tr><td "
        "align=\"left\"><b>Findings of journey check</b></td></tr>{}</table>>];\n",
        nodeId(kFindingsNode), kFindingFill, kFinding, kFinding, rows);
  }
  for (const auto& edge : map.edges)
    writeEdge(out, edge);
  out << "}\n";
  return out.str();
}

}  // namespace journey::map

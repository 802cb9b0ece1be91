// The journey map as a Mermaid flowchart, for Markdown (GitHub, GitLab, docs sites). The
// same content as the DOT map, within what Mermaid can draw: stage nodes with their
// touchpoints in the label, milestones as amber flags, goals as double-bordered boxes, exits as
// rounded grey boxes, rules as dotted links, findings red.
#include <fmt/format.h>

#include <map>
#include <sstream>

#include "compiler/map/map.h"
#include "compiler/map/text.h"

namespace journey::map {
namespace {

// Text inside a quoted Mermaid label: entity codes for what Mermaid or HTML would read.
std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '"':
        out += "#quot;";
        break;
      case '#':
        out += "#35;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      case '&':
        out += "#amp;";
        break;
      case '`':
        out += "#96;";
        break;
      case '\n':
        out += "<br/>";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Mermaid ids: a prefix keeps stage names away from Mermaid's keywords (`end`, `graph`, ...)
// and from the nodes the map adds (`start`, `findings`, the triggers `t1`, `t2`, ...).
std::string stageId(const std::string& name) {
  return "s_" + name;
}

class MermaidWriter {
 public:
  explicit MermaidWriter(const JourneyMap& map) : map_(map) {
    for (std::size_t i = 0; i < map.triggers.size(); ++i)
      ids_[map.triggers[i].id] = fmt::format("t{}", i + 1);
  }

  std::string write() {
    out_ << "---\ntitle: " << titleText() << "\n---\n";
    out_ << "flowchart LR\n";
    out_ << "  %% The journey map of " << map_.name << ", drawn by `journey graph`.\n";
    out_ << "  start((start)):::start\n";
    for (const auto& stage : map_.stages)
      writeStage(stage);
    for (const auto& trigger : map_.triggers)
      writeTrigger(trigger);
    if (!map_.findings.empty()) {
      std::string label = "<b>Findings of journey check</b>";
      for (const auto& finding : map_.findings) {
        std::string where = finding.line > 0 ? fmt::format("line {} \u00B7 ", finding.line) : "";
        label += "<br/>" + escape(where + detail::findingText(finding));
      }
      out_ << "  findings[\"" << label << "\"]:::findings\n";
    }
    for (const auto& edge : map_.edges)
      writeEdge(edge);
    writeStyles();
    return out_.str();
  }

 private:
  // The front matter title is YAML: quote it.
  std::string titleText() const {
    std::string text = map_.title + (map_.subtitle.empty() ? "" : " \u2014 " + map_.subtitle);
    std::string out = "\"";
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }

  std::string id(const std::string& node) const {
    auto it = ids_.find(node);
    return it != ids_.end() ? it->second : stageId(node);
  }

  void writeStage(const Stage& stage) {
    std::string label = "<b>" + escape(stage.label) + "</b>";
    if (stage.milestone) label = std::string(detail::kMilestoneMark) + " " + label;
    if (auto mark = detail::emotionMark(stage.emotion); !mark.empty()) label += " " + mark;
    std::string kind(detail::kindWord(stage));
    std::string caption = stage.label == stage.name ? kind : stage.name + " \u00B7 " + kind;
    if (stage.entry) caption += " \u00B7 entry";
    label += "<br/><i>" + escape(caption) + "</i>";
    for (const auto& touchpoint : stage.touchpoints) {
      label += "<br/>" + escape(touchpoint.channel) + " \u00B7 " + escape(touchpoint.label);
      if (touchpoint.emotion && *touchpoint.emotion != 0) {
        label += " " + detail::signedNumber(*touchpoint.emotion);
      } else if (!touchpoint.emotionText.empty()) {
        label += " " + escape(touchpoint.emotionText);
      }
    }
    if (!stage.reached && !map_.persona.empty())
      label += "<br/><i>" + escape(map_.persona) + " customers never get here</i>";
    for (const auto& finding : stage.findings)
      label += "<br/>" + escape(detail::findingText(finding));
    // Goals: a double-bordered box; exits: rounded; milestones: a flag; ordinary stages: a box.
    const char* open = "[\"";
    const char* close = "\"]";
    if (stage.kind == ast::StageKind::Goal) {
      open = "[[\"";
      close = "\"]]";
    } else if (stage.kind == ast::StageKind::Exit) {
      open = "(\"";
      close = "\")";
    } else if (stage.milestone) {
      open = ">\"";
      close = "\"]";
      milestones_ = true;
    }
    std::string cls = kind;
    if (!stage.reached) cls += "Unreached";
    if (!stage.findings.empty()) cls = "finding";
    out_ << "  " << stageId(stage.name) << open << label << close << ":::" << cls << "\n";
  }

  void writeTrigger(const Trigger& trigger) {
    const char* glyph = trigger.kind == Trigger::Kind::Event  ? "\u26A1 "
                        : trigger.kind == Trigger::Kind::Time ? "\u25F7 "
                                                              : "\u25C7 ";
    out_ << "  " << id(trigger.id) << "{{\"" << glyph << escape(trigger.label)
         << "\"}}:::trigger\n";
  }

  void writeEdge(const Edge& edge) {
    std::string from = edge.kind == EdgeKind::Entry ? "start" : id(edge.from);
    std::string label;
    for (const auto& line : detail::edgeLines(edge))
      label += (label.empty() ? "" : "<br/>") + escape(line);
    for (const auto& finding : edge.findings)
      label += (label.empty() ? "" : "<br/>") + escape(detail::findingText(finding));
    const char* arrow = edge.kind == EdgeKind::Rule ? "-.->" : "-->";
    out_ << "  " << from << " " << arrow;
    if (!label.empty()) out_ << "|\"" << label << "\"|";
    out_ << " " << id(edge.to) << "\n";
    std::string style;
    if (!edge.findings.empty()) {
      style = "finding";
    } else if (!edge.personas.empty()) {
      style = "persona";
    } else if (edge.kind == EdgeKind::Rule) {
      style = "rule";
    } else if (edge.kind == EdgeKind::OnEvent) {
      style = "event";
    }
    if (!style.empty()) linkStyles_[style].push_back(links_);
    ++links_;
  }

  void writeStyles() {
    out_
        << "  classDef start fill:#263238,stroke:#263238,color:#fff\n"
           "  classDef stage fill:#fff,stroke:#5c6bc0,stroke-width:1.5px,color:#263238\n"
           "  classDef goal fill:#e8f5e9,stroke:#2e7d32,stroke-width:3px,color:#1b5e20\n"
           "  classDef exit fill:#f5f5f5,stroke:#9e9e9e,color:#616161\n"
           "  classDef stageUnreached fill:#fff,stroke:#9e9e9e,stroke-dasharray:5 4,color:#616161\n"
           "  classDef goalUnreached fill:#fff,stroke:#9e9e9e,stroke-dasharray:5 4,color:#616161\n"
           "  classDef exitUnreached fill:#fff,stroke:#9e9e9e,stroke-dasharray:5 4,color:#616161\n"
           "  classDef finding fill:#ffebee,stroke:#c62828,stroke-width:3px,color:#b71c1c\n"
           "  classDef findings fill:#ffebee,stroke:#c62828,stroke-width:2px,color:#b71c1c\n"
           "  classDef trigger fill:#e0f2f1,stroke:#00897b,stroke-dasharray:4 3,color:#263238\n";
    // Only a map with milestones defines their classes.
    if (milestones_) {
      out_ << "  classDef milestone fill:#fff8e1,stroke:#c77800,stroke-width:2px,color:#263238\n"
              "  classDef milestoneUnreached "
              "fill:#fff,stroke:#9e9e9e,stroke-dasharray:5 4,color:#616161\n";
    }
    const std::map<std::string, std::string> colors = {
        {"event", "#1565c0"}, {"persona", "#8e24aa"}, {"rule", "#00897b"}, {"finding", "#c62828"}};
    for (const auto& [style, links] : linkStyles_) {
      std::string list;
      for (auto link : links)
        list += (list.empty() ? "" : ",") + std::to_string(link);
      const std::string& color = colors.at(style);
      out_ << "  linkStyle " << list << " stroke:" << color << ",color:" << color
           << (style == "finding" ? ",stroke-width:2.5px" : "") << "\n";
    }
  }

  const JourneyMap& map_;
  std::ostringstream out_;
  std::map<std::string, std::string> ids_;
  std::map<std::string, std::vector<std::size_t>> linkStyles_;
  std::size_t links_ = 0;
  bool milestones_ = false;
};

}  // namespace

std::string renderMermaid(const JourneyMap& map) {
  return MermaidWriter(map).write();
}

}  // namespace journey::map

// A small Wadler/Prettier-style document printer, used by the formatter.
//
// A document is a tree of text, line breaks and groups. A group prints on one line when its
// contents fit in the remaining width, and otherwise breaks every `line` directly inside it.
// Groups that contain a hard line break always break, and so do the groups around them; a
// group built broken breaks too, but leaves the groups around it free to fit on one line. Suffixes
// are texts deferred to the end of the current output line: that is where comments met in the
// middle of a line go.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/source/source.h"

namespace journey::format {

enum class DocKind {
  Text,
  /// A space on one line, a line break otherwise.
  Line,
  /// Nothing on one line, a line break otherwise.
  SoftLine,
  /// Always a line break.
  HardLine,
  /// Always a line break, after an empty line.
  BlankLine,
  Concat,
  /// Its part, with line breaks indented `indent` columns more.
  Nest,
  Group,
  /// parts[0] when the enclosing group breaks, parts[1] when it is on one line.
  IfBreak,
  /// `text` at the end of the current output line, after a space.
  Suffix,
};

struct DocNode;
using Doc = std::shared_ptr<const DocNode>;

struct DocNode {
  DocKind kind = DocKind::Text;
  std::string text;
  int indent = 0;
  /// Group: always breaks (built so, or contains a hard line break).
  bool broken = false;
  /// Contains a line break that is not optional: every group around it breaks.
  bool hard = false;
  std::vector<Doc> parts;
};

namespace detail {

// Line breaks carry no data: one node of each kind serves every document.
template <DocKind kind>
const Doc& shared() {
  static const Doc node = [] {
    auto made = std::make_shared<DocNode>();
    made->kind = kind;
    made->hard = kind == DocKind::HardLine || kind == DocKind::BlankLine;
    return made;
  }();
  return node;
}

}  // namespace detail

/// `hard`: the text holds a line break that must break every group around it (a document
/// printed already, see `printedDoc`).
inline Doc text(std::string text, bool hard = false) {
  auto node = std::make_shared<DocNode>();
  node->kind = DocKind::Text;
  node->text = std::move(text);
  node->hard = hard;
  return node;
}

inline Doc line() {
  return detail::shared<DocKind::Line>();
}
inline Doc softLine() {
  return detail::shared<DocKind::SoftLine>();
}
inline Doc hardLine() {
  return detail::shared<DocKind::HardLine>();
}
inline Doc blankLine() {
  return detail::shared<DocKind::BlankLine>();
}

/// Null parts are skipped.
inline Doc concat(std::vector<Doc> parts) {
  auto node = std::make_shared<DocNode>();
  node->kind = DocKind::Concat;
  for (auto& part : parts) {
    if (!part) continue;
    node->hard |= part->hard;
    node->parts.push_back(std::move(part));
  }
  return node;
}

inline Doc nest(int indent, Doc part) {
  auto node = std::make_shared<DocNode>();
  node->kind = DocKind::Nest;
  node->indent = indent;
  node->hard = part && part->hard;
  if (part) node->parts.push_back(std::move(part));
  return node;
}

inline Doc group(Doc part, bool broken = false) {
  auto node = std::make_shared<DocNode>();
  node->kind = DocKind::Group;
  node->hard = part && part->hard;
  node->broken = broken || node->hard;
  if (part) node->parts.push_back(std::move(part));
  return node;
}

inline Doc ifBreak(Doc whenBroken, Doc whenFlat) {
  auto node = std::make_shared<DocNode>();
  node->kind = DocKind::IfBreak;
  node->hard = (whenBroken && whenBroken->hard) || (whenFlat && whenFlat->hard);
  node->parts.push_back(whenBroken ? std::move(whenBroken) : text(""));
  node->parts.push_back(whenFlat ? std::move(whenFlat) : text(""));
  return node;
}

inline Doc suffix(std::string text) {
  auto node = std::make_shared<DocNode>();
  node->kind = DocKind::Suffix;
  node->text = std::move(text);
  return node;
}

/// A document printed on its own, before the end of its last line (see `printPart`).
struct Printed {
  /// Not trimmed at the end: a suffix still to come follows the text as it is.
  std::string text;
  /// Suffixes waiting for the end of the last line, in order.
  std::vector<std::string> suffixes;
  /// Whether the text holds a line break.
  bool multiLine = false;
  /// Whether the document printed holds a hard line break.
  bool hard = false;
};

namespace detail {

class Printer {
 public:
  Printer(int width, bool withSuffixes) : width_(width), withSuffixes_(withSuffixes) {}

  void layout(const Doc& doc, int indent) {
    column_ = indent;
    stack_.push_back({indent, false, doc.get()});
    while (!stack_.empty()) {
      Command command = stack_.back();
      stack_.pop_back();
      step(command);
    }
  }

  std::string finish() && {
    flushSuffixes();
    trimTrailingSpaces();
    return std::move(out_);
  }

  Printed part() && { return {std::move(out_), std::move(suffixes_), brokeLine_, false}; }

 private:
  struct Command {
    int indent;
    bool flat;
    const DocNode* node;
  };

  void step(const Command& command) {
    const DocNode& node = *command.node;
    switch (node.kind) {
      case DocKind::Text:
        write(node.text);
        break;
      case DocKind::Concat:
        for (auto it = node.parts.rbegin(); it != node.parts.rend(); ++it) {
          stack_.push_back({command.indent, command.flat, it->get()});
        }
        break;
      case DocKind::Nest:
        if (!node.parts.empty()) {
          stack_.push_back({command.indent + node.indent, command.flat, node.parts[0].get()});
        }
        break;
      case DocKind::Group: {
        if (node.parts.empty()) break;
        bool flat = !node.broken && (command.flat || fits(node.parts[0].get()));
        stack_.push_back({command.indent, flat, node.parts[0].get()});
        break;
      }
      case DocKind::IfBreak:
        stack_.push_back({command.indent, command.flat, node.parts[command.flat ? 1 : 0].get()});
        break;
      case DocKind::Line:
        if (command.flat) {
          write(" ");
        } else {
          newline(command.indent, false);
        }
        break;
      case DocKind::SoftLine:
        if (!command.flat) newline(command.indent, false);
        break;
      case DocKind::HardLine:
        newline(command.indent, false);
        break;
      case DocKind::BlankLine:
        newline(command.indent, true);
        break;
      case DocKind::Suffix:
        if (withSuffixes_) suffixes_.push_back(node.text);
        break;
    }
  }

  // Whether `node` printed on one line, followed by what is left to print up to its next
  // possible line break, fits in the rest of the current line. Walks only as far as the line
  // goes: a long list is not visited beyond the width.
  bool fits(const DocNode* node) {
    int remaining = width_ - column_;
    fitting_.clear();
    fitting_.push_back({true, node, 0});
    std::size_t rest = stack_.size();
    while (remaining >= 0) {
      if (fitting_.empty()) {
        if (rest == 0) return true;
        --rest;
        fitting_.push_back({stack_[rest].flat, stack_[rest].node, 0});
        continue;
      }
      Fitting& top = fitting_.back();
      bool isFlat = top.flat;
      if (top.node->kind == DocKind::Concat) {
        if (top.nextPart == top.node->parts.size()) {
          fitting_.pop_back();
        } else {
          const DocNode* part = top.node->parts[top.nextPart++].get();
          fitting_.push_back({isFlat, part, 0});
        }
        continue;
      }
      const DocNode* leaf = top.node;
      fitting_.pop_back();
      switch (leaf->kind) {
        case DocKind::Text: {
          auto newlineAt = leaf->text.find('\n');
          if (newlineAt != std::string::npos) {
            return remaining >= static_cast<int>(codePointCount(leaf->text.substr(0, newlineAt)));
          }
          remaining -= static_cast<int>(codePointCount(leaf->text));
          break;
        }
        case DocKind::Concat:
          break;
        case DocKind::Nest:
          if (!leaf->parts.empty()) fitting_.push_back({isFlat, leaf->parts[0].get(), 0});
          break;
        case DocKind::Group:
          if (!leaf->parts.empty()) {
            fitting_.push_back({isFlat && !leaf->broken, leaf->parts[0].get(), 0});
          }
          break;
        case DocKind::IfBreak:
          fitting_.push_back({isFlat, leaf->parts[isFlat ? 1 : 0].get(), 0});
          break;
        case DocKind::Line:
          if (!isFlat) return true;
          remaining -= 1;
          break;
        case DocKind::SoftLine:
          if (!isFlat) return true;
          break;
        case DocKind::HardLine:
        case DocKind::BlankLine:
          return true;
        case DocKind::Suffix:
          break;
      }
    }
    return false;
  }

  void write(const std::string& text) {
    out_ += text;
    auto newlineAt = text.rfind('\n');
    if (newlineAt == std::string::npos) {
      column_ += static_cast<int>(codePointCount(text));
    } else {
      brokeLine_ = true;
      column_ = static_cast<int>(codePointCount(std::string_view(text).substr(newlineAt + 1)));
    }
  }

  void flushSuffixes() {
    for (const auto& text : suffixes_) {
      out_ += ' ';
      out_ += text;
    }
    suffixes_.clear();
  }

  void trimTrailingSpaces() {
    while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\t'))
      out_.pop_back();
  }

  void newline(int indent, bool blank) {
    flushSuffixes();
    trimTrailingSpaces();
    out_ += blank ? "\n\n" : "\n";
    out_.append(static_cast<std::size_t>(indent), ' ');
    column_ = indent;
    brokeLine_ = true;
  }

  /// An element of `fits`' walk: a node, and for a concatenation the next part to visit.
  struct Fitting {
    bool flat;
    const DocNode* node;
    std::size_t nextPart;
  };

  int width_;
  bool withSuffixes_;
  std::string out_;
  int column_ = 0;
  bool brokeLine_ = false;
  std::vector<std::string> suffixes_;
  std::vector<Command> stack_;
  std::vector<Fitting> fitting_;
};

}  // namespace detail

/// Prints `doc` in `width` columns, as if it started at column `indent` after a line break
/// indented that far. Output lines carry no trailing whitespace; suffixes left at the end are
/// printed unless `withSuffixes` is false.
inline std::string print(const Doc& doc, int width, int indent = 0, bool withSuffixes = true) {
  detail::Printer printer(width, withSuffixes);
  printer.layout(doc, indent);
  return std::move(printer).finish();
}

/// Prints `doc` as `print` does, but stops before the end of its last line: the text is not
/// trimmed and the suffixes are left pending.
inline Printed printPart(const Doc& doc, int width, int indent) {
  detail::Printer printer(width, true);
  printer.layout(doc, indent);
  Printed printed = std::move(printer).part();
  printed.hard = doc->hard;
  return printed;
}

/// What `printPart` printed, as a document: where a line break comes before and after it, it
/// prints exactly as the document printed, at the indent it was printed at.
inline Doc printedDoc(Printed printed) {
  std::vector<Doc> parts{text(std::move(printed.text), printed.hard)};
  for (auto& pending : printed.suffixes)
    parts.push_back(suffix(std::move(pending)));
  return concat(std::move(parts));
}

}  // namespace journey::format

// The canonical layout of `.journey` files.
//
// The formatter prints the AST through a small document printer (doc.h), so that one rule
// covers every list: it goes on one line when it fits in 100 columns and otherwise puts one
// element per line. Layout rules:
//
// - Two spaces per level. `use` lines first, then the items of the file.
// - Every declaration with a `{ }` body (journey, channel, persona, stage, event, rule) prints
//   the body one item per line; an empty body without comments prints as `{}`. Declarations
//   without a body (`exit Lost "..."`, `channel sms`, `horizon 2y`) are one line.
// - A touchpoint is one line with all its properties; when that exceeds 100 columns (or a
//   comment sits between its properties) every property goes on its own line, indented.
// - Blank lines, at the top of the file and inside a journey: two consecutive declarations are
//   separated by one blank line when they are of different kinds (the kinds are: `use`;
//   `journey`; settings `horizon`/`entry`; values `param`/`var`; channels; personas; stages
//   of every kind; touchpoints; events; rules), when either of them takes several lines, or
//   when the source had a blank line between them. Inside other bodies, a blank line in the
//   source (one or more) is kept as one. Never a blank line after `{` or before `}`.
// - Branch blocks: `-> { A 70%, B otherwise }` on one line when they hold only probability
//   branches, no comments, and fit; otherwise one branch per line without commas. Blocks with
//   `if`/`else` branches are always one branch per line.
// - Expressions: one space around binary operators, none after `-`/`+`, `not x`, `f(a, b)`,
//   `mean: 7d`, `discrete { "a": 70%, "b": 30% }`. Parentheses only where precedence needs
//   them. Calls and tables break one argument or entry per line when too long; a long
//   operator chain breaks after its operators and a long name list (`in A, B`) after its
//   commas, continuation lines indented by four. Only what cannot break (a long name or
//   string) may leave a line longer than 100 columns.
// - Literals keep their spelling, except that money is written `120 USD`.
//
// Comments: every comment is printed once, in source order. A comment on its own line stays
// on its own line before the item that follows it (or before the `}` that closes its block).
// A comment after an item on the same line stays at the end of that item's last line. A
// comment between the elements of a list (arguments, table entries, branches, touchpoint
// properties, the operands of an operator chain) stays beside its element, which forces that
// list onto several lines. Any other comment inside an item (between its keywords, after a
// unary operator, before the `->` of a transition) moves to the end of the item's line, or to
// the first line of its branch block. Several comments bound for one line end follow each other
// there: `// a // b` then reads back as one comment (the only case where the number of comments
// changes; the text is kept).
#include "compiler/format/format.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

#include "compiler/format/doc.h"
#include "compiler/format/spelling.h"

namespace journey::format {
namespace {

constexpr int kWidth = 100;
/// Block bodies, brackets and touchpoint properties.
constexpr int kIndent = 2;
/// Continuation lines of a broken operator chain.
constexpr int kContinuation = 4;

// Kinds of declarations for the blank-line rule.
enum class Kind {
  Use,
  Journey,
  Setting,
  Value,
  Channel,
  Persona,
  Stage,
  Touchpoint,
  Event,
  Rule,
  Kpi
};

Kind kindOf(ast::DeclKind kind) {
  switch (kind) {
    case ast::DeclKind::Horizon:
    case ast::DeclKind::Entry:
    case ast::DeclKind::Discount:
      return Kind::Setting;
    case ast::DeclKind::Param:
    case ast::DeclKind::Var:
      return Kind::Value;
    case ast::DeclKind::Channel:
      return Kind::Channel;
    case ast::DeclKind::Persona:
      return Kind::Persona;
    case ast::DeclKind::Stage:
      return Kind::Stage;
    case ast::DeclKind::Touchpoint:
      return Kind::Touchpoint;
    case ast::DeclKind::Event:
      return Kind::Event;
    case ast::DeclKind::Rule:
      return Kind::Rule;
    case ast::DeclKind::Kpi:
      return Kind::Kpi;
  }
  return Kind::Setting;
}

SourceRange span(SourceRange first, SourceRange last) {
  return {first.file, first.begin, last.end};
}

/// One element of a list: an item of a body, a branch, an argument, an operand.
struct Element {
  Element(SourceRange range, Doc doc, std::string separator = {}, Kind kind = Kind::Setting)
      : range(range), doc(std::move(doc)), separator(std::move(separator)), kind(kind) {}

  SourceRange range;
  Doc doc;
  /// Printed after the element unless it is the last one (`,`, ` and`).
  std::string separator;
  /// For the blank-line rule between declarations.
  Kind kind = Kind::Setting;
  /// Whether the element takes several lines; set only for declarations (`declarationElement`).
  bool multiLine = false;
};

struct ListSpec {
  /// Block: one element per line, always (bodies, the file). Group: on one line if it fits.
  bool block = false;
  /// Printed before the elements, e.g. `stage Need {` or `f(`. Without it the first element
  /// starts where the list starts (the file, an operator chain).
  Doc open;
  /// Printed after the elements, e.g. `}`; may be null.
  Doc close;
  /// Comments from here on, up to `regionEnd`, belong to the list.
  std::uint32_t regionBegin = 0;
  /// Where the opener ends in the source: comments before it, or after it on its line, stay
  /// on the opener's line.
  std::uint32_t openEnd = 0;
  /// Where the closer starts in the source (or the last element ends, without a closer).
  std::uint32_t regionEnd = 0;
  int indent = kIndent;
  /// `{ a }` rather than `(a)` when on one line.
  bool padded = true;
  /// Separators only when the list is on one line (branch blocks).
  bool separatorsOnlyFlat = false;
  bool forceBreak = false;
  /// The blank-line rule between declarations, whose elements come from `declarationElement`.
  bool declarationSpacing = false;
};

class Formatter {
 public:
  Formatter(const ast::Module& module, const SourceFile& file)
      : module_(module), file_(file), used_(module.comments.size(), false) {}

  std::string run() {
    std::string out = print(fileDoc(), kWidth);
    // Comments the tree did not reach (there should be none) are kept at the end.
    for (std::size_t i = 0; i < used_.size(); ++i) {
      if (used_[i]) continue;
      if (!out.empty()) out += '\n';
      out += module_.comments[i].text;
    }
    if (!out.empty()) out += '\n';
    return out;
  }

 private:
  using Comments = std::vector<const ast::Comment*>;

  // -------------------------------------------------------------------------------------------
  // Source positions and comments

  std::uint32_t lineOf(std::uint32_t offset) const { return file_.line(offset); }

  /// The line of the last character of a range ending at `end`.
  std::uint32_t endLine(std::uint32_t end) const { return lineOf(end > 0 ? end - 1 : 0); }

  /// Whether the source has an empty line between `end` (exclusive end of one thing) and
  /// `begin` (start of the next).
  bool blankBetween(std::uint32_t end, std::uint32_t begin) const {
    std::uint32_t first = endLine(end);
    std::uint32_t last = lineOf(begin);
    for (std::uint32_t line = first + 1; line < last; ++line) {
      std::string_view text = file_.lineText(line);
      bool blank = std::all_of(text.begin(), text.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) != 0;
      });
      if (blank) return true;
    }
    return false;
  }

  std::size_t firstCommentAtOrAfter(std::uint32_t offset) const {
    auto it = std::lower_bound(
        module_.comments.begin(), module_.comments.end(), offset,
        [](const ast::Comment& c, std::uint32_t at) { return c.range.begin < at; });
    return static_cast<std::size_t>(it - module_.comments.begin());
  }

  /// The first comment at or after `from` that may be unprinted: all before `firstUnused_` are
  /// printed, so a long list does not walk its printed comments again for every element.
  std::size_t firstUnusedFrom(std::uint32_t from) const {
    return std::max(firstCommentAtOrAfter(from), firstUnused_);
  }

  void use(std::size_t comment) {
    used_[comment] = true;
    while (firstUnused_ < used_.size() && used_[firstUnused_])
      ++firstUnused_;
  }

  /// Takes the unprinted comments that start in [from, to).
  Comments take(std::uint32_t from, std::uint32_t to) {
    Comments taken;
    for (std::size_t i = firstUnusedFrom(from); i < used_.size(); ++i) {
      const ast::Comment& comment = module_.comments[i];
      if (comment.range.begin >= to) break;
      if (used_[i]) continue;
      use(i);
      taken.push_back(&comment);
    }
    return taken;
  }

  /// Takes the unprinted comments that follow `from` on source line `line`, before `to`.
  Comments takeOnLine(std::uint32_t from, std::uint32_t to, std::uint32_t line) {
    Comments taken;
    for (std::size_t i = firstUnusedFrom(from); i < used_.size(); ++i) {
      const ast::Comment& comment = module_.comments[i];
      if (comment.range.begin >= to || lineOf(comment.range.begin) != line) break;
      if (used_[i]) continue;
      use(i);
      taken.push_back(&comment);
    }
    return taken;
  }

  /// The offset just after the `bracket` that follows `from`, skipping spaces and comments.
  std::uint32_t after(std::uint32_t from, char bracket) const {
    const std::string& text = file_.text();
    std::uint32_t at = from;
    while (at < text.size()) {
      if (std::isspace(static_cast<unsigned char>(text[at])) != 0) {
        ++at;
        continue;
      }
      std::size_t index = firstCommentAtOrAfter(at);
      if (index < module_.comments.size() && module_.comments[index].range.begin == at) {
        at = module_.comments[index].range.end;
        continue;
      }
      return text[at] == bracket ? at + 1 : from;
    }
    return from;
  }

  static std::string joined(const Comments& comments) {
    std::string text;
    for (const auto* comment : comments) {
      if (!text.empty()) text += ' ';
      text += comment->text;
    }
    return text;
  }

  static std::uint32_t endOf(std::uint32_t end, const Comments& comments) {
    for (const auto* comment : comments)
      end = std::max(end, comment->range.end);
    return end;
  }

  // -------------------------------------------------------------------------------------------
  // Lists: where every comment is placed

  Doc list(const ListSpec& spec, const std::vector<Element>& elements) {
    bool forced = spec.forceBreak;
    std::uint32_t firstBegin = elements.empty() ? spec.regionEnd : elements.front().range.begin;
    Comments header = take(spec.regionBegin, spec.openEnd);
    if (spec.open) {
      Comments onOpenerLine = takeOnLine(spec.openEnd, firstBegin, endLine(spec.openEnd));
      forced |= !onOpenerLine.empty();
      header.insert(header.end(), onOpenerLine.begin(), onOpenerLine.end());
    }

    std::vector<Doc> head;  // before the nest: an opener, or an inline first element
    std::vector<Doc> body;  // inside the nest
    bool empty = true;      // nothing printed after the opener yet
    // Starts a new line for an element or an own-line comment.
    auto startLine = [&](bool blank) {
      std::vector<Doc>& target = spec.open || !empty ? body : head;
      if (empty) {
        if (spec.open)
          target.push_back(spec.block ? hardLine() : spec.padded ? line() : softLine());
      } else if (spec.block) {
        target.push_back(blank ? blankLine() : hardLine());
      } else {
        target.push_back(line());
      }
      empty = false;
      return &target;
    };

    std::uint32_t lastEnd = spec.openEnd;
    // A comment on a line of its own, or after another one on the same line: `/* a */ // b`.
    std::vector<Doc>* commentLine = nullptr;
    auto ownLine = [&](const ast::Comment& comment, bool spaced) {
      if (commentLine != nullptr && lineOf(comment.range.begin) == endLine(lastEnd)) {
        commentLine->push_back(text(" " + comment.text));
      } else {
        commentLine = startLine(spaced || blankBetween(lastEnd, comment.range.begin));
        commentLine->push_back(text(comment.text));
      }
      lastEnd = comment.range.end;
    };
    for (std::size_t i = 0; i < elements.size(); ++i) {
      const Element& element = elements[i];
      bool spaced =
          spec.declarationSpacing && i > 0 &&
          (element.kind != elements[i - 1].kind || element.multiLine || elements[i - 1].multiLine);
      Comments leading = take(spec.regionBegin, element.range.begin);
      forced |= !leading.empty();
      for (const auto* comment : leading) {
        ownLine(*comment, spaced);
        spaced = false;
      }
      commentLine = nullptr;
      std::vector<Doc>* target = startLine(spaced || blankBetween(lastEnd, element.range.begin));
      target->push_back(element.doc);
      if (i + 1 < elements.size() && !element.separator.empty()) {
        target->push_back(spec.separatorsOnlyFlat ? ifBreak(nullptr, text(element.separator))
                                                  : text(element.separator));
      }
      // Comments left inside the element, then those after it on its last line.
      Comments trailing = take(spec.regionBegin, element.range.end);
      std::uint32_t limit = i + 1 < elements.size() ? elements[i + 1].range.begin : spec.regionEnd;
      Comments after = takeOnLine(element.range.end, limit, endLine(element.range.end));
      trailing.insert(trailing.end(), after.begin(), after.end());
      forced |= !trailing.empty();
      if (!trailing.empty()) target->push_back(suffix(joined(trailing)));
      lastEnd = endOf(element.range.end, trailing);
    }
    for (const auto* comment : take(spec.regionBegin, spec.regionEnd)) {
      forced = true;
      ownLine(*comment, false);
    }

    std::vector<Doc> parts;
    parts.push_back(spec.open);
    if (!header.empty()) parts.push_back(suffix(joined(header)));
    parts.push_back(concat(std::move(head)));
    if (!body.empty()) parts.push_back(nest(spec.indent, concat(std::move(body))));
    if (spec.close) {
      if (!empty) parts.push_back(spec.block ? hardLine() : spec.padded ? line() : softLine());
      parts.push_back(spec.close);
    }
    return group(concat(std::move(parts)), forced);
  }

  // -------------------------------------------------------------------------------------------
  // The file and declarations

  Doc fileDoc() {
    std::vector<Element> elements;
    for (const auto& use : module_.uses) {
      elements.push_back(declarationElement(use.range, text("use " + use.path.text), Kind::Use, 0));
    }
    for (const auto& item : module_.items) {
      if (item.journey) {
        elements.push_back(
            declarationElement(item.journey->range, journey(*item.journey), Kind::Journey, 0));
      } else if (item.decl) {
        elements.push_back(declarationElement(item.decl->range, declaration(*item.decl),
                                              kindOf(item.decl->kind), 0));
      }
    }
    ListSpec spec;
    spec.block = true;
    spec.regionEnd = static_cast<std::uint32_t>(file_.text().size());
    spec.indent = 0;
    spec.declarationSpacing = true;
    return list(spec, elements);
  }

  Doc journey(const ast::JourneyBlock& block) {
    std::string head = "journey " + block.name.text;
    std::uint32_t headEnd = block.name.range.end;
    if (block.display) {
      head += " " + block.display->text;
      headEnd = block.display->range.end;
    }
    std::vector<Element> elements;
    for (const auto& decl : block.decls) {
      elements.push_back(
          declarationElement(decl->range, declaration(*decl), kindOf(decl->kind), kIndent));
    }
    ListSpec spec = body(block.range, head, headEnd);
    spec.declarationSpacing = true;
    return list(spec, elements);
  }

  /// A declaration of the file or of a journey, starting at `column`. Both lists break around a
  /// declaration with a hard line break, so it prints the same alone: only that text is kept,
  /// and one declaration's document is alive at a time. The printing tells if it is multi-line.
  static Element declarationElement(SourceRange range, Doc doc, Kind kind, int column) {
    Printed printed = printPart(doc, kWidth, column);
    bool multiLine = printed.multiLine;
    Element element(range, doc->hard ? printedDoc(std::move(printed)) : std::move(doc), {}, kind);
    element.multiLine = multiLine;
    return element;
  }

  /// A `{ }` body after a declaration's header.
  ListSpec body(SourceRange range, const std::string& head, std::uint32_t headEnd) {
    ListSpec spec;
    spec.block = true;
    spec.open = text(head + " {");
    spec.close = text("}");
    spec.regionBegin = range.begin;
    spec.openEnd = after(headEnd, '{');
    spec.regionEnd = range.end > range.begin ? range.end - 1 : range.end;
    return spec;
  }

  static std::string header(const char* keyword, const ast::NamedDecl& decl) {
    std::string head = std::string(keyword) + " " + decl.name.text;
    if (decl.display) head += " " + decl.display->text;
    return head;
  }

  static std::uint32_t headerEnd(const ast::NamedDecl& decl) {
    return decl.display ? decl.display->range.end : decl.name.range.end;
  }

  Doc declaration(const ast::Decl& decl) {
    switch (decl.kind) {
      case ast::DeclKind::Horizon:
        return concat({text("horizon "), expr(*ast::as<ast::HorizonDecl>(decl).value)});
      case ast::DeclKind::Entry:
        return concat(
            {text("entry "), target(ast::as<ast::EntryDecl>(decl).target, decl.range.begin)});
      case ast::DeclKind::Param:
      case ast::DeclKind::Var: {
        const auto& value = ast::as<ast::ValueDecl>(decl);
        const char* keyword = decl.kind == ast::DeclKind::Param ? "param" : "var";
        return concat({text(header(keyword, value) + " = "), expr(*value.value)});
      }
      case ast::DeclKind::Channel:
        return channel(ast::as<ast::ChannelDecl>(decl));
      case ast::DeclKind::Persona:
        return persona(ast::as<ast::PersonaDecl>(decl));
      case ast::DeclKind::Stage:
        return stage(ast::as<ast::StageDecl>(decl));
      case ast::DeclKind::Touchpoint:
        return touchpoint(ast::as<ast::TouchpointDecl>(decl));
      case ast::DeclKind::Event:
        return event(ast::as<ast::EventDecl>(decl));
      case ast::DeclKind::Rule:
        return rule(ast::as<ast::RuleDecl>(decl));
      case ast::DeclKind::Kpi: {
        const auto& kpi = ast::as<ast::KpiDecl>(decl);
        return concat({text(header("kpi", kpi) + " = "), expr(*kpi.value),
                       kpi.primary ? text(" primary") : nullptr});
      }
      case ast::DeclKind::Discount: {
        const auto& discount = ast::as<ast::DiscountDecl>(decl);
        return concat(
            {text("discount "), expr(*discount.rate), text(" per "), expr(*discount.period)});
      }
    }
    return text("");
  }

  static Doc policy(const std::optional<ast::CapPolicy>& policy) {
    if (!policy) return nullptr;
    return text(*policy == ast::CapPolicy::Drop ? " drop" : " defer");
  }

  Doc channel(const ast::ChannelDecl& decl) {
    std::string head = header("channel", decl);
    if (!decl.hasBody) return text(head);
    std::vector<Element> elements;
    for (const auto& item : decl.items) {
      Doc doc;
      switch (item.kind) {
        case ast::ChannelItemKind::Cost:
          doc = concat({text("cost "), expr(*item.first)});
          break;
        case ast::ChannelItemKind::Cap:
          doc = concat({text("cap "), expr(*item.first), text(" per "), expr(*item.second),
                        policy(item.policy)});
          break;
        case ast::ChannelItemKind::Quiet:
          doc = concat({text("quiet "), expr(*item.first), text(".."), expr(*item.second),
                        policy(item.policy)});
          break;
      }
      elements.push_back({item.range, doc});
    }
    return list(body(decl.range, head, headerEnd(decl)), elements);
  }

  Doc persona(const ast::PersonaDecl& decl) {
    std::vector<Element> elements;
    for (const auto& item : decl.items) {
      Doc doc = item.kind == ast::PersonaItemKind::Share
                    ? concat({text("share "), expr(*item.value)})
                    : concat({text(item.name.text + " = "), expr(*item.value)});
      elements.push_back({item.range, doc});
    }
    return list(body(decl.range, header("persona", decl), headerEnd(decl)), elements);
  }

  /// `in A, B` or `for P1, P2`: on one line if it fits, otherwise one name per line.
  Doc names(const char* keyword, const std::vector<ast::Identifier>& names) {
    std::vector<Element> elements;
    elements.reserve(names.size());
    for (const auto& name : names)
      elements.push_back({name.range, text(name.text), ","});
    if (elements.empty()) return text(keyword);
    ListSpec spec;
    spec.regionBegin = elements.front().range.begin;
    spec.openEnd = spec.regionBegin;
    spec.regionEnd = elements.back().range.end;
    spec.indent = kContinuation;
    return concat({text(std::string(keyword) + " "), list(spec, elements)});
  }

  /// The `for P1, P2` before a stage's `after` or `on`, or an event's `every`.
  Doc scope(const std::vector<ast::Identifier>& personas) {
    if (personas.empty()) return nullptr;
    return concat({names("for", personas), text(" ")});
  }

  Doc stage(const ast::StageDecl& decl) {
    const char* keyword = decl.stageKind == ast::StageKind::Goal   ? "goal"
                          : decl.stageKind == ast::StageKind::Exit ? "exit"
                          : decl.milestone                         ? "milestone"
                                                                   : "stage";
    std::string head = header(keyword, decl);
    if (!decl.hasBody) return text(head);
    std::vector<Element> elements;
    for (const auto& item : decl.items) {
      Doc doc;
      switch (item.kind) {
        case ast::StageItemKind::Touchpoint:
          doc = touchpoint(*item.touchpoint);
          break;
        case ast::StageItemKind::After:
          doc = concat({scope(item.personas), text("after "), expr(*item.value), text(" -> "),
                        target(*item.target, item.range.begin)});
          break;
        case ast::StageItemKind::On:
          doc = concat({scope(item.personas), text("on " + item.event.text + " -> "),
                        target(*item.target, item.range.begin)});
          break;
        case ast::StageItemKind::Value:
          doc = concat({text("value "), expr(*item.value),
                        item.period ? concat({text(" per "), expr(*item.period)}) : nullptr});
          break;
      }
      elements.push_back({item.range, doc});
    }
    return list(body(decl.range, head, headerEnd(decl)), elements);
  }

  Doc touchpoint(const ast::TouchpointDecl& decl) {
    std::vector<Element> elements;
    for (const auto& item : decl.items) {
      Doc doc;
      switch (item.kind) {
        case ast::TouchpointItemKind::Via:
          doc = text("via " + item.name.text);
          break;
        case ast::TouchpointItemKind::Cost:
          doc = concat({text("cost "), expr(*item.value)});
          break;
        case ast::TouchpointItemKind::Emotion:
          doc = concat({text("emotion "), expr(*item.value)});
          break;
        case ast::TouchpointItemKind::Duration:
          doc = concat({text("duration "), expr(*item.value)});
          break;
        case ast::TouchpointItemKind::Nps:
          doc = concat({text("nps "), expr(*item.value)});
          break;
        case ast::TouchpointItemKind::Response:
          doc = concat({text("response "), expr(*item.value), text(" emits " + item.name.text),
                        item.delay ? concat({text(" delay "), expr(*item.delay)}) : nullptr});
          break;
      }
      elements.push_back({item.range, doc});
    }
    // Properties without brackets: a list whose opener is the header and that has no closer.
    ListSpec spec;
    spec.open = text(header("touchpoint", decl));
    spec.regionBegin = decl.range.begin;
    spec.openEnd = headerEnd(decl);
    spec.regionEnd = elements.empty() ? spec.openEnd : elements.back().range.end;
    return list(spec, elements);
  }

  Doc event(const ast::EventDecl& decl) {
    std::string head = header("event", decl);
    if (!decl.hasBody) return text(head);
    std::vector<Element> elements;
    for (const auto& item : decl.items) {
      Doc doc;
      switch (item.kind) {
        case ast::EventItemKind::In:
          doc = names("in", item.names);
          break;
        case ast::EventItemKind::Every:
          doc = concat({scope(item.names), text("every "), expr(*item.value)});
          break;
        case ast::EventItemKind::Payload:
          doc = concat({text(item.name.text + " = "), expr(*item.value)});
          break;
        case ast::EventItemKind::Value:
          doc = concat({text("value "), expr(*item.value)});
          break;
      }
      elements.push_back({item.range, doc});
    }
    return list(body(decl.range, head, headerEnd(decl)), elements);
  }

  Doc trigger(const ast::Trigger& trigger) {
    switch (trigger.kind) {
      case ast::TriggerKind::Enter:
        return text("enter " + trigger.stage.text);
      case ast::TriggerKind::Leave:
        return text("leave " + trigger.stage.text);
      case ast::TriggerKind::After:
        return concat({text("after "), expr(*trigger.value)});
      case ast::TriggerKind::Inactive:
        return concat({text("inactive "), expr(*trigger.value)});
      case ast::TriggerKind::Expr:
        return expr(*trigger.value);
    }
    return text("");
  }

  Doc rule(const ast::RuleDecl& decl) {
    std::vector<Element> elements;
    for (const auto& item : decl.items) {
      Doc doc;
      switch (item.kind) {
        case ast::RuleItemKind::On:
          doc = concat({text("on "), item.trigger ? trigger(*item.trigger) : nullptr});
          break;
        case ast::RuleItemKind::In:
          doc = names("in", item.names);
          break;
        case ast::RuleItemKind::For:
          doc = names("for", item.names);
          break;
        case ast::RuleItemKind::If:
          doc = concat({text("if "), expr(*item.value)});
          break;
        case ast::RuleItemKind::Priority:
          doc = concat({text("priority "), expr(*item.value)});
          break;
        case ast::RuleItemKind::Cap:
          doc = concat({text("cap "), expr(*item.value),
                        item.second ? concat({text(" per "), expr(*item.second)}) : nullptr});
          break;
        case ast::RuleItemKind::Send:
          doc = text("send " + item.name.text);
          break;
        case ast::RuleItemKind::Move:
          doc = concat({text("move "), target(*item.target, item.range.begin)});
          break;
        case ast::RuleItemKind::Set:
          doc = concat({text("set " + item.name.text + " = "), expr(*item.value)});
          break;
        case ast::RuleItemKind::WaitFor:
          doc = concat({text("wait for " + item.name.text),
                        item.value ? concat({text(" within "), expr(*item.value)}) : nullptr});
          break;
        case ast::RuleItemKind::Wait:
          doc = concat({text("wait "), expr(*item.value)});
          break;
        case ast::RuleItemKind::Stop:
          doc = text("stop");
          break;
      }
      elements.push_back({item.range, doc});
    }
    return list(body(decl.range, header("rule", decl), headerEnd(decl)), elements);
  }

  // -------------------------------------------------------------------------------------------
  // Targets

  /// `from` is where the item that leads to the target starts: comments left between it and
  /// a block go to the block's first line.
  Doc target(const ast::Target& target, std::uint32_t from) {
    if (!target.isBlock) return text(target.stage.text);
    Comments before = take(from, target.range.begin);
    bool conditional = false;
    std::vector<Element> elements;
    for (const auto& branch : target.branches) {
      Doc doc;
      switch (branch.kind) {
        case ast::BranchKind::Chance:
          doc = concat({text(branch.stage.text + " "), expr(*branch.value)});
          break;
        case ast::BranchKind::Otherwise:
          doc = text(branch.stage.text + " otherwise");
          break;
        case ast::BranchKind::If:
          conditional = true;
          doc = concat({text("if "), expr(*branch.value), text(" -> "),
                        this->target(*branch.target, branch.range.begin)});
          break;
        case ast::BranchKind::Else:
          conditional = true;
          doc = concat({text("else -> "), this->target(*branch.target, branch.range.begin)});
          break;
      }
      elements.push_back({branch.range, doc, ","});
    }
    ListSpec spec;
    spec.open = text("{");
    spec.close = text("}");
    spec.regionBegin = target.range.begin;
    spec.openEnd = target.range.begin + 1;
    spec.regionEnd =
        target.range.end > target.range.begin ? target.range.end - 1 : target.range.end;
    spec.separatorsOnlyFlat = true;
    spec.forceBreak = conditional;
    return concat({before.empty() ? nullptr : suffix(joined(before)), list(spec, elements)});
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  Doc expr(const ast::Expr& expr) {
    switch (expr.kind) {
      case ast::ExprKind::Literal: {
        const auto& literal = ast::as<ast::LiteralExpr>(expr);
        return text(literal.literal == ast::LiteralKind::Money ? moneySpelling(literal)
                                                               : literal.text);
      }
      case ast::ExprKind::Name:
        return text(ast::as<ast::NameExpr>(expr).name.text);
      case ast::ExprKind::Member: {
        const auto& member = ast::as<ast::MemberExpr>(expr);
        return text(member.object.text + "." + member.member.text);
      }
      case ast::ExprKind::Call:
        return call(ast::as<ast::CallExpr>(expr));
      case ast::ExprKind::Discrete:
        return discrete(ast::as<ast::DiscreteExpr>(expr));
      case ast::ExprKind::Unary:
        return unary(ast::as<ast::UnaryExpr>(expr));
      case ast::ExprKind::Binary:
        return binary(ast::as<ast::BinaryExpr>(expr));
      case ast::ExprKind::Error:
        break;
    }
    // Only in trees with syntax errors, which are not formatted: keep the source text.
    return text(file_.text().substr(expr.range.begin, expr.range.end - expr.range.begin));
  }

  Doc parenthesized(const ast::Expr& operand, bool parentheses) {
    if (!parentheses) return expr(operand);
    return concat({text("("), expr(operand), text(")")});
  }

  Doc unary(const ast::UnaryExpr& unary) {
    const ast::Expr& operand = *unary.operand;
    // A prefix operator takes everything that binds tighter than itself: `not a == b`.
    bool parentheses = precedence(operand) < precedence(unary.op);
    // `-(-x)` rather than `--x`, which reads like a typo.
    if (unary.op != ast::UnaryOp::Not && operand.kind == ast::ExprKind::Unary &&
        ast::as<ast::UnaryExpr>(operand).op != ast::UnaryOp::Not) {
      parentheses = true;
    }
    std::string op = unary.op == ast::UnaryOp::Not ? "not " : ast::spelling(unary.op);
    return concat({text(op), parenthesized(operand, parentheses)});
  }

  // A run of operators of one precedence (`a + b - c`) is one chain: on one line if it fits,
  // otherwise broken after each operator. Operators associate to the left, so an operand on
  // the right that binds as loosely needs parentheses: `a - (b - c)`.
  Doc binary(const ast::BinaryExpr& binary) {
    int level = precedence(binary.op);
    std::vector<const ast::BinaryExpr*> spine;
    const ast::Expr* leftmost = &binary;
    while (leftmost->kind == ast::ExprKind::Binary && precedence(*leftmost) == level) {
      spine.push_back(&ast::as<ast::BinaryExpr>(*leftmost));
      leftmost = ast::as<ast::BinaryExpr>(*leftmost).lhs.get();
    }
    std::vector<Element> elements;
    elements.push_back({leftmost->range, parenthesized(*leftmost, precedence(*leftmost) < level)});
    for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
      elements.back().separator = std::string(" ") + ast::spelling((*it)->op);
      const ast::Expr& right = *(*it)->rhs;
      elements.push_back({right.range, parenthesized(right, precedence(right) <= level)});
    }
    ListSpec spec;
    spec.regionBegin = elements.front().range.begin;
    spec.openEnd = spec.regionBegin;
    spec.regionEnd = elements.back().range.end;
    spec.indent = kContinuation;
    return list(spec, elements);
  }

  Doc call(const ast::CallExpr& call) {
    std::vector<Element> elements;
    for (const auto& argument : call.arguments) {
      if (argument.name) {
        elements.push_back({span(argument.name->range, argument.value->range),
                            concat({text(argument.name->text + ": "), expr(*argument.value)}),
                            ","});
      } else {
        elements.push_back({argument.value->range, expr(*argument.value), ","});
      }
    }
    ListSpec spec;
    spec.open = text(call.callee.text + "(");
    spec.close = text(")");
    spec.regionBegin = call.range.begin;
    spec.openEnd = after(call.callee.range.end, '(');
    spec.regionEnd = call.range.end > call.range.begin ? call.range.end - 1 : call.range.end;
    spec.padded = false;
    return list(spec, elements);
  }

  Doc discrete(const ast::DiscreteExpr& table) {
    std::vector<Element> elements;
    for (const auto& entry : table.entries) {
      elements.push_back({span(entry.value->range, entry.probability->range),
                          concat({expr(*entry.value), text(": "), expr(*entry.probability)}), ","});
    }
    ListSpec spec;
    spec.open = text("discrete {");
    spec.close = text("}");
    spec.regionBegin = table.range.begin;
    spec.openEnd = after(
        table.range.begin + static_cast<std::uint32_t>(std::string_view("discrete").size()), '{');
    spec.regionEnd = table.range.end > table.range.begin ? table.range.end - 1 : table.range.end;
    return list(spec, elements);
  }

  const ast::Module& module_;
  const SourceFile& file_;
  std::vector<bool> used_;
  std::size_t firstUnused_ = 0;
};

}  // namespace

std::string formatModule(const ast::Module& module, const SourceFile& file) {
  return withSourceConventions(Formatter(module, file).run(), file.text());
}

}  // namespace journey::format

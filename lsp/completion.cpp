#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "compiler/sema/builtins.h"
#include "lsp/describe.h"
#include "lsp/features.h"
#include "lsp/protocol.h"

namespace journey::lsp {
namespace {

enum class TokenKind { Word, Number, String, Punct };

struct Token {
  TokenKind kind;
  std::string_view text;
  std::uint32_t begin;
};

// A small lexer for completion contexts: words, numbers with their suffixes, strings and
// punctuation; comments are skipped. It never fails. `open` is set when the text ends inside
// a comment or a string.
std::vector<Token> lex(std::string_view text, bool& open) {
  std::vector<Token> tokens;
  open = false;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n')
        ++i;
      open = i == text.size();
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      auto end = text.find("*/", i + 2);
      open = end == std::string_view::npos;
      i = open ? text.size() : end + 2;
    } else if (c == '"') {
      std::size_t start = i++;
      while (i < text.size() && text[i] != '"' && text[i] != '\n') {
        if (text[i] == '\\') ++i;
        ++i;
      }
      open = i >= text.size();
      if (i < text.size() && text[i] == '"') ++i;
      tokens.push_back(
          {TokenKind::String, text.substr(start, i - start), static_cast<std::uint32_t>(start)});
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      std::size_t start = i;
      while (i < text.size() && (isWordChar(text[i]) || text[i] == '.' || text[i] == '%'))
        ++i;
      tokens.push_back(
          {TokenKind::Number, text.substr(start, i - start), static_cast<std::uint32_t>(start)});
    } else if (isWordChar(c)) {
      std::size_t start = i;
      while (i < text.size() && isWordChar(text[i]))
        ++i;
      tokens.push_back(
          {TokenKind::Word, text.substr(start, i - start), static_cast<std::uint32_t>(start)});
    } else {
      std::size_t length = 1;
      std::string_view two = text.substr(i, 2);
      if (two == "->" || two == "<=" || two == ">=" || two == "==" || two == "!=" || two == "..")
        length = 2;
      tokens.push_back({TokenKind::Punct, text.substr(i, length), static_cast<std::uint32_t>(i)});
      i += length;
    }
  }
  return tokens;
}

int completionKind(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::Journey:
      return 9;  // Module
    case SymbolKind::Stage:
    case SymbolKind::Milestone:
    case SymbolKind::Goal:
    case SymbolKind::Exit:
      return 7;  // Class
    case SymbolKind::Persona:
      return 22;  // Struct
    case SymbolKind::Channel:
      return 20;  // EnumMember
    case SymbolKind::Touchpoint:
      return 2;  // Method
    case SymbolKind::Event:
      return 23;  // Event
    case SymbolKind::Rule:
      return 3;  // Function
    case SymbolKind::Param:
      return 21;  // Constant
    case SymbolKind::Var:
      return 6;  // Variable
    case SymbolKind::Kpi:
      return 12;  // Value
    case SymbolKind::Attribute:
      return 10;  // Property
    case SymbolKind::Field:
      return 5;  // Field
  }
  return 1;
}

// The items offered: each label once, in the order added. Names come from the analyses given,
// the first one's symbols first.
class Completions {
 public:
  Completions(const Analysis& names, const Analysis* fallback) {
    std::set<std::string_view> keys;
    for (const auto* a : {&names, fallback}) {
      if (a == nullptr) continue;
      for (const auto& s : a->index.symbols()) {
        if (keys.insert(s.key).second) symbols_.push_back(&s);
      }
    }
  }

  Json items = Json::array();

  void add(const std::string& label, int kind, const std::string& detail = {},
           const std::string& documentation = {}) {
    if (!seen_.insert(label).second) return;
    Json item = {{"label", label}, {"kind", kind}};
    if (!detail.empty()) item["detail"] = detail;
    if (!documentation.empty())
      item["documentation"] = {{"kind", "markdown"}, {"value", documentation}};
    items.push_back(std::move(item));
  }
  void keywords(std::initializer_list<const char*> words) {
    for (const char* word : words)
      add(word, 14);
  }
  void names(std::initializer_list<SymbolKind> kinds) {
    for (const Symbol* s : symbols_) {
      if (std::find(kinds.begin(), kinds.end(), s->kind) == kinds.end()) continue;
      std::string detail = std::string(kindName(s->kind));
      std::string display = displayOf(*s);
      if (!display.empty()) detail += " “" + display + "”";
      add(s->name, completionKind(s->kind), detail, docOf(*s));
    }
  }
  void stages() {
    names({SymbolKind::Stage, SymbolKind::Milestone, SymbolKind::Goal, SymbolKind::Exit});
  }
  void channels() {
    names({SymbolKind::Channel});
    for (auto name : sema::builtinChannels())
      add(std::string(name), 20, "built-in channel");
  }
  void expressionNames() {
    names({SymbolKind::Param, SymbolKind::Var, SymbolKind::Attribute, SymbolKind::Persona});
    for (const auto& state : sema::customerState())
      add(std::string(state.name), 6, fmt::format("customer state: {}", ast::typeName(state.type)),
          std::string(state.description));
    for (const auto& function : sema::builtinFunctions())
      add(std::string(function.name), 3, function.distribution ? "distribution" : "function");
    keywords({"true", "false", "not", "and", "or", "persona"});
  }
  // The payload fields of `event`.
  void fields(std::string_view event) {
    std::string prefix = "field:" + std::string(event) + ".";
    for (const Symbol* s : symbols_) {
      if (s->key.rfind(prefix, 0) == 0) add(s->name, 5, "payload field");
    }
  }

 private:
  std::vector<const Symbol*> symbols_;
  std::set<std::string> seen_;
};

// A number being typed: the number with each unit, replacing what is typed so far.
Json numberUnits(const std::string& text, const Token& partial, std::uint32_t offset,
                 const Analysis& names) {
  Json items = Json::array();
  std::string_view digits = partial.text;
  std::size_t end = 0;
  while (end < digits.size() && (std::isdigit(static_cast<unsigned char>(digits[end])) != 0 ||
                                 digits[end] == '_' || digits[end] == '.'))
    ++end;
  std::string number(digits.substr(0, end));
  LineIndex lines(text);
  Range range{lines.position(partial.begin), lines.position(offset)};
  auto unit = [&](const std::string& suffix, const std::string& detail) {
    std::string label = number + suffix;
    items.push_back({{"label", label},
                     {"kind", 11},
                     {"detail", detail},
                     {"filterText", label},
                     {"textEdit", {{"range", toJson(range)}, {"newText", label}}}});
  };
  for (auto [suffix, detail] :
       std::initializer_list<std::pair<const char*, const char*>>{{"s", "seconds"},
                                                                  {"m", "minutes"},
                                                                  {"h", "hours"},
                                                                  {"d", "days"},
                                                                  {"w", "weeks"},
                                                                  {"mo", "months (30 days)"},
                                                                  {"y", "years (365 days)"},
                                                                  {"%", "percent"}})
    unit(suffix, detail);
  const sema::CheckedJourney* journey = names.compilation->journey.get();
  std::string currency = journey != nullptr ? journey->currency : "";
  for (const char* code : {"USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "INR", "CNY"}) {
    if (currency.empty() || currency == code) unit(std::string(" ") + code, "money");
  }
  return items;
}

// What the cursor follows: the tokens before it, and the innermost open brace with what
// opened it ("journey", "stage", "branches", ...; "top" outside every brace).
struct Context {
  std::vector<Token> tokens;
  std::string block = "top";
  std::size_t blockStart = 0;

  explicit Context(std::vector<Token> before) : tokens(std::move(before)) {
    std::vector<std::pair<std::string, std::size_t>> stack;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i].text == "{") {
        stack.emplace_back(braceOwner(i), i + 1);
      } else if (tokens[i].text == "}" && !stack.empty()) {
        stack.pop_back();
      }
    }
    if (!stack.empty()) std::tie(block, blockStart) = stack.back();
  }

  // The token `back` places before the cursor (0: the last one); empty before the start.
  std::string_view previous(std::size_t back) const {
    return tokens.size() > back ? tokens[tokens.size() - 1 - back].text : std::string_view{};
  }

  // For a list `for A, B, |`: the keyword before the list, and the token before that.
  std::pair<std::string_view, std::string_view> listKeyword() const {
    std::size_t i = tokens.size();
    if (i > 0 && tokens[i - 1].text == ",") {
      --i;
      while (i >= 2 && tokens[i - 1].kind == TokenKind::Word && tokens[i - 2].text == ",")
        i -= 2;
      if (i >= 1 && tokens[i - 1].kind == TokenKind::Word) --i;
    }
    if (i == 0) return {};
    return {tokens[i - 1].text, i >= 2 ? tokens[i - 2].text : std::string_view{}};
  }

  // The keyword that starts the declaration the cursor is in, at the level of the innermost
  // open brace (`kpi`, `stage`, ...); empty when there is none. `persona` counts only when a
  // name follows it, as in a declaration: in an expression an operator follows it.
  std::string_view declarationKeyword() const {
    static const std::set<std::string_view> starts = {
        "use",   "journey",   "horizon", "entry", "discount", "param", "var",        "channel",
        "stage", "milestone", "goal",    "exit",  "event",    "rule",  "touchpoint", "kpi"};
    int depth = 0;
    for (std::size_t i = tokens.size(); i > blockStart; --i) {
      const Token& token = tokens[i - 1];
      if (token.text == "}") {
        ++depth;
      } else if (token.text == "{") {
        --depth;
      } else if (depth == 0 && token.kind == TokenKind::Word) {
        // `discount` is also a name (`param discount`): a keyword only where a name is not.
        bool named = i >= 2 && starts.count(tokens[i - 2].text) > 0;
        if (starts.count(token.text) > 0 && !(token.text == "discount" && named)) return token.text;
        if (token.text == "persona" && i < tokens.size() && tokens[i].kind == TokenKind::Word)
          return token.text;
      }
    }
    return {};
  }

  // Inside a `kpi`'s value: after its `=`, before `primary`.
  bool inKpiValue() const {
    if (declarationKeyword() != "kpi") return false;
    for (std::size_t i = tokens.size(); i > blockStart; --i) {
      if (tokens[i - 1].text == "=") return true;
      if (tokens[i - 1].text == "kpi" || tokens[i - 1].text == "primary") return false;
    }
    return false;
  }

 private:
  // What opened the brace at token `i`.
  std::string braceOwner(std::size_t i) const {
    if (i > 0 && (tokens[i - 1].text == "->" || tokens[i - 1].text == "entry" ||
                  tokens[i - 1].text == "move"))
      return "branches";
    if (i > 0 && tokens[i - 1].text == "discrete") return "discrete";
    for (std::size_t k = i; k > 0 && k + 4 > i; --k) {
      std::string_view w = tokens[k - 1].text;
      if (w == "journey" || w == "stage" || w == "milestone" || w == "goal" || w == "exit" ||
          w == "persona" || w == "channel" || w == "event" || w == "rule")
        return std::string(w);
    }
    return "unknown";
  }
};

// Completions decided by what the cursor follows (`-> |`, `via |`, `event.|`, an operator...);
// false when that says nothing and the cursor is at the start of an item.
bool completeAfter(const Context& context, const Analysis& names, Completions& out) {
  const auto& tokens = context.tokens;
  const std::string& block = context.block;
  std::string_view p1 = context.previous(0);
  std::string_view p2 = context.previous(1);
  auto [list, beforeList] = context.listKeyword();

  if (p1 == "." && p2 != "" && tokens.size() >= 2 &&
      tokens[tokens.size() - 2].kind == TokenKind::Word) {
    out.fields(p2);
    return true;
  }
  if (p1 == "->" || p1 == "entry" || p1 == "move" || p1 == "enter" || p1 == "leave" ||
      list == "in") {
    out.stages();
    return true;
  }
  if (list == "for") {
    if (beforeList == "wait") {
      out.names({SymbolKind::Event});
    } else {
      out.names({SymbolKind::Persona});
    }
    return true;
  }
  if (p1 == "via") {
    out.channels();
    return true;
  }
  if (p1 == "send") {
    out.names({SymbolKind::Touchpoint});
    return true;
  }
  if (p1 == "emits") {
    out.names({SymbolKind::Event});
    return true;
  }
  if (p1 == "set") {
    out.names({SymbolKind::Var});
    return true;
  }
  if (p1 == "wait") {
    out.keywords({"for"});
    return true;
  }
  if (p1 == "on") {
    out.names({SymbolKind::Event});
    if (block == "rule") {
      out.keywords({"enter", "leave", "after", "inactive"});
      out.expressionNames();
    }
    return true;
  }
  if (block == "branches") {
    bool branchStart = p1 == "{" || p1 == "," || p1 == "otherwise" ||
                       (!tokens.empty() && tokens.back().kind == TokenKind::Number);
    if (branchStart) {
      out.stages();
      out.keywords({"if", "else"});
      return true;
    }
    if (!tokens.empty() && tokens.back().kind == TokenKind::Word &&
        names.index.find(p1) != nullptr) {
      out.keywords({"otherwise"});
      return true;
    }
  }
  if (p1 == "(" && (p2 == "reached" || p2 == "visits" || p2 == "in_stage")) {
    out.stages();
    return true;
  }
  if (p1 == "(" && p2 == "occurrences") {
    out.names({SymbolKind::Event});
    return true;
  }
  if (p1 == "(" && p2 == "received") {
    out.names({SymbolKind::Touchpoint});
    return true;
  }
  static const std::set<std::string_view> expressionStarts = {
      "=",        "if",       "(",       "+",      "-",        "*",     "/",   "<",
      ">",        "<=",       ">=",      "==",     "!=",       "and",   "or",  "not",
      "value",    "cost",     "emotion", "share",  "every",    "after", ":",   "priority",
      "duration", "response", "delay",   "within", "inactive", "cap",   "per", "nps"};
  if (expressionStarts.count(p1) > 0 || (p1 == "," && block == "unknown")) {
    // A KPI may read the others.
    if (context.inKpiValue()) out.names({SymbolKind::Kpi});
    out.expressionNames();
    return true;
  }
  return false;
}

// The start of an item: the keywords the enclosing block takes.
void completeItemStart(const Context& context, Completions& out) {
  const std::string& block = context.block;
  // The item the cursor is in: the last item keyword of the block, and whether `per` follows it.
  std::string_view item;
  bool per = false;
  for (std::size_t i = context.tokens.size(); i > context.blockStart; --i) {
    std::string_view w = context.tokens[i - 1].text;
    per = per || w == "per";
    if (w == "touchpoint" || w == "after" || w == "on" || w == "value") {
      item = w;
      break;
    }
    if (w == "stage" || w == "{" || w == "}") break;
  }
  bool stageBlock = block == "stage" || block == "milestone" || block == "goal" || block == "exit";
  if (item == "touchpoint")
    out.keywords({"via", "cost", "emotion", "duration", "response", "emits", "delay", "nps"});
  // `value V per D` in a stage; `discount R per D`.
  if ((stageBlock && item == "value" && !per) ||
      ((block == "top" || block == "journey") && context.declarationKeyword() == "discount" &&
       context.previous(0) != "discount" && !per))
    out.keywords({"per"});
  // After a KPI's value: `primary`, or the next declaration.
  if ((block == "top" || block == "journey") && context.inKpiValue()) out.keywords({"primary"});
  if (block == "top") {
    out.keywords({"use", "journey", "param", "var", "channel", "persona", "stage", "milestone",
                  "goal", "exit", "touchpoint", "event", "rule", "kpi"});
  } else if (block == "journey") {
    out.keywords({"horizon", "entry", "discount", "param", "var", "channel", "persona", "stage",
                  "milestone", "goal", "exit", "touchpoint", "event", "rule", "kpi"});
  } else if (stageBlock) {
    out.keywords({"touchpoint", "after", "on", "for", "value"});
  } else if (block == "persona") {
    out.keywords({"share"});
    out.names({SymbolKind::Attribute});
  } else if (block == "channel") {
    out.keywords({"cost", "cap", "quiet", "drop", "defer"});
  } else if (block == "event") {
    out.keywords({"in", "every", "for", "value"});
  } else if (block == "rule") {
    out.keywords(
        {"on", "in", "for", "if", "priority", "cap", "send", "move", "set", "wait", "stop"});
  } else if (block == "branches") {
    out.stages();
    out.keywords({"if", "else", "otherwise"});
  } else {
    out.expressionNames();
  }
}

}  // namespace

Json completion(const std::string& text, std::uint32_t offset, const Analysis& names,
                const Analysis* fallback) {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text.size()));
  std::string_view before(text.data(), offset);
  bool insideCommentOrString = false;
  auto tokens = lex(before, insideCommentOrString);
  if (insideCommentOrString) return Json::array();
  // The token being typed, if the cursor touches it, is not context.
  std::optional<Token> partial;
  if (!tokens.empty() && tokens.back().kind != TokenKind::Punct &&
      tokens.back().kind != TokenKind::String &&
      tokens.back().begin + tokens.back().text.size() == offset) {
    partial = tokens.back();
    tokens.pop_back();
  }
  if (partial && partial->kind == TokenKind::Number)
    return numberUnits(text, *partial, offset, names);
  Context context(std::move(tokens));
  Completions out(names, fallback);
  if (!completeAfter(context, names, out)) completeItemStart(context, out);
  return out.items;
}

}  // namespace journey::lsp

#include "lsp/features.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <sstream>

#include "lsp/server.h"
#include "lsp/transport.h"

namespace journey::lsp {
namespace {

const char* kJourney = R"(journey Trial {
  horizon 60d
  entry Signup
  persona Team { share 70%  seats = fixed(3) }
  persona Solo { share 30%  seats = fixed(1) }
  stage Signup {
    touchpoint Welcome via email
    after 2d -> { Paid 30%, Lost otherwise }
  }
  goal Paid { value seats * 12 USD }
  exit Lost
  event ping {
    in Signup
    every 10d
    size = fixed(2)
  }
  rule Nudge {
    on ping
    if ping.size > 1 and seats > 2
    send Welcome
  }
}
)";

std::shared_ptr<Analysis> analyse(const std::string& text) {
  MemoryFileReader reader;
  reader.set("/w/trial.journey", text);
  return analyze("/w/trial.journey", "file:///w/trial.journey", reader);
}

std::uint32_t at(const std::string& text, const std::string& needle, std::size_t nth = 0) {
  std::size_t position = text.find(needle);
  for (std::size_t i = 0; i < nth; ++i)
    position = text.find(needle, position + 1);
  return static_cast<std::uint32_t>(position);
}

std::vector<std::string> labels(const Json& items) {
  std::vector<std::string> result;
  for (const auto& item : items)
    result.push_back(item["label"].get<std::string>());
  return result;
}

bool has(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

TEST(Index, ResolvesEveryKindOfUse) {
  std::string text = kJourney;
  auto a = analyse(text);
  ASSERT_TRUE(a->compilation->diagnostics.empty());
  auto kindAt = [&](const std::string& needle, std::size_t nth = 0) {
    const Occurrence* o = a->index.at(a->root, at(text, needle, nth));
    return o == nullptr ? std::string("none")
                        : std::string(kindName(a->index.symbol(o->symbol).kind));
  };
  EXPECT_EQ(kindAt("Signup"), "stage");
  EXPECT_EQ(kindAt("Paid", 0), "goal");
  EXPECT_EQ(kindAt("Lost"), "exit");
  EXPECT_EQ(kindAt("email"), "channel");
  EXPECT_EQ(kindAt("seats", 2), "attribute");
  EXPECT_EQ(kindAt("ping", 2), "event");
  EXPECT_EQ(kindAt("size", 1), "payload field");
  EXPECT_EQ(kindAt("Welcome", 1), "touchpoint");
  EXPECT_EQ(kindAt("horizon"), "none");
  const Symbol* seats = a->index.find("attr:seats");
  ASSERT_NE(seats, nullptr);
  EXPECT_EQ(seats->definitions.size(), 2u);
  EXPECT_EQ(a->index.occurrencesOf(*a->index.findId("attr:seats")).size(), 4u);
  EXPECT_TRUE(a->index.find("email")->builtin);
}

TEST(Index, WorksOnTextWithSyntaxErrors) {
  std::string text = std::string(kJourney).replace(at(kJourney, "every 10d"), 9, "every 10d }}");
  auto a = analyse(text);
  EXPECT_TRUE(a->hasSyntaxErrors());
  EXPECT_NE(a->index.find("Signup"), nullptr);
}

TEST(Features, CompletionContexts) {
  std::string text = kJourney;
  auto a = analyse(text);
  auto complete = [&](const std::string& edited, const std::string& needle, std::size_t delta) {
    return labels(
        completion(edited, at(edited, needle) + static_cast<std::uint32_t>(delta), *a, nullptr));
  };
  auto arrow = complete(text, "-> {", 4);
  EXPECT_TRUE(has(arrow, "Paid") && has(arrow, "Signup") && has(arrow, "if") &&
              !has(arrow, "Team"));
  auto afterStage = complete(text, "Lost otherwise", 5);
  EXPECT_TRUE(has(afterStage, "otherwise"));
  auto via = complete(text, "via email", 4);
  EXPECT_TRUE(has(via, "email") && has(via, "push"));
  auto member = complete(text, "ping.size", 5);
  EXPECT_EQ(member, std::vector<std::string>{"size"});
  auto inList = complete(text, "in Signup", 3);
  EXPECT_TRUE(has(inList, "Lost") && !has(inList, "ping"));
  auto units = complete(text, "every 10d", 8);
  EXPECT_TRUE(has(units, "10mo") && has(units, "10 USD") && !has(units, "10 EUR"));
  auto stageItem = complete(text, "    after 2d", 4);
  EXPECT_TRUE(has(stageItem, "after") && has(stageItem, "touchpoint") && !has(stageItem, "send"));
  auto journeyItem = complete(text, "  goal Paid", 2);
  EXPECT_TRUE(has(journeyItem, "persona") && has(journeyItem, "horizon"));
  auto top = complete(text, "journey Trial", 0);
  EXPECT_TRUE(has(top, "use") && has(top, "journey") && !has(top, "horizon"));
  // Nothing inside comments and strings.
  std::string commented = text;
  commented.insert(at(text, "  goal Paid"), "  // stage \n");
  EXPECT_TRUE(completion(commented, at(commented, "// stage ") + 9, *a, nullptr).empty());
  EXPECT_TRUE(completion(text, at(text, "Trial") + 2, *a, nullptr).size() > 0);
  std::string quoted = std::string(text).insert(at(text, "  goal Paid"), "  stage Q \"Quote -> \n");
  EXPECT_TRUE(completion(quoted, at(quoted, "Quote -> ") + 9, *a, nullptr).empty());
  // Out-of-range offsets clamp.
  EXPECT_NO_THROW(completion(text, 1u << 30, *a, nullptr));
}

TEST(Features, FormattingIsMinimal) {
  std::string error;
  auto edits = formatting("journey J {\n  horizon    1d\n}\n", "/w/j.journey", error);
  ASSERT_TRUE(edits.has_value());
  ASSERT_EQ(edits->size(), 1u);
  EXPECT_EQ((*edits)[0]["range"]["start"]["line"], 1);
  EXPECT_FALSE(formatting("journey J { horizon", "/w/j.journey", error).has_value());
  EXPECT_FALSE(error.empty());
  auto clean = formatting("journey J {\n  horizon 1d\n}\n", "/w/j.journey", error);
  ASSERT_TRUE(clean.has_value());
  EXPECT_TRUE(clean->empty());
}

TEST(Features, RenameValidates) {
  std::string text = kJourney;
  auto a = analyse(text);
  std::string error;
  std::uint32_t paid = at(text, "Paid");
  Json edit = rename(*a, paid, "Won", error);
  EXPECT_TRUE(error.empty());
  EXPECT_EQ(edit["changes"]["file:///w/trial.journey"].size(), 2u);
  for (const char* bad : {"Lost", "Team", "seats", "rule", "received", "1a"}) {
    error.clear();
    EXPECT_TRUE(rename(*a, paid, bad, error).is_null()) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  error.clear();
  EXPECT_TRUE(rename(*a, at(text, "email"), "mail2", error).is_null());
  EXPECT_NE(error.find("built-in"), std::string::npos);
}

// The server without a process: messages in, messages out.
struct Harness {
  std::vector<Json> sent;
  std::ostringstream log;
  Server server{ServerOptions{std::chrono::milliseconds(0)},
                [this](const Json& m) { sent.push_back(m); }, log};
};

TEST(Server, AnswersEveryMessageAndNeverThrows) {
  Harness h;
  h.server.receive("{not json");
  ASSERT_EQ(h.sent.size(), 1u);
  EXPECT_EQ(h.sent[0]["error"]["code"], -32700);
  h.server.receive(R"({"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}})");
  EXPECT_EQ(h.sent.back()["error"]["code"], -32002);
  h.server.receive(R"({"jsonrpc":"2.0","id":2,"method":"initialize","params":{}})");
  EXPECT_TRUE(h.sent.back()["result"]["capabilities"]["hoverProvider"]);
  h.server.receive(R"({"jsonrpc":"2.0","id":3,"method":"nope"})");
  EXPECT_EQ(h.sent.back()["error"]["code"], -32601);
  h.server.receive(
      R"({"jsonrpc":"2.0","id":4,"method":"textDocument/hover","params":{"textDocument":7}})");
  EXPECT_EQ(h.sent.back()["error"]["code"], -32602);
  h.server.receive(R"({"jsonrpc":"2.0","id":[1],"method":"shutdown"})");
  EXPECT_EQ(h.sent.back()["error"]["code"], -32600);
  Json open = {{"jsonrpc", "2.0"},
               {"method", "textDocument/didOpen"},
               {"params",
                {{"textDocument",
                  {{"uri", "file:///nowhere/t.journey"}, {"version", 1}, {"text", kJourney}}}}}};
  h.server.handle(open);
  EXPECT_EQ(h.sent.back()["method"], "textDocument/publishDiagnostics");
  EXPECT_TRUE(h.sent.back()["params"]["diagnostics"].empty());
  h.server.receive(
      R"({"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///nowhere/t.journey","version":2},"contentChanges":[{"range":{"start":{"line":7,"character":18},"end":{"line":7,"character":22}},"text":"Pad"}]}})");
  EXPECT_EQ(h.server.msUntilDue(), 0);
  h.server.flush();
  EXPECT_EQ(h.sent.back()["params"]["version"], 2);
  EXPECT_EQ(h.sent.back()["params"]["diagnostics"][0]["code"], "unknown-name");
  EXPECT_EQ(h.server.msUntilDue(), -1);
  h.server.receive(R"({"jsonrpc":"2.0","id":5,"method":"shutdown"})");
  h.server.receive(R"({"jsonrpc":"2.0","method":"exit"})");
  EXPECT_TRUE(h.server.exited());
  EXPECT_EQ(h.server.exitCode(), 0);
}

TEST(Transport, FramesAndRecoversFromBadHeaders) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string input =
      "Content-Length: 2\r\n\r\n{}"
      "Bogus: 1\r\n\r\n"
      "garbageContent-Length: 3\r\n\r\n[1]"
      "content-length: 4\n\n\"ab\""
      "Content-Length: 10\r\n\r\nshort";
  ASSERT_EQ(write(fds[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  close(fds[1]);
  Transport transport(fds[0], -1);
  std::string body;
  std::string error;
  EXPECT_EQ(transport.read(body, error), Transport::Status::Message);
  EXPECT_EQ(body, "{}");
  EXPECT_EQ(transport.read(body, error), Transport::Status::Malformed);
  EXPECT_EQ(transport.read(body, error), Transport::Status::Message);
  EXPECT_EQ(body, "[1]");
  EXPECT_EQ(transport.read(body, error), Transport::Status::Message);
  EXPECT_EQ(body, "\"ab\"");
  EXPECT_EQ(transport.read(body, error), Transport::Status::Malformed);
  EXPECT_EQ(transport.read(body, error), Transport::Status::Eof);
  close(fds[0]);
}

}  // namespace
}  // namespace journey::lsp

namespace journey::lsp {
namespace {

std::string readSource(const std::string& relative) {
  DiskFileReader disk;
  std::string error;
  return disk.read(std::string(JOURNEY_SOURCE_DIR) + "/" + relative, error).value_or("");
}

// Quick fixes resolve their diagnostics: a missing `else`, a stage without a way out, and the
// slips newcomers make (a unit's word, a share as a bare number, an undeclared event, a
// misspelt keyword).
TEST(Features, QuickFixesResolveTheirDiagnostics) {
  struct Case {
    const char* file;
    const char* code;
    // Written into the file first: `from` becomes `to`.
    const char* from = "";
    const char* to = "";
  };
  const char* trial = "tests/lsp/fixtures/trial.journey";
  for (Case c :
       {Case{"tests/golden/checks/fail_split_gap.journey", "split-gap"},
        Case{"tests/golden/checks/fail_dead_end.journey", "dead-end"}, Case{trial, "dead-end"},
        Case{trial, "unknown-unit", "every 10d", "every 10min"},
        Case{trial, "unknown-name", "every 10d", "every week"},
        Case{trial, "invalid-value", "share 70%", "share 70"},
        Case{trial, "unknown-name", "on went_quiet", "on signed_up"},
        Case{trial, "syntax-error", "after 14d -> { Paid 30%", "aftr 14d -> { Paid 30%"}}) {
    std::string file = c.file;
    std::string code = c.code;
    std::string text = readSource(file);
    ASSERT_FALSE(text.empty()) << file;
    if (std::string_view(c.from).empty() && file == trial) {
      // A stage with no body and no way out: the fix adds one.
      text.replace(text.find("stage Signup {"), 14, "stage Stuck\n  stage Signup {");
      text.replace(text.find("Active 80%"), 10, "Active 80%, Stuck 10%");
    } else if (!std::string_view(c.from).empty()) {
      text.replace(text.find(c.from), std::string_view(c.from).size(), c.to);
    }
    auto a = analyse(text);
    LineIndex lines(text);
    Json actions =
        codeActions(*a, {{0, 0}, lines.position(static_cast<std::uint32_t>(text.size()))});
    const Json* action = nullptr;
    for (const auto& candidate : actions) {
      if (candidate["diagnostics"][0]["code"] == code) action = &candidate;
    }
    ASSERT_NE(action, nullptr) << file << ": " << actions.dump();
    for (const auto& edit : (*action)["edit"]["changes"]["file:///w/trial.journey"])
      applyEdit(text,
                {{edit["range"]["start"]["line"], edit["range"]["start"]["character"]},
                 {edit["range"]["end"]["line"], edit["range"]["end"]["character"]}},
                edit["newText"].get<std::string>());
    auto fixed = analyse(text);
    for (const auto& d : diagnostics(*fixed)) {
      EXPECT_NE(d["code"], code) << file << "\n" << text;
      EXPECT_EQ(d["severity"], 2) << file << ": " << d.dump();
    }
  }
}

// Milestones, KPIs, `discount`, value over time and per event, `reached` and `occurrences`.
class Lifetime : public ::testing::Test {
 protected:
  void SetUp() override {
    text = readSource("tests/lsp/fixtures/lifetime.journey");
    ASSERT_FALSE(text.empty());
    a = analyse(text);
    ASSERT_TRUE(a->compilation->diagnostics.empty());
  }

  std::string kindAt(const std::string& needle, std::size_t nth = 0) const {
    const Occurrence* o = a->index.at(a->root, at(text, needle, nth));
    return o == nullptr ? std::string("none")
                        : std::string(kindName(a->index.symbol(o->symbol).kind));
  }

  std::string hoverAt(const std::string& needle, std::size_t nth = 0) const {
    Json result = hover(*a, at(text, needle, nth));
    return result.is_null() ? std::string() : result["contents"]["value"].get<std::string>();
  }

  std::vector<std::string> complete(const std::string& edited, const std::string& needle,
                                    std::size_t delta) const {
    return labels(
        completion(edited, at(edited, needle) + static_cast<std::uint32_t>(delta), *a, nullptr));
  }

  std::string text;
  std::shared_ptr<Analysis> a;
};

TEST_F(Lifetime, IndexResolvesTheNewConstructs) {
  EXPECT_EQ(kindAt("FirstOrder"), "milestone");  // the branch of Browse
  EXPECT_EQ(kindAt("FirstOrder", 1), "milestone");
  EXPECT_EQ(kindAt("FirstOrder", 2), "milestone");  // reached(FirstOrder)
  EXPECT_EQ(kindAt("referral", 3), "event");        // occurrences(referral)
  EXPECT_EQ(kindAt("billing", 1), "param");         // value 5 USD per billing
  EXPECT_EQ(kindAt("price", 2), "param");           // the event's value
  EXPECT_EQ(kindAt("ordered"), "kpi");
  EXPECT_EQ(kindAt("ordered", 1), "kpi");  // read by another KPI
  EXPECT_EQ(kindAt("discount"), "none");
  EXPECT_EQ(kindAt("value\n"), "none");
  EXPECT_EQ(a->index.occurrencesOf(*a->index.findId("FirstOrder")).size(), 3u);
  EXPECT_EQ(a->index.occurrencesOf(*a->index.findId("referrals")).size(), 2u);
  Json jump = definition(*a, at(text, "ordered and"));
  ASSERT_EQ(jump.size(), 1u);
  EXPECT_EQ(jump[0]["range"]["start"]["line"], LineIndex(text).position(at(text, "ordered")).line);
}

TEST_F(Lifetime, Hover) {
  std::string milestone = hoverAt("FirstOrder \"");
  EXPECT_NE(milestone.find("**milestone** `FirstOrder` — “First order”"), std::string::npos)
      << milestone;
  EXPECT_NE(milestone.find("The first purchase."), std::string::npos);
  EXPECT_NE(milestone.find("a milestone: reports count the customers who reach it"),
            std::string::npos);
  EXPECT_NE(milestone.find("after 30d → Loyal"), std::string::npos);
  std::string primary = hoverAt("ordered");
  EXPECT_NE(primary.find("**kpi** `ordered` — “Placed an order”"), std::string::npos) << primary;
  EXPECT_NE(primary.find("primary: what `conversion` means"), std::string::npos);
  EXPECT_NE(primary.find("type `bool`: the share of customers"), std::string::npos);
  EXPECT_NE(primary.find("= reached(FirstOrder)"), std::string::npos);
  std::string count = hoverAt("referrals");
  EXPECT_NE(count.find("type `number`: the mean per customer"), std::string::npos) << count;
  EXPECT_EQ(count.find("primary"), std::string::npos);
  EXPECT_NE(hoverAt("Loyal {").find("value 5 USD per billing"), std::string::npos);
  EXPECT_NE(hoverAt("reached(").find("**built-in function** `reached(stage)`"), std::string::npos);
  EXPECT_NE(hoverAt("occurrences(").find("`occurrences(event)`"), std::string::npos);
  EXPECT_NE(hoverAt("value\n").find("**customer state** `value`: `money`"), std::string::npos);
  // The keyword of `value price` is not the customer state it is spelled like.
  EXPECT_EQ(hoverAt("value price"), "");
}

TEST_F(Lifetime, Completion) {
  auto journeyItem = complete(text, "  goal Advocate", 2);
  EXPECT_TRUE(has(journeyItem, "milestone") && has(journeyItem, "kpi") &&
              has(journeyItem, "discount") && !has(journeyItem, "primary"));
  auto stages = complete(text, "reached(", 8);
  EXPECT_TRUE(has(stages, "FirstOrder") && has(stages, "Advocate") && !has(stages, "referral"));
  auto events = complete(text, "occurrences(", 12);
  EXPECT_EQ(events, std::vector<std::string>{"referral"});
  auto afterValue = complete(text, " primary", 0);
  EXPECT_EQ(afterValue.front(), "primary");
  EXPECT_TRUE(has(afterValue, "kpi"));
  auto afterPrimary = complete(text, " primary\n", 9);
  EXPECT_FALSE(has(afterPrimary, "primary"));
  auto kpiValue = complete(text, "ordered and", 0);
  EXPECT_TRUE(has(kpiValue, "referrals") && has(kpiValue, "reached") &&
              has(kpiValue, "occurrences") && has(kpiValue, "value") && has(kpiValue, "price"));
  // KPIs are read only by KPIs.
  auto stageValue = complete(text, "price\n    after 30d", 0);
  EXPECT_TRUE(has(stageValue, "price") && !has(stageValue, "referrals"));
  auto eventItem = complete(text, "    every 60d", 4);
  EXPECT_TRUE(has(eventItem, "value") && has(eventItem, "every"));
  auto milestoneItem = complete(text, "    after 30d", 4);
  EXPECT_TRUE(has(milestoneItem, "after") && has(milestoneItem, "value"));
  auto period = complete(text, " per billing", 1);
  EXPECT_EQ(period.front(), "per");
  EXPECT_FALSE(has(complete(text, "billing\n    on referral", 7), "per"));
  EXPECT_FALSE(has(complete(text, "price\n  }\n\n  kpi", 5), "per"));  // nor event values
  auto discount = complete(text, " per 1y", 1);
  EXPECT_TRUE(has(discount, "per") && has(discount, "kpi"));
  auto top = complete(text, "// A customer", 0);
  EXPECT_TRUE(has(top, "milestone") && has(top, "kpi") && !has(top, "discount"));
}

TEST_F(Lifetime, Rename) {
  std::string error;
  Json milestone = rename(*a, at(text, "FirstOrder \""), "FirstBuy", error);
  EXPECT_TRUE(error.empty()) << error;
  EXPECT_EQ(milestone["changes"]["file:///w/trial.journey"].size(), 3u);
  Json kpi = rename(*a, at(text, "ordered"), "buyers", error);
  EXPECT_TRUE(error.empty()) << error;
  EXPECT_EQ(kpi["changes"]["file:///w/trial.journey"].size(), 2u);
  for (const char* bad : {"conversion", "kpi", "milestone", "referrals", "reached", "value"}) {
    error.clear();
    EXPECT_TRUE(rename(*a, at(text, "ordered"), bad, error).is_null()) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  error.clear();
  // A soft keyword is a name.
  EXPECT_FALSE(rename(*a, at(text, "ordered"), "primary", error).is_null()) << error;
}

TEST_F(Lifetime, SemanticTokensAndSymbols) {
  LineIndex lines(text);
  const Json data = semanticTokens(*a)["data"];
  // Decode the relative positions: line, character, type, modifiers of each token.
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::pair<int, int>> tokens;
  std::uint32_t line = 0;
  std::uint32_t character = 0;
  for (std::size_t i = 0; i + 4 < data.size(); i += 5) {
    std::uint32_t deltaLine = data[i];
    line += deltaLine;
    character = deltaLine == 0 ? character + data[i + 1].get<std::uint32_t>()
                               : data[i + 1].get<std::uint32_t>();
    tokens[{line, character}] = {data[i + 3], data[i + 4]};
  }
  auto token = [&](const std::string& needle, std::size_t nth = 0) {
    Position p = lines.position(at(text, needle, nth));
    auto it = tokens.find({p.line, p.character});
    return it == tokens.end() ? std::pair<int, int>{-1, -1} : it->second;
  };
  EXPECT_EQ(token("FirstOrder", 1), (std::pair<int, int>{1, 1}));  // class, declaration
  EXPECT_EQ(token("FirstOrder", 2), (std::pair<int, int>{1, 0}));
  EXPECT_EQ(token("ordered"), (std::pair<int, int>{7, 3}));  // variable, declaration + readonly
  EXPECT_EQ(token("ordered", 1), (std::pair<int, int>{7, 2}));
  EXPECT_EQ(token("referral", 3), (std::pair<int, int>{5, 0}));
  EXPECT_EQ(token("discount").first, -1);

  Json journey = documentSymbols(*a)[0];
  std::map<std::string, std::string> details;
  for (const auto& child : journey["children"])
    details[child["name"]] = child["detail"];
  EXPECT_EQ(details["FirstOrder"], "milestone “First order”");
  EXPECT_EQ(details["ordered"], "kpi “Placed an order”");
  EXPECT_EQ(details["referrals"], "kpi");
  EXPECT_EQ(journey["children"].size(), 13u);
}

}  // namespace
}  // namespace journey::lsp

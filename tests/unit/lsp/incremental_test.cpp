// Incremental parsing must change nothing but speed: after any edit, an analysis that reuses
// the previous one's declarations publishes exactly what a fresh analysis publishes.
#include "lsp/incremental.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "lsp/analysis.h"
#include "lsp/features.h"

namespace journey::lsp {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Outcome {
  Json diagnostics;
  Json symbols;
  Json tokens;
  Json folds;
};

Outcome outcome(const Analysis& a) {
  return {diagnostics(a), documentSymbols(a), semanticTokens(a), foldingRanges(a)};
}

// Applies every edit in turn, analysing each text incrementally and from scratch.
int compareAlong(const std::string& path, std::string text,
                 const std::function<bool(std::string&, int)>& edit, int steps) {
  DiskFileReader disk;
  std::string uri = pathToUri(path);
  MemoryFileReader first(&disk);
  first.set(path, text);
  auto previous = analyze(path, uri, first);
  int incremental = 0;
  for (int step = 0; step < steps; ++step) {
    if (!edit(text, step)) continue;
    MemoryFileReader reader(&disk);
    reader.set(path, text);
    auto reused = analyze(path, uri, reader, previous.get());
    auto fresh = analyze(path, uri, reader);
    incremental += reused->incremental ? 1 : 0;
    Outcome a = outcome(*reused);
    Outcome b = outcome(*fresh);
    EXPECT_EQ(a.diagnostics, b.diagnostics) << "step " << step << "\n" << text;
    EXPECT_EQ(a.symbols, b.symbols) << "step " << step;
    EXPECT_EQ(a.tokens, b.tokens) << "step " << step;
    EXPECT_EQ(a.folds, b.folds) << "step " << step;
    EXPECT_EQ(reused->rootParseClean, fresh->rootParseClean) << "step " << step;
    if (::testing::Test::HasFailure()) return incremental;
    previous = reused;
  }
  return incremental;
}

TEST(Incremental, TypicalEditsMatchAFreshAnalysis) {
  std::string path = std::string(JOURNEY_SOURCE_DIR) + "/examples/saas_trial.journey";
  std::string text = readFile(path);
  ASSERT_FALSE(text.empty());
  // Build edits from the text itself: change a number, break a name, fix it, delete a
  // declaration, add one, edit a doc comment, a syntax error and its fix.
  std::size_t stage = text.find("stage ", text.find("stage ") + 1);
  ASSERT_NE(stage, std::string::npos);
  std::size_t stageEnd = text.find("\n  }\n", stage) + 5;
  std::string stageText = text.substr(stage, stageEnd - stage);
  int incremental = compareAlong(
      path, text,
      [&](std::string& t, int step) {
        switch (step) {
          case 0: {  // a digit inside a declaration
            auto at = t.find('%', t.find("share"));
            t.replace(at - 1, 1, "9");
            return true;
          }
          case 1: {  // back
            auto at = t.find("9%", t.find("share"));
            t.replace(at, 1, text.substr(at, 1));
            return true;
          }
          case 2:  // a stage declared twice
            t.insert(stageEnd, "  " + stageText);
            return true;
          case 3:  // and removed again
            t.erase(stageEnd, stageText.size() + 2);
            return true;
          case 4: {  // a doc comment above a declaration
            t.insert(stage, "/// Documented now.\n  ");
            return true;
          }
          case 5: {  // a syntax error, then its fix
            t.insert(stage, "stage { ");
            return true;
          }
          case 6:
            t.erase(stage, 8);
            return true;
          case 7: {  // a name that does not resolve
            auto at = t.find("-> ", stage);
            t.insert(at + 3, "X");
            return true;
          }
          case 8: {  // an unknown unit (a lexical diagnostic) inside a declaration
            auto at = t.find('d', t.find("after ", stage) + 6);
            t.replace(at, 1, "dd");
            return true;
          }
          case 9: {
            auto at = t.find("dd", t.find("after ", stage));
            t.replace(at, 2, "d");
            return true;
          }
          case 10:  // the same text again (a library it uses changed)
            return true;
          default:
            return false;
        }
      },
      11);
  EXPECT_GE(incremental, 5);
}

TEST(Incremental, RandomEditsMatchAFreshAnalysis) {
  for (const char* name : {"/tests/lsp/fixtures/trial.journey", "/examples/retention.journey"}) {
    std::string path = std::string(JOURNEY_SOURCE_DIR) + name;
    std::string text = readFile(path);
    ASSERT_FALSE(text.empty()) << path;
    std::mt19937 random(7);
    const std::vector<std::string> inserts = {
        "1", " ", "x", "}", "{", "\n", "/", "->", "é", "%", "stage Z { after 1d -> Z }\n"};
    int incremental = compareAlong(
        path, text,
        [&](std::string& t, int step) {
          // Every other step goes back to the original, so that edits start from clean text.
          t = text;
          if (step % 2 == 1) return true;
          std::size_t at = std::uniform_int_distribution<std::size_t>(0, t.size() - 1)(random);
          // Stay on character boundaries.
          while (at > 0 && (static_cast<unsigned char>(t[at]) & 0xc0) == 0x80)
            --at;
          if (random() % 2 == 0) {
            std::size_t length = 1;
            while (at + length < t.size() &&
                   (static_cast<unsigned char>(t[at + length]) & 0xc0) == 0x80)
              ++length;
            t.erase(at, length);
          } else {
            t.insert(at, inserts[random() % inserts.size()]);
          }
          return true;
        },
        150);
    EXPECT_GT(incremental, 60) << path;
  }
}

// Edits of milestones, KPIs, the discount and values over time are parsed incrementally too.
TEST(Incremental, LifetimeEditsMatchAFreshAnalysis) {
  std::string path = std::string(JOURNEY_SOURCE_DIR) + "/tests/lsp/fixtures/lifetime.journey";
  std::string text = readFile(path);
  ASSERT_FALSE(text.empty());
  const std::vector<std::pair<std::string, std::string>> edits = {
      {"reached(FirstOrder) primary", "reached(FirstOrder)"},
      {"kpi referrals = occurrences(referral)", "kpi referrals = occurrences(referral) primary"},
      {"per billing", "per 2 * billing"},
      {"discount 10% per 1y", "discount 12% per 6mo"},
      {"    value price\n  }", "    value price * 2\n  }"},
      {"milestone FirstOrder", "stage FirstOrder"},
      {"kpi worth = value", "kpi worth = value + ordered"},
      {"ordered and", "unknown and"},
  };
  int incremental = compareAlong(
      path, text,
      [&](std::string& t, int step) {
        if (static_cast<std::size_t>(step) >= 2 * edits.size()) return false;
        const auto& [from, to] = edits[static_cast<std::size_t>(step / 2)];
        // Each edit, then back.
        const std::string& find = step % 2 == 0 ? from : to;
        const std::string& put = step % 2 == 0 ? to : from;
        auto at = t.find(find);
        if (at == std::string::npos) return false;
        t.replace(at, find.size(), put);
        return true;
      },
      static_cast<int>(2 * edits.size()));
  EXPECT_EQ(incremental, static_cast<int>(2 * edits.size()));
}

}  // namespace
}  // namespace journey::lsp

// File-driven golden tests (see README.md in this folder). Run with `--update` (or
// JOURNEY_UPDATE=1) to rewrite the expected files from the current output.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/diagnostics/render.h"
#include "compiler/diagnostics/suppress.h"
#include "compiler/driver/driver.h"
#include "compiler/format/format.h"
#include "compiler/map/map.h"

namespace fs = std::filesystem;

namespace journey {
namespace {

bool updateMode = false;

const fs::path kGoldenRoot = fs::path(JOURNEY_SOURCE_DIR) / "tests" / "golden";
const fs::path kExamplesRoot = fs::path(JOURNEY_SOURCE_DIR) / "examples";
const fs::path kGraphRoot = kGoldenRoot / "graph";

// Reads paths relative to a root directory, so that messages show `sema/x.journey`.
class RootedReader : public FileReader {
 public:
  explicit RootedReader(fs::path root) : root_(std::move(root)) {}
  std::optional<std::string> read(const std::string& path, std::string& error) override {
    return disk_.read((root_ / path).string(), error);
  }

 private:
  fs::path root_;
  DiskFileReader disk_;
};

std::optional<std::string> readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

struct Case {
  fs::path root;
  /// Relative to `root`, with forward slashes.
  std::string path;
};

// Names the case in failure messages instead of dumping its bytes (GoogleTest's hook, its name).
void PrintTo(const Case& c, std::ostream* out) {  // NOLINT(readability-identifier-naming)
  *out << c.path;
}

std::vector<Case> discover(const fs::path& root) {
  std::vector<Case> cases;
  if (!fs::exists(root)) return cases;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".journey") continue;
    if (entry.path().filename().string().front() == '_') continue;
    // Examples' shared libraries are checked through the examples that use them.
    if (root == kExamplesRoot && entry.path().parent_path() != root) continue;
    cases.push_back({root, fs::relative(entry.path(), root).generic_string()});
  }
  std::sort(cases.begin(), cases.end(),
            [](const Case& a, const Case& b) { return a.path < b.path; });
  return cases;
}

std::string diagnosticsText(const Compilation& compilation) {
  std::ostringstream out;
  renderText(out, compilation.sources, compilation.diagnostics);
  return out.str();
}

// Compares `actual` with the file at `expectedPath` (absent means empty), or rewrites it.
void expectMatchesFile(const std::string& actual, const fs::path& expectedPath) {
  auto expected = readFile(expectedPath);
  if (updateMode) {
    if (actual.empty() && expectedPath.extension() == ".diagnostics") {
      if (expected) fs::remove(expectedPath);
    } else if (!expected || *expected != actual) {
      writeFile(expectedPath, actual);
    }
    return;
  }
  EXPECT_EQ(expected.value_or(""), actual)
      << "output differs from " << expectedPath.string()
      << "; if the change is intended, run `golden_test --update` and review the diff";
}

std::string testName(const testing::TestParamInfo<Case>& info) {
  std::string name = info.param.path;
  name = name.substr(0, name.size() - std::string(".journey").size());
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class GoldenTest : public testing::TestWithParam<Case> {};

TEST_P(GoldenTest, DiagnosticsAndFormatting) {
  const Case& c = GetParam();
  RootedReader reader(c.root);
  auto compilation = compile(c.path, reader);
  ASSERT_FALSE(compilation->rootUnreadable) << c.path;
  fs::path source = c.root / c.path;
  fs::path stem = source;
  stem.replace_extension();

  std::string diagnostics = diagnosticsText(*compilation);
  expectMatchesFile(diagnostics, fs::path(stem.string() + ".diagnostics"));

  bool expectFailure = fs::path(c.path).filename().string().rfind("fail_", 0) == 0;
  EXPECT_EQ(expectFailure, compilation->diagnostics.hasErrors())
      << c.path
      << (expectFailure ? " is named fail_* but has no errors"
                        : " has errors but is not named fail_*");

  std::string text = readFile(source).value_or("");
  if (text.starts_with(kByteOrderMark)) text.erase(0, kByteOrderMark.size());
  std::string firstLine = text.substr(0, 15);
  EXPECT_EQ(firstLine, "// description:") << c.path << " must start with `// description:`";

  const ast::Module& module = *compilation->root();
  if (module.hasSyntaxErrors) return;
  const SourceFile& file = compilation->sources.file(module.file);
  std::string formatted = format::formatModule(module, file);
  fs::path formattedPath(stem.string() + ".formatted");
  if (fs::exists(formattedPath)) expectMatchesFile(formatted, formattedPath);

  // Idempotence: the formatted text parses to something the formatter leaves alone.
  MemoryFileReader memory;
  memory.set(c.path, formatted);
  auto again = compile(c.path, memory, CompileOptions{.parseOnly = true});
  ASSERT_FALSE(again->root()->hasSyntaxErrors)
      << "formatted text of " << c.path << " does not parse:\n"
      << formatted;
  std::string twice =
      format::formatModule(*again->root(), again->sources.file(again->root()->file));
  EXPECT_EQ(formatted, twice) << "formatting " << c.path << " is not idempotent";
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTest, testing::ValuesIn(discover(kGoldenRoot)), testName);

class ExampleTest : public testing::TestWithParam<Case> {};

TEST_P(ExampleTest, ChecksCleanAndIsFormatted) {
  const Case& c = GetParam();
  RootedReader reader(c.root);
  auto compilation = compile(c.path, reader);
  ASSERT_FALSE(compilation->rootUnreadable);
  EXPECT_EQ(diagnosticsText(*compilation), "") << "examples must check without any diagnostic";
  if (compilation->root()->hasSyntaxErrors) return;
  for (const auto& module : compilation->modules) {
    const SourceFile& file = compilation->sources.file(module->file);
    EXPECT_EQ(format::formatModule(*module, file), file.text())
        << file.path() << " is not formatted: run `journey fmt` on it";
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleTest, testing::ValuesIn(discover(kExamplesRoot)),
                         testName);

// Journey maps (`journey graph`): for every case under graph/ and every example, the map as
// DOT and as Mermaid, beside the case (`<name>.dot`, `<name>.mmd`; the examples' maps are in
// graph/examples/). A `<name>.persona-P.dot` file asks for the map of persona P as well.
struct GraphCase {
  Case source;
  /// Expected output without its extension: `<dir>/<name>` or `<dir>/<name>.persona-P`.
  fs::path expected;
  std::string persona;
};

void PrintTo(const GraphCase& c, std::ostream* out) {  // NOLINT(readability-identifier-naming)
  *out << c.expected.filename().string();
}

std::vector<GraphCase> discoverGraphs() {
  std::vector<GraphCase> cases;
  auto add = [&cases](const Case& source, const fs::path& directory) {
    std::string stem = fs::path(source.path).stem().string();
    cases.push_back({source, directory / stem, ""});
    if (!fs::exists(directory)) return;
    std::vector<std::string> personas;
    std::string prefix = stem + ".persona-";
    for (const auto& entry : fs::directory_iterator(directory)) {
      std::string name = entry.path().filename().string();
      if (entry.path().extension() != ".dot" || name.rfind(prefix, 0) != 0) continue;
      personas.push_back(entry.path().stem().string().substr(prefix.size()));
    }
    std::sort(personas.begin(), personas.end());
    for (const auto& persona : personas)
      cases.push_back({source, directory / (prefix + persona), persona});
  };
  for (const auto& source : discover(kGraphRoot)) {
    fs::path file = kGraphRoot / source.path;
    add(source, file.parent_path());
  }
  for (const auto& source : discover(kExamplesRoot))
    add(source, kGraphRoot / "examples");
  return cases;
}

std::string graphTestName(const testing::TestParamInfo<GraphCase>& info) {
  std::string name = (info.param.source.root == kExamplesRoot ? "examples_" : "") +
                     info.param.expected.filename().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class GraphGoldenTest : public testing::TestWithParam<GraphCase> {};

TEST_P(GraphGoldenTest, DotAndMermaid) {
  const GraphCase& c = GetParam();
  RootedReader reader(c.source.root);
  auto compilation = compile(c.source.path, reader);
  ASSERT_FALSE(compilation->rootUnreadable) << c.source.path;
  ASSERT_NE(compilation->journey, nullptr) << c.source.path << " does not parse";
  for (const auto* diagnostic : compilation->diagnostics.sorted()) {
    ASSERT_FALSE(diagnostic->severity == Severity::Error && !canSuppress(diagnostic->kind))
        << c.source.path << " has an error of the language; a map needs a spec that analyses:\n"
        << diagnosticsText(*compilation);
  }
  map::MapOptions options;
  if (!c.persona.empty()) {
    options.persona = compilation->journey->persona(c.persona);
    ASSERT_NE(options.persona, nullptr) << "no persona `" << c.persona << "` in " << c.source.path;
  }
  auto journeyMap = map::buildMap(*compilation->journey, compilation->sources,
                                  compilation->diagnostics.sorted(), options);
  expectMatchesFile(map::renderDot(journeyMap), fs::path(c.expected.string() + ".dot"));
  expectMatchesFile(map::renderMermaid(journeyMap), fs::path(c.expected.string() + ".mmd"));
}

INSTANTIATE_TEST_SUITE_P(Graph, GraphGoldenTest, testing::ValuesIn(discoverGraphs()),
                         graphTestName);

// Every diagnostic kind is exercised by at least one golden case, except those that need
// conditions a checked-in file cannot create; tests/cli/cli_test.sh covers those.
TEST(GoldenCoverage, EveryDiagnosticKindHasACase) {
  const std::set<std::string_view> coveredElsewhere = {"file-unreadable", "file-too-large"};
  std::string all;
  for (const auto& entry : fs::recursive_directory_iterator(kGoldenRoot)) {
    if (entry.path().extension() == ".diagnostics") all += readFile(entry.path()).value_or("");
  }
  for (const auto& info : allDiagnosticKinds()) {
    if (coveredElsewhere.count(info.code) > 0) continue;
    EXPECT_NE(all.find("[" + std::string(info.code) + "]"), std::string::npos)
        << "no golden case reports `" << info.code << "`: add tests/golden/<phase>/fail_*.journey";
  }
}

}  // namespace
}  // namespace journey

int main(int argc, char** argv) {
  std::vector<char*> arguments;
  for (int i = 0; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--update") {
      journey::updateMode = true;
    } else {
      arguments.push_back(argv[i]);
    }
  }
  if (const char* env = std::getenv("JOURNEY_UPDATE"); env != nullptr && *env == '1') {
    journey::updateMode = true;
  }
  int count = static_cast<int>(arguments.size());
  testing::InitGoogleTest(&count, arguments.data());
  return RUN_ALL_TESTS();
}

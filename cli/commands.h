// The `journey` subcommands. Each returns the process exit code:
// 0 success, 1 problems found in the input, 2 usage or I/O error.
#pragma once

#include <string>
#include <vector>

namespace journey::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;
inline constexpr int kExitUsage = 2;

enum class ColorMode { Auto, Always, Never };

struct CheckOptions {
  std::vector<std::string> files;
  /// text (to stderr), json, sarif or github (to stdout).
  std::string format = "text";
  ColorMode color = ColorMode::Auto;
  /// `--allow CODE`: drop findings with these codes (those canSuppress accepts, suppress.h).
  std::vector<std::string> allow;
  /// `--deny warnings`: report warnings as errors, and fail on them.
  std::vector<std::string> deny;
  /// Print every diagnostic code with its severity and summary instead of checking.
  bool listCodes = false;
  /// For SARIF's `tool.driver`.
  std::string toolVersion;
  std::string informationUri;
};
int runCheck(const CheckOptions& options);

struct FormatOptions {
  std::vector<std::string> files;
  /// Report files that are not formatted instead of rewriting them.
  bool check = false;
  /// Print the formatted text instead of rewriting the file.
  bool toStdout = false;
  ColorMode color = ColorMode::Auto;
};
int runFormat(const FormatOptions& options);

struct DumpOptions {
  std::string file;
  std::string stage = "ast";
  ColorMode color = ColorMode::Auto;
};
int runDump(const DumpOptions& options);

struct LspOptions {
  /// Diagnostics wait until the document has not changed for this long.
  int debounceMs = 50;
};
/// The language server on stdin and stdout (lsp/server.h).
int runLsp(const LspOptions& options);

}  // namespace journey::cli

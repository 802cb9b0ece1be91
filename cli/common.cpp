#include "cli/common.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/diagnostics/render.h"

namespace journey::cli {

bool useColor(ColorMode mode, FILE* stream) {
  if (mode == ColorMode::Always) return true;
  if (mode == ColorMode::Never) return false;
  const char* noColor = std::getenv("NO_COLOR");
  if (noColor != nullptr && *noColor != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return isatty(fileno(stream)) != 0;
}

void printDiagnostics(const Compilation& compilation, ColorMode color) {
  renderText(std::cerr, compilation.sources, compilation.diagnostics,
             TextRenderOptions{useColor(color, stderr)});
}

bool writeFileAtomically(const std::string& path, const std::string& text, std::string& error,
                         const char* suffix) {
  std::string temporary = path + suffix;
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) {
      error = "cannot create a temporary file beside it";
      return false;
    }
    out << text;
    out.flush();
    if (!out) {
      error = "write failed";
      std::remove(temporary.c_str());
      return false;
    }
  }
  std::error_code code;
  auto permissions = std::filesystem::status(path, code).permissions();
  if (!code) std::filesystem::permissions(temporary, permissions, code);
  std::filesystem::rename(temporary, path, code);
  if (code) {
    error = code.message();
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace journey::cli

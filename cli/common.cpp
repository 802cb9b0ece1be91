#include "cli/common.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "compiler/diagnostics/render.h"
#include "compiler/map/graphviz.h"
#include "support/file.h"

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

bool writeFileAtomically(const std::string& path, const std::string& text, std::string& error) {
  return support::writeFile(path, text, error);
}

std::chrono::milliseconds dotTimeout() {
  const char* value = std::getenv("JOURNEY_DOT_TIMEOUT");
  if (value != nullptr && *value != '\0') {
    char* end = nullptr;
    double seconds = std::strtod(value, &end);
    if (end != value && *end == '\0' && seconds > 0 && seconds < 86400)
      return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  }
  return std::chrono::seconds(60);
}

std::optional<std::string> findDot() {
  const char* override = std::getenv("JOURNEY_DOT");
  if (override != nullptr && *override != '\0') return map::findProgram(override, "");
  const char* path = std::getenv("PATH");
  return map::findProgram("dot", path != nullptr ? path : "/usr/bin:/bin");
}

}  // namespace journey::cli

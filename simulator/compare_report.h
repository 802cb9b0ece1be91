// Renderings of a comparison (`journey compare`): an aligned text report, JSON (schema
// "journey-comparison/1", docs/planning.md) and CSV in long format.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "simulator/compare.h"
#include "simulator/report.h"

namespace journey::sim {

struct CompareInfo {
  std::string oldFile, newFile;
  std::string backend;
  std::uint64_t seed = 0;
  unsigned threads = 0;
};

std::string compareText(const rt::Machine& oldMachine, const rt::Machine& newMachine,
                        const Matching& matching, const Comparison& comparison,
                        const CompareInfo& info);
nlohmann::json compareJson(const rt::Machine& oldMachine, const rt::Machine& newMachine,
                           const Matching& matching, const Comparison& comparison,
                           const CompareInfo& info);
std::string compareCsv(const Comparison& comparison);

/// Quotes a CSV field when it needs it.
std::string csvField(const std::string& text);

}  // namespace journey::sim

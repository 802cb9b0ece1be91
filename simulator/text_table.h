// Aligned plain-text tables for the reports of simulate, compare and sweep.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace journey::sim {

class TextTable {
 public:
  /// `leftAligned`: the columns aligned left (the others are right-aligned, as numbers are).
  explicit TextTable(std::vector<std::string> header, std::set<std::size_t> leftAligned = {0})
      : leftAligned_(std::move(leftAligned)) {
    rows_.push_back(std::move(header));
  }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  /// Every row after `indent`, columns two spaces apart, trailing spaces removed.
  std::string render(const std::string& indent = "  ") const;

  /// Display width: code points (`±` is one column, two bytes).
  static std::size_t width(const std::string& text);

 private:
  std::vector<std::vector<std::string>> rows_;
  std::set<std::size_t> leftAligned_;
};

/// A count with thousands separated by commas: `1,000,000`.
std::string groupThousands(std::uint64_t n);

}  // namespace journey::sim

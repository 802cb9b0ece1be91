#include "simulator/sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>

namespace journey::sim {
namespace {

/// A decimal literal with a unit: digits * 10^-scale, then the unit as written.
struct Decimal {
  std::int64_t digits = 0;
  int scale = 0;
  std::string unit;
  std::string spacing;  // between the number and the unit ("" or " ")
};

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b])) != 0)
    ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])) != 0)
    --e;
  return s.substr(b, e - b);
}

std::optional<Decimal> parseDecimal(const std::string& raw) {
  std::string text = trim(raw);
  Decimal d;
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  bool any = false, point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      if (d.digits > (INT64_MAX - 9) / 10) return std::nullopt;
      d.digits = d.digits * 10 + (c - '0');
      if (point) ++d.scale;
      any = true;
    } else if (c == '_' && any) {
      continue;
    } else if (c == '.' && !point && any) {
      point = true;
    } else {
      break;
    }
  }
  if (!any || d.scale > 9) return std::nullopt;
  std::size_t unitStart = i;
  while (i < text.size() && text[i] == ' ')
    ++i;
  d.spacing = text.substr(unitStart, i - unitStart);
  d.unit = text.substr(i);
  for (char c : d.unit)
    if (std::isalpha(static_cast<unsigned char>(c)) == 0 && c != '%') return std::nullopt;
  if (negative) d.digits = -d.digits;
  return d;
}

std::int64_t rescale(const Decimal& d, int scale) {
  std::int64_t v = d.digits;
  for (int s = d.scale; s < scale; ++s)
    v *= 10;
  return v;
}

std::string show(std::int64_t v, int scale, const std::string& spacing, const std::string& unit) {
  bool negative = v < 0;
  std::string digits = std::to_string(negative ? -v : v);
  if (scale > 0) {
    if (digits.size() <= static_cast<std::size_t>(scale))
      digits = std::string(static_cast<std::size_t>(scale) + 1 - digits.size(), '0') + digits;
    std::size_t whole = digits.size() - static_cast<std::size_t>(scale);
    digits = digits.substr(0, whole) + "." + digits.substr(whole);
    while (digits.back() == '0')
      digits.pop_back();
    if (digits.back() == '.') digits.pop_back();
  }
  return (negative ? "-" : "") + digits + spacing + unit;
}

}  // namespace

bool isSweepRange(const std::string& argument) {
  auto equals = argument.find('=');
  return equals != std::string::npos && argument.find("..", equals) != std::string::npos;
}

std::optional<SweepRange> parseSweepRange(const std::string& argument, std::string& error) {
  auto fail = [&](std::string message) -> std::optional<SweepRange> {
    error = fmt::format("`--set {}`: {}", argument, message);
    return std::nullopt;
  };
  auto equals = argument.find('=');
  if (equals == std::string::npos || equals == 0)
    return fail("needs the form NAME=FROM..TO:STEP, e.g. `renewal_discount=5%..20%:5%`");
  SweepRange range;
  range.name = argument.substr(0, equals);
  std::string rest = argument.substr(equals + 1);
  auto dots = rest.find("..");
  auto colon = rest.rfind(':');
  if (dots == std::string::npos || colon == std::string::npos || colon < dots)
    return fail("needs a step: NAME=FROM..TO:STEP, e.g. `renewal_discount=5%..20%:5%`");
  std::string fromText = rest.substr(0, dots), toText = rest.substr(dots + 2, colon - dots - 2),
              stepText = rest.substr(colon + 1);
  auto from = parseDecimal(fromText), to = parseDecimal(toText), step = parseDecimal(stepText);
  if (!from) return fail(fmt::format("FROM `{}` is not a number with a unit", trim(fromText)));
  if (!to) return fail(fmt::format("TO `{}` is not a number with a unit", trim(toText)));
  if (!step) return fail(fmt::format("STEP `{}` is not a number with a unit", trim(stepText)));
  if (from->unit != to->unit || from->unit != step->unit) {
    return fail(
        fmt::format("FROM, TO and STEP must be written in the same unit (here `{}`, `{}` "
                    "and `{}`)",
                    from->unit, to->unit, step->unit));
  }
  int scale = std::max({from->scale, to->scale, step->scale});
  std::int64_t a = rescale(*from, scale), b = rescale(*to, scale), s = rescale(*step, scale);
  if (s == 0) return fail("the step is 0");
  if ((b - a) != 0 && ((b - a) > 0) != (s > 0)) {
    return fail(fmt::format("the step {} goes away from TO ({} to {}); use {}", trim(stepText),
                            trim(fromText), trim(toText),
                            show(-s, scale, step->spacing, step->unit)));
  }
  std::int64_t count = (b - a) / s + 1;
  if (count > static_cast<std::int64_t>(kMaxSweepPoints)) {
    return fail(fmt::format("{} values, more than the {} a sweep may have: use a larger step",
                            count, kMaxSweepPoints));
  }
  for (std::int64_t k = 0; k < count; ++k)
    range.values.push_back(show(a + k * s, scale, from->spacing, from->unit));
  if ((b - a) % s != 0) {
    range.note = fmt::format("`--set {}`: TO is not on the grid; the last value is {}", argument,
                             range.values.back());
  }
  return range;
}

}  // namespace journey::sim

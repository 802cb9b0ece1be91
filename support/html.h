// Text made safe inside HTML pages and Graphviz's HTML-like labels, which read the same
// entities.
#pragma once

#include <string>
#include <string_view>

namespace journey::support {

/// Whether escapeHtml writes `'` as an entity.
enum class Apostrophes {
  /// For attribute values in either quote.
  Escape,
  /// Kept as typed where every attribute is double-quoted (the DOT maps stay as readable).
  Keep,
};

/// `text` escaped for HTML text and attribute values: `&`, `<`, `>`, `"`, and `'` unless kept.
std::string escapeHtml(std::string_view text, Apostrophes apostrophes = Apostrophes::Escape);

/// `json` made safe inside a <script> element: `<`, `>` and `&` written as \u escapes (JSON
/// has them only inside strings, where the escapes mean the same characters).
std::string scriptSafeJson(std::string_view json);

}  // namespace journey::support

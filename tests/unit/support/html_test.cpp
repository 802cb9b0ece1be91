#include "support/html.h"

#include <gtest/gtest.h>

namespace journey::support {
namespace {

TEST(Html, EscapesTextAndAttributeValues) {
  EXPECT_EQ(escapeHtml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(escapeHtml("a<b>&\"c'", Apostrophes::Keep), "a&lt;b&gt;&amp;&quot;c'");
  EXPECT_EQ(escapeHtml("plain · text"), "plain · text");
}

TEST(Html, JsonCannotCloseItsScript) {
  EXPECT_EQ(scriptSafeJson(R"({"a": "</script>&"})"), R"({"a": "\u003c/script\u003e\u0026"})");
}

}  // namespace
}  // namespace journey::support

#include "compose/yaml_style.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace slipway::compose {
namespace {

TEST(YamlKeys, NaturalOrderLikeGoYaml) {
  std::vector<std::string> keys = {"b10", "b9", "a01", "a1",  "a1y", "a001x", "B",
                                   "_a",  "1",  "a b", "a-b", "a.b", "a: b"};
  std::sort(keys.begin(), keys.end(), yaml_key_less);
  std::vector<std::string> want = {"_a", "1",   "B",   "a b",   "a-b", "a.b", "a: b",
                                   "a1", "a1y", "a01", "a001x", "b9",  "b10"};
  EXPECT_EQ(keys, want);
}

TEST(YamlStrings, QuotesOnlyWhenNeeded) {
  auto style = [](const std::string& s) { return yaml_string_style(s, false); };
  EXPECT_EQ(style("hello"), ScalarStyle::Plain);
  EXPECT_EQ(style("80"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("true"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("yes"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("Y"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style(""), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("12:30"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("2001-12-14"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("1_000"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("a: b"), ScalarStyle::SingleQuoted);
  EXPECT_EQ(style("*x"), ScalarStyle::SingleQuoted);
  EXPECT_EQ(style(" lead"), ScalarStyle::SingleQuoted);
  EXPECT_EQ(style("- x"), ScalarStyle::SingleQuoted);
  EXPECT_EQ(style("-x"), ScalarStyle::Plain);
  EXPECT_EQ(style("x*"), ScalarStyle::Plain);
  EXPECT_EQ(style("a,b"), ScalarStyle::Plain);
  EXPECT_EQ(style("NaN"), ScalarStyle::Plain);
  EXPECT_EQ(style("tab\there"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("line1\nline2"), ScalarStyle::Literal);
  EXPECT_EQ(style("\n"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("1.2.3"), ScalarStyle::Plain);
  EXPECT_EQ(style("0x"), ScalarStyle::Plain);
  EXPECT_EQ(style("-.NaN"), ScalarStyle::Plain);
  EXPECT_EQ(style("+.5"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("<<"), ScalarStyle::DoubleQuoted);
}

TEST(YamlStrings, DoubleQuoteEscapes) {
  EXPECT_EQ(yaml_double_quote("tab\there"), "\"tab\\there\"");
  EXPECT_EQ(yaml_double_quote("a\x01"
                              "b"),
            "\"a\\x01b\"");
  EXPECT_EQ(yaml_double_quote("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(yaml_double_quote("x\xC2\x85y"), "\"x\\Ny\"");
}

TEST(YamlKeys, NonAsciiAndLongDigitRuns) {
  EXPECT_TRUE(yaml_key_less("é1", "é2"));
  EXPECT_TRUE(yaml_key_less("a2", "a10"));
  EXPECT_FALSE(yaml_key_less("a10", "a2"));
  EXPECT_TRUE(yaml_key_less("a", "ab"));
  EXPECT_FALSE(yaml_key_less("ab", "ab"));
  // Digit runs longer than an int64 wrap as in Go instead of being undefined behavior.
  (void)yaml_key_less("k" + std::string(40, '9'), "k" + std::string(41, '9'));
}

TEST(YamlStrings, HugeStringNeedsNoCodePointCopy) {
  std::string big(4 << 20, 'a');
  big += "\xC3\xA9";
  EXPECT_EQ(yaml_string_style(big, false), ScalarStyle::Plain);
  EXPECT_EQ(yaml_double_quote("\xC3\xA9\\\n").size(), std::string("\"\xC3\xA9\\\\\\n\"").size());
}

}  // namespace
}  // namespace slipway::compose

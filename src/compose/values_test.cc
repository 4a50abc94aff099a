#include "compose/values.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace slipway::compose {
namespace {

TEST(Duration, ParsesGoDurations) {
  EXPECT_EQ(parse_duration("1m30s"), 90'000'000'000LL);
  EXPECT_EQ(parse_duration("3s"), 3'000'000'000LL);
  EXPECT_EQ(parse_duration("1.5h"), 5'400'000'000'000LL);
  EXPECT_EQ(parse_duration("500ms"), 500'000'000LL);
  EXPECT_EQ(parse_duration("2d"), 2 * 86'400'000'000'000LL);
  EXPECT_EQ(parse_duration("1w"), 7 * 86'400'000'000'000LL);
  EXPECT_EQ(parse_duration("0"), 0);
  EXPECT_EQ(parse_duration("10us"), 10'000);
}

TEST(Duration, RejectsMalformed) {
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("90"));
  EXPECT_FALSE(parse_duration("5q"));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration("1..2s"));
}

TEST(Duration, FormatsLikeGo) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(90'000'000'000LL), "1m30s");
  EXPECT_EQ(format_duration(3'720'000'000'000LL), "1h2m0s");
  EXPECT_EQ(format_duration(1'500'000'000LL), "1.5s");
  EXPECT_EQ(format_duration(500'000'000LL), "500ms");
  EXPECT_EQ(format_duration(1'500'000LL), "1.5ms");
  EXPECT_EQ(format_duration(1'500LL), "1.5\xC2\xB5s");
  EXPECT_EQ(format_duration(15LL), "15ns");
  EXPECT_EQ(format_duration(48 * 3'600'000'000'000LL), "48h0m0s");
  EXPECT_EQ(format_duration(-3'000'000'000LL), "-3s");
}

TEST(Bytes, ParsesUnits) {
  EXPECT_EQ(parse_bytes("512m"), 536870912);
  EXPECT_EQ(parse_bytes("1g"), 1073741824);
  EXPECT_EQ(parse_bytes("1.5G"), 1610612736);
  EXPECT_EQ(parse_bytes("100"), 100);
  EXPECT_EQ(parse_bytes("64MB"), 67108864);
  EXPECT_EQ(parse_bytes("2kib"), 2048);
  EXPECT_EQ(parse_bytes("1 k"), 1024);
  EXPECT_FALSE(parse_bytes("1x"));
  EXPECT_FALSE(parse_bytes("m"));
  EXPECT_FALSE(parse_bytes(""));
  EXPECT_FALSE(parse_bytes("-1"));
}
TEST(Paths, Clean) {
  EXPECT_EQ(clean_path("/a/b/../c/./d/"), "/a/c/d");
  EXPECT_EQ(clean_path("a//b"), "a/b");
  EXPECT_EQ(clean_path("/.."), "/");
  EXPECT_EQ(clean_path("../x"), "../x");
  EXPECT_EQ(clean_path(""), ".");
}
TEST(Duration, ExactLikeGoAndBounded) {
  // Go computes fractions in integers: 0.3s is exactly 300ms, not 299.999999ms.
  EXPECT_EQ(parse_duration("0.3s"), 300'000'000LL);
  EXPECT_EQ(parse_duration("1.1s"), 1'100'000'000LL);
  EXPECT_EQ(parse_duration("-1.5s"), -1'500'000'000LL);
  // Huge numbers are malformed, never an exception.
  EXPECT_FALSE(parse_duration(std::string(5000, '9') + "s"));
  EXPECT_FALSE(parse_duration("9223372036854775808ns"));
  EXPECT_EQ(parse_duration("9223372036854775807ns"), INT64_MAX);
  EXPECT_FALSE(parse_duration("1"));
  EXPECT_FALSE(parse_duration(".s"));
}

TEST(Bytes, HugeIsMalformedNotAnException) {
  EXPECT_FALSE(parse_bytes(std::string(5000, '9')));
  EXPECT_FALSE(parse_bytes("1.2.3"));
  EXPECT_EQ(parse_bytes("1.5k"), 1536);
}

TEST(FileMode, OctalDigitsOnly) {
  EXPECT_EQ(parse_octal_mode("0440"), 0440);
  EXPECT_EQ(parse_octal_mode("755"), 0755);
  EXPECT_FALSE(parse_octal_mode(""));
  EXPECT_FALSE(parse_octal_mode("0x1f"));
  EXPECT_FALSE(parse_octal_mode("-1"));
  EXPECT_FALSE(parse_octal_mode("8"));
  EXPECT_FALSE(parse_octal_mode("77777777777777"));
}

}  // namespace
}  // namespace slipway::compose

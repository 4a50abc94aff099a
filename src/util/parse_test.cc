#include "util/parse.h"

#include <gtest/gtest.h>

namespace slipway {
namespace {

TEST(ParseInt, AcceptsPlainDecimals) {
  EXPECT_EQ(parse_int("0"), 0);
  EXPECT_EQ(parse_int("42"), 42);
  EXPECT_EQ(parse_int("-7"), -7);
  EXPECT_EQ(parse_int("9223372036854775807"), INT64_MAX);
}

TEST(ParseInt, RefusesEverythingElse) {
  for (const char* bad : {"", " 1", "1 ", "+1", "1x", "0x10", "1.5", "-", "99999999999999999999"})
    EXPECT_FALSE(parse_int(bad).has_value()) << bad;
}

TEST(ParseInt, HonoursTheRange) {
  EXPECT_EQ(parse_int("65535", 0, 65535), 65535);
  EXPECT_FALSE(parse_int("65536", 0, 65535));
  EXPECT_FALSE(parse_int("-1", 0, 65535));
}

TEST(ParseUint, RefusesSigns) {
  EXPECT_EQ(parse_uint("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(parse_uint("-1"));
  EXPECT_FALSE(parse_uint("+1"));
  EXPECT_FALSE(parse_uint("5", 4));
}

TEST(ParseDouble, ReadsWholeNumbersOnly) {
  EXPECT_EQ(parse_double("2.5"), 2.5);
  EXPECT_EQ(parse_double("-1e3"), -1000);
  for (const char* bad : {"", " 1", "1 ", "abc", "1.5s", "inf", "nan", "1e999"})
    EXPECT_FALSE(parse_double(bad).has_value()) << bad;
}

}  // namespace
}  // namespace slipway

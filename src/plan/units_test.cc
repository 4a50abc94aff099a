#include "plan/units.h"

#include <gtest/gtest.h>

namespace slipway::plan {
namespace {

TEST(Units, Durations) {
  EXPECT_EQ(parse_duration_ns("0"), 0);
  EXPECT_EQ(parse_duration_ns("3s"), 3000000000LL);
  EXPECT_EQ(parse_duration_ns("1m30s"), 90000000000LL);
  EXPECT_EQ(parse_duration_ns("1.5h"), 5400000000000LL);
  EXPECT_EQ(parse_duration_ns("300ms"), 300000000LL);
  EXPECT_EQ(parse_duration_ns("10us"), 10000LL);
  EXPECT_FALSE(parse_duration_ns(""));
  EXPECT_FALSE(parse_duration_ns("10"));
  EXPECT_FALSE(parse_duration_ns("s"));
  EXPECT_FALSE(parse_duration_ns("10 parsecs"));
  EXPECT_FALSE(parse_duration_ns("99999999999999h"));
}

TEST(Units, Bytes) {
  EXPECT_EQ(parse_bytes("104857600"), 104857600);
  EXPECT_EQ(parse_bytes("64m"), 64LL << 20);
  EXPECT_EQ(parse_bytes("1g"), 1LL << 30);
  EXPECT_EQ(parse_bytes("512kb"), 512LL << 10);
  EXPECT_EQ(parse_bytes("2GiB"), 2LL << 30);
  EXPECT_FALSE(parse_bytes("lots"));
  EXPECT_FALSE(parse_bytes("12q"));
  EXPECT_FALSE(parse_bytes("99999999999p"));
}

}  // namespace
}  // namespace slipway::plan

#include "util/clock.h"

#include <regex>

#include <gtest/gtest.h>

namespace slipway {
namespace {

TEST(Clock, UtcNowIsRfc3339Seconds) {
  EXPECT_TRUE(std::regex_match(utc_now(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"))) << utc_now();
}

}  // namespace
}  // namespace slipway

#include "util/text.h"

#include <gtest/gtest.h>

namespace slipway {
namespace {

TEST(Text, LowerTouchesOnlyAsciiLetters) {
  EXPECT_EQ(lower("Content-Type: ÄB"), "content-type: Äb");
  EXPECT_EQ(lower(""), "");
}

TEST(Text, TrimRemovesSpaceTabsAndLineEndsAtBothEnds) {
  EXPECT_EQ(trim(" \t value with  inner space\r\n"), "value with  inner space");
  EXPECT_EQ(trim(" \r\n\t "), "");
  EXPECT_EQ(trim("x"), "x");
}

}  // namespace
}  // namespace slipway

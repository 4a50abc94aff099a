#include "util/split.h"

#include <gtest/gtest.h>

namespace slipway {
namespace {

TEST(Split, KeepsEmptyFields) {
  EXPECT_EQ(split("a.b", '.'), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split("a..b.", '.'), (std::vector<std::string>{"a", "", "b", ""}));
  EXPECT_EQ(split("", '.'), (std::vector<std::string>{""}));
}

}  // namespace
}  // namespace slipway

#include "util/go_float.h"

#include <gtest/gtest.h>

namespace slipway {
namespace {

TEST(GoFloat, PlainAndExponentForms) {
  EXPECT_EQ(go_g_from_scientific("1.5e+00"), "1.5");
  EXPECT_EQ(go_g_from_scientific("1.2e+02"), "120");
  EXPECT_EQ(go_g_from_scientific("1.23456e+02"), "123.456");
  EXPECT_EQ(go_g_from_scientific("1e+06"), "1e+06");
  EXPECT_EQ(go_g_from_scientific("-2.5e-05"), "-2.5e-05");
  EXPECT_EQ(go_g_from_scientific("1.5e-04"), "0.00015");
  EXPECT_EQ(go_g_from_scientific("0e+00"), "0");
}

}  // namespace
}  // namespace slipway

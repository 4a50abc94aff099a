#include "compose/profiles.h"

#include <gtest/gtest.h>

#include "yaml/reader.h"

namespace slipway::compose {
namespace {

TEST(Profiles, FromEnvironment) {
  EXPECT_EQ(profiles_from_env(" a, b ,,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(profiles_from_env("").empty());
}

TEST(Profiles, EnabledServices) {
  yaml::Node p = yaml::read(
      "services:\n  a: {image: x}\n  b: {image: x, profiles: [dev]}\n  c: {image: x, profiles: [ops, dev]}\n", "t.yml");
  EXPECT_EQ(declared_profiles(p), (std::vector<std::string>{"dev", "ops"}));
  yaml::Node none = p;
  apply_profiles(none, {});
  EXPECT_EQ(none.find("services")->size(), 1u);
  yaml::Node ops = p;
  apply_profiles(ops, {"ops"});
  EXPECT_EQ(ops.find("services")->size(), 2u);
  EXPECT_TRUE(ops.find("services")->has("c"));
  yaml::Node all = p;
  apply_profiles(all, {"*"});
  EXPECT_EQ(all.find("services")->size(), 3u);
}

}  // namespace
}  // namespace slipway::compose

#include "server/boot.h"

#include <gtest/gtest.h>

namespace slipway::server {
namespace {

plan::Action action(plan::ActionType type, const std::string& name, const std::string& service) {
  plan::Action a;
  a.type = type;
  a.name = name;
  a.service = service;
  return a;
}

TEST(Boot, RefusesPlansThatBuildOrPull) {
  plan::Plan p;
  EXPECT_TRUE(images_to_fetch(p).empty());
  p.actions.push_back(action(plan::ActionType::start_container, "s-web-1", "web"));
  EXPECT_TRUE(images_to_fetch(p).empty());
  p.actions.push_back(action(plan::ActionType::build_image, "s-web", "web"));
  p.actions.push_back(action(plan::ActionType::pull_image, "postgres:15", "db"));
  EXPECT_EQ(images_to_fetch(p),
            (std::vector<std::string>{"s-web (service web, build)", "postgres:15 (service db, pull)"}));
}

}  // namespace
}  // namespace slipway::server

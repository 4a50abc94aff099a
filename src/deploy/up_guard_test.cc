#include "deploy/up_guard.h"

#include <gtest/gtest.h>

namespace slipway::deploy {
namespace {

using ojson = nlohmann::ordered_json;

// web is routed and depends on db; db and cron are not routed.
compose::Project project() {
  compose::Project p;
  p.name = "demo";
  p.working_dir = "/srv/demo";
  p.model = ojson::parse(R"({
    "name": "demo",
    "networks": {"default": {"name": "demo_default"}},
    "services": {
      "db": {"image": "pg", "networks": {"default": null}},
      "web": {"image": "web", "networks": {"default": null}, "depends_on": {"db": {"condition": "service_started"}},
              "ports": [{"target": 8000, "published": "8080", "protocol": "tcp"}]},
      "cron": {"image": "web", "networks": {"default": null}, "depends_on": {"web": {"condition": "service_started"}}}
    },
    "x-slipway": {"routes": {"demo.test": "web:8000"}}
  })");
  return p;
}

TEST(UpGuard, UpOfARoutedServiceOfADeployedStackIsRefusedPointingAtDeploy) {
  auto why = up_conflict(project(), {}, true);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("recreate web in place"), std::string::npos) << *why;
  EXPECT_NE(why->find("use `slipway deploy`"), std::string::npos) << *why;
  EXPECT_EQ(why->find('\n'), std::string::npos) << "one line";
  // Through a dependency too: cron needs web.
  EXPECT_TRUE(up_conflict(project(), {"cron"}, true));
}

TEST(UpGuard, WithoutAnEdgeOrForUnroutedServicesUpGoesOn) {
  EXPECT_FALSE(up_conflict(project(), {}, false));  // never deployed: up as Compose does
  EXPECT_FALSE(up_conflict(project(), {"db"}, true));
  compose::Project plain = project();
  plain.model.erase("x-slipway");
  EXPECT_FALSE(up_conflict(plain, {}, true));
}

}  // namespace
}  // namespace slipway::deploy

#include "backup/drill.h"

#include <gtest/gtest.h>

#include "plan/plan.h"

namespace slipway::backup {
namespace {

using json = nlohmann::ordered_json;

TEST(ThrowawayCopy, NeverSharesNamesPortsOrVolumesWithTheLiveStack) {
  compose::Project p;
  p.name = "shop";
  p.model = json::parse(R"({
    "name": "shop",
    "services": {
      "web": {"build": {"context": "/srv/shop/web"}, "container_name": "shop-web",
              "ports": [{"mode": "ingress", "host_ip": "127.0.0.1", "target": 80, "published": "8080", "protocol": "tcp"}]},
      "db": {"image": "postgres:15", "volumes": [{"type": "volume", "source": "data", "target": "/d"}]}
    },
    "networks": {"default": {"name": "shop_default"}, "outside": {"name": "proxy", "external": true}},
    "volumes": {"data": {"name": "shop_data"}, "shared": {"name": "media", "external": true}}
  })");
  auto c = throwaway_copy(p, "shop-drill-1234abcd");
  EXPECT_EQ(c.name, "shop-drill-1234abcd");
  EXPECT_EQ(c.model["name"], "shop-drill-1234abcd");
  EXPECT_EQ(c.model["volumes"]["data"]["name"], "shop-drill-1234abcd_data");
  EXPECT_EQ(c.model["volumes"]["shared"]["name"], "shop-drill-1234abcd_shared");
  EXPECT_FALSE(c.model["volumes"]["shared"].contains("external"));
  EXPECT_EQ(c.model["networks"]["default"]["name"], "shop-drill-1234abcd_default");
  EXPECT_EQ(c.model["networks"]["outside"]["name"], "proxy");
  const auto& web = c.model["services"]["web"];
  EXPECT_FALSE(web.contains("container_name"));
  EXPECT_EQ(web["image"], "shop-web");  // the live stack's built image, not a rebuild
  EXPECT_FALSE(web["ports"][0].contains("published"));
  EXPECT_FALSE(web["ports"][0].contains("host_ip"));
  EXPECT_EQ(web["ports"][0]["target"], 80);
  EXPECT_EQ(c.model["services"]["db"]["image"], "postgres:15");
  // The original is unchanged.
  EXPECT_EQ(p.model["volumes"]["data"]["name"], "shop_data");
}

// A drill creates its volumes with plan::volume_body on the copy: driver, driver_opts and labels
// survive, except driver_opts that bind a host directory (that would be the live data).
TEST(ThrowawayCopy, VolumesKeepTheirDefinitionButNeverTheLiveDirectory) {
  compose::Project p;
  p.name = "shop";
  p.model = json::parse(R"({
    "name": "shop",
    "services": {"db": {"image": "postgres:15", "volumes": [{"type": "volume", "source": "fast", "target": "/f"},
                                                            {"type": "volume", "source": "host", "target": "/h"}]}},
    "volumes": {
      "fast": {"name": "shop_fast", "driver": "local", "driver_opts": {"type": "tmpfs", "device": "tmpfs"},
               "labels": {"tier": "gold"}},
      "host": {"name": "shop_host", "driver_opts": {"type": "none", "o": "bind", "device": "/srv/shop"},
               "labels": {"tier": "silver"}}
    }
  })");
  auto c = throwaway_copy(p, "shop-drill-1");
  auto fast = plan::volume_body(c, "fast");
  EXPECT_EQ(fast["Name"], "shop-drill-1_fast");
  EXPECT_EQ(fast["Driver"], "local");
  EXPECT_EQ(fast["DriverOpts"], nlohmann::json({{"type", "tmpfs"}, {"device", "tmpfs"}}));
  EXPECT_EQ(fast["Labels"]["tier"], "gold");
  EXPECT_EQ(fast["Labels"]["com.docker.compose.project"], "shop-drill-1");
  auto host = plan::volume_body(c, "host");
  EXPECT_FALSE(host.contains("DriverOpts")) << host.dump();
  EXPECT_EQ(host["Labels"]["tier"], "silver");
  // The live stack's bodies are untouched.
  EXPECT_EQ(plan::volume_body(p, "host")["DriverOpts"]["device"], "/srv/shop");
}

}  // namespace
}  // namespace slipway::backup

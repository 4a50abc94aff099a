#include "backup/drill.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace slipway::backup

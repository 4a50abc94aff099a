#include "edge/image.h"

#include <map>

#include <gtest/gtest.h>

#include "edge/caddy_config.h"

namespace slipway::edge {
namespace {

TEST(EdgeImage, RecipeIsCaddyFromDebianResumingItsConfig) {
  engine::BuildContext ctx = edge_image_context();
  std::map<std::string, std::string> files;
  for (const auto& e : ctx.entries) files[e.path] = e.content;
  ASSERT_TRUE(files.count("Dockerfile"));
  const std::string& df = files["Dockerfile"];
  EXPECT_EQ(df.rfind("FROM debian:bookworm\n", 0), 0u);
  EXPECT_NE(df.find("apt-get install -y --no-install-recommends caddy ca-certificates"), std::string::npos);
  EXPECT_NE(df.find("--uid 64443"), std::string::npos);
  EXPECT_NE(df.find("USER caddy"), std::string::npos);
  // Two Caddy processes, each resuming its own autosaved config; the front keeps the
  // certificates where the one-process edge kept them.
  const std::string& ep = files["entrypoint"];
  EXPECT_NE(ep.find("XDG_DATA_HOME=/var/lib/caddy/back/data XDG_CONFIG_HOME=/var/lib/caddy/back/config"),
            std::string::npos);
  EXPECT_NE(ep.find("exec caddy run --resume --config /etc/slipway-edge/back.json"), std::string::npos);
  EXPECT_NE(ep.find("XDG_DATA_HOME=/var/lib/caddy/data XDG_CONFIG_HOME=/var/lib/caddy/front/config"),
            std::string::npos);
  EXPECT_NE(ep.find("exec caddy run --resume --config /etc/slipway-edge/front.json"), std::string::npos);
  EXPECT_NE(ep.find("rm -f /run/slipway-admin/admin.sock /run/slipway-admin/front.sock"), std::string::npos);
  EXPECT_NE(ep.find("wait -n"), std::string::npos);  // either one ending ends the container
  EXPECT_EQ(json::parse(files["back.json"]), json({{"admin", admin_section(kAdminSocketName)}}));
  EXPECT_EQ(json::parse(files["front.json"]), json({{"admin", admin_section(kFrontAdminSocketName)}}));
  for (const auto& e : ctx.entries)
    if (e.path == "entrypoint") {
      EXPECT_EQ(e.mode, 0755u);
    }
}

TEST(EdgeImage, TagFollowsTheRecipeAndTheBaseImage) {
  engine::BuildContext ctx = edge_image_context();
  std::string a = edge_recipe_hash(ctx, "sha256:aaa");
  EXPECT_EQ(a, edge_recipe_hash(edge_image_context(), "sha256:aaa"));
  EXPECT_NE(a, edge_recipe_hash(ctx, "sha256:bbb"));
  ctx.entries[0].content += "# changed\n";
  EXPECT_NE(a, edge_recipe_hash(ctx, "sha256:aaa"));
  EXPECT_EQ(edge_image_tag(a), "slipway-edge:" + a.substr(0, 12));
}

}  // namespace
}  // namespace slipway::edge

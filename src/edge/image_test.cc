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
  EXPECT_NE(files["entrypoint"].find("exec caddy run --resume --config /etc/slipway-edge/bootstrap.json"),
            std::string::npos);
  EXPECT_NE(files["entrypoint"].find("rm -f /run/slipway-admin/admin.sock"), std::string::npos);
  EXPECT_EQ(json::parse(files["bootstrap.json"]), json({{"admin", admin_section()}}));
  for (const auto& e : ctx.entries)
    if (e.path == "entrypoint") EXPECT_EQ(e.mode, 0755u);
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

#include "apply/observe.h"

#include <gtest/gtest.h>

#include "apply/apply.h"
#include "apply/host_key.h"
#include "util/hmac.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace slipway::apply {
namespace {

TEST(Observe, SummaryToContainer) {
  auto c = from_summary(nlohmann::json::parse(R"J({
    "Id": "abc", "Names": ["/shop-web-1"], "ImageID": "sha256:1", "State": "running",
    "Status": "Up 5 seconds (health: starting)",
    "Labels": {"com.docker.compose.service": "web", "com.docker.compose.container-number": "1",
               "com.docker.compose.config-hash": "h", "com.docker.compose.oneoff": "False"}})J"));
  EXPECT_EQ(c.name, "shop-web-1");
  EXPECT_EQ(c.service, "web");
  EXPECT_EQ(c.number, 1);
  EXPECT_EQ(c.config_hash, "h");
  EXPECT_EQ(c.health, "starting");
  EXPECT_FALSE(c.oneoff);
  EXPECT_TRUE(c.running());
  auto exited = from_summary(nlohmann::json::parse(
      R"J({"Id": "x", "State": "exited", "Status": "Exited (137) 2 minutes ago", "Labels": {"com.docker.compose.oneoff": "True"}})J"));
  EXPECT_EQ(exited.exit_code, 137);
  EXPECT_TRUE(exited.oneoff);
  EXPECT_FALSE(exited.running());
  EXPECT_EQ(exited.number, 0);
  EXPECT_NO_THROW(from_summary(nlohmann::json::object()));
}

TEST(Observe, FileDigestsFromLabel) {
  auto c = from_summary(nlohmann::json::parse(R"J({"Id": "abc", "State": "running",
    "Labels": {"io.slipway.secrets-digest": "{\"/run/secrets/pw\": \"f00d\"}"}})J"));
  EXPECT_EQ(c.file_digests, (std::map<std::string, std::string>{{"/run/secrets/pw", "f00d"}}));
  auto broken = from_summary(nlohmann::json::parse(R"J({"Labels": {"io.slipway.secrets-digest": "{no"}})J"));
  EXPECT_TRUE(broken.file_digests.empty());
}

TEST(HostKey, CreatedOnceWithMode0600) {
  auto dir = std::filesystem::temp_directory_path() / ("slipway-hostkey-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::string key = load_or_create_host_key((dir / "sub").string());
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(load_or_create_host_key((dir / "sub").string()), key);
  auto perms = std::filesystem::status(dir / "sub" / "host.key").permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::remove_all(dir);
}

TEST(Apply, SecretContentsAndDigests) {
  auto dir = std::filesystem::temp_directory_path() / ("slipway-state-" + std::to_string(getpid()));
  setenv("SLIPWAY_STATE_DIR", dir.c_str(), 1);
  compose::Project p;
  p.environment = {{"TOKEN", "t0ken"}};
  p.model = nlohmann::ordered_json::parse(
      R"({"secrets": {"env": {"environment": "TOKEN"}, "missing": {"file": "/nonexistent/x"}},
    "configs": {"inline": {"content": "hello"}}})");
  auto digests = file_digests(p);
  EXPECT_EQ(digests.size(), 2u);
  // Keyed: not the plain sha256 of "hello", which anyone could test guesses against.
  EXPECT_EQ(digests["config:inline"], hmac_sha256_hex(host_key(), "hello"));
  EXPECT_NE(digests["config:inline"], "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_EQ(host_key().size(), 32u);  // (cached by the first test that needed it)
  EXPECT_TRUE(digests.count("secret:env"));
  plan::FileInjection f;
  f.kind = "secret";
  f.name = "missing";
  f.source_file = "/nonexistent/x";
  try {
    file_content(p, f);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read /nonexistent/x"), std::string::npos);
  }
  f.source_file.clear();
  f.environment = "TOKEN";
  EXPECT_EQ(file_content(p, f), "t0ken");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace slipway::apply

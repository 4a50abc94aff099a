// Drift on the in-memory engine: a stack brought up by apply reports nothing; each kind of
// drift made by hand is found with its action; and the pure path filter.
#include "agent/drift.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "apply/apply.h"
#include "apply/observe.h"
#include "engine/fake_engine.h"
#include "plan/labels.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;
using engine::FakeEngine;
using ojson = nlohmann::ordered_json;

class DriftTest : public ::testing::Test {
 protected:
  fs::path dir;
  FakeEngine engine;
  compose::Project project;

  void SetUp() override {
    dir = fs::temp_directory_path() / ("slipway-drift-unit-" + std::to_string(getpid()));
    fs::create_directories(dir);
    engine.add_image("db:1");
    engine.add_image("web:1");
    project.name = "shop";
    project.working_dir = dir.string();
    project.config_files = {(dir / "compose.yaml").string()};
    project.model = ojson::parse(R"({
      "name": "shop",
      "networks": {"default": {"name": "shop_default"}},
      "volumes": {"data": {"name": "shop_data"}},
      "services": {
        "db": {"image": "db:1", "networks": {"default": null},
               "volumes": [{"type": "volume", "source": "data", "target": "/var/lib/db", "volume": {}}],
               "tmpfs": ["/run/db"]},
        "web": {"image": "web:1", "networks": {"default": null}}
      }
    })");
    apply::ApplyOptions o;
    o.files.root = (dir / "run").string();
    o.files.mount_tmpfs = false;
    o.handle_signals = false;
    o.poll_interval = std::chrono::milliseconds(1);
    apply::apply(engine, project, plan::plan_up(project, apply::observe(engine, project), {}), o);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::vector<std::string> kinds(const DriftReport& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) out.push_back(to_string(f.kind) + " " + f.object);
    return out;
  }
};

TEST_F(DriftTest, CleanStackReportsNone) {
  DriftReport r = find_drift(engine, project);
  EXPECT_TRUE(r.clean()) << render_drift(r);
  EXPECT_EQ(r.generation, "1");
  EXPECT_NE(render_drift(r).find("no drift"), std::string::npos);
  EXPECT_EQ(r.to_json()["clean"], true);
}

TEST_F(DriftTest, ChangesInsideVolumesTmpfsAndMountPointsAreData) {
  engine.add_change("shop-db-1", "/var/lib/db/base/1", 1);
  engine.add_change("shop-db-1", "/var/lib", 0);  // parent of a mount point
  engine.add_change("shop-db-1", "/run/db/pid", 1);
  engine.add_change("shop-db-1", "/etc/hosts", 0);
  EXPECT_TRUE(find_drift(engine, project).clean());
}

TEST_F(DriftTest, FilesystemChangeOutsideVolumesIsFound) {
  engine.add_change("shop-web-1", "/etc", 0);  // a parent of the engine's /etc/hosts: not counted
  engine.add_change("shop-web-1", "/etc/motd", 0);
  engine.add_change("shop-web-1", "/usr/bin/tool", 1);
  engine.add_change("shop-web-1", "/usr/lib/old.so", 2);
  DriftReport r = find_drift(engine, project);
  ASSERT_EQ(kinds(r), std::vector<std::string>{"filesystem shop-web-1"});
  ASSERT_EQ(r.findings[0].path_count, 3u);
  EXPECT_EQ(r.findings[0].paths[0], "C /etc/motd");
  EXPECT_EQ(r.findings[0].paths[2], "D /usr/lib/old.so");
  EXPECT_NE(r.findings[0].action.find("--force-recreate web"), std::string::npos);
  EXPECT_EQ(r.to_json()["findings"][0]["kind"], "filesystem");
}

TEST_F(DriftTest, ManyChangedPathsAreBounded) {
  for (int i = 0; i < 50; ++i) engine.add_change("shop-web-1", "/opt/f" + std::to_string(i), 1);
  DriftReport r = find_drift(engine, project);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].paths.size(), kMaxPaths);
  EXPECT_EQ(r.findings[0].path_count, 50u);
  EXPECT_NE(render_drift(r).find("... 30 more"), std::string::npos);
}

TEST_F(DriftTest, HandStartedContainerFromAStackImageIsFound) {
  // It inherits the image's project label but not the oneoff label slipway sets.
  std::string id =
      engine.create_container("debug", {{"Image", "web:1"}, {"Labels", {{plan::label::kProject, "shop"}}}});
  engine.start_container(id);
  engine.create_container("unrelated", {{"Image", "db:1"}, {"Labels", {{plan::label::kOneoff, "False"}}}});
  DriftReport r = find_drift(engine, project);
  ASSERT_EQ(kinds(r), std::vector<std::string>{"hand-started debug"});
  EXPECT_NE(r.findings[0].action.find("docker rm -f debug"), std::string::npos);
}

TEST_F(DriftTest, UndeclaredContainerVolumeAndNetworkAreFound) {
  project.model["services"].erase("web");
  engine.create_volume({{"Name", "shop_old"}, {"Labels", {{plan::label::kProject, "shop"}}}});
  engine.create_network({{"Name", "shop_back"}, {"Labels", {{plan::label::kProject, "shop"}}}});
  engine.create_volume(
      {{"Name", "shop_edge"}, {"Labels", {{plan::label::kProject, "shop"}, {plan::label::kRole, "edge"}}}});
  DriftReport r = find_drift(engine, project);
  EXPECT_EQ(kinds(r),
            (std::vector<std::string>{"undeclared shop-web-1", "undeclared shop_back", "undeclared shop_old"}));
  EXPECT_NE(r.findings[0].action.find("--remove-orphans"), std::string::npos);
}

TEST_F(DriftTest, ChangedConfigIsFound) {
  project.model["services"]["web"]["environment"] = {{"MODE", "new"}};
  DriftReport r = find_drift(engine, project);
  ASSERT_EQ(kinds(r), std::vector<std::string>{"config shop-web-1"});
  EXPECT_NE(r.findings[0].action.find("slipway up"), std::string::npos);
}

// A stack deployed by generations converges with `deploy`, not `up` (which would not know
// the generations), and an orphan is removed by itself (deploy leaves it alone).
TEST_F(DriftTest, AStackDeployedByGenerationsIsAdvisedToDeploy) {
  project.model["services"]["web"]["environment"] = {{"MODE", "new"}};
  DriftReport r = find_drift(engine, project, Converge{true});
  ASSERT_EQ(kinds(r), std::vector<std::string>{"config shop-web-1"});
  EXPECT_NE(r.findings[0].action.find("`slipway deploy`"), std::string::npos) << r.findings[0].action;
  EXPECT_EQ(r.findings[0].action.find("slipway up"), std::string::npos);
  EXPECT_EQ(Converge{true}.recreate("web"), "slipway deploy --force web");
  EXPECT_EQ(Converge{true}.remove_orphan("shop-old-1"), "docker rm -f shop-old-1");
  EXPECT_EQ(Converge{}.recreate("web"), "slipway up --force-recreate web");
}

TEST_F(DriftTest, MissingImageIsFound) {
  engine.remove_image("web:1", /*force=*/true);
  DriftReport r = find_drift(engine, project);
  auto k = kinds(r);
  EXPECT_NE(std::find(k.begin(), k.end(), "missing-image web:1"), k.end()) << render_drift(r);
}

TEST_F(DriftTest, InterruptedReplacementIsConfigDrift) {
  engine.rename_container("shop-web-1", "shop-web-1_slipway-old");
  DriftReport r = find_drift(engine, project);
  ASSERT_EQ(kinds(r), std::vector<std::string>{"config shop-web-1_slipway-old"});
}

TEST(LiveGeneration, HighestRunningServiceGeneration) {
  plan::ObservedContainer a, b, c;
  a.state = b.state = "running";
  c.state = "exited";
  a.labels[plan::label::kGeneration] = "2";
  b.labels[plan::label::kGeneration] = "3";
  c.labels[plan::label::kGeneration] = "9";
  EXPECT_EQ(live_generation({a, b, c}), "3");
  EXPECT_EQ(live_generation({c}), "");
}

}  // namespace
}  // namespace slipway::agent

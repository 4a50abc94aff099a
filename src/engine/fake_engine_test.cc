#include "engine/fake_engine.h"

#include <gtest/gtest.h>

namespace slipway::engine {
namespace {

json body(const std::string& image, const json& labels = json::object()) {
  return {{"Image", image}, {"Labels", labels}, {"HostConfig", json::object()}};
}

TEST(FakeEngine, ContainerLifecycleWithTheEnginesStatuses) {
  FakeEngine e;
  e.add_image("app:1");
  std::string id = e.create_container("web", body("app:1", {{"a", "b"}}));
  try {
    e.create_container("web", body("app:1"));
    FAIL() << "a name in use must conflict";
  } catch (const EngineError& err) {
    EXPECT_EQ(err.status(), 409);
  }
  EXPECT_EQ(e.inspect_container("web")["State"]["Status"], "created");
  e.start_container(id);
  EXPECT_TRUE(e.inspect_container(id.substr(0, 12))["State"]["Running"].get<bool>());
  EXPECT_THROW(e.remove_container(id), EngineError);  // running, not forced
  try {
    e.rename_container(id, "web");
    FAIL();
  } catch (const EngineError& err) {
    EXPECT_EQ(err.status(), 400);
  }
  e.rename_container(id, "web-old");
  EXPECT_EQ(e.list_containers(label_filters({{"a", "b"}})).size(), 1u);
  EXPECT_EQ(e.list_containers(label_filters({{"a", "c"}})).size(), 0u);
  e.stop_container(id);
  EXPECT_EQ(e.inspect_container("web-old")["State"]["Status"], "exited");
  e.remove_container(id);
  EXPECT_FALSE(e.find_container(id));
  EXPECT_THROW(e.create_container("x", body("missing:1")), EngineError);
}

TEST(FakeEngine, HealthFollowsTheHookAndTheTest) {
  FakeEngine e;
  e.add_image("app:1");
  json b = body("app:1");
  b["Healthcheck"] = {{"Test", {"CMD", "true"}}};
  std::string id = e.create_container("db", b);
  e.start_container(id);
  EXPECT_EQ(e.inspect_container(id)["State"]["Health"]["Status"], "healthy");
  e.set_health("db", "unhealthy");
  EXPECT_EQ(e.list_containers()[0]["Status"], "Up 1 second (unhealthy)");
}

TEST(FakeEngine, FailAtTheNthStateChangingCall) {
  FakeEngine e;
  e.add_image("app:1");
  e.fail_at(2, 500, "boom");
  std::string id = e.create_container("a", body("app:1"));
  e.inspect_container(id);  // reads do not count
  EXPECT_THROW(e.start_container(id), EngineError);
  EXPECT_EQ(e.inspect_container(id)["State"]["Status"], "created");  // nothing changed
  e.start_container(id);                                             // only the 2nd failed
}

TEST(FakeEngine, DieAtTheNthCallAndEverythingAfter) {
  FakeEngine e;
  e.add_image("app:1");
  e.die_at(2);
  std::string id = e.create_container("a", body("app:1"));
  EXPECT_THROW(e.start_container(id), EnvError);
  EXPECT_THROW(e.inspect_container(id), EnvError);
  EXPECT_TRUE(e.dead());
  e.revive();
  EXPECT_EQ(e.inspect_container(id)["State"]["Status"], "created");
}

TEST(FakeEngine, NetworksVolumesAndArchives) {
  FakeEngine e;
  e.add_image("app:1");
  e.create_network({{"Name", "n1"}, {"Labels", {{"p", "x"}}}});
  EXPECT_THROW(e.create_network({{"Name", "n1"}}), EngineError);
  json b = body("app:1");
  b["HostConfig"]["Mounts"] = json::array({{{"Type", "volume"}, {"Target", "/data"}}});
  std::string id = e.create_container("c", b);
  e.connect_network("n1", id);
  EXPECT_THROW(e.remove_network("n1"), EngineError);
  ASSERT_EQ(e.volume_names().size(), 1u);
  e.put_archive(id, "/", std::string());  // an empty tar is fine
  EXPECT_EQ(e.container_changes(id).size(), 0u);
  EXPECT_FALSE(e.find_container("nope"));
  try {
    e.get_archive(id, "/run/secrets/x");
    FAIL();
  } catch (const EngineError& err) {
    EXPECT_TRUE(err.not_found());
  }
  e.remove_container(id, true, true);
  EXPECT_TRUE(e.volume_names().empty());  // the anonymous volume went with it
  e.remove_network("n1");
}

TEST(FakeEngine, BuildGivesADeterministicId) {
  FakeEngine a, b;
  BuildOptions o;
  o.tags = {"x:1"};
  auto ctx = [] {
    auto sent = std::make_shared<bool>(false);
    return BodyReader([sent](char* buf, size_t) -> size_t {
      if (*sent) return 0;
      *sent = true;
      buf[0] = 'x';
      return 1;
    });
  };
  EXPECT_EQ(a.build_image(ctx(), o), b.build_image(ctx(), o));
  EXPECT_EQ(a.inspect_image("x:1")["Id"], b.inspect_image("x:1")["Id"]);
}

}  // namespace
}  // namespace slipway::engine

// FakeEngine's swarm mode keeps the engine's contract: nothing before init, services with
// versions (an update from a stale version is refused), a task per replica, secrets, and
// images that travel between fakes by save_images -> load_images with their IDs.
#include <gtest/gtest.h>

#include "engine/fake_engine.h"

namespace slipway::engine {
namespace {

json spec(const std::string& name, int replicas) {
  return {{"Name", name},
          {"Labels", {{"com.docker.stack.namespace", "demo"}}},
          {"TaskTemplate", {{"ContainerSpec", {{"Image", "sha256:abc"}}}}},
          {"Mode", {{"Replicated", {{"Replicas", replicas}}}}}};
}

TEST(FakeEngineSwarm, RefusesServicesBeforeInit) {
  FakeEngine e;
  try {
    e.create_service(spec("demo_web", 1));
    FAIL();
  } catch (const EngineError& err) {
    EXPECT_EQ(err.status(), 503);
  }
  EXPECT_FALSE(e.swarm_init({{"ListenAddr", "0.0.0.0:2377"}}).empty());
  EXPECT_EQ(e.list_nodes().size(), 1u);
  EXPECT_EQ(e.list_nodes()[0]["Status"]["State"], "ready");
}

TEST(FakeEngineSwarm, ServicesHaveVersionsTasksAndLabels) {
  FakeEngine e;
  e.swarm_init({});
  std::string id = e.create_service(spec("demo_web", 3));
  EXPECT_THROW(e.create_service(spec("demo_web", 1)), EngineError);
  EXPECT_EQ(e.list_tasks({{"service", {"demo_web"}}}).size(), 3u);
  EXPECT_EQ(e.list_services(label_filters({{"com.docker.stack.namespace", "demo"}})).size(), 1u);
  EXPECT_EQ(e.list_services(label_filters({{"com.docker.stack.namespace", "other"}})).size(), 0u);

  json s = e.inspect_service(id);
  std::uint64_t v = s["Version"]["Index"];
  e.update_service(id, v, spec("demo_web", 2));
  EXPECT_EQ(e.list_tasks({{"service", {id}}}).size(), 2u);
  try {
    e.update_service(id, v, spec("demo_web", 1));  // stale version
    FAIL();
  } catch (const EngineError& err) {
    EXPECT_NE(std::string(err.what()).find("out of sequence"), std::string::npos);
  }
  e.set_task_state("demo_web", "failed");
  EXPECT_EQ(e.list_tasks({{"service", {id}}})[0]["Status"]["State"], "failed");
  e.remove_service("demo_web");
  EXPECT_TRUE(e.list_services().empty());
  EXPECT_THROW(e.inspect_service(id), EngineError);
}

TEST(FakeEngineSwarm, SecretsAreCreatedListedAndRemoved) {
  FakeEngine e;
  e.swarm_init({});
  std::string id = e.create_secret({{"Name", "demo_db_password"}, {"Labels", {{"a", "b"}}}, {"Data", "c2VjcmV0"}});
  EXPECT_EQ(e.list_secrets(label_filters({{"a", "b"}})).size(), 1u);
  EXPECT_THROW(e.create_secret({{"Name", "demo_db_password"}}), EngineError);
  e.remove_secret(id);
  EXPECT_TRUE(e.list_secrets().empty());
}

TEST(FakeEngineSwarm, ImagesTravelBySaveAndLoadWithTheirIds) {
  FakeEngine from, to;
  std::string id = from.add_image("demo/web:1");
  std::string archive;
  from.save_images({id}, [&](const char* d, size_t n) {
    archive.append(d, n);
    return true;
  });
  size_t off = 0;
  to.load_images([&](char* buf, size_t cap) {
    size_t n = std::min(cap, archive.size() - off);
    std::copy_n(archive.data() + off, n, buf);
    off += n;
    return n;
  });
  EXPECT_EQ(to.inspect_image(id)["Id"], id);
  EXPECT_THROW(from.save_images({"missing:1"}, [](const char*, size_t) { return true; }), EngineError);
}

TEST(FakeEngineSwarm, LeaveEndsSwarmMode) {
  FakeEngine e;
  e.swarm_init({});
  e.create_service(spec("demo_web", 1));
  e.swarm_leave(true);
  EXPECT_THROW(e.list_services(), EngineError);
}

}  // namespace
}  // namespace slipway::engine

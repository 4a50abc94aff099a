// deploy_stack and down_stack against FakeEngine (one manager node): what they create, that a
// second deploy changes nothing, that a changed image updates in place, that orphans go, that
// a refused model changes nothing, and that down leaves nothing of the stack.
#include "swarm/stack.h"

#include <gtest/gtest.h>

#include <fstream>

#include "compose/loader.h"
#include "engine/fake_engine.h"
#include "support/temp_dir.h"

namespace slipway::swarm {
namespace {

using engine::FakeEngine;

struct Fixture {
  testsupport::TempDir dir;
  std::shared_ptr<FakeEngine> manager = std::make_shared<FakeEngine>();
  std::shared_ptr<FakeEngine> worker = std::make_shared<FakeEngine>();
  Target target{manager, {manager, worker}};
  DeployOptions fast;

  Fixture() {
    manager->swarm_init({});
    fast.poll = std::chrono::milliseconds(1);
    fast.converge_timeout = std::chrono::milliseconds(200);
  }
  compose::Project load(const std::string& yaml) {
    std::ofstream(dir.path + "/compose.yaml") << yaml;
    compose::LoadOptions o;
    o.files = {dir.path + "/compose.yaml"};
    o.project_name = "demo";
    o.warn = [](const std::string&) {};
    return compose::load(o);
  }
};

const char* kStack = "services:\n  web:\n    image: demo/web:1\n    deploy: {replicas: 2}\n  worker:\n    image: demo/worker:1\n";

TEST(DeployStack, LoadsImagesCreatesNetworksAndServicesAndConverges) {
  Fixture f;
  std::string web = f.manager->add_image("demo/web:1");
  f.manager->add_image("demo/worker:1");
  auto project = f.load(kStack);
  DeployReport r = deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast);
  EXPECT_EQ(r.created, (std::vector<std::string>{"demo_web", "demo_worker"}));
  EXPECT_EQ(r.images.transfers, 2);  // both images to the worker; the manager has them
  EXPECT_EQ(r.images.present, 2);
  EXPECT_TRUE(f.worker->find_image(web).has_value());
  EXPECT_EQ(f.manager->network_names(), (std::vector<std::string>{"demo_default"}));
  EXPECT_EQ(f.manager->inspect_network("demo_default")["Driver"], "overlay");
  EXPECT_EQ(f.manager->list_tasks({{"service", {"demo_web"}}}).size(), 2u);
  EXPECT_EQ(f.manager->inspect_service("demo_web")["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"], web);
}

TEST(DeployStack, ASecondDeployChangesNothingAndANewImageUpdatesInPlace) {
  Fixture f;
  f.manager->add_image("demo/web:1");
  f.manager->add_image("demo/worker:1");
  auto project = f.load(kStack);
  deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast);
  f.manager->clear_calls();
  DeployReport again = deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast);
  EXPECT_EQ(again.unchanged.size(), 2u);
  EXPECT_EQ(again.images.transfers, 0);
  for (const auto& c : f.manager->calls()) EXPECT_NE(c[0], '!') << c;

  std::string rebuilt = f.manager->add_image("demo/web:1");  // the tag moves to a new image
  DeployReport update = deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast);
  EXPECT_EQ(update.updated, (std::vector<std::string>{"demo_web"}));
  EXPECT_EQ(f.manager->inspect_service("demo_web")["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"], rebuilt);
  EXPECT_EQ(f.manager->inspect_service("demo_web")["Version"]["Index"], 2);
}

TEST(DeployStack, RemovesServicesTheModelNoLongerHas) {
  Fixture f;
  f.manager->add_image("demo/web:1");
  f.manager->add_image("demo/worker:1");
  auto both = f.load(kStack);
  deploy_stack(f.target, compose::Model(both), "demo", {}, f.fast);
  auto one = f.load("services:\n  web:\n    image: demo/web:1\n    deploy: {replicas: 2}\n");
  DeployReport r = deploy_stack(f.target, compose::Model(one), "demo", {}, f.fast);
  EXPECT_EQ(r.removed, (std::vector<std::string>{"demo_worker"}));
  EXPECT_EQ(f.manager->service_names(), (std::vector<std::string>{"demo_web"}));
}

TEST(DeployStack, RefusesBeforeChangingAnything) {
  Fixture f;
  f.manager->add_image("demo/web:1");
  auto project = f.load("services:\n  web:\n    image: demo/web:1\n    ports: [\"80:80\"]\n");
  EXPECT_THROW(deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast), UserError);
  auto unbuilt = f.load("services:\n  web:\n    image: demo/none:1\n");
  EXPECT_THROW(deploy_stack(f.target, compose::Model(unbuilt), "demo", {}, f.fast), UserError);
  EXPECT_EQ(f.manager->state_changes(), 1);  // the fixture's swarm_init only
  EXPECT_EQ(f.worker->state_changes(), 0);
}

TEST(DeployStack, FailingTasksAreReportedWhenTheStackDoesNotConverge) {
  Fixture f;
  f.manager->add_image("demo/web:1");
  f.manager->add_image("demo/worker:1");
  f.manager->set_task_state("demo_worker", "rejected");
  auto project = f.load(kStack);
  try {
    deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast);
    FAIL();
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("demo_worker: 0 of 1 tasks running (rejected)"), std::string::npos)
        << e.what();
  }
}

TEST(DownStack, LeavesNothingOfTheStack) {
  Fixture f;
  f.manager->add_image("demo/web:1");
  f.manager->add_image("demo/worker:1");
  f.manager->create_network({{"Name", "other"}, {"Labels", {{"com.docker.stack.namespace", "other"}}}});
  auto project = f.load(kStack);
  deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast);
  auto removed = down_stack(f.target, "demo", f.fast);
  EXPECT_EQ(removed.size(), 2u);
  EXPECT_TRUE(f.manager->service_names().empty());
  EXPECT_EQ(f.manager->network_names(), (std::vector<std::string>{"other"}));
  EXPECT_TRUE(down_stack(f.target, "demo", f.fast).empty());  // again: nothing to do
}

// Crash safety: slipway killed before its n-th state-changing request to the manager (for
// every n a deploy makes), the next deploy converges to the same stack and a third one
// changes nothing; the same for down.
TEST(DeployStack, KilledBeforeAnyManagerRequestTheNextDeployConverges) {
  int requests = 0;
  {
    Fixture f;
    f.manager->add_image("demo/web:1");
    f.manager->add_image("demo/worker:1");
    auto project = f.load(kStack);
    int before = f.manager->state_changes();
    deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast);
    requests = f.manager->state_changes() - before;
  }
  ASSERT_EQ(requests, 3);  // the network, two services
  for (int n = 1; n <= requests; ++n) {
    Fixture f;
    f.manager->add_image("demo/web:1");
    f.manager->add_image("demo/worker:1");
    auto project = f.load(kStack);
    f.manager->die_at(n);
    EXPECT_THROW(deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast), EnvError) << n;
    f.manager->revive();
    deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast);
    EXPECT_EQ(f.manager->service_names(), (std::vector<std::string>{"demo_web", "demo_worker"})) << n;
    EXPECT_EQ(f.manager->network_names(), (std::vector<std::string>{"demo_default"})) << n;
    EXPECT_EQ(deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast).unchanged.size(), 2u) << n;
  }
}

TEST(DeployStack, KilledWhileLoadingImagesOntoANodeTheNextDeployConverges) {
  Fixture f;
  std::string web = f.manager->add_image("demo/web:1");
  f.manager->add_image("demo/worker:1");
  auto project = f.load(kStack);
  f.worker->die_at(1);  // the worker's engine goes away before its load
  EXPECT_THROW(deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast), EnvError);
  EXPECT_TRUE(f.manager->service_names().empty());  // nothing runs that a node could not start
  f.worker->revive();
  deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast);
  EXPECT_TRUE(f.worker->find_image(web).has_value());
  EXPECT_EQ(f.manager->service_names().size(), 2u);
}

TEST(DownStack, KilledBeforeAnyRequestTheNextDownLeavesNothing) {
  for (int n = 1; n <= 3; ++n) {  // two services, one network
    Fixture f;
    f.manager->add_image("demo/web:1");
    f.manager->add_image("demo/worker:1");
    auto project = f.load(kStack);
    deploy_stack(f.target, compose::Model(project), "demo", {}, f.fast);
    f.manager->die_at(n);
    EXPECT_THROW(down_stack(f.target, "demo", f.fast), EnvError) << n;
    f.manager->revive();
    down_stack(f.target, "demo", f.fast);
    EXPECT_TRUE(f.manager->service_names().empty()) << n;
    EXPECT_TRUE(f.manager->network_names().empty()) << n;
  }
}

}  // namespace
}  // namespace slipway::swarm

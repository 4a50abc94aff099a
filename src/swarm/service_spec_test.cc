// The swarm planner: a Compose model becomes services that run images by ID, overlay networks,
// the stack's labels, and start-first updates that roll back after a monitor window longer than
// the healthcheck; what it cannot do yet is refused by key, before anything changes.
#include "swarm/service_spec.h"

#include <gtest/gtest.h>

#include <fstream>

#include "compose/loader.h"
#include "support/temp_dir.h"

namespace slipway::swarm {
namespace {

compose::Project load(const std::string& yaml, testsupport::TempDir& dir) {
  std::ofstream(dir.path + "/compose.yaml") << yaml;
  compose::LoadOptions o;
  o.files = {dir.path + "/compose.yaml"};
  o.project_name = "demo";
  o.warn = [](const std::string&) {};
  return compose::load(o);
}

SwarmContext context(const std::vector<std::string>& services) {
  SwarmContext c;
  c.project = "demo";
  for (const auto& s : services) c.images[s] = "sha256:" + std::string(64, s[0]);
  c.where.file = "compose.yaml";
  return c;
}

const char* kStack = R"(
services:
  web:
    image: demo/web:1
    command: ["httpd", "-f", "-p", "8080"]
    entrypoint: ["/bin/busybox"]
    environment: {GREETING: hello}
    working_dir: /srv
    labels: {team: ops}
    deploy: {replicas: 3}
    healthcheck:
      test: ["CMD", "/bin/busybox", "wget", "-q", "-O-", "http://127.0.0.1:8080/"]
      interval: 2s
      timeout: 1s
      retries: 3
      start_period: 4s
    networks: [front, back]
  worker:
    image: demo/worker:1
    networks: [back]
networks:
  front: {}
  back: {}
)";

TEST(PlanStack, ServicesRunImagesByIdWithCommandEnvAndReplicas) {
  testsupport::TempDir dir;
  auto project = load(kStack, dir);
  StackPlan plan = plan_stack(compose::Model(project), context({"web", "worker"}));
  ASSERT_EQ(plan.services.size(), 2u);
  const ServicePlan& web = plan.services[0];
  EXPECT_EQ(web.name, "demo_web");
  const json& cs = web.spec["TaskTemplate"]["ContainerSpec"];
  EXPECT_EQ(cs["Image"], "sha256:" + std::string(64, 'w'));
  EXPECT_EQ(cs["Command"], json({"/bin/busybox"}));
  EXPECT_EQ(cs["Args"], json({"httpd", "-f", "-p", "8080"}));
  EXPECT_EQ(cs["Env"], json({"GREETING=hello"}));
  EXPECT_EQ(cs["Dir"], "/srv");
  EXPECT_EQ(cs["Labels"]["team"], "ops");
  EXPECT_EQ(cs["Labels"]["com.docker.stack.namespace"], "demo");
  EXPECT_EQ(web.spec["Mode"]["Replicated"]["Replicas"], 3);
  EXPECT_EQ(plan.services[1].spec["Mode"]["Replicated"]["Replicas"], 1);
}

TEST(PlanStack, OneOverlayNetworkPerComposeNetworkWithTheStackLabel) {
  testsupport::TempDir dir;
  auto project = load(kStack, dir);
  StackPlan plan = plan_stack(compose::Model(project), context({"web", "worker"}));
  ASSERT_EQ(plan.networks.size(), 2u);
  // In model order (the canonical model sorts keys).
  EXPECT_EQ(plan.networks[0]["Name"], "demo_back");
  EXPECT_EQ(plan.networks[1]["Name"], "demo_front");
  for (const auto& n : plan.networks) {
    EXPECT_EQ(n["Driver"], "overlay");
    EXPECT_EQ(n["Labels"]["com.docker.stack.namespace"], "demo");
  }
  const json& nets = plan.services[0].spec["TaskTemplate"]["Networks"];
  ASSERT_EQ(nets.size(), 2u);
  EXPECT_EQ(nets[0]["Target"], "demo_back");
  EXPECT_EQ(nets[0]["Aliases"], json({"web"}));
}

TEST(PlanStack, LabelsLetDockerStackRecogniseItAndCarryTheSpecHash) {
  testsupport::TempDir dir;
  auto project = load(kStack, dir);
  StackPlan plan = plan_stack(compose::Model(project), context({"web", "worker"}));
  const json& labels = plan.services[0].spec["Labels"];
  EXPECT_EQ(labels["com.docker.stack.namespace"], "demo");
  EXPECT_EQ(labels["com.docker.stack.image"], "demo/web:1");
  EXPECT_EQ(labels["com.docker.compose.service"], "web");
  EXPECT_EQ(labels["io.slipway.spec-hash"], plan.services[0].hash);
  // The same input, the same hash; another image, another hash.
  EXPECT_EQ(plan_stack(compose::Model(project), context({"web", "worker"})).services[0].hash, plan.services[0].hash);
  auto other = context({"web", "worker"});
  other.images["web"] = "sha256:" + std::string(64, 'x');
  EXPECT_NE(plan_stack(compose::Model(project), other).services[0].hash, plan.services[0].hash);
}

TEST(PlanStack, UpdatesStartFirstAndRollBackAfterAMonitorLongerThanTheHealthcheck) {
  testsupport::TempDir dir;
  auto project = load(kStack, dir);
  StackPlan plan = plan_stack(compose::Model(project), context({"web", "worker"}));
  const json& u = plan.services[0].spec["UpdateConfig"];
  EXPECT_EQ(u["Order"], "start-first");
  EXPECT_EQ(u["FailureAction"], "rollback");
  // start_period 4 s + 3 x (2 s + 1 s) = 13 s for the healthcheck to fail; + 5 s margin.
  EXPECT_EQ(u["Monitor"], 18'000'000'000LL);
  EXPECT_EQ(plan.services[0].spec["RollbackConfig"]["Order"], "start-first");
  EXPECT_EQ(plan.services[1].spec["UpdateConfig"]["Monitor"], 5'000'000'000LL);  // no healthcheck
}

TEST(MonitorWindow, UsesTheEngineDefaultsForMissingFields) {
  EXPECT_EQ(monitor_window(json{{"Test", {"CMD", "true"}}}), (3 * 60 + 5) * 1'000'000'000LL);
  EXPECT_EQ(monitor_window(json{{"Test", {"NONE"}}}), 5'000'000'000LL);
  EXPECT_EQ(monitor_window(nullptr), 5'000'000'000LL);
}

TEST(PlanStack, RefusesWhatASwarmDeployCannotDoYetByKey) {
  testsupport::TempDir dir;
  auto with = [&](const std::string& extra) {
    return load("services:\n  db:\n    image: demo/db:1\n" + extra + "volumes:\n  data: {}\n", dir);
  };
  auto volumes = with("    volumes: [\"data:/var/lib/db\"]\n");
  try {
    plan_stack(compose::Model(volumes), context({"db"}));
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("compose.yaml: services.db.volumes: volumes are per node"),
              std::string::npos)
        << e.what();
  }
  auto ports = with("    ports: [\"8080:80\"]\n");
  EXPECT_THROW(plan_stack(compose::Model(ports), context({"db"})), UserError);
  auto privileged = with("    privileged: true\n");
  EXPECT_THROW(plan_stack(compose::Model(privileged), context({"db"})), UserError);
  auto missing_image = with("");
  EXPECT_THROW(plan_stack(compose::Model(missing_image), context({})), UserError);
}

}  // namespace
}  // namespace slipway::swarm

// deploy_stack and down_stack on a real three-node swarm (support/swarm_cluster.h, private
// engines: never the host's): a FROM-scratch busybox stack is loaded onto every node by ID,
// its services converge with their replicas spread over the nodes, a second deploy changes
// nothing, and down leaves nothing on any node. The cases share one cluster (formed once per
// process, as CMake runs this binary as one test).
#include "swarm/stack.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>

#include "compose/loader.h"
#include "engine/build_context.h"
#include "engine/client.h"
#include "support/swarm_cluster.h"
#include "support/temp_dir.h"
#include "util/subprocess.h"

namespace slipway::swarm {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

class SwarmStackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new testsupport::SwarmCluster(3);
    std::cout << "[ timing ] three-node swarm formed in " << cluster_->formation_seconds() << " s\n";
  }
  static void TearDownTestSuite() {
    auto t = Clock::now();
    delete cluster_;
    cluster_ = nullptr;
    std::cout << "[ timing ] swarm torn down in " << seconds_since(t) << " s\n";
  }

  static std::shared_ptr<const engine::Engine> client(int i) {
    engine::ClientOptions o;
    o.host = cluster_->node(i).host();
    return std::make_shared<engine::Client>(o);
  }
  Target target() const { return {client(0), {client(0), client(1), client(2)}}; }

  // FROM scratch + Debian's busybox-static, built on the manager (where slipway builds).
  std::string build_busybox(const std::string& tag) {
    std::string ctx = dir_.path + "/ctx";
    fs::create_directories(ctx);
    std::ofstream(ctx + "/Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\nCMD [\"/bin/busybox\", \"sleep\", \"3600\"]\n";
    fs::copy_file("/bin/busybox", ctx + "/busybox", fs::copy_options::overwrite_existing);
    engine::BuildContext bc = engine::scan_context(ctx);
    engine::BuildOptions bo;
    bo.tags = {tag};
    bo.dockerfile = bc.dockerfile;
    return client(0)->build_image(engine::context_tar_reader(bc), bo);
  }

  compose::Project load(const std::string& yaml) {
    std::ofstream(dir_.path + "/compose.yaml") << yaml;
    compose::LoadOptions o;
    o.files = {dir_.path + "/compose.yaml"};
    o.project_name = project_;
    o.warn = [](const std::string&) {};
    return compose::load(o);
  }

  std::string run_id() {
    std::random_device rd;
    return std::to_string(rd() % 1000000);
  }

  static testsupport::SwarmCluster* cluster_;
  testsupport::TempDir dir_;
  std::string project_ = "slwswarm" + run_id();
};

testsupport::SwarmCluster* SwarmStackTest::cluster_ = nullptr;

TEST_F(SwarmStackTest, DeploysAStatelessStackSpreadOverTheNodesAndDownLeavesNothing) {
  const std::string tag = project_ + "/busybox:1";
  std::string image = build_busybox(tag);
  auto project = load(R"(
services:
  web:
    image: )" + tag + R"(
    command: ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/"]
    deploy: {replicas: 3}
    stop_grace_period: 1s  # busybox as PID 1 ignores SIGTERM: down would wait 10 s per task
    healthcheck:
      test: ["CMD", "/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/etc/hosts"]
      interval: 1s
      timeout: 1s
      retries: 3
  worker:
    image: )" + tag + R"(
    environment: {ROLE: worker}
    stop_grace_period: 1s
)");
  compose::Model model(project);

  auto t = Clock::now();
  DeployOptions options;
  options.converge_timeout = std::chrono::seconds(60);
  DeployReport r;
  try {
    r = deploy_stack(target(), model, project_, {}, options);
  } catch (const std::exception& e) {
    // What the nodes saw, for the failure message.
    std::string seen;
    for (int i = 0; i < 3; ++i)
      for (const auto& c : client(i)->list_containers({}, true))
        seen += "node " + std::to_string(i) + ": " + c.value("Status", "") + " " +
                client(i)->inspect_container(c.value("Id", ""))["State"].dump() + "\n";
    FAIL() << e.what() << "\n" << seen;
  }
  std::cout << "[ timing ] deploy to converged (images to 2 nodes, 2 services, 4 tasks): " << seconds_since(t)
            << " s\n";
  EXPECT_EQ(r.created, (std::vector<std::string>{project_ + "_web", project_ + "_worker"}));
  EXPECT_EQ(r.images.transfers + r.images.present, 3);  // one image, three nodes
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(client(i)->find_image(image).has_value()) << "node " << i;

  // Every web task runs the image by ID, one on each node (the scheduler spreads replicas).
  auto manager = client(0);
  std::set<std::string> nodes;
  for (const auto& task : manager->list_tasks({{"service", {project_ + "_web"}}, {"desired-state", {"running"}}})) {
    EXPECT_EQ(task["Status"].value("State", ""), "running");
    EXPECT_EQ(task.value(json::json_pointer("/Spec/ContainerSpec/Image"), std::string()), image);
    nodes.insert(task.value("NodeID", ""));
  }
  EXPECT_EQ(nodes.size(), 3u) << "web's replicas are not spread over the three nodes";
  auto svc = manager->inspect_service(project_ + "_web");
  EXPECT_EQ(svc["Spec"]["Labels"]["com.docker.stack.namespace"], project_);
  EXPECT_EQ(svc["Spec"]["UpdateConfig"]["Order"], "start-first");
  EXPECT_EQ(svc["Spec"]["UpdateConfig"]["FailureAction"], "rollback");
  auto network = manager->inspect_network(project_ + "_default");
  EXPECT_EQ(network["Driver"], "overlay");

  // Again: nothing changes.
  t = Clock::now();
  DeployReport again = deploy_stack(target(), model, project_, {}, options);
  std::cout << "[ timing ] deploy with nothing to change: " << seconds_since(t) << " s\n";
  EXPECT_EQ(again.unchanged.size(), 2u);
  EXPECT_EQ(again.images.transfers, 0);

  // A changed service updates in place (start-first, through its monitor window: 5 s without
  // a healthcheck); the others stay as they are.
  std::string yaml;
  {
    std::ifstream in(dir_.path + "/compose.yaml");
    yaml.assign(std::istreambuf_iterator<char>(in), {});
  }
  yaml.replace(yaml.find("ROLE: worker"), 12, "ROLE: worker2");
  auto changed = load(yaml);
  t = Clock::now();
  DeployReport update = deploy_stack(target(), compose::Model(changed), project_, {}, options);
  std::cout << "[ timing ] start-first update of one service (1 task, 5 s monitor) to converged: "
            << seconds_since(t) << " s\n";
  EXPECT_EQ(update.updated, (std::vector<std::string>{project_ + "_worker"}));
  EXPECT_EQ(update.unchanged, (std::vector<std::string>{project_ + "_web"}));
  auto running = manager->list_tasks({{"service", {project_ + "_worker"}}, {"desired-state", {"running"}}});
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].value(json::json_pointer("/Spec/ContainerSpec/Env"), json()), json({"ROLE=worker2"}));

  t = Clock::now();
  auto removed = down_stack(target(), project_, options);
  std::cout << "[ timing ] down: " << seconds_since(t) << " s\n";
  EXPECT_EQ(removed.size(), 2u);
  engine::Filters stack = engine::label_filters({{"com.docker.stack.namespace", project_}});
  EXPECT_TRUE(manager->list_services(stack).empty());
  EXPECT_TRUE(manager->list_networks(stack).empty());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(client(i)->list_containers(stack, true).empty()) << "node " << i;
    // Workers drop the overlay network once their last task of it is gone.
    for (const auto& n : client(i)->list_networks())
      EXPECT_NE(n.value("Name", ""), project_ + "_default") << "node " << i;
  }
}

// The same through the slipway binary: `deploy --target swarm` with the workers' engines as
// --swarm-node, then `down --target swarm`; a model the swarm cannot run yet exits 2.
TEST_F(SwarmStackTest, CliDeploysAndTakesDownWithTargetSwarm) {
  const std::string tag = project_ + "/busybox:1";
  std::string image = build_busybox(tag);
  std::ofstream(dir_.path + "/compose.yaml") << "name: " << project_ << "\nservices:\n  app:\n    image: " << tag
                                             << "\n    deploy: {replicas: 2}\n    stop_grace_period: 1s\n";
  testsupport::TempDir state;
  SubprocessOptions o;
  o.extra_env["DOCKER_HOST"] = cluster_->manager().host();
  o.extra_env["SLIPWAY_STATE_DIR"] = state.path;
  const std::string file = dir_.path + "/compose.yaml";
  auto dry = run_process({SLIPWAY_BINARY, "-f", file, "deploy", "--target", "swarm", "--dry-run"}, o);
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("service " + project_ + "_app: " + image + " x2"), std::string::npos) << dry.out;
  EXPECT_TRUE(client(0)->list_services(engine::label_filters({{"com.docker.stack.namespace", project_}})).empty());
  auto t = Clock::now();
  auto up = run_process({SLIPWAY_BINARY, "-f", file, "deploy", "--target", "swarm", "--swarm-node",
                         cluster_->node(1).host(), "--swarm-node", cluster_->node(2).host(), "--json"},
                        o);
  std::cout << "[ timing ] slipway deploy --target swarm: " << seconds_since(t) << " s\n";
  ASSERT_EQ(up.exit_code, 0) << up.err << up.out;
  auto out = json::parse(up.out);
  EXPECT_EQ(out["created"], json({project_ + "_app"}));
  // The other cases may have loaded the same image (same ID) already: it is on every node.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(client(i)->find_image(image).has_value()) << "node " << i;
  auto manager = client(0);
  EXPECT_EQ(manager->list_tasks({{"service", {project_ + "_app"}}, {"desired-state", {"running"}}}).size(), 2u);

  auto down = run_process({SLIPWAY_BINARY, "-f", file, "down", "--target", "swarm", "--swarm-node",
                           cluster_->node(1).host(), "--swarm-node", cluster_->node(2).host()},
                          o);
  ASSERT_EQ(down.exit_code, 0) << down.err;
  engine::Filters stack = engine::label_filters({{"com.docker.stack.namespace", project_}});
  EXPECT_TRUE(manager->list_services(stack).empty());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(client(i)->list_containers(stack, true).empty()) << "node " << i;

  std::ofstream(file) << "name: " << project_ << "\nservices:\n  app:\n    image: " << tag
                      << "\n    ports: [\"8080:80\"]\n";
  auto refused = run_process({SLIPWAY_BINARY, "-f", file, "deploy", "--target", "swarm"}, o);
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("services.app.ports: published ports are not supported on a swarm yet"),
            std::string::npos)
      << refused.err;
  EXPECT_TRUE(manager->list_services(stack).empty());
}

TEST_F(SwarmStackTest, EngineSwarmCallsOnARealCluster) {
  auto manager = client(0);
  EXPECT_EQ(manager->list_nodes().size(), 3u);
  EXPECT_FALSE(manager->inspect_swarm()["JoinTokens"].value("Worker", "").empty());
  // A worker is no manager: the engine's 503 comes through as EngineError.
  try {
    client(1)->list_services();
    FAIL();
  } catch (const engine::EngineError& e) {
    EXPECT_EQ(e.status(), 503);
  }
  const std::string name = project_ + "_token";
  std::string id = manager->create_secret({{"Name", name},
                                           {"Labels", {{"com.docker.stack.namespace", project_}}},
                                           {"Data", "c2VjcmV0"}});
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(manager->list_secrets(engine::label_filters({{"com.docker.stack.namespace", project_}})).size(), 1u);
  manager->remove_secret(id);
  EXPECT_TRUE(manager->list_secrets(engine::label_filters({{"com.docker.stack.namespace", project_}})).empty());
  try {
    manager->inspect_service(project_ + "_none");
    FAIL();
  } catch (const engine::EngineError& e) {
    EXPECT_TRUE(e.not_found());
  }
}

}  // namespace
}  // namespace slipway::swarm

// `slipway up/ps/logs/down` end to end: the real binary, a real Compose file, the real engine.
// Everything carries io.slipway.test=<run id> or the unique project name and is removed in
// TearDown, also when a test fails.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "engine/client.h"
#include "util/subprocess.h"

namespace slipway {
namespace {

class UpCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    run = std::to_string(rd() % 1000000000);
    project = "slipwayup" + run;
    char tmpl[] = "/tmp/slipway-upcmd-XXXXXX";
    dir = mkdtemp(tmpl);
    std::filesystem::create_directories(dir + "/img");
    std::filesystem::copy_file("/bin/busybox", dir + "/img/busybox");
    std::ofstream(dir + "/img/Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\n";
    std::ofstream(dir + "/pw.txt") << "hunter2";
    write_compose("one");
  }

  void write_compose(const std::string& version) {
    std::ofstream(dir + "/compose.yaml")
        << "name: " << project << "\n"
        << "x-test: &test {io.slipway.test: \"" << run << "\"}\n"
        << "services:\n"
        << "  web:\n"
        << "    build:\n"
        << "      context: ./img\n"
        << "      labels: *test\n"
        << "    command: [/bin/busybox, sh, -c, 'echo web " << version << "; exec /bin/busybox httpd -f -p 8080']\n"
        << "    environment: {PATH: /bin}\n"
        << "    labels: *test\n"
        << "    stop_grace_period: 1s\n"
        << "    ports: ['8080']\n"
        << "    secrets: [pw]\n"
        << "    depends_on: {db: {condition: service_healthy}}\n"
        << "  db:\n"
        << "    build:\n"
        << "      context: ./img\n"
        << "      labels: *test\n"
        << "    command: [/bin/busybox, sh, -c, 'echo db ready; exec /bin/busybox sleep 600']\n"
        << "    environment: {PATH: /bin}\n"
        << "    labels: *test\n"
        << "    stop_grace_period: 1s\n"
        << "    healthcheck: {test: [CMD, /bin/busybox, 'true'], interval: 1s}\n"
        << "    volumes: [data:/data]\n"
        << "networks:\n"
        << "  default: {labels: *test}\n"
        << "volumes:\n"
        << "  data: {labels: *test}\n"
        << "secrets:\n"
        << "  pw: {file: ./pw.txt}\n";
  }

  void TearDown() override {
    engine::Client client;
    for (const auto& filter : {engine::label_filters({{"io.slipway.test", run}}),
                               engine::label_filters({{"com.docker.compose.project", project}})}) {
      for (const auto& c : client.list_containers(filter, true)) {
        try {
          client.remove_container(c["Id"], true, true);
        } catch (const std::exception&) {
        }
      }
      for (const auto& n : client.list_networks(filter)) {
        try {
          client.remove_network(n["Id"]);
        } catch (const std::exception&) {
        }
      }
      for (const auto& v : client.list_volumes(filter)) {
        try {
          client.remove_volume(v["Name"], true);
        } catch (const std::exception&) {
        }
      }
      for (const auto& img : client.list_images(filter)) {
        try {
          client.remove_image(img["Id"], true);
        } catch (const std::exception&) {
        }
      }
    }
    std::filesystem::remove_all(dir);
  }

  SubprocessResult slipway(std::vector<std::string> args) {
    args.insert(args.begin(), {SLIPWAY_BINARY, "-f", dir + "/compose.yaml"});
    return run_process(args);
  }

  std::string run, project, dir;
};

TEST_F(UpCommand, UpPsLogsDown) {
  auto dry = slipway({"up", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("create network " + project + "_default"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("wait for container " + project + "-db-1 to be healthy"), std::string::npos) << dry.out;
  EXPECT_TRUE(
      engine::Client().list_containers(engine::label_filters({{"com.docker.compose.project", project}}), true).empty());

  auto up = slipway({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(up.out.find("hunter2"), std::string::npos);
  EXPECT_EQ(up.err.find("hunter2"), std::string::npos);

  auto ps = slipway({"ps", "--json"});
  ASSERT_EQ(ps.exit_code, 0) << ps.err;
  auto rows = nlohmann::json::parse(ps.out);
  ASSERT_EQ(rows.size(), 2u) << ps.out;
  EXPECT_EQ(rows[0]["Service"], "db");
  EXPECT_EQ(rows[1]["Service"], "web");
  for (const auto& r : rows) {
    EXPECT_EQ(r["State"], "running");
    EXPECT_EQ(r["Config"], "current");
  }

  auto again = slipway({"up", "--dry-run"});
  EXPECT_EQ(again.out, "nothing to do\n");

  auto logs = slipway({"logs", "--tail", "5", "db"});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_NE(logs.out.find(project + "-db-1 | db ready"), std::string::npos) << logs.out;

  write_compose("two");
  auto changed = slipway({"up", "--dry-run"});
  EXPECT_EQ(changed.out, "wait for container " + project +
                             "-db-1 to be healthy\n"
                             "recreate container " +
                             project + "-web-1 (config changed)\n");
  auto ps2 = nlohmann::json::parse(slipway({"ps", "--json"}).out);
  EXPECT_EQ(ps2[1]["Config"], "changed");
  ASSERT_EQ(slipway({"up", "-d"}).exit_code, 0);
  EXPECT_NE(slipway({"logs", "web"}).out.find("web two"), std::string::npos);

  auto down = slipway({"down", "-v"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  engine::Client client;
  EXPECT_TRUE(client.list_containers(engine::label_filters({{"com.docker.compose.project", project}}), true).empty());
  EXPECT_FALSE(client.find_network(project + "_default"));
  EXPECT_FALSE(client.find_volume(project + "_data"));
}

TEST_F(UpCommand, UserErrorsExitTwo) {
  auto unknown = slipway({"up", "--dry-run", "nosuch"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no such service: nosuch"), std::string::npos) << unknown.err;
  std::ofstream(dir + "/compose.yaml", std::ios::trunc)
      << "name: " << project
      << "\nservices:\n  gpu:\n    image: busybox\n    gpus:\n      - driver: nvidia\n        count: 1\n";
  auto gpu = slipway({"up", "--dry-run"});
  EXPECT_EQ(gpu.exit_code, 2);
  EXPECT_NE(gpu.err.find("services.gpu.gpus is not supported"), std::string::npos) << gpu.err;
  EXPECT_EQ(slipway({"logs", "--tail", "lots"}).exit_code, 2);
}

}  // namespace
}  // namespace slipway

// The fault relay between the real slipway binary and the real engine: it sees the requests
// of `slipway up -d`, and killing slipway before request N leaves the engine without N.
// Everything carries io.slipway.test=<run id> or the unique project name and is removed in
// TearDown, also when a test fails.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>

#include <gtest/gtest.h>

#include "engine/client.h"
#include "support/fault_relay.h"
#include "util/subprocess.h"

namespace slipway::testsupport {
namespace {

// "POST /v1.41/containers/3480…/start" -> "POST /containers/{id}/start": the same for every
// run and API version.
std::string normalized(const std::string& request) {
  static const std::regex version("/v[0-9]+\\.[0-9]+/"), id("[0-9a-f]{64}");
  return std::regex_replace(std::regex_replace(request, version, "/", std::regex_constants::format_first_only), id,
                            "{id}");
}

std::vector<std::string> normalized(const std::vector<std::string>& requests) {
  std::vector<std::string> out;
  for (const auto& r : requests) out.push_back(normalized(r));
  return out;
}

class FaultRelayEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    run = std::to_string(rd() % 1000000000);
    project = "slipwayrelay" + run;
    char tmpl[] = "/tmp/slipway-relay-XXXXXX";
    dir = mkdtemp(tmpl);
    std::filesystem::create_directories(dir + "/img");
    std::filesystem::copy_file("/bin/busybox", dir + "/img/busybox");
    std::ofstream(dir + "/img/Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\n";
    std::ofstream(dir + "/compose.yaml") << "name: " << project << "\n"
                                         << "x-test: &test {io.slipway.test: \"" << run << "\"}\n"
                                         << "services:\n"
                                         << "  web:\n"
                                         << "    build: {context: ./img, labels: *test}\n"
                                         << "    command: [/bin/busybox, sleep, '600']\n"
                                         << "    labels: *test\n"
                                         << "    stop_grace_period: 1s\n"
                                         << "networks:\n"
                                         << "  default: {labels: *test}\n";
    relay = std::make_unique<FaultRelay>(dir + "/relay.sock");
    relay->start();
  }

  void TearDown() override {
    relay.reset();
    remove_stack();
    std::filesystem::remove_all(dir);
  }

  // Removes whatever the stack's runs left on the engine.
  void remove_stack() {
    engine::Client client;
    for (const auto& filter : {engine::label_filters({{"io.slipway.test", run}}),
                               engine::label_filters({{"com.docker.compose.project", project}})}) {
      for (const auto& c : client.list_containers(filter, true)) try {
          client.remove_container(c["Id"], true, true);
        } catch (const std::exception&) {
        }
      for (const auto& n : client.list_networks(filter)) try {
          client.remove_network(n["Id"]);
        } catch (const std::exception&) {
        }
      for (const auto& img : client.list_images(filter)) try {
          client.remove_image(img["Id"], true);
        } catch (const std::exception&) {
        }
    }
  }

  // `slipway up -d` with its engine requests going through the relay.
  SubprocessResult up_through_relay() {
    SubprocessOptions options;
    options.extra_env["DOCKER_HOST"] = relay->address();
    return run_process({SLIPWAY_BINARY, "-f", dir + "/compose.yaml", "up", "-d"}, options);
  }

  size_t images() { return engine::Client().list_images(engine::label_filters({{"io.slipway.test", run}})).size(); }
  bool network() { return engine::Client().find_network(project + "_default").has_value(); }
  size_t containers() {
    return engine::Client()
        .list_containers(engine::label_filters({{"com.docker.compose.project", project}}), true)
        .size();
  }

  std::string run, project, dir;
  std::unique_ptr<FaultRelay> relay;
};

// A new container is created and started under its staging name, then renamed to its own name
// (apply/replace.h): a container that has its final name is always a complete one.
const std::vector<std::string> kUpRequests = {"POST /build", "POST /networks/create", "POST /containers/create",
                                              "POST /containers/{id}/start", "POST /containers/{id}/rename"};

TEST_F(FaultRelayEngine, CountModeSeesTheRequestsOfUp) {
  auto up = up_through_relay();
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(normalized(relay->forwarded_changes()), kUpRequests);
  EXPECT_EQ(relay->state_changing_count(), 5);
  EXPECT_FALSE(relay->killed());
  // Reads pass and are logged too, without their queries.
  bool saw_version = false;
  for (const auto& r : relay->requests()) {
    saw_version |= normalized(r.str()) == "GET /version";
    EXPECT_EQ(r.path.find('?'), std::string::npos) << r.path;
  }
  EXPECT_TRUE(saw_version);
  auto running =
      engine::Client().list_containers(engine::label_filters({{"com.docker.compose.project", project}}), false);
  EXPECT_EQ(running.size(), 1u);
}

TEST_F(FaultRelayEngine, KillBeforeRequestNLeavesTheEngineWithoutIt) {
  for (int n = 1; n <= 3; ++n) {
    SCOPED_TRACE("kill at " + std::to_string(n));
    remove_stack();
    relay->kill_at(n);
    auto up = up_through_relay();
    EXPECT_EQ(up.exit_code, 128 + SIGKILL) << up.out << up.err;
    ASSERT_TRUE(relay->killed());
    EXPECT_EQ(relay->held()->ordinal, n);
    EXPECT_EQ(normalized(relay->held()->str()), kUpRequests[n - 1]);
    EXPECT_EQ(normalized(relay->forwarded_changes()),
              std::vector<std::string>(kUpRequests.begin(), kUpRequests.begin() + n - 1));
    // The effects of requests 1..n-1 and none of request n.
    EXPECT_EQ(images(), n > 1 ? 1u : 0u) << "build";
    EXPECT_EQ(network(), n > 2) << "network";
    EXPECT_EQ(containers(), 0u) << "container";
  }
}

}  // namespace
}  // namespace slipway::testsupport

// `slipway boot` after a power loss, on a private engine (tests/support/private_engine.h).
//
// A small FROM-scratch busybox stack with data on a volume, routed through the edge: first
// brought up with `up` (boot then falls back to what `up` made and says so), then deployed
// twice (generation 2 runs behind the edge). The whole engine is SIGKILLed and started again;
// boot brings generation 2 back exactly — the same containers by ID, the route pointing at
// them, the data intact — runs only the smoke-marked checks, and a second boot changes
// nothing. Finally, with the recorded containers gone, boot refuses to make them.
//
// The edge image is built FROM debian:bookworm, which the private engine cannot make (no
// network): both are copied from the host engine in one archive (images/get -> images/load).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "edge/admin.h"
#include "edge/image.h"
#include "engine/client.h"
#include "support/private_engine.h"
#include "util/subprocess.h"

namespace slipway::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kEdgeHttp = 18080;  // in the private engine's own network namespace: always free

engine::ExecOptions cat_file(const std::string& path) {
  engine::ExecOptions o;
  o.cmd = {"/bin/busybox", "cat", path};
  return o;
}

class BootPowerLoss : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("slipway-boot-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_ / "stack" / "web");
    fs::create_directories(dir_ / "stack" / "tests");
    std::ofstream(dir_ / "stack" / "web" / "Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\n";
    fs::copy_file("/bin/busybox", dir_ / "stack" / "web" / "busybox");
    // Not a smoke check: boot must leave it out once a file is marked smoke.
    std::ofstream(dir_ / "stack" / "tests" / "full.yaml")
        << "x-slipway: {service: web}\nfile:\n  /data/index.html: {exists: true}\n";
    write_compose("1");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The data is written once, on the volume; every start writes its REV beside it, so the
  // page says which generation's container started last.
  void write_compose(const std::string& rev) {
    std::ofstream(dir_ / "stack" / "compose.yaml") << R"(name: boottest
services:
  web:
    build: ./web
    image: boottest-web:1
    environment: {REV: ")" << rev << R"("}
    command: ["/bin/busybox", "sh", "-c", "[ -f /data/index.html ] || echo data-$$RANDOM$$RANDOM > /data/index.html; echo rev-$$REV > /data/rev.txt; exec /bin/busybox httpd -f -p 8080 -h /data"]
    volumes: [data:/data]
volumes:
  data:
x-slipway:
  edge: {http: )" << kEdgeHttp << R"(, https: 18443}
  routes: {"http://web.test": "web:8080"}
  deploy: {watch: 0}
)";
  }

  SubprocessResult slipway(const testsupport::PrivateEngine& pe, std::vector<std::string> args) {
    args.insert(args.begin(), {SLIPWAY_BINARY, "--project-directory", (dir_ / "stack").string()});
    SubprocessOptions o;
    o.extra_env = {{"DOCKER_HOST", pe.host()},
                   {"SLIPWAY_STATE_DIR", (dir_ / "state").string()},
                   {"SLIPWAY_RUNTIME_DIR", (dir_ / "run").string()}};
    return run_process(args, o);
  }

  // GET through the private engine's edge, from the host (over the veth).
  static std::string through_edge(const testsupport::PrivateEngine& pe, const std::string& path) {
    auto r = run_process({"/bin/busybox", "wget", "-q", "-O", "-", "--header", "Host: web.test",
                          "http://" + pe.address() + ":" + std::to_string(kEdgeHttp) + path});
    return r.exit_code == 0 ? r.out : "(wget failed: " + r.err + ")";
  }

  std::string route_upstream() const {
    edge::Admin admin((dir_ / "state" / "edge" / "boottest" / "admin.sock").string());
    auto ups = admin.upstreams("route:web.test");
    return ups.empty() ? "" : ups.front();
  }

  fs::path dir_;
};

std::set<std::string> container_ids(engine::Client& client) {
  std::set<std::string> ids;
  for (const auto& c : client.list_containers({{"label", {"com.docker.compose.project=boottest"}}}, true))
    ids.insert(c["Id"].get<std::string>());
  return ids;
}

TEST_F(BootPowerLoss, BringsTheDeployedGenerationBackExactlyWithItsRouteAndData) {
  engine::Client host;
  std::string edge_image = edge::ensure_edge_image(host).tag;
  testsupport::PrivateEngine pe;
  pe.load_images_from_host({edge::kEdgeBaseImage, edge_image});
  engine::ClientOptions co;
  co.host = pe.host();
  engine::Client client(co);

  // Never deployed: boot brings back what `up` made, and says so.
  auto r = slipway(pe, {"up", "-d", "--build"});
  ASSERT_EQ(r.exit_code, 0) << r.err << pe.log_tail();
  r = slipway(pe, {"boot"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no deployed generation recorded for boottest"));

  // Generation 1, then 2 (a changed environment), behind the edge.
  r = slipway(pe, {"deploy"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  write_compose("2");
  r = slipway(pe, {"deploy"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("generation 2 is live"));
  std::string data = client.exec("boottest-web-g2-1", cat_file("/data/index.html")).out;
  ASSERT_THAT(data, HasSubstr("data-"));
  std::string marker = data.substr(0, data.find('\n'));
  EXPECT_EQ(through_edge(pe, "/index.html"), data);
  EXPECT_EQ(through_edge(pe, "/rev.txt"), "rev-2\n");
  EXPECT_EQ(route_upstream(), "boottest-web-g2-1:8080");
  std::ofstream(dir_ / "stack" / "tests" / "smoke.yaml")
      << "x-slipway: {service: web, smoke: true, retry-timeout: 10s, sleep: 200ms}\n"
      << "http:\n  http://127.0.0.1:8080/index.html:\n    status: 200\n    body: [\"" << marker << "\"]\n";
  std::set<std::string> before = container_ids(client);

  pe.power_loss();
  pe.start();
  engine::Client after(co);
  EXPECT_FALSE(after.inspect_container("boottest-web-g2-1")["State"].value("Running", true));

  r = slipway(pe, {"boot"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("bringing back generation 2 of boottest"));
  EXPECT_THAT(r.err, HasSubstr("boottest: up, generation 2"));
  EXPECT_THAT(r.err, HasSubstr("1 smoke check(s)"));
  EXPECT_EQ(container_ids(after), before) << "boot made or removed a container";
  EXPECT_TRUE(after.inspect_container("boottest-web-g2-1")["State"].value("Running", false));
  EXPECT_EQ(route_upstream(), "boottest-web-g2-1:8080");
  EXPECT_EQ(through_edge(pe, "/index.html"), data) << "the data on the volume, through the route";
  EXPECT_EQ(through_edge(pe, "/rev.txt"), "rev-2\n") << "generation 2's container, not an older one";

  // Idempotent: nothing to start, no route to change; the smoke check runs again.
  r = slipway(pe, {"boot", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["generation"], 2);
  EXPECT_EQ(doc["changes"], 0);
  EXPECT_EQ(doc["smoke"], "marked");
  EXPECT_EQ(doc["checks"].size(), 1u);
  EXPECT_EQ(doc["ok"], true);

  // A failing smoke check fails boot (exit 1).
  std::ofstream(dir_ / "stack" / "tests" / "smoke.yaml")
      << "x-slipway: {service: web, smoke: true}\nhttp:\n  http://127.0.0.1:8080/index.html:\n    status: 200\n"
      << "    body: [\"not-the-data\"]\n";
  r = slipway(pe, {"boot"});
  EXPECT_EQ(r.exit_code, 1) << r.err;

  // The recorded containers gone: boot never makes them (nor builds an image).
  fs::remove(dir_ / "stack" / "tests" / "smoke.yaml");
  after.remove_container("boottest-web-g2-1", true, false);
  after.remove_image("boottest-web:1", true);
  r = slipway(pe, {"boot"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("generation 2 has no container for web"));
  EXPECT_TRUE(after.list_images({{"reference", {"boottest-web"}}}).empty()) << "boot built an image";
}

}  // namespace
}  // namespace slipway::server

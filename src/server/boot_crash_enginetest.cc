// Crash safety of `slipway boot` (issue 12): after a power loss, boot runs through the fault
// relay (tests/support/fault_relay.h), which SIGKILLs it just before its Nth state-changing
// engine request, for every N a boot makes; then the next plain `slipway boot` must converge:
// exit 0, the recorded generation's containers running (the same IDs: boot never makes one),
// healthy, the edge running with its route at that generation, the data on the volume intact
// through the route, and nothing else of the stack left.
//
// Two power losses: (1) with generation 2 deployed and nothing under way; (2) in the middle of
// the deploy of a generation K, just after its switch (K's web routed, 2's still there), so that
// boot first undoes K (deploy/recover.h) and its recovery's requests are kill points too.
//
// On a private engine (tests/support/private_engine.h) so that every kill point starts from a
// real power loss. A small FROM-scratch busybox stack keeps each point cheap: a `db` that keeps
// its data on a volume and a `web` (healthchecked, after db) serving it behind the edge. Before
// each power loss the edge is stopped by hand, so boot's "start the edge" step is one of the
// kill points (otherwise the engine's unless-stopped policy races boot to start it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>

#include "deploy/store.h"
#include "edge/admin.h"
#include "edge/image.h"
#include "engine/client.h"
#include "support/fault_relay.h"
#include "support/private_engine.h"
#include "util/subprocess.h"

namespace slipway::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kEdgeHttp = 18080;  // in the private engine's own network namespace: always free
constexpr const char* kProject = "bootcrash";

class BootCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("slipway-boot-crash-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_ / "stack" / "bb");
    fs::create_directories(dir_ / "stack" / "tests");
    std::ofstream(dir_ / "stack" / "bb" / "Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\n";
    fs::copy_file("/bin/busybox", dir_ / "stack" / "bb" / "busybox");
    write_compose("1");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // db writes the data once (a random marker) on the volume and keeps running; web serves that
  // volume, read-only, with REV beside nothing: the page names the data, rev.txt the generation.
  void write_compose(const std::string& rev) {
    std::ofstream(dir_ / "stack" / "compose.yaml") << "name: " << kProject << R"(
services:
  db:
    build: ./bb
    image: bootcrash-bb:1
    command: ["/bin/busybox", "sh", "-c", "[ -f /data/index.html ] || echo data-$$RANDOM$$RANDOM > /data/index.html; trap 'exit 0' TERM; while true; do /bin/busybox sleep 1; done"]
    volumes: [data:/data]
  web:
    image: bootcrash-bb:1
    depends_on: [db]
    environment: {REV: ")" << rev << R"("}
    command: ["/bin/busybox", "sh", "-c", "mkdir -p /www && echo rev-$$REV > /www/rev.txt && ln -sf /data/index.html /www/index.html; exec /bin/busybox httpd -f -p 8080 -h /www"]
    volumes: [data:/data:ro]
    stop_grace_period: 1s   # busybox httpd as PID 1 ignores SIGTERM
    healthcheck:
      test: ["CMD", "/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/rev.txt"]
      interval: 1s
      timeout: 2s
      retries: 20
volumes:
  data:
x-slipway:
  edge: {http: )" << kEdgeHttp << R"(, https: 18443}
  routes: {"http://web.test": "web:8080"}
  deploy: {watch: 0}
)";
  }

  SubprocessResult slipway(const std::string& docker_host, std::vector<std::string> args) {
    args.insert(args.begin(), {SLIPWAY_BINARY, "--project-directory", (dir_ / "stack").string()});
    SubprocessOptions o;
    o.extra_env = {{"DOCKER_HOST", docker_host},
                   {"SLIPWAY_STATE_DIR", (dir_ / "state").string()},
                   {"SLIPWAY_RUNTIME_DIR", (dir_ / "run").string()}};
    return run_process(args, o);
  }

  static std::string through_edge(const testsupport::PrivateEngine& pe, const std::string& path) {
    auto r = run_process({"/bin/busybox", "wget", "-q", "-O", "-", "--header", "Host: web.test",
                          "http://" + pe.address() + ":" + std::to_string(kEdgeHttp) + path});
    return r.exit_code == 0 ? r.out : "(wget failed: " + r.err + ")";
  }

  std::string route_upstream() const {
    edge::Admin admin((dir_ / "state" / "edge" / kProject / "admin.sock").string());
    auto ups = admin.upstreams("route:web.test");
    return ups.empty() ? "" : ups.front();
  }

  fs::path dir_;
};

// Every container of the stack (the edge too), id -> running.
std::map<std::string, bool> containers(const engine::Client& client) {
  std::map<std::string, bool> out;
  for (const auto& c :
       client.list_containers({{"label", {std::string("com.docker.compose.project=") + kProject}}}, true))
    out[c["Id"].get<std::string>()] = c.value("State", "") == "running";
  return out;
}

TEST_F(BootCrash, AKilledBootConvergesOnTheNextBootAtEveryKillPoint) {
  auto t0 = std::chrono::steady_clock::now();
  auto lap = [&](const std::string& what) {
    std::cerr << "  " << what << ": " << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
              << " s\n";
  };
  engine::Client host;
  std::string edge_image = edge::ensure_edge_image(host).tag;
  testsupport::PrivateEngine pe;
  lap("private engine started");
  pe.load_images_from_host({edge::kEdgeBaseImage, edge_image});
  lap("edge images loaded");
  engine::ClientOptions co;
  co.host = pe.host();

  testsupport::FaultRelayOptions ro;
  ro.listen = (dir_ / "relay.sock").string();
  ro.upstream = pe.socket_path();
  testsupport::FaultRelay relay(ro);
  relay.start();

  // Generation 1, then 2 (web's environment changed), behind the edge. Generation 2's deploy
  // goes through the relay to learn where a deploy switches: its first stop request (of the
  // old web) comes right after the edge points at the new one.
  auto r = slipway(pe.host(), {"deploy", "--build"});
  ASSERT_EQ(r.exit_code, 0) << r.err << pe.log_tail();
  write_compose("2");
  relay.reset();
  r = slipway(relay.address(), {"deploy"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int after_switch = 0;
  std::vector<std::string> deploy_requests = relay.forwarded_changes();
  for (size_t i = 0; i < deploy_requests.size() && !after_switch; ++i)
    if (deploy_requests[i].size() > 5 && deploy_requests[i].substr(deploy_requests[i].size() - 5) == "/stop")
      after_switch = static_cast<int>(i) + 1;
  ASSERT_GT(after_switch, 0) << "a deploy stops the old web after the switch";
  ASSERT_THAT(r.err, HasSubstr("generation 2 is live"));
  const std::string data = through_edge(pe, "/index.html");
  ASSERT_THAT(data, HasSubstr("data-"));
  ASSERT_EQ(through_edge(pe, "/rev.txt"), "rev-2\n");
  const std::string upstream = route_upstream();
  ASSERT_THAT(upstream, HasSubstr("web-g2"));
  lap("generation 2 deployed");
  // A read-only smoke check, so each boot makes exec requests too.
  std::ofstream(dir_ / "stack" / "tests" / "smoke.yaml")
      << "x-slipway: {service: web, smoke: true}\nfile:\n  /www/rev.txt: {exists: true, contains: [rev-2]}\n";
  std::map<std::string, bool> before;
  {
    engine::Client client(co);
    before = containers(client);
  }
  ASSERT_EQ(before.size(), 3u) << "db, web and the edge";

  // The machine loses power; the edge was stopped before, so the engine leaves it stopped.
  auto power_cut = [&] {
    {
      engine::Client client(co);
      for (const auto& c : client.list_containers({{"label", {"io.slipway.role=edge"}}}, false))
        client.stop_container(c["Id"], 2);
    }
    pe.power_loss();
    pe.start();
  };
  // Running, healthy and, while the Compose file is generation 2's, current (slipway ps).
  auto expect_current = [&](const std::string& when, bool file_is_generation_2) {
    auto ps = slipway(pe.host(), {"ps", "--json"});
    ASSERT_EQ(ps.exit_code, 0) << when << ": " << ps.err;
    for (const auto& row : nlohmann::json::parse(ps.out)) {
      EXPECT_EQ(row["State"], "running") << when << ": " << row.dump();
      if (row["Service"] == "web") {
        EXPECT_EQ(row["Health"], "healthy") << when << ": " << row.dump();
      }
      if (file_is_generation_2) {
        EXPECT_TRUE(row["Config"] == "current" || row["Config"] == "edge") << when << ": " << row.dump();
      }
    }
  };
  auto expect_converged = [&](const std::string& when) {
    engine::Client client(co);
    std::map<std::string, bool> now = containers(client);
    std::set<std::string> ids_before, ids_now;
    for (const auto& [id, _] : before) ids_before.insert(id);
    for (const auto& [id, running] : now) {
      ids_now.insert(id);
      EXPECT_TRUE(running) << when << ": container " << id.substr(0, 12) << " is not running";
    }
    EXPECT_EQ(ids_now, ids_before) << when << ": boot made or removed a container";
    EXPECT_EQ(route_upstream(), upstream) << when;
    EXPECT_EQ(through_edge(pe, "/index.html"), data) << when << ": the data through the route";
    EXPECT_EQ(through_edge(pe, "/rev.txt"), "rev-2\n") << when;
  };

  // Count: an uninterrupted boot after a power loss.
  power_cut();
  lap("power cut");
  relay.reset();
  r = slipway(relay.address(), {"boot"});
  lap("booted");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const int total = relay.state_changing_count();
  std::string sequence;
  for (const auto& c : relay.forwarded_changes()) sequence += "\n  " + c;
  std::cerr << "a boot after a power loss makes " << total << " state-changing engine requests:" << sequence << "\n";
  ASSERT_GE(total, 3) << "the edge, db and web";
  expect_converged("after an uninterrupted boot");

  for (int n = 1; n <= total; ++n) {
    power_cut();
    relay.kill_at(n);
    SubprocessResult killed = slipway(relay.address(), {"boot"});
    std::string held = relay.held() ? relay.held()->str() : "-";
    if (!relay.killed())
      EXPECT_EQ(killed.exit_code, 0) << killed.err;  // this run made fewer requests
    else
      EXPECT_EQ(killed.exit_code, 128 + SIGKILL) << "request " << n << " (" << held << "): " << killed.err;
    relay.reset();
    std::string when = "after a kill before request " + std::to_string(n) + " (" + held + ")";
    SubprocessResult again = slipway(pe.host(), {"boot", "--json"});
    ASSERT_EQ(again.exit_code, 0) << when << ": " << again.out << again.err;
    auto doc = nlohmann::json::parse(again.out);
    EXPECT_EQ(doc["generation"], 2) << when;
    EXPECT_EQ(doc["ok"], true) << when;
    expect_converged(when);
    expect_current(when, true);
    lap("kill point " + std::to_string(n) + " (" + held + ")");
  }

  // The power goes while a deploy runs, just after its switch: generation K's web is routed,
  // generation 2's still runs. Boot first undoes K (routes back, K's containers removed, the
  // record "interrupted"), then brings back generation 2 as before; killed at any of its
  // requests, the next boot converges to the same state.
  int rev = 3;
  auto power_cut_mid_deploy = [&] {
    write_compose(std::to_string(rev++));
    relay.kill_at(after_switch);
    SubprocessResult killed = slipway(relay.address(), {"deploy"});
    ASSERT_TRUE(relay.killed()) << killed.err;
    ASSERT_EQ(killed.exit_code, 128 + SIGKILL) << killed.err;
    relay.reset();
    power_cut();
  };
  auto expect_undone = [&](const std::string& when) {
    expect_converged(when);
    deploy::GenerationStore store((dir_ / "state").string());
    for (const auto& rec : store.list(kProject)) EXPECT_FALSE(rec.unfinished()) << when << ": generation " << rec.number;
  };
  power_cut_mid_deploy();
  relay.reset();
  r = slipway(relay.address(), {"boot"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("bringing back generation 2"));
  const int total_mid = relay.state_changing_count();
  sequence.clear();
  for (const auto& c : relay.forwarded_changes()) sequence += "\n  " + c;
  std::cerr << "a boot after a power loss mid-deploy makes " << total_mid << " state-changing engine requests:" << sequence
            << "\n";
  expect_undone("after an uninterrupted boot after a power loss mid-deploy");
  for (int n = 1; n <= total_mid; ++n) {
    power_cut_mid_deploy();
    relay.kill_at(n);
    SubprocessResult killed = slipway(relay.address(), {"boot"});
    std::string held = relay.held() ? relay.held()->str() : "-";
    if (!relay.killed())
      EXPECT_EQ(killed.exit_code, 0) << killed.err;
    else
      EXPECT_EQ(killed.exit_code, 128 + SIGKILL) << "request " << n << " (" << held << "): " << killed.err;
    relay.reset();
    std::string when = "mid-deploy, after a kill before request " + std::to_string(n) + " (" + held + ")";
    SubprocessResult again = slipway(pe.host(), {"boot", "--json"});
    ASSERT_EQ(again.exit_code, 0) << when << ": " << again.out << again.err;
    auto doc = nlohmann::json::parse(again.out);
    EXPECT_EQ(doc["generation"], 2) << when;
    EXPECT_EQ(doc["ok"], true) << when;
    expect_undone(when);
    expect_current(when, false);  // the file is generation K's: generation 2 runs, "changed"
    lap("mid-deploy kill point " + std::to_string(n) + " (" + held + ")");
  }
  std::cerr << "boot crash test: " << total << " + " << total_mid << " kill points in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
}

}  // namespace
}  // namespace slipway::server

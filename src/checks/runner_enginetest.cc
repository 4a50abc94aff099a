// The probes against real containers: a FROM-scratch busybox stack of two services on a
// user-defined network ("web" and "smtp"), checked from slipway without any tool of its own
// inside the images.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "checks/listeners.h"
#include "checks/netns.h"
#include "checks/runner.h"
#include "checks/spec.h"
#include "engine/build_context.h"
#include "engine/client.h"

namespace slipway::checks {
namespace {

using engine::Client;

std::string run_id() {
  static std::string id = [] {
    std::random_device rd;
    return "chk" + std::to_string(getpid()) + "x" + std::to_string(rd() % 100000);
  }();
  return id;
}

void write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

std::string build(Client& c, const std::string& tag, bool full) {
  char tmpl[] = "/tmp/slipway-checks-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::filesystem::create_directories(dir + "/rootfs/bin");
  std::filesystem::copy_file("/bin/busybox", dir + "/rootfs/bin/busybox");
  if (full) {
    for (const char* l : {"sh", "httpd", "sleep"}) std::filesystem::create_symlink("busybox", dir + "/rootfs/bin/" + l);
    write(dir + "/rootfs/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/www:/bin/false\n");
    write(dir + "/rootfs/etc/group", "root:x:0:\nwww:x:33:\nstaff:x:50:www\n");
    write(dir + "/rootfs/var/lib/dpkg/status",
          "Package: busybox\nStatus: install ok installed\nVersion: 1:1.35.0-4\n\n"
          "Package: removed\nStatus: deinstall ok config-files\nVersion: 1.0\n");
    write(dir + "/rootfs/www/index.html", "hello slipway\n");
    std::filesystem::create_directories(dir + "/rootfs/root");
  }
  std::ofstream(dir + "/Dockerfile") << "FROM scratch\nCOPY rootfs/ /\n";
  engine::BuildOptions o;
  o.tags = {tag};
  o.labels = {{"io.slipway.test", run_id()}};
  std::string id = c.build_image(engine::context_tar_reader(engine::scan_context(dir)), o);
  std::filesystem::remove_all(dir);
  return id;
}

class ChecksEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Client c;
    c.ping();  // fails loudly when no engine answers
    full_ = "slipway-checks-full:" + run_id();
    bare_ = "slipway-checks-bare:" + run_id();
    build(c, full_, true);
    build(c, bare_, false);
  }

  static void TearDownTestSuite() {
    Client c;
    try {
      for (const auto& img : c.list_images(engine::label_filters({{"io.slipway.test", run_id()}})))
        c.remove_image(img["Id"], true);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cleanup: %s\n", e.what());
    }
  }

  void TearDown() override {
    auto f = engine::label_filters({{"io.slipway.test", run_id()}});
    try {
      for (const auto& ct : client.list_containers(f, true)) client.remove_container(ct["Id"], true, true);
      for (const auto& n : client.list_networks(f)) client.remove_network(n["Id"]);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "cleanup: " << e.what();
    }
  }

  std::string name(const std::string& what) {
    static std::atomic<int> n{0};
    return "slipway-checks-" + run_id() + "-" + what + "-" + std::to_string(n++);
  }

  // Starts `service` on `network` (reachable there by its service name).
  // `host_config` adds to the container's HostConfig (e.g. Sysctls).
  Target start(const std::string& service, const std::string& image, const std::vector<std::string>& cmd,
               const std::string& network, json host_config = json::object()) {
    host_config["NetworkMode"] = network;
    json body = {{"Image", image},
                 {"Cmd", cmd},
                 {"Labels", {{"io.slipway.test", run_id()}}},
                 {"HostConfig", host_config},
                 {"NetworkingConfig", {{"EndpointsConfig", {{network, {{"Aliases", {service}}}}}}}}};
    std::string id = client.create_container(name(service), body);
    client.start_container(id);
    return Target{service, id, 0};
  }

  std::string network() {
    return client.create_network({{"Name", name("net")}, {"Labels", {{"io.slipway.test", run_id()}}}});
  }

  Client client;
  static std::string full_, bare_;
};
std::string ChecksEngineTest::full_;
std::string ChecksEngineTest::bare_;

std::map<std::string, CheckResult> by_key(const std::vector<CheckResult>& rs) {
  std::map<std::string, CheckResult> m;
  for (const auto& r : rs) m[r.check.type + ":" + r.check.id] = r;
  return m;
}

std::string describe(const CheckResult& r) {
  std::string s;
  for (const auto& p : r.properties)
    s += r.name(p) + " " + status_name(p.status) + (p.error ? " error: " + *p.error : "") +
         (p.status == Status::Fail && !p.error ? "\n" + p.detail.human() : "") +
         (p.skip_reason.empty() ? "" : " (" + p.skip_reason + ")") + "\n";
  return s;
}

TEST_F(ChecksEngineTest, EveryResourceTypeAgainstAScratchStack) {
  std::string net = network();
  RunOptions o;
  o.targets["web"] = start("web", full_, {"/bin/httpd", "-f", "-p", "8080", "-h", "/www"}, net);
  o.targets["smtp"] = start("smtp", full_, {"/bin/httpd", "-f", "-p", "587", "-h", "/www"}, net);
  o.targets["bare"] = start("bare", bare_, {"/bin/busybox", "sleep", "300"}, net);
  LoadOptions lo;
  lo.services = {"web", "smtp", "bare"};
  Suite s = load_gossfile_text(R"(
x-slipway: {service: web, retry-timeout: 5s, sleep: 200ms}
file:
  /etc/passwd: {exists: true, mode: "0644", owner: root, group: root, filetype: file, contents: [root, "/www:/bin/false/", "!nobody"]}
  /www/index.html: {exists: true, size: 14, sha256: 6a1f0e2a6d68bbc9cb9fac0b0d6bc13b4a9e3d68d5b9cf0c9e9b1f6dc6e22b0f, contents: [hello]}
  /bin/sh: {exists: true, filetype: symlink, linked-to: busybox}
  /nope: {exists: false}
  ~root: {exists: true, filetype: directory}
user:
  www: {exists: true, uid: 33, gid: 33, home: /www, shell: /bin/false, groups: [www, staff]}
  ghost: {exists: false}
group:
  staff: {exists: true, gid: 50}
package:
  busybox: {installed: true, versions: [1:1.35.0-4]}
  removed: {installed: false}
port:
  tcp6:8080: {listening: true, ip: ["::"]}   # busybox httpd listens dual-stack
  tcp:9999: {listening: false}
addr:
  tcp://smtp:587: {reachable: true, timeout: 2000}
  tcp://smtp:9: {reachable: false, timeout: 500}
http:
  http://localhost:8080/index.html: {status: 200, body: [hello], headers: ["/Content-Type: text/html/"]}
  http://smtp:587/missing: {status: 404}
dns:
  smtp: {resolvable: true, timeout: 2000}
  nosuchhost.invalid: {resolvable: false, timeout: 2000}
process:
  httpd: {running: true}
  nginx: {running: false}
command:
  echo hi; echo err >&2; exit 3: {exit-status: 3, stdout: [hi], stderr: [err]}
mount:
  /: {exists: true, filesystem: {match-regexp: overlay}, usage: {lt: 100}, opts: [rw]}
kernel-param:
  kernel.ostype: {value: Linux}
interface:
  eth0: {exists: true, addrs: {contain-element: {match-regexp: '^\d+\.\d+\.\d+\.\d+/\d+$'}}}
service:
  sshd: {enabled: true, running: true}
)",
                               "engine.yaml", lo);
  // A command in an image without a shell says so.
  Suite bare = load_gossfile_text("command:\n  true: {exit-status: 0, x-service: bare}\n", "bare.yaml", lo);
  s.checks.push_back(bare.checks[0]);

  auto results = by_key(run_suite(client, s, o));
  for (const auto& key : {"file:/etc/passwd",
                          "file:/bin/sh",
                          "file:/nope",
                          "file:~root",
                          "user:www",
                          "user:ghost",
                          "group:staff",
                          "package:busybox",
                          "package:removed",
                          "port:tcp6:8080",
                          "port:tcp:9999",
                          "addr:tcp://smtp:587",
                          "addr:tcp://smtp:9",
                          "http:http://localhost:8080/index.html",
                          "http:http://smtp:587/missing",
                          "dns:smtp",
                          "dns:nosuchhost.invalid",
                          "process:httpd",
                          "process:nginx",
                          "command:echo hi; echo err >&2; exit 3",
                          "mount:/",
                          "kernel-param:kernel.ostype",
                          "interface:eth0"}) {
    ASSERT_TRUE(results.count(key)) << key;
    EXPECT_EQ(results[key].status(), Status::Pass) << describe(results[key]);
  }
  // The sha256 above is deliberately wrong: a failure shows expected vs actual and the logs.
  const CheckResult& index = results["file:/www/index.html"];
  EXPECT_EQ(index.status(), Status::Fail) << describe(index);
  EXPECT_EQ(index.properties.size(), 4u);
  EXPECT_EQ(results["service:sshd"].status(), Status::Skip);
  EXPECT_NE(results["service:sshd"].properties[0].skip_reason.find("init system"), std::string::npos);
  const CheckResult& nosh = results["command:true"];
  EXPECT_EQ(nosh.status(), Status::Fail);
  ASSERT_TRUE(nosh.properties[0].error) << describe(nosh);
  EXPECT_NE(nosh.properties[0].error->find("no /bin/sh"), std::string::npos) << describe(nosh);
}

TEST_F(ChecksEngineTest, RetriesUntilReadyAndReportsLogs) {
  std::string net = network();
  RunOptions o;
  // The server starts listening two seconds after the container starts.
  o.targets["web"] =
      start("web", full_, {"/bin/sh", "-c", "echo starting; sleep 2; echo up; exec httpd -f -p 8080 -h /www"}, net);
  LoadOptions lo;
  lo.services = {"web"};
  Suite s = load_gossfile_text(
      "port:\n  tcp6:8080: {listening: true, retry_count: 20, retry_delay: 250ms}\n"
      "file:\n  /etc/passwd: {mode: '0600'}\n",
      "retry.yaml", lo);
  auto results = by_key(run_suite(client, s, o));
  EXPECT_EQ(results["port:tcp6:8080"].status(), Status::Pass) << describe(results["port:tcp6:8080"]);
  EXPECT_GT(results["port:tcp6:8080"].attempts, 1);
  const CheckResult& mode = results["file:/etc/passwd"];
  EXPECT_EQ(mode.status(), Status::Fail);
  EXPECT_NE(mode.properties[0].detail.human().find("\"0644\""), std::string::npos);
  EXPECT_NE(mode.logs_tail.find("starting"), std::string::npos) << mode.logs_tail;
}

// A server on [::]:8080 is reached by IPv4 clients unless the namespace makes IPv6 sockets
// IPv6-only (net.ipv6.bindv6only=1): `port: tcp:8080` counts it in the first case only, as an
// IPv4 connection to 127.0.0.1:8080 from inside each container agrees.
TEST_F(ChecksEngineTest, DualStackListenerCountsAsIpv4UnlessBindv6only) {
  std::string net = network();
  std::vector<std::string> httpd = {"/bin/httpd", "-f", "-p", "[::]:8080", "-h", "/www"};
  RunOptions o;
  o.targets["dual"] = start("dual", full_, httpd, net);
  o.targets["v6only"] = start("v6only", full_, httpd, net, {{"Sysctls", {{"net.ipv6.bindv6only", "1"}}}});
  LoadOptions lo;
  lo.services = {"dual", "v6only"};
  // Both servers up first: "not listening" must not pass merely because httpd has not started.
  for (const std::string service : {"dual", "v6only"}) {
    Suite ready = load_gossfile_text(
        "port:\n  tcp6:8080: {listening: true, ip: ['::'], retry_count: 40, "
        "retry_delay: 250ms, x-service: " +
            service + "}\n",
        "ready.yaml", lo);
    auto r = run_suite(client, ready, o);
    ASSERT_EQ(r[0].status(), Status::Pass) << service << "\n" << describe(r[0]);
  }
  auto check = [&](const std::string& service, bool ipv4) {
    Suite s = load_gossfile_text("x-slipway: {service: " + service +
                                     "}\n"
                                     "port:\n  tcp:8080: {listening: " +
                                     (ipv4 ? "true, ip: ['0.0.0.0']" : "false") +
                                     "}\n"
                                     "addr:\n  tcp://127.0.0.1:8080: {reachable: " +
                                     (ipv4 ? "true" : "false") + ", timeout: 2000}\n",
                                 service + ".yaml", lo);
    for (const auto& r : run_suite(client, s, o)) EXPECT_EQ(r.status(), Status::Pass) << service << "\n" << describe(r);
  };
  check("dual", true);
  check("v6only", false);

  // What decided it, read inside each namespace: its bindv6only and, from sock_diag, the flag
  // of httpd's socket (a new namespace starts with bindv6only=0 whatever the host has).
  for (const auto& [service, v6only] : {std::pair<std::string, bool>{"dual", false}, {"v6only", true}}) {
    int pid = client.inspect_container(o.targets[service].container)["State"]["Pid"];
    V6OnlyFlags flags;
    in_network_namespace(pid, [&] { flags = read_v6only_flags(false); });
    EXPECT_EQ(flags.bindv6only, v6only) << service;
    ASSERT_EQ(flags.by_inode.size(), 1u) << service;
    EXPECT_EQ(flags.by_inode.begin()->second, v6only) << service;
  }
}

// goss's own integration gossfile against a container it was not written for: every resource
// runs (passing or failing with a reason) or is skipped with a reason; nothing is ignored.
TEST_F(ChecksEngineTest, GossSharedRunsOrSkipsEveryResource) {
  std::string net = network();
  RunOptions o;
  o.targets["web"] = start("web", full_, {"/bin/httpd", "-f", "-p", "8080", "-h", "/www"}, net);
  o.retry_timeout = std::chrono::milliseconds(0);
  LoadOptions lo;
  lo.services = {"web"};
  lo.env = {{"OS", "debian"}};
  Suite s = load_gossfile(SLIPWAY_SOURCE_DIR "/../shared/corpus/goss/integration-tests/goss/goss-shared.yaml", lo);
  auto results = run_suite(client, s, o);
  ASSERT_EQ(results.size(), s.checks.size());
  int passed = 0;
  for (const auto& r : results) {
    ASSERT_FALSE(r.properties.empty()) << r.check.key();
    for (const auto& p : r.properties) {
      if (p.status == Status::Skip) {
        EXPECT_FALSE(p.skip_reason.empty()) << r.check.key() << " " << p.property;
      }
      if (p.status == Status::Pass) ++passed;
    }
  }
  auto m = by_key(results);
  EXPECT_EQ(m["user:root"].status(), Status::Pass) << describe(m["user:root"]);
  EXPECT_EQ(m["kernel-param:kernel.ostype"].status(), Status::Pass);
  EXPECT_EQ(m["service:dnsmasq"].status(), Status::Skip);
  EXPECT_EQ(m["command:echo 'hi'"].status(), Status::Pass) << describe(m["command:echo 'hi'"]);
  EXPECT_EQ(m["command:command-override"].status(), Status::Pass) << describe(m["command:command-override"]);
  EXPECT_EQ(m["gossfile:bypath"].status(), Status::Fail);
  EXPECT_GT(passed, 20);
}

}  // namespace
}  // namespace slipway::checks

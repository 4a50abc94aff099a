// The edge on the real engine: the Caddy image built from Debian's package, one edge in front of
// two busybox httpd backends (A and B) on a test network, switched back and forth under load.
//
// Everything the suite creates carries io.slipway.test=<run id> and is removed in
// TearDownTestSuite, also after a failure; the edge image itself is kept (it is the product's
// image, rebuilt only when its recipe changes, like debian:bookworm).
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "edge/container.h"
#include "edge/edge.h"
#include "edge/image.h"
#include "engine/build_context.h"
#include "engine/client.h"
#include "support/free_port.h"
#include "support/http_load.h"

namespace slipway::edge {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string random_id() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 10; ++i) s += hex[gen() % 16];
  return s;
}

// A TCP port nobody listens on right now (the engine test publishes the edge on it).
using testsupport::free_port;

struct HttpResult {
  CURLcode rc = CURLE_OK;
  long status = 0;
  std::string body;
  std::string location;
  std::string error;
};

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One request on a fresh connection. `ca_pem`: trust that root (HTTPS); `host`: Host header.
HttpResult http_get(const std::string& url, const std::string& host = "", const std::string& ca_pem = "") {
  HttpResult r;
  CURL* c = curl_easy_init();
  char err[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_slist* headers = nullptr;
  if (!host.empty()) headers = curl_slist_append(headers, ("Host: " + host).c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_blob blob{const_cast<char*>(ca_pem.data()), ca_pem.size(), CURL_BLOB_COPY};
  if (!ca_pem.empty()) curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
  r.rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  char* location = nullptr;
  curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
  if (location) r.location = location;
  r.error = err[0] ? err : curl_easy_strerror(r.rc);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return r;
}


// Constant load: a request fails unless it gets 200 and a backend's page ("A\n" or "B\n").
using Load = testsupport::HttpLoad;
Load::Options load_options(const std::string& url) {
  Load::Options o;
  o.url = url;
  o.host = "edge.test";
  o.threads = 4;
  o.accept = [](const std::string& body) { return body == "A\n" || body == "B\n"; };
  o.timeout_s = 60;
  return o;
}

class EdgeEngineTest : public ::testing::Test {
 protected:
  static inline std::string run_id, project, network, backend_image, a, b;
  static inline engine::Client* client = nullptr;
  static inline fs::path scratch;
  static inline EdgeOptions options;
  static inline EdgeInstance edge;
  static inline Routing routing;
  static inline int http_port = 0, https_port = 0;

  static engine::Labels test_label() { return {{"io.slipway.test", run_id}}; }

  static void SetUpTestSuite() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    run_id = random_id();
    project = "sliptest-" + run_id;
    client = new engine::Client();
    client->ping();  // no engine: fail loudly, never skip
    scratch = fs::temp_directory_path() / ("slipway-edge-test-" + run_id);
    fs::create_directories(scratch);
    auto started = std::chrono::steady_clock::now();
    EdgeImage image = ensure_edge_image(*client, [](const std::string& line) {
      if (line.rfind("Step ", 0) == 0) std::cerr << "  edge image: " << line << "\n";
    });
    std::cerr << "edge image " << image.tag << (image.built ? " built" : " present") << " in "
              << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count()
              << " s\n";
    build_backend_image();
    network = project + "_default";
    client->create_network({{"Name", network}, {"Labels", test_label()}});
    a = project + "-a";
    b = project + "-b";
    start_backend(a, "/www/a");
    start_backend(b, "/www/b");

    http_port = free_port();
    https_port = free_port();
    ojson model = {{"name", project},
                   {"services", {{"web", {{"image", "x"}}}}},
                   {"x-slipway",
                    {{"edge", {{"http", http_port}, {"https", https_port}}},
                     {"routes", {{"http://edge.test", "web:8000"}, {"localhost", "web:8000"}}}}}};
    routing = parse_routing(model, fixed_locator());
    options.project = project;
    options.settings = routing.settings;
    options.networks = {network};
    options.admin_root = (scratch / "admin").string();
    options.extra_labels = test_label();
    edge = start_edge(*client, options);
  }

  // FROM scratch: busybox httpd serving /www/a or /www/b, each with index.html ("A"/"B") and a
  // CGI that sleeps ?N seconds (a long request to watch drain).
  static void build_backend_image() {
    backend_image = "slipway-edge-test-" + run_id + ":latest";
    engine::BuildContext ctx;
    auto add = [&](const std::string& path, const std::string& content, unsigned mode) {
      engine::ContextEntry e;
      e.path = path;
      e.content = content;
      e.size = static_cast<std::int64_t>(content.size());
      e.mode = mode;
      ctx.entries.push_back(e);
    };
    auto link = [&](const std::string& path, const std::string& target) {
      engine::ContextEntry e;
      e.kind = engine::ContextEntry::Kind::symlink;
      e.path = path;
      e.link_target = target;
      e.mode = 0777;
      ctx.entries.push_back(e);
    };
    std::ifstream in("/bin/busybox", std::ios::binary);
    std::stringstream busybox;
    busybox << in.rdbuf();
    add("Dockerfile", "FROM scratch\nCOPY bin /bin\nCOPY www /www\n", 0644);
    add("bin/busybox", busybox.str(), 0755);
    link("bin/sh", "busybox");
    link("bin/sleep", "busybox");
    const std::string slow = "#!/bin/sh\nsleep ${QUERY_STRING:-3}\necho 'Content-Type: text/plain'\necho\necho slow\n";
    // What the service learns about the client from the edge.
    const std::string forwarded =
        "#!/bin/sh\necho 'Content-Type: text/plain'\necho\n"
        "echo \"for=$HTTP_X_FORWARDED_FOR proto=$HTTP_X_FORWARDED_PROTO host=$HTTP_X_FORWARDED_HOST\"\n";
    for (const char* page : {"a", "b"}) {
      std::string up = page[0] == 'a' ? "A" : "B";
      add(std::string("www/") + page + "/index.html", up + "\n", 0644);
      add(std::string("www/") + page + "/cgi-bin/slow", slow, 0755);
      add(std::string("www/") + page + "/cgi-bin/forwarded", forwarded, 0755);
    }
    ctx.dockerfile = "Dockerfile";
    engine::BuildOptions bo;
    bo.tags = {backend_image};
    bo.labels = test_label();
    client->build_image(engine::context_tar_reader(ctx), bo);
  }

  static void start_backend(const std::string& name, const std::string& root) {
    json body = {{"Image", backend_image},
                 {"Cmd", {"/bin/busybox", "httpd", "-f", "-p", "8000", "-h", root}},
                 {"Labels", test_label()},
                 {"HostConfig", {{"NetworkMode", network}}}};
    client->start_container(client->create_container(name, body));
  }

  static void TearDownTestSuite() {
    if (!client) return;
    engine::Filters mine = engine::label_filters(test_label());
    for (const auto& c : client->list_containers(mine, true)) try {
        client->remove_container(c["Id"], true, true);
      } catch (const std::exception&) {
      }
    for (const auto& n : client->list_networks(mine)) try {
        client->remove_network(n["Id"]);
      } catch (const std::exception&) {
      }
    for (const auto& v : client->list_volumes(mine)) try {
        client->remove_volume(v["Name"], true);
      } catch (const std::exception&) {
      }
    try {
      client->remove_image(backend_image, true);
    } catch (const std::exception&) {
    }
    std::error_code ec;
    fs::remove_all(scratch, ec);
    delete client;
    client = nullptr;
  }

  static std::string plain_url() { return "http://127.0.0.1:" + std::to_string(http_port) + "/"; }
  static std::string page() { return http_get(plain_url(), "edge.test").body; }
  static std::string route_of(const std::string& key) {
    for (const auto& r : routing.routes)
      if (r.key == key) return r.id;
    return "";
  }
  static std::string plain_route() { return route_of("http://edge.test"); }

  // Every route at A.
  void SetUp() override {
    Admin admin = edge.admin();
    admin.apply_routes(routing, {{plain_route(), {a + ":8000"}}, {route_of("localhost"), {a + ":8000"}}}, false);
    ASSERT_EQ(page(), "A\n");
  }
};

TEST_F(EdgeEngineTest, TheImageIsLabelledAndNotRebuilt) {
  EdgeImage again = ensure_edge_image(*client);
  EXPECT_FALSE(again.built);
  EXPECT_EQ(again.tag, edge.image);
  json img = client->inspect_image(again.tag);
  EXPECT_EQ(img["Config"]["Labels"][kEdgeRecipeLabel].get<std::string>().substr(0, 12), again.tag.substr(13));
  EXPECT_EQ(img["Config"]["Labels"]["io.slipway.role"], "edge-image");
  EXPECT_EQ(img["Config"]["User"], "caddy");
}

TEST_F(EdgeEngineTest, TheContainerIsAComposeServiceOfTheStack) {
  json c = client->inspect_container(edge.container_id);
  const json& labels = c["Config"]["Labels"];
  EXPECT_EQ(labels["com.docker.compose.project"], project);
  EXPECT_EQ(labels["com.docker.compose.service"], "slipway-edge");
  EXPECT_EQ(labels["com.docker.compose.oneoff"], "False");
  EXPECT_EQ(labels["io.slipway.role"], "edge");
  EXPECT_EQ(c["HostConfig"]["RestartPolicy"]["Name"], "unless-stopped");
  EXPECT_TRUE(c["NetworkSettings"]["Networks"].contains(network));
  auto found = find_edge(*client, project);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->container_id, edge.container_id);
  EXPECT_EQ(found->socket_path, edge.socket_path);
}

TEST_F(EdgeEngineTest, SwitchingUnderLoadFailsNoRequest) {
  Admin admin = edge.admin();
  Load load(load_options(plain_url()));
  std::this_thread::sleep_for(1s);
  for (int round = 0; round < 3; ++round) {
    for (const std::string& target : {b, a}) {
      admin.switch_upstreams(plain_route(), {target + ":8000"});
      // The first request after the switch returns is served by the new backend.
      EXPECT_EQ(page(), target == b ? "B\n" : "A\n") << "round " << round;
      std::this_thread::sleep_for(1s);
    }
  }
  load.stop();
  std::cerr << "requests during 6 switches: " << load.ok() << " ok, " << load.failed() << " failed\n";
  EXPECT_EQ(load.failed(), 0) << ::testing::PrintToString(load.failures());
  EXPECT_GT(load.ok(), 20);  // the load really ran
  EXPECT_EQ(admin.upstreams(plain_route()), std::vector<std::string>{a + ":8000"});
}

// The point of the two Caddy processes (docs/edge.md): a switch reloads only the back, which no
// client connection reaches (the front opens a new connection to it for every request), so
// even clients that never retry see no failure. Each switch is what a deploy makes (one
// POST /load of the whole config), in back-to-back pairs, the worst case measured for the
// one-process edge. For a measurement (docs/deploy.md has the figures):
// SLIPWAY_EDGE_STRESS_SWITCHES=N makes N switches; SLIPWAY_EDGE_STRESS_RELOAD=front reloads
// the front instead, as often and with the same rhythm (its grace period toggled between 30 and
// 31 s), which is what every switch did when the edge was one Caddy: the baseline, reported and
// not asserted.
TEST_F(EdgeEngineTest, ReloadsOfTheBackFailNoRequestOfClientsThatNeverRetry) {
  int switches = 20;
  if (const char* n = std::getenv("SLIPWAY_EDGE_STRESS_SWITCHES")) switches = std::max(2, std::atoi(n));
  const char* mode = std::getenv("SLIPWAY_EDGE_STRESS_RELOAD");
  bool baseline = mode && std::string(mode) == "front";
  Admin admin = edge.admin();
  json front_before = admin.current_front_config();
  Load load(load_options(plain_url()));
  std::this_thread::sleep_for(1s);
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < switches; ++i) {
    if (baseline) {
      json front = front_before;
      front["apps"]["http"]["grace_period"] = i % 2 == 0 ? "31s" : "30s";
      Admin(edge.front_socket_path).load(front);  // Admin::load posts to the socket it is given
    } else {
      const std::string& target = i % 2 == 0 ? b : a;
      admin.apply_routes(routing, {{plain_route(), {target + ":8000"}}, {route_of("localhost"), {target + ":8000"}}});
    }
    if (i % 2 == 1) std::this_thread::sleep_for(300ms);  // a pair back to back, then a pause
  }
  std::this_thread::sleep_for(1s);
  load.stop();
  std::cerr << "requests during " << switches
            << (baseline ? " reloads of the FRONT" : " switches (reloads of the back)") << " in "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count()
            << " s: " << load.ok() << " ok, " << load.failed() << " failed (never retried)\n";
  for (const auto& f : load.failures()) std::cerr << "  " << f << "\n";
  EXPECT_GT(load.ok(), 20);
  if (baseline) return;
  EXPECT_EQ(load.failed(), 0) << ::testing::PrintToString(load.failures());
  EXPECT_EQ(admin.current_front_config(), front_before) << "a switch never changes the front";
}

TEST_F(EdgeEngineTest, TheServiceLearnsTheClientFromXForwardedHeaders) {
  HttpResult r = http_get(plain_url() + "cgi-bin/forwarded", "edge.test");
  ASSERT_EQ(r.status, 200) << r.error << " " << r.body;
  // The front sets them; the back passes them on although its client is a unix socket.
  EXPECT_EQ(r.body.rfind("for=", 0), 0u) << r.body;
  EXPECT_EQ(r.body.find("for= "), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(" proto=http host=edge.test"), std::string::npos) << r.body;
}

TEST_F(EdgeEngineTest, OldUpstreamDrainsAfterTheSwitch) {
  Admin admin = edge.admin();
  std::atomic<bool> done{false};
  HttpResult slow;
  std::thread t([&] {
    slow = http_get(plain_url() + "cgi-bin/slow?8", "edge.test");
    done = true;
  });
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (admin.in_flight(a + ":8000") == 0 && !done && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  ASSERT_FALSE(done) << "the slow request ended before it was seen in flight: " << slow.status << " " << slow.body;
  admin.switch_upstreams(plain_route(), {b + ":8000"});
  EXPECT_EQ(page(), "B\n");
  if (!done) {
    EXPECT_EQ(admin.in_flight(a + ":8000"), 1);  // still counted after the switch
  }
  EXPECT_TRUE(admin.wait_drained({a + ":8000"}, 120s));
  t.join();
  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(slow.body, "slow\n");  // the old request finished on A, undisturbed
  EXPECT_EQ(admin.in_flight(a + ":8000"), 0);
}

TEST_F(EdgeEngineTest, AdminApiIsUnreachableFromTheNetwork) {
  // The edge listens on TCP for its public ports only: no admin port anywhere.
  engine::ExecOptions cat;
  cat.cmd = {"cat", "/proc/net/tcp", "/proc/net/tcp6"};
  engine::ExecResult r = client->exec(edge.container_id, cat);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<int> listening;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, state;
    f >> sl >> local >> remote >> state;
    // Docker's embedded DNS listens on 127.0.0.11 in every container on a user network.
    if (state == "0A" && local.rfind("0B00007F:", 0) != 0)
      listening.insert(std::stoi(local.substr(local.rfind(':') + 1), nullptr, 16));
  }
  // (HTTPS is served once a TLS route exists: "localhost" here.)
  EXPECT_EQ(listening, (std::set<int>{http_port, https_port}));

  // Another container on the same network: Caddy's default admin port is closed, and asking
  // the public port for the admin API's paths reaches a route, never the config.
  std::string edge_name = edge.container_name;
  std::string script = "wget -q -T 5 -O - http://" + edge_name + ":2019/config/; echo \"admin-port=$?\"; " +
                       "wget -q -T 5 -O - --header 'Host: edge.test' http://" + edge_name + ":" +
                       std::to_string(http_port) + "/config/; echo \"public-port=$?\"; " +
                       "ls /run/slipway-admin; echo \"socket-dir=$?\"";
  json body = {{"Image", backend_image},
               {"Cmd", {"/bin/busybox", "sh", "-c", script}},
               {"Labels", test_label()},
               {"HostConfig", {{"NetworkMode", network}}}};
  std::string prober = client->create_container(project + "-prober", body);
  client->start_container(prober);
  client->wait_container(prober);
  engine::Output out = client->logs(prober);
  EXPECT_NE(out.out.find("admin-port=1"), std::string::npos) << out.out << out.err;
  EXPECT_NE(out.out.find("public-port=1"), std::string::npos) << out.out << out.err;  // busybox's 404
  EXPECT_EQ(out.out.find("\"admin\""), std::string::npos) << out.out;
  EXPECT_EQ(out.out.find("persist"), std::string::npos) << out.out;
  EXPECT_EQ(out.out.find("socket-dir=0"), std::string::npos) << out.out << out.err;
}

TEST_F(EdgeEngineTest, LocalhostIsServedWithTheInternalCa) {
  Admin admin = edge.admin();
  std::string ca = admin.internal_ca_root();
  ASSERT_NE(ca.find("BEGIN CERTIFICATE"), std::string::npos);
  std::string url = "https://localhost:" + std::to_string(https_port) + "/";
  HttpResult r;
  auto deadline = std::chrono::steady_clock::now() + 90s;  // the certificate is issued in the background
  do {
    r = http_get(url, "", ca);
    if (r.rc == CURLE_OK) break;
    std::this_thread::sleep_for(500ms);
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(r.rc, CURLE_OK) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "A\n");
  // Plain HTTP for a TLS route is redirected to HTTPS on the public port.
  HttpResult redirect = http_get(plain_url(), "localhost");
  EXPECT_EQ(redirect.status, 308);
  EXPECT_EQ(redirect.location, url);
  // No route: 404, not Caddy's empty 200.
  HttpResult none = http_get(plain_url(), "nobody.test");
  EXPECT_EQ(none.status, 404);
}

TEST_F(EdgeEngineTest, RoutesSurviveARestartOfTheEdge) {
  Admin admin = edge.admin();
  admin.switch_upstreams(plain_route(), {b + ":8000"});
  client->restart_container(edge.container_id, kEdgeStopTimeout);
  admin.wait_ready(120s);
  EXPECT_EQ(admin.upstreams(plain_route()), std::vector<std::string>{b + ":8000"});
  EXPECT_EQ(page(), "B\n");
  // A crash leaves the old socket file behind; the edge still comes back.
  client->kill_container(edge.container_id);
  client->start_container(edge.container_id);
  admin.wait_ready(120s);
  EXPECT_EQ(page(), "B\n");
}

// The entrypoint ties the two processes together: one of them dying ends the container, whose
// restart policy brings both back with their autosaved configs.
TEST_F(EdgeEngineTest, WhenOneCaddyDiesTheEdgeComesBackWhole) {
  Admin admin = edge.admin();
  admin.switch_upstreams(plain_route(), {b + ":8000"});
  int restarts = client->inspect_container(edge.container_id).value("RestartCount", 0);
  for (const char* which : {"back.json", "front.json"}) {
    engine::ExecOptions kill;
    // The Caddy process whose command line names that config (not this shell, which names it too).
    kill.cmd = {"bash", "-c",
                std::string("for p in /proc/[0-9]*; do c=$(tr '\\0' ' ' < $p/cmdline 2>/dev/null); "
                            "case \"$c\" in \"caddy run\"*") +
                    which + "*) kill -KILL ${p##*/};; esac; done"};
    client->exec(edge.container_id, kill);
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (client->inspect_container(edge.container_id).value("RestartCount", 0) == restarts &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(100ms);
    int now = client->inspect_container(edge.container_id).value("RestartCount", 0);
    EXPECT_EQ(now, restarts + 1) << "killing the process of " << which << " restarts the edge";
    restarts = now;
    admin.wait_ready(120s);
    EXPECT_EQ(page(), "B\n") << which;
  }
}

TEST_F(EdgeEngineTest, ARecreatedContainerResumesFromTheStateVolume) {
  Admin admin = edge.admin();
  admin.switch_upstreams(plain_route(), {b + ":8000"});
  client->remove_container(edge.container_id, true);
  edge = start_edge(*client, options);  // no apply_routes: the config comes from the volume
  EXPECT_TRUE(edge.created);
  EXPECT_EQ(admin.upstreams(plain_route()), std::vector<std::string>{b + ":8000"});
  EXPECT_EQ(page(), "B\n");
}

TEST_F(EdgeEngineTest, StartEdgeAgainKeepsTheContainerAndJoinsNewNetworks) {
  std::string extra = project + "_extra";
  client->create_network({{"Name", extra}, {"Labels", test_label()}});
  EdgeOptions more = options;
  more.networks.push_back(extra);
  EdgeInstance again = start_edge(*client, more);
  EXPECT_FALSE(again.created);
  EXPECT_FALSE(again.image_built);
  EXPECT_EQ(again.container_id, edge.container_id);
  EXPECT_TRUE(client->inspect_container(edge.container_id)["NetworkSettings"]["Networks"].contains(extra));
  EXPECT_EQ(page(), "A\n");  // no interruption of the routes
  // And leaves it again when it is no longer wanted.
  start_edge(*client, options);
  EXPECT_FALSE(client->inspect_container(edge.container_id)["NetworkSettings"]["Networks"].contains(extra));
  client->remove_network(extra);
}

TEST_F(EdgeEngineTest, ATakenPortFailsCleanlyAndRemoveEdgeCleansUp) {
  EdgeOptions other = options;
  other.project = project + "-two";
  other.networks = {network};
  try {
    start_edge(*client, other);  // same public ports as the running edge
    FAIL() << "no error";
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot publish its ports"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(client->find_container(edge_container_name(other.project)));
  EXPECT_FALSE(client->find_volume(edge_volume_name(other.project)));

  other.publish = false;
  EdgeInstance two = start_edge(*client, other);
  EXPECT_TRUE(two.created);
  EXPECT_TRUE(fs::exists(two.socket_path));
  EXPECT_EQ(fs::status(options.admin_root).permissions(), fs::perms::owner_all);
  remove_edge(*client, other.project, true, options.admin_root);
  EXPECT_FALSE(client->find_container(two.container_id));
  EXPECT_FALSE(client->find_volume(edge_volume_name(other.project)));
  EXPECT_FALSE(fs::exists(fs::path(two.socket_path).parent_path()));
  EXPECT_FALSE(find_edge(*client, other.project));
}

}  // namespace
}  // namespace slipway::edge

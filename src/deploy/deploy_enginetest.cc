// `slipway deploy`, `rollback` and `history` on the real engine, through the slipway binary, with
// a constant load on the stack's edge: a FROM-scratch busybox httpd stack ("web", routed through
// the edge as http://web.test) deployed again and again from images that differ in what they
// serve and how healthy they are. Every case asserts the failed-request count of the load: 0.
//
// The cases share one stack and run in order (each starts from the generation the previous one
// left live); each also runs alone (--gtest_filter): it first deploys the version it starts
// from when that is not the one serving (make_live), which changes nothing when run in order. Everything carries io.slipway.test=<run id> or the test's project name and is
// removed in TearDownTestSuite, also after a failure; the edge image (the product's, built from
// debian:bookworm) is kept.
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "edge/edge.h"
#include "edge/image.h"
#include "engine/build_context.h"
#include "engine/client.h"
#include "support/fault_relay.h"
#include "util/subprocess.h"
#include "support/free_port.h"
#include "support/http_load.h"

namespace slipway::deploy {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string random_id() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  std::string s;
  for (int i = 0; i < 8; ++i) s += "0123456789abcdef"[gen() % 16];
  return s;
}

using testsupport::free_port;

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}


// Constant load through the edge: a request fails unless it gets 200 and a version page ("v..."),
// at a constant pace, not flooding: the machine is shared.
using Load = testsupport::HttpLoad;
Load::Options load_options(const std::string& url, int threads) {
  Load::Options o;
  o.url = url;
  o.host = "web.test";
  o.threads = threads;
  o.accept = [](const std::string& body) { return body.rfind("v", 0) == 0; };
  o.pause = std::chrono::milliseconds(2);
  return o;
}

class DeployEngineTest : public ::testing::Test {
 protected:
  static inline std::string run_id, project, repo;
  static inline engine::Client* client = nullptr;
  static inline fs::path dir;
  static inline int http_port = 0, https_port = 0;

  static void SetUpTestSuite() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    run_id = random_id();
    project = "sliptest-dep-" + run_id;
    repo = project + "-web";
    client = new engine::Client();
    client->ping();  // no engine: fail loudly, never skip
    dir = fs::temp_directory_path() / ("slipway-deploy-test-" + run_id);
    fs::create_directories(dir / "state");
    fs::create_directories(dir / "run");
    fs::create_directories(dir / "tests");
    auto t0 = std::chrono::steady_clock::now();
    edge::EdgeImage image = edge::ensure_edge_image(*client);
    std::cerr << "edge image " << image.tag << (image.built ? " built" : " present") << " in "
              << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - t0).count()
              << " s\n";
    const std::string serve = R"(["/bin/busybox", "httpd", "-f", "-p", "8000", "-h", "/www"])";
    build_image("v1", "v1\n", true, true, serve);
    build_image("v2", "v2\n", true, true, serve);
    build_image("v3", "v3\n", true, true, serve);
    build_image("nohealth", "v-nohealth\n", false, true, serve);  // its healthcheck fails
    build_image("nocheck", "v-nocheck\n", true, false, serve);    // its checks fail
    // Healthy at first, sick after 6 s: passes the gates, fails in the watch window.
    build_image("flaky", "v-flaky\n", true, true,
                R"(["/bin/sh", "-c", "(sleep 6; rm /www/health.txt) & exec /bin/busybox httpd -f -p 8000 -h /www"])");
    std::ofstream(dir / "tests" / "web.yaml") << "x-slipway:\n  service: web\nfile:\n  /www/release.txt:\n"
                                                 "    exists: true\n    contains: [released]\n";
    // A smoke check (every image passes it): the watch window runs it against the new web.
    std::ofstream(dir / "tests" / "smoke.yaml") << "x-slipway:\n  service: web\n  smoke: true\nfile:\n"
                                                   "  /www/index.html:\n    exists: true\n";
    http_port = free_port();
    https_port = free_port();
    write_compose("v1");
  }

  // A FROM-scratch image serving `page`; with `health` it has the page the healthcheck asks
  // for, with `release` the file the stack's check looks at.
  static void build_image(const std::string& tag, const std::string& page, bool health, bool release,
                          const std::string& cmd) {
    engine::BuildContext ctx;
    auto add = [&](const std::string& path, const std::string& content, unsigned mode) {
      engine::ContextEntry e;
      e.path = path;
      e.content = content;
      e.size = static_cast<std::int64_t>(content.size());
      e.mode = mode;
      ctx.entries.push_back(e);
    };
    auto link = [&](const std::string& path) {
      engine::ContextEntry e;
      e.kind = engine::ContextEntry::Kind::symlink;
      e.path = path;
      e.link_target = "busybox";
      e.mode = 0777;
      ctx.entries.push_back(e);
    };
    std::ifstream in("/bin/busybox", std::ios::binary);
    std::stringstream busybox;
    busybox << in.rdbuf();
    add("Dockerfile", "FROM scratch\nCOPY bin /bin\nCOPY www /www\nCMD " + cmd + "\n", 0644);
    add("bin/busybox", busybox.str(), 0755);
    for (const char* l : {"bin/sh", "bin/sleep", "bin/rm"}) link(l);
    add("www/index.html", page, 0644);
    if (health) add("www/health.txt", "ok\n", 0644);
    if (release) add("www/release.txt", "released\n", 0644);
    ctx.dockerfile = "Dockerfile";
    engine::BuildOptions bo;
    bo.tags = {repo + ":" + tag};
    bo.labels = {{"io.slipway.test", run_id}};
    client->build_image(engine::context_tar_reader(ctx), bo);
  }

  static void write_compose(const std::string& tag) {
    std::ofstream(dir / "compose.yaml") << "name: " << project << R"(
services:
  web:
    image: )" << repo << ":" << tag << R"(
    labels: {io.slipway.test: ")" << run_id
                                        << R"("}
    healthcheck:
      test: ["CMD", "/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/health.txt"]
      interval: 1s
      timeout: 2s
      retries: 2
networks:
  default:
    labels: {io.slipway.test: ")" << run_id
                                        << R"("}
x-slipway:
  edge: {http: )" << http_port
                                        << ", https: " << https_port << R"(}
  routes: {"http://web.test": "web:8000"}
  deploy: {watch: 2, keep: 2}
)";
  }

  static SubprocessOptions env() {
    SubprocessOptions o;
    o.extra_env["SLIPWAY_STATE_DIR"] = (dir / "state").string();
    o.extra_env["SLIPWAY_RUNTIME_DIR"] = (dir / "run").string();
    return o;
  }

  static SubprocessResult slipway(std::vector<std::string> args, SubprocessOptions o = env()) {
    std::vector<std::string> argv = {SLIPWAY_BINARY, "-f", (dir / "compose.yaml").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, o);
  }

  static void TearDownTestSuite() {
    if (!client) return;
    slipway({"down", "-v"});
    try {
      edge::remove_edge(*client, project, true, (dir / "state" / "edge").string());
    } catch (const std::exception&) {
    }
    engine::Filters mine = engine::label_filters({{"io.slipway.test", run_id}});
    for (const auto& c : client->list_containers(mine, true)) try {
        client->remove_container(c["Id"], true, true);
      } catch (const std::exception&) {
      }
    for (const auto& n : client->list_networks(mine)) try {
        client->remove_network(n["Id"]);
      } catch (const std::exception&) {
      }
    for (const auto& img : client->list_images(engine::Filters{{"reference", {repo + "*", project + "*"}}})) try {
        client->remove_image(img["Id"], true);
      } catch (const std::exception&) {
      }
    std::error_code ec;
    fs::remove_all(dir, ec);
    delete client;
    client = nullptr;
  }

  static std::string page() {
    CURL* c = curl_easy_init();
    std::string body;
    curl_slist* headers = curl_slist_append(nullptr, "Host: web.test");
    std::string url = "http://127.0.0.1:" + std::to_string(http_port) + "/";
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_perform(c);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return body;
  }

  static std::string url() { return "http://127.0.0.1:" + std::to_string(http_port) + "/"; }

  // The web containers: name -> state.
  static std::map<std::string, std::string> web_containers() {
    std::map<std::string, std::string> out;
    for (const auto& c : client->list_containers(
             engine::label_filters({{"com.docker.compose.project", project}, {"com.docker.compose.service", "web"}}),
             true))
      out[c["Names"][0].get<std::string>().substr(1)] = c.value("State", "");
    return out;
  }

  static json history() { return json::parse(slipway({"history", "--json"}).out); }

  // Makes `tag` the live version with a plain deploy, unless it serves already.
  static void make_live(const std::string& tag) {
    if (page() == tag + "\n") return;
    write_compose(tag);
    SubprocessResult r = slipway({"deploy"});
    ASSERT_EQ(r.exit_code, 0) << "making " << tag << " live: " << r.err;
    ASSERT_EQ(page(), tag + "\n");
  }

  // How many times the edge's two Caddy processes have reloaded their configs so far (each logs
  // "stopped previous server" once per reload). A deploy makes as few as its switches need: one
  // reload of the back to switch, one more to switch back, and none of the front, whose reload
  // would close its clients' idle connections (edge/admin.h).
  static int edge_reloads() {
    auto edge = edge::find_edge(*client, project);
    if (!edge) return 0;
    engine::Output o = client->logs(edge->container_id);
    std::string all = o.out + o.err;
    int n = 0;
    for (size_t at = all.find("stopped previous server"); at != std::string::npos;
         at = all.find("stopped previous server", at + 1))
      ++n;
    return n;
  }

  // Deploys `tag` with the load running; returns the deploy's result. The load's counts go to
  // `load_failed`/`load_ok`.
  static SubprocessResult deploy_under_load(const std::string& tag, std::vector<std::string> extra, long* failed,
                                            std::string* failures) {
    write_compose(tag);
    Load load(load_options(url(), 4));
    std::this_thread::sleep_for(500ms);
    std::vector<std::string> args = {"deploy"};
    args.insert(args.end(), extra.begin(), extra.end());
    SubprocessResult r = slipway(args);
    std::this_thread::sleep_for(500ms);
    load.stop();
    *failed = load.failed();
    *failures = load.failures_text();
    std::cerr << "  deploy " << tag << ": exit " << r.exit_code << ", load " << load.ok() << " ok, " << load.failed()
              << " failed (never retried)\n";
    return r;
  }

  // One web container runs, the edge routes to it, nothing else of web is left.
  static void expect_one_live(const std::string& body) {
    auto web = web_containers();
    EXPECT_EQ(web.size(), 1u) << json(web).dump();
    for (const auto& [name, state] : web) EXPECT_EQ(state, "running") << name;
    EXPECT_EQ(page(), body);
    json ps = json::parse(slipway({"ps", "--json"}).out);
    int routed = 0;
    for (const auto& row : ps)
      if (row["Service"] == "web") routed += row["Routed"].get<bool>() && row["State"] == "running";
    EXPECT_EQ(routed, 1) << ps.dump(1);
  }
};

TEST_F(DeployEngineTest, FirstDeployStartsTheEdgeAndGenerationOne) {
  SubprocessResult r = slipway({"deploy"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_one_live("v1\n");
  json h = history();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0]["status"], "deployed");
  EXPECT_EQ(h[0]["generation"], 1);
  // Nothing changed: no new generation.
  r = slipway({"deploy"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("nothing to deploy"), std::string::npos) << r.err;
}

TEST_F(DeployEngineTest, GoodDeployUnderLoadFailsNoRequest) {
  ASSERT_NO_FATAL_FAILURE(make_live("v1"));
  long failed = -1;
  std::string failures;
  int reloads = edge_reloads();
  SubprocessResult r = deploy_under_load("v2", {}, &failed, &failures);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(failed, 0) << failures;
  EXPECT_EQ(edge_reloads() - reloads, 1) << "a deploy switches its routes in one edge change and makes no other";
  expect_one_live("v2\n");
  json h = history();
  EXPECT_EQ(h[0]["status"], "deployed");
  EXPECT_EQ(h[0]["generation"], 2);
  // The watch window ran the smoke checks against the new web.
  bool smoke_ran = false;
  for (const auto& g : h[0]["gates"])
    smoke_ran = smoke_ran || (g["gate"] == "watch" &&
                              g["detail"].get<std::string>().find("smoke checks passed") != std::string::npos);
  EXPECT_TRUE(smoke_ran) << h[0]["gates"].dump();
  // The image of generation 1 is kept for a rollback (keep: 2).
  EXPECT_TRUE(client->find_image(project + "-web-slipway:g1")) << "keep-tag of generation 1";
}

TEST_F(DeployEngineTest, FailingHealthcheckLeavesTheOldGenerationServing) {
  ASSERT_NO_FATAL_FAILURE(make_live("v2"));
  long failed = -1;
  std::string failures;
  SubprocessResult r = deploy_under_load("nohealth", {"--health-timeout", "8"}, &failed, &failures);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("health gate failed"), std::string::npos) << r.err;
  EXPECT_EQ(failed, 0) << failures;
  expect_one_live("v2\n");
  EXPECT_EQ(history()[0]["status"], "failed");
}

TEST_F(DeployEngineTest, FailingCheckLeavesTheOldGenerationServing) {
  ASSERT_NO_FATAL_FAILURE(make_live("v2"));
  long failed = -1;
  std::string failures;
  SubprocessResult r = deploy_under_load("nocheck", {}, &failed, &failures);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("checks gate failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("release.txt"), std::string::npos) << r.err;  // names the failing check
  EXPECT_EQ(failed, 0) << failures;
  expect_one_live("v2\n");
  EXPECT_EQ(history()[0]["status"], "failed");
}

TEST_F(DeployEngineTest, UnhealthyInTheWatchWindowSwitchesBack) {
  ASSERT_NO_FATAL_FAILURE(make_live("v2"));
  long failed = -1;
  std::string failures;
  int reloads = edge_reloads();
  SubprocessResult r = deploy_under_load("flaky", {"--watch", "15"}, &failed, &failures);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("switching back"), std::string::npos) << r.err;
  EXPECT_EQ(failed, 0) << failures;
  EXPECT_EQ(edge_reloads() - reloads, 2) << "one edge change to switch, one to switch back";
  expect_one_live("v2\n");
  EXPECT_EQ(history()[0]["status"], "rolled-back");
}

TEST_F(DeployEngineTest, RollbackToANamedGeneration) {
  if (history().empty()) {  // alone: generation 1 serves v1, then v2 serves
    ASSERT_NO_FATAL_FAILURE(make_live("v1"));
    ASSERT_NO_FATAL_FAILURE(make_live("v2"));
  }
  write_compose("v2");
  Load load(load_options(url(), 4));
  SubprocessResult r = slipway({"rollback", "1"});
  load.stop();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(load.failed(), 0) << load.failures_text();
  expect_one_live("v1\n");
  json h = history();
  EXPECT_EQ(h[0]["kind"], "rollback to 1");
  EXPECT_EQ(h[0]["status"], "deployed");
}

// SIGKILL before the Nth state-changing engine request of a deploy, then a plain deploy: it
// converges (one generation running and routed, nothing left behind) with no failed request.
TEST_F(DeployEngineTest, KilledAtSeveralStepsTheNextDeployConverges) {
  testsupport::FaultRelay relay((dir / "relay.sock").string());
  relay.start();
  SubprocessOptions through = env();
  through.extra_env["DOCKER_HOST"] = relay.address();
  std::string tags[2] = {"v3", "v1"};
  write_compose(tags[0]);
  ASSERT_EQ(slipway({"deploy"}, through).exit_code, 0);
  int total = relay.state_changing_count();
  ASSERT_GT(total, 3);
  std::vector<int> steps = {1, total / 3, total / 2, (2 * total) / 3, total};
  std::cerr << "  a deploy makes " << total << " state-changing engine requests; killing before 1, " << steps[1] << ", "
            << steps[2] << ", " << steps[3] << " and " << total << "\n";
  int i = 1;
  for (int n : steps) {
    const std::string& tag = tags[i++ % 2];
    write_compose(tag);
    Load load(load_options(url(), 2));
    relay.kill_at(n);
    SubprocessResult killed = slipway({"deploy"}, through);
    if (!relay.killed())
      EXPECT_EQ(killed.exit_code, 0) << killed.err;  // this deploy made fewer requests
    else
      EXPECT_EQ(killed.exit_code, 128 + SIGKILL) << "request " << n << ": " << killed.err;
    relay.reset();
    SubprocessResult again = slipway({"deploy"});
    load.stop();
    ASSERT_EQ(again.exit_code, 0) << "after a kill at request " << n << " of " << total << ": " << again.err;
    EXPECT_EQ(load.failed(), 0) << "kill at " << n << ": " << load.failures_text();
    expect_one_live(tag == "v3" ? "v3\n" : "v1\n");
  }
}

}  // namespace
}  // namespace slipway::deploy

// The agent's status page through the stack's edge (x-slipway.agent): a real edge (Debian's
// Caddy) with the agent's route behind basic authentication, and a real `slipway agent` serving
// it on its socket in the edge's admin directory. Asserts the credentials are enforced (none or a
// wrong password: 401; the right one: the page) and that the stack's other containers reach the
// agent only through the edge. Everything carries io.slipway.test=<run id> or the unique project
// name and is removed in TearDown; the edge image is kept (the product's, as in the edge tests).
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "edge/edge.h"
#include "edge/routes.h"
#include "engine/client.h"
#include "util/subprocess.h"
#include "support/free_port.h"

extern char** environ;

namespace slipway {
namespace {

namespace fs = std::filesystem;

// bcrypt (cost 4: the test checks the wiring, not bcrypt's cost) of "right-horse-battery".
const char* kUsers = "owner:$2b$04$NkykBMA2IG838VN6q5ICNOILerYuJxQCgJDiyj0jiP4moKijRmRBi\n";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

using testsupport::free_port;

template <class F>
void ignore(F f) {
  try {
    f();
  } catch (const std::exception&) {
  }
}

class AgentThroughEdge : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    run = std::to_string(rd() % 1000000000);
    project = "slipwayagentedge" + run;
    char tmpl[] = "/tmp/slipway-ae-XXXXXX";
    dir = mkdtemp(tmpl);
    setenv("SLIPWAY_STATE_DIR", (dir + "/state").c_str(), 1);
    setenv("SLIPWAY_RUNTIME_DIR", (dir + "/runtime").c_str(), 1);
  }

  void TearDown() override {
    if (agent > 0) {
      ::kill(agent, SIGKILL);
      ::waitpid(agent, nullptr, 0);
    }
    ignore([&] { edge::remove_edge(client, project, true, dir + "/state/edge"); });
    for (const auto& filter : {engine::label_filters({{"io.slipway.test", run}}),
                               engine::label_filters({{"com.docker.compose.project", project}})}) {
      for (const auto& c : client.list_containers(filter, true))
        ignore([&] { client.remove_container(c["Id"], true, true); });
      for (const auto& v : client.list_volumes(filter)) ignore([&] { client.remove_volume(v["Name"], true); });
      for (const auto& n : client.list_networks(filter)) ignore([&] { client.remove_network(n["Id"]); });
      for (const auto& i : client.list_images(filter)) ignore([&] { client.remove_image(i["Id"], true); });
    }
    fs::remove_all(dir);
    unsetenv("SLIPWAY_STATE_DIR");
    unsetenv("SLIPWAY_RUNTIME_DIR");
  }

  engine::Labels test_label() const { return {{"io.slipway.test", run}}; }

  // Starts `slipway agent` on a free loopback port; returns once it serves the edge's socket.
  void start_agent() {
    std::vector<std::string> args = {SLIPWAY_BINARY, "-f", dir + "/compose.yaml", "agent", "--listen", "127.0.0.1:0"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, (dir + "/agent.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    ASSERT_EQ(posix_spawn(&agent, SLIPWAY_BINARY, &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    std::regex url(R"(status page at http://127\.0\.0\.1:([0-9]+)/)");
    for (int i = 0; i < 100; ++i) {
      std::string log = slurp(dir + "/agent.log");
      std::smatch m;
      if (log.find("serving the status page to the edge on") != std::string::npos && std::regex_search(log, m, url)) {
        agent_port = std::stoi(m[1]);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "the agent did not serve the edge's socket: " << slurp(dir + "/agent.log");
  }

  // {status, body} of GET / for Host status.test on the edge's public HTTP port.
  std::pair<std::string, std::string> get(const std::string& user = "", const std::string& path = "/") {
    std::vector<std::string> args = {"curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "-H", "Host: status.test"};
    if (!user.empty()) args.insert(args.end(), {"-u", user});
    args.push_back("http://127.0.0.1:" + std::to_string(http_port) + path);
    SubprocessResult r = run_process(args);
    auto nl = r.out.rfind('\n');
    return {nl == std::string::npos ? r.out : r.out.substr(nl + 1), nl == std::string::npos ? "" : r.out.substr(0, nl)};
  }

  engine::Client client;
  std::string run, project, dir;
  pid_t agent = -1;
  int agent_port = 0, http_port = 0;
};

TEST_F(AgentThroughEdge, ThePageNeedsTheRightPasswordAndIsReachableOnlyThroughTheEdge) {
  // A FROM-scratch busybox image for the stack's one service, from which the test probes.
  fs::create_directories(dir + "/img");
  fs::copy_file("/bin/busybox", dir + "/img/busybox");
  std::ofstream(dir + "/img/Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\n";
  fs::create_directories(dir + "/secrets");
  std::ofstream(dir + "/secrets/status-users") << kUsers;
  http_port = free_port();
  int https_port = free_port();
  std::ofstream(dir + "/compose.yaml") << "name: " << project << "\n"
                                       << "x-test: &test {io.slipway.test: \"" << run << "\"}\n"
                                       << "services:\n"
                                       << "  web:\n"
                                       << "    build: {context: ./img, labels: *test}\n"
                                       << "    command: [/bin/busybox, sleep, '600']\n"
                                       << "    labels: *test\n"
                                       << "    stop_grace_period: 1s\n"
                                       << "networks:\n  default: {labels: *test}\n"
                                       << "x-slipway:\n"
                                       << "  schedule: {backup: 'off', drill: 'off', forget: 'off', update-check: 'off', "
                                          "drift: 'off'}\n"
                                       << "  edge: {http: " << http_port << ", https: " << https_port << "}\n"
                                       << "  agent: {route: 'http://status.test', users-file: ./secrets/status-users}\n";
  SubprocessResult up = run_process({SLIPWAY_BINARY, "-f", dir + "/compose.yaml", "up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;

  // The edge as deploy makes it: the routing from the Compose file, on the stack's network.
  compose::LoadOptions lo;
  lo.files = {dir + "/compose.yaml"};
  compose::Project p = compose::load(lo);
  edge::Routing routing = edge::parse_routing(p);
  ASSERT_TRUE(routing.agent);
  edge::EdgeOptions options;
  options.project = project;
  options.settings = routing.settings;
  options.networks = {project + "_default"};
  options.admin_root = dir + "/state/edge";
  options.extra_labels = test_label();
  edge::EdgeInstance e = edge::start_edge(client, options);
  e.admin().apply_routes(routing, {}, false);
  ASSERT_NO_FATAL_FAILURE(start_agent());

  // Without credentials, with a wrong password, an unknown user: 401 from the edge, no page.
  for (const std::string user : {"", "owner:wrong-horse", "intruder:right-horse-battery"}) {
    auto [status, body] = get(user);
    EXPECT_EQ(status, "401") << user;
    EXPECT_EQ(body.find(project), std::string::npos) << user;
  }
  auto [status, body] = get("owner:right-horse-battery");
  EXPECT_EQ(status, "200") << body;
  EXPECT_NE(body.find(project), std::string::npos) << body.substr(0, 500);
  // The API's token rule is unchanged: the edge passes no credentials on, so it needs a token
  // the edge cannot carry (the Authorization header holds the basic credentials).
  EXPECT_EQ(get("owner:right-horse-battery", "/api/status").first, "401");
  EXPECT_EQ(get("owner:right-horse-battery", "/healthz").first, "200");
  // No password in any log (the agent never gets one; the edge has only the hash).
  engine::Output edge_log = client.logs(e.container_id);
  for (const std::string& log : {edge_log.out + edge_log.err, slurp(dir + "/agent.log")})
    EXPECT_EQ(log.find("horse"), std::string::npos) << log;

  // From the stack's own container: the agent's port on the host is not reachable (it listens on
  // the host's loopback), the agent's socket is not there, and through the edge it asks for a
  // password like everyone else.
  engine::json net = client.inspect_network(project + "_default");
  std::string gateway = net["IPAM"]["Config"][0].value("Gateway", "");
  ASSERT_FALSE(gateway.empty()) << net.dump();
  std::string image;
  for (const auto& i : client.list_images(engine::label_filters(test_label()))) image = i["Id"];
  ASSERT_FALSE(image.empty());
  engine::json inspected = client.inspect_container(e.container_id);
  std::string edge_ip = inspected["NetworkSettings"]["Networks"][project + "_default"].value("IPAddress", "");
  ASSERT_FALSE(edge_ip.empty());
  // busybox-static's wget crashes in a FROM-scratch image (no NSS there); nc speaks plain TCP,
  // and keeps its side open while the answer comes (Caddy's proxy gives up on a request whose
  // client closed its side).
  std::string script = "/bin/busybox nc -w 3 " + gateway + " " + std::to_string(agent_port) +
                       " </dev/null 2>&1; echo host=$?; /bin/busybox ls /run/slipway-admin >/dev/null 2>&1; echo "
                       "dir=$?; (printf 'GET / HTTP/1.1\\r\\nHost: status.test\\r\\nConnection: close\\r\\n\\r\\n'; "
                       "/bin/busybox sleep 2) | /bin/busybox nc -w 5 " +
                       edge_ip + " " + std::to_string(http_port) + " 2>&1; echo edge=$?";
  engine::json spec = {{"Image", image},
                       {"Cmd", {"/bin/busybox", "sh", "-c", script}},
                       {"Labels", test_label()},
                       {"HostConfig", {{"NetworkMode", project + "_default"}}}};
  std::string prober = client.create_container(project + "-prober", spec);
  client.start_container(prober);
  client.wait_container(prober);
  engine::Output r = client.logs(prober);
  EXPECT_NE(r.out.find("host=1"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("dir=1"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("HTTP/1.1 401"), std::string::npos) << script << "\n" << r.out << r.err;
  EXPECT_EQ(r.out.find(project), std::string::npos) << r.out;
}

}  // namespace
}  // namespace slipway

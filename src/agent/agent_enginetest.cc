// `slipway agent` end to end: a FROM-scratch busybox stack brought up with `slipway up`, the
// agent started on a free port with a drift check queued, the page checked in Debian's headless
// chromium (the rendered DOM, and a phone-sized screenshot kept as agent-status-page.png in the
// test's working directory), the API's token rule checked with curl, and a clean stop on
// SIGTERM. Everything carries io.slipway.test=<run id> or the unique project name and is removed
// in TearDown.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
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

#include "engine/client.h"
#include "util/subprocess.h"

extern char** environ;

namespace slipway {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class AgentCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    run = std::to_string(rd() % 1000000000);
    project = "slipwayagent" + run;
    char tmpl[] = "/tmp/slipway-agent-XXXXXX";
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
                                         << "networks:\n  default: {labels: *test}\n"
                                         << "x-slipway:\n  schedule: {backup: 'off', drill: 'off', forget: 'off'}\n";
    setenv("SLIPWAY_STATE_DIR", (dir + "/state").c_str(), 1);
    setenv("SLIPWAY_RUNTIME_DIR", (dir + "/runtime").c_str(), 1);
  }

  void TearDown() override {
    if (agent > 0) {
      ::kill(agent, SIGKILL);
      ::waitpid(agent, nullptr, 0);
    }
    engine::Client client;
    for (const auto& filter : {engine::label_filters({{"io.slipway.test", run}}),
                               engine::label_filters({{"com.docker.compose.project", project}})}) {
      for (const auto& c : client.list_containers(filter, true))
        ignore([&] { client.remove_container(c["Id"], true, true); });
      for (const auto& n : client.list_networks(filter)) ignore([&] { client.remove_network(n["Id"]); });
      for (const auto& i : client.list_images(filter)) ignore([&] { client.remove_image(i["Id"], true); });
    }
    std::filesystem::remove_all(dir);
    unsetenv("SLIPWAY_STATE_DIR");
    unsetenv("SLIPWAY_RUNTIME_DIR");
  }

  template <class F>
  static void ignore(F f) {
    try {
      f();
    } catch (const std::exception&) {
    }
  }

  SubprocessResult slipway(std::vector<std::string> args) {
    args.insert(args.begin(), {SLIPWAY_BINARY, "-f", dir + "/compose.yaml"});
    return run_process(args);
  }

  // Starts the agent in the background, its stderr in dir/agent.log; returns the page's URL.
  std::string start_agent(std::vector<std::string> args, bool with_file = true) {
    args.insert(args.begin(), {"agent", "--listen", "127.0.0.1:0"});
    if (with_file) args.insert(args.begin(), {"-f", dir + "/compose.yaml"});
    args.insert(args.begin(), SLIPWAY_BINARY);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, (dir + "/agent.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    EXPECT_EQ(posix_spawn(&agent, SLIPWAY_BINARY, &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    std::regex url(R"(status page at (http://[0-9.:]+)/)");
    for (int i = 0; i < 100; ++i) {
      std::smatch m;
      std::string log = slurp(dir + "/agent.log");
      if (std::regex_search(log, m, url)) return m[1];
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "the agent did not start: " << slurp(dir + "/agent.log");
    return "";
  }

  SubprocessResult curl(const std::string& url, const std::string& token = "") {
    std::vector<std::string> args = {"curl", "-sS", "-o", "-", "-w", "\n%{http_code}", url};
    if (!token.empty()) args.insert(args.begin() + 1, {"-H", "Authorization: Bearer " + token});
    return run_process(args);
  }

  std::string run, project, dir;
  pid_t agent = -1;
};

TEST_F(AgentCommand, PageInHeadlessChromiumApiTokenAndCleanStop) {
  ASSERT_EQ(slipway({"up", "-d"}).exit_code, 0);
  std::string url = start_agent({"--run-now", "drift"});
  ASSERT_FALSE(url.empty());
  // `slipway agent` became the lean program (same pid), and no libcurl is mapped into it.
  EXPECT_EQ(std::filesystem::read_symlink("/proc/" + std::to_string(agent) + "/exe").filename(), "slipway-agent");
  std::string maps = slurp("/proc/" + std::to_string(agent) + "/maps");
  EXPECT_EQ(maps.find("libcurl"), std::string::npos) << maps;
  EXPECT_EQ(maps.find("libcrypto"), std::string::npos) << maps;
  std::string token = slurp(dir + "/state/agent.token");
  token.erase(token.find_last_not_of('\n') + 1);
  ASSERT_EQ(token.size(), 64u);

  // The drift check queued at start finishes and is recorded.
  nlohmann::json status;
  for (int i = 0; i < 150; ++i) {
    auto r = curl(url + "/api/status", token);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    status = nlohmann::json::parse(r.out.substr(0, r.out.rfind('\n')));
    if (status["stacks"][0]["drift"].value("available", false)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(status["stacks"][0]["drift"].value("available", false)) << status.dump(2) << slurp(dir + "/agent.log");
  EXPECT_TRUE(status["stacks"][0]["drift"]["clean"].get<bool>()) << status.dump(2);
  EXPECT_EQ(status["stacks"][0]["generation"]["value"]["live"], "1");

  auto denied = curl(url + "/api/status");
  EXPECT_EQ(denied.out.substr(denied.out.rfind('\n') + 1), "401");
  auto metrics = curl(url + "/metrics", token);
  EXPECT_NE(metrics.out.find("slipway_drift_findings{stack=\"" + project + "\"} 0"), std::string::npos) << metrics.out;

  // The page as a browser renders it.
  ASSERT_TRUE(program_exists("chromium")) << "chromium is missing (scripts/setup installs it)";
  std::vector<std::string> chromium = {"chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                       "--user-data-dir=" + dir + "/chromium"};
  auto dom_args = chromium;
  dom_args.insert(dom_args.end(), {"--dump-dom", url + "/"});
  auto dom = run_process(dom_args);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_NE(dom.out.find("All good"), std::string::npos) << dom.out;
  EXPECT_NE(dom.out.find(project + "-web-1"), std::string::npos) << dom.out;
  EXPECT_NE(dom.out.find("No drift"), std::string::npos) << dom.out;
  EXPECT_NE(dom.out.find("update-check"), std::string::npos) << dom.out;
  std::string shot = std::filesystem::absolute("agent-status-page.png").string();
  std::filesystem::remove(shot);
  auto shot_args = chromium;
  shot_args.insert(shot_args.end(), {"--screenshot=" + shot, "--window-size=412,915", "--hide-scrollbars", url + "/"});
  auto s = run_process(shot_args);
  EXPECT_EQ(s.exit_code, 0) << s.err;
  ASSERT_TRUE(std::filesystem::exists(shot));
  EXPECT_GT(std::filesystem::file_size(shot), 5000u);

  // SIGTERM: a clean stop, exit 0.
  ASSERT_EQ(::kill(agent, SIGTERM), 0);
  int st = 0;
  for (int i = 0; i < 100 && ::waitpid(agent, &st, WNOHANG) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(WIFEXITED(st)) << slurp(dir + "/agent.log");
  EXPECT_EQ(WEXITSTATUS(st), 0);
  agent = -1;
  EXPECT_NE(slurp(dir + "/agent.log").find("stopping"), std::string::npos);
}

TEST_F(AgentCommand, ABrokenStackIsShownAndTheAgentKeepsRunning) {
  std::filesystem::create_directories(dir + "/bad");
  std::ofstream(dir + "/bad/compose.yaml")
      << "name: bad" << run << "\nservices: {a: {image: busybox}}\nx-slipway:\n  schedule: {backup: '61 * * * *'}\n";
  // Two stacks given as directories: the good one and one with a malformed schedule.
  std::string url = start_agent({dir, dir + "/bad"}, /*with_file=*/false);
  ASSERT_FALSE(url.empty());
  std::string page = curl(url + "/").out;
  EXPECT_NE(page.find("cannot be loaded"), std::string::npos) << page << slurp(dir + "/agent.log");
  EXPECT_NE(page.find("x-slipway.schedule.backup"), std::string::npos) << page;
  EXPECT_NE(page.find(project), std::string::npos) << page;  // the good stack is still there
  EXPECT_NE(slurp(dir + "/agent.log").find("this stack is not scheduled"), std::string::npos);
  EXPECT_EQ(::waitpid(agent, nullptr, WNOHANG), 0);  // still running
}

}  // namespace
}  // namespace slipway

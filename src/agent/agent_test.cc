// The agent's loop with a scripted job runner: jobs run as argv and are recorded; a stop
// aborts the running job cleanly; a command missing from this build is recorded as
// unavailable; one stack never runs two jobs at once.
#include "agent/agent.h"
#include "agent/sources.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

class AgentTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("slipway-agent-" + std::to_string(getpid()));
  std::unique_ptr<RunLog> log;
  std::vector<StackSpec> stacks;
  std::vector<std::string> lines;

  void SetUp() override {
    fs::remove_all(dir);
    log = std::make_unique<RunLog>(dir.string());
    for (const char* name : {"a", "b"}) {
      compose::Project p;
      p.name = name;
      p.config_files = {std::string("/srv/") + name + "/compose.yaml"};
      p.model = {{"name", name}, {"services", ojson::object()}};
      stacks.push_back(read_schedule(p));
    }
  }
  void TearDown() override { fs::remove_all(dir); }

  AgentOptions options(JobRunner runner) {
    AgentOptions o;
    o.slipway = "/usr/bin/slipway";
    o.runner = std::move(runner);
    o.log = [this](const std::string& l) { lines.push_back(l); };
    return o;
  }

  // Waits until `n` runs of the log have finished.
  bool wait_finished(size_t n) {
    for (int i = 0; i < 500; ++i) {
      size_t done = 0;
      for (const char* s : {"a", "b"})
        for (const auto& r : log->recent(s, "", 100)) done += r.outcome != "running";
      if (done >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
};

TEST_F(AgentTest, RunsJobsAsArgvAndRecordsThem) {
  std::vector<std::vector<std::string>> seen;
  std::mutex m;
  auto o = options([&](const std::vector<std::string>& argv, const std::function<bool()>&) {
    std::lock_guard lock(m);
    seen.push_back(argv);
    return JobResult{argv.back() == "--json" ? 0 : 1, "{\"clean\": true, \"findings\": []}", "one\nlast words\n"};
  });
  o.run_now = {"drift", "drill"};
  Agent agent(stacks, *log, o);
  std::thread t([&] { agent.run(); });
  ASSERT_TRUE(wait_finished(4));
  agent.request_stop();
  t.join();
  auto drift = log->last("a", "drift");
  ASSERT_TRUE(drift);
  EXPECT_EQ(drift->outcome, "ok");
  EXPECT_EQ(drift->output, "{\"clean\": true, \"findings\": []}");
  auto drill = log->last("b", "drill");
  EXPECT_EQ(drill->outcome, "failed");
  EXPECT_EQ(drill->detail, "last words");
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen[0][0], "/usr/bin/slipway");
  EXPECT_EQ(seen[0][1], "-p");
}

TEST_F(AgentTest, StopAbortsTheRunningJobCleanly) {
  std::atomic<bool> started{false};
  auto o = options([&](const std::vector<std::string>&, const std::function<bool()>& should_stop) {
    started = true;
    while (!should_stop()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return JobResult{143, "", "interrupted by SIGTERM: the backup was undone\n"};
  });
  o.run_now = {"backup"};
  Agent agent({stacks[0]}, *log, o);
  std::thread t([&] { agent.run(); });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(agent.snapshot().running.size(), 1u);
  agent.request_stop();
  t.join();
  auto r = log->last("a", "backup");
  EXPECT_EQ(r->outcome, "aborted");
  EXPECT_NE(r->detail.find("the backup was undone"), std::string::npos);
  EXPECT_FALSE(log->last("a", "forget"));  // no forget after an aborted backup
}

TEST_F(AgentTest, ACommandMissingFromThisBuildIsUnavailable) {
  auto o = options([](const std::vector<std::string>&, const std::function<bool()>&) { return JobResult{0, "", ""}; });
  o.commands = {"backup", "drill", "drift", "forget"};  // no `update`
  o.run_now = {"update-check"};
  Agent agent({stacks[0]}, *log, o);
  std::thread t([&] { agent.run(); });
  ASSERT_TRUE(wait_finished(1));
  agent.request_stop();
  t.join();
  auto r = log->last("a", "update-check");
  EXPECT_EQ(r->outcome, "unavailable");
  EXPECT_NE(r->detail.find("`slipway update` is not available"), std::string::npos);
}

// `update --check` exits 3 when updates exist: a successful check, whose updates the page lists.
TEST_F(AgentTest, AnUpdateCheckFindingUpdatesIsOkAndItsUpdatesArePending) {
  const std::string check = R"({"status": "updates", "images": [{"image": "shop-web:latest", "upgradable": [
      {"package": "curl", "installed": "7.88.1-10", "candidate": "7.88.1-11", "security": false},
      {"package": "openssl", "installed": "3.0.11-1", "candidate": "3.0.13-1", "security": true}]}]})";
  auto o = options([&](const std::vector<std::string>&, const std::function<bool()>&) {
    return JobResult{3, check, ""};
  });
  o.run_now = {"update-check"};
  Agent agent({stacks[0]}, *log, o);
  std::thread t([&] { agent.run(); });
  ASSERT_TRUE(wait_finished(1));
  agent.request_stop();
  t.join();
  auto r = log->last("a", "update-check");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, "ok");
  Availability pending = DefaultSources().pending_updates("a", *log);
  ASSERT_TRUE(pending.available) << pending.reason;
  const auto& updates = pending.value["updates"];
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0]["name"], "openssl");  // security first
  EXPECT_EQ(updates[0]["from"], "3.0.11-1");
  EXPECT_EQ(updates[0]["to"], "3.0.13-1");
  EXPECT_EQ(updates[1]["image"], "shop-web:latest");
}

TEST_F(AgentTest, OneJobPerStackAtATimeAndForgetAfterBackup) {
  std::mutex m;
  std::map<std::string, int> active;
  int max_per_stack = 0;
  std::vector<std::string> order;
  auto o = options([&](const std::vector<std::string>& argv, const std::function<bool()>&) {
    std::string stack = argv[2];
    {
      std::lock_guard lock(m);
      max_per_stack = std::max(max_per_stack, ++active[stack]);
      order.push_back(stack + " " + argv[argv.size() - (argv.back() == "--json" ? 2 : 1)]);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::lock_guard lock(m);
    --active[stack];
    return JobResult{0, "", ""};
  });
  o.run_now = {"backup", "drill", "drift"};
  Agent agent(stacks, *log, o);
  std::thread t([&] { agent.run(); });
  ASSERT_TRUE(wait_finished(8));  // 3 jobs + forget, for two stacks
  agent.request_stop();
  t.join();
  EXPECT_EQ(max_per_stack, 1);
  EXPECT_EQ(log->last("a", "forget")->outcome, "ok");
  EXPECT_EQ(log->last("b", "forget")->outcome, "ok");
}

TEST_F(AgentTest, RunsLeftRunningByAKilledAgentAreMarkedAborted) {
  log->start("a", "drill", 1, false, 1);
  auto o = options([](const std::vector<std::string>&, const std::function<bool()>&) { return JobResult{0, "", ""}; });
  Agent agent({stacks[0]}, *log, o);
  EXPECT_EQ(log->last("a", "drill")->outcome, "aborted");
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines[0].find("recorded as aborted"), std::string::npos);
}

TEST(LastLine, OfStderr) {
  EXPECT_EQ(last_line("a\nb\n\n"), "b");
  EXPECT_EQ(last_line(""), "");
  EXPECT_EQ(last_line(std::string(400, 'x')).size(), 300u);
}

}  // namespace
}  // namespace slipway::agent

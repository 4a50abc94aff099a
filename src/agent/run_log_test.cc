#include "agent/run_log.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;

class RunLogTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("slipway-runlog-" + std::to_string(getpid()));
  void SetUp() override { fs::remove_all(dir); }
  void TearDown() override { fs::remove_all(dir); }
};

TEST_F(RunLogTest, RecordsRunsAndTheirOutcome) {
  RunLog log(dir.string());
  EXPECT_EQ(log.path(), (dir / "state.db").string());
  int64_t id = log.start("shop", "backup", 1000, true, 1005);
  EXPECT_EQ(log.last("shop", "backup")->outcome, "running");
  log.finish(id, "ok", 0, "snapshot 1a2b", "{\"ok\":true}", 1010);
  auto r = log.last("shop", "backup");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, "ok");
  EXPECT_EQ(r->detail, "snapshot 1a2b");
  EXPECT_EQ(r->output, "{\"ok\":true}");
  EXPECT_TRUE(r->catch_up);
  EXPECT_EQ(r->finished, 1010);
  EXPECT_EQ(log.last_scheduled()["shop/backup"], 1000);
  EXPECT_FALSE(log.last("shop", "drill"));
  EXPECT_EQ(log.last_with("shop", "backup", "ok")->id, id);
}

TEST_F(RunLogTest, AbandonedRunsBecomeAbortedAtTheNextStart) {
  {
    RunLog log(dir.string());
    log.start("shop", "drill", 1000, false, 1000);
  }
  RunLog log(dir.string());
  EXPECT_EQ(log.close_abandoned(2000), 1);
  EXPECT_EQ(log.last("shop", "drill")->outcome, "aborted");
}

TEST_F(RunLogTest, PruneKeepsItBounded) {
  RunLog log(dir.string());
  for (int i = 0; i < 30; ++i) log.finish(log.start("shop", "drift", i, false, i), "ok", 0, "", "", 100 + i);
  log.finish(log.start("shop", "backup", 1, false, 1), "ok", 0, "", "", 5);  // old
  log.prune(/*now=*/200, /*keep=*/10, /*max_age=*/150);
  EXPECT_EQ(log.recent("shop", "drift", 100).size(), 10u);
  EXPECT_FALSE(log.last("shop", "backup"));  // older than max_age
  EXPECT_EQ(log.recent("shop", "drift", 1)[0].scheduled, 29);
}

TEST_F(RunLogTest, OutputIsBounded) {
  RunLog log(dir.string());
  log.finish(log.start("a", "drift", 0, false, 0), "ok", 0, "", std::string(kMaxOutput + 100, 'x'), 1);
  EXPECT_EQ(log.last("a", "drift")->output.size(), kMaxOutput);
}

}  // namespace
}  // namespace slipway::agent

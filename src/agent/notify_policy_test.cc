// When the agent notifies: only on a change of a job's state (failure, recovery), at most one
// message per job in the rate-limit window, held changes sent as one digest; pings after every
// success and, when asked, URL/fail after a failure.
#include "agent/notify_policy.h"

#include <gtest/gtest.h>

namespace slipway::agent {
namespace {

TEST(NotifyPolicy, OnlyChangesOfStateAreNews) {
  NotifyPolicy p(0);
  EXPECT_FALSE(p.on_outcome("shop", "backup", "ok", "", 10));  // first success: nothing to say
  auto fail = p.on_outcome("shop", "backup", "failed", "restic: repository locked", 20);
  ASSERT_TRUE(fail);
  ASSERT_EQ(fail->events.size(), 1u);
  EXPECT_EQ(fail->events[0].kind, NotifyEventKind::failure);
  EXPECT_EQ(fail->title(), "slipway: backup of shop failed");
  EXPECT_NE(fail->body("http://127.0.0.1:8477/").find("restic: repository locked"), std::string::npos);
  EXPECT_NE(fail->body("http://127.0.0.1:8477/").find("Status page: http://127.0.0.1:8477/"), std::string::npos);
  EXPECT_FALSE(p.on_outcome("shop", "backup", "failed", "again", 30));  // still failing: no news
  EXPECT_FALSE(p.on_outcome("shop", "backup", "aborted", "", 35));      // a stop says nothing
  EXPECT_FALSE(p.on_outcome("shop", "backup", "unavailable", "", 36));
  auto back = p.on_outcome("shop", "backup", "ok", "", 40);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->events[0].kind, NotifyEventKind::recovery);
  EXPECT_EQ(back->title(), "slipway: backup of shop recovered");
  EXPECT_FALSE(back->any_failure());
  EXPECT_FALSE(p.on_outcome("shop", "backup", "ok", "", 50));
}

TEST(NotifyPolicy, AFirstRunThatFailsIsAFailure) {
  NotifyPolicy p(3600);
  EXPECT_TRUE(p.on_outcome("shop", "drill", "failed", "check http failed", 10));
}

TEST(NotifyPolicy, SeedKeepsARestartFromRepeatingAnOldFailure) {
  NotifyPolicy p(3600);
  p.seed("shop", "backup", true);
  EXPECT_FALSE(p.on_outcome("shop", "backup", "failed", "still", 10));
  EXPECT_TRUE(p.on_outcome("shop", "backup", "ok", "", 20));
}

TEST(NotifyPolicy, RateLimitHoldsChangesAndSendsOneDigestWhenTheWindowEnds) {
  NotifyPolicy p(3600);
  ASSERT_TRUE(p.on_outcome("shop", "backup", "failed", "disk full", 1000));  // sent: opens the window
  EXPECT_FALSE(p.on_outcome("shop", "backup", "ok", "", 1100));              // held
  EXPECT_FALSE(p.on_outcome("shop", "backup", "failed", "disk full again", 1200));
  EXPECT_EQ(p.held(), 2u);
  EXPECT_EQ(p.next_due(), 4600);
  EXPECT_FALSE(p.take_due(4599));  // the window is still open
  // Another job has its own window: its change goes out at once.
  auto drill = p.on_outcome("shop", "drill", "failed", "restore failed", 1300);
  ASSERT_TRUE(drill);
  EXPECT_EQ(drill->events.size(), 1u);
  auto digest = p.take_due(4600);
  ASSERT_TRUE(digest);
  ASSERT_EQ(digest->events.size(), 2u);  // in order: recovered, then failed again
  EXPECT_TRUE(digest->digest());
  EXPECT_EQ(digest->events[0].kind, NotifyEventKind::recovery);
  EXPECT_EQ(digest->events[1].detail, "disk full again");
  EXPECT_EQ(digest->title(), "slipway: 2 changes on shop");
  EXPECT_NE(digest->body("").find("held back by the rate limit"), std::string::npos);
  EXPECT_EQ(p.held(), 0u);
  EXPECT_FALSE(p.next_due());
  // The digest counts as the job's message: the next change waits for a new window.
  EXPECT_FALSE(p.on_outcome("shop", "backup", "ok", "", 4700));
  EXPECT_EQ(p.next_due(), 4600 + 3600);
}

TEST(NotifyPolicy, ADigestTakesOnlyJobsWhoseWindowEnded) {
  NotifyPolicy p(100);
  ASSERT_TRUE(p.on_outcome("a", "backup", "failed", "", 0));
  ASSERT_TRUE(p.on_outcome("b", "backup", "failed", "", 50));
  EXPECT_FALSE(p.on_outcome("a", "backup", "ok", "", 60));
  EXPECT_FALSE(p.on_outcome("b", "backup", "ok", "", 70));
  auto first = p.take_due(100);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->events.size(), 1u);
  EXPECT_EQ(first->events[0].stack, "a");
  EXPECT_EQ(p.next_due(), 150);
  auto second = p.take_due(150);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->events[0].stack, "b");
}

TEST(NotifyPolicy, NoRateLimitSendsEveryChange) {
  NotifyPolicy p(0);
  EXPECT_TRUE(p.on_outcome("a", "drift", "failed", "", 1));
  EXPECT_TRUE(p.on_outcome("a", "drift", "ok", "", 1));
  EXPECT_TRUE(p.on_outcome("a", "drift", "failed", "", 1));
  EXPECT_EQ(p.held(), 0u);
}

TEST(PingTarget, SuccessPingsFailurePingsFailWhenAsked) {
  EXPECT_EQ(ping_target("https://hc-ping.com/u", false, "ok"), "https://hc-ping.com/u");
  EXPECT_EQ(ping_target("https://hc-ping.com/u", false, "failed"), "");
  EXPECT_EQ(ping_target("https://hc-ping.com/u/", true, "failed"), "https://hc-ping.com/u/fail");
  EXPECT_EQ(ping_target("https://hc-ping.com/u", true, "aborted"), "");
}

}  // namespace
}  // namespace slipway::agent

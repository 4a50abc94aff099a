#include "agent/cron.h"

#include <ctime>

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway::agent {
namespace {

int64_t at(int y, int mo, int d, int h, int mi) {
  std::tm tm{};
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi;
  return timegm(&tm);
}

int64_t next(const std::string& expr, int64_t t) { return CronExpr::parse(expr).next_after(t).value(); }

TEST(Cron, DailyAtAFixedTime) {
  EXPECT_EQ(next("30 3 * * *", at(2026, 11, 29, 1, 0)), at(2026, 11, 29, 3, 30));
  EXPECT_EQ(next("30 3 * * *", at(2026, 11, 29, 3, 30)), at(2026, 11, 30, 3, 30));  // strictly after
  EXPECT_EQ(next("@daily", at(2026, 12, 31, 23, 59)), at(2027, 1, 1, 0, 0));
}

TEST(Cron, StepsRangesListsAndNames) {
  EXPECT_EQ(next("*/15 * * * *", at(2026, 1, 1, 10, 16)), at(2026, 1, 1, 10, 30));
  EXPECT_EQ(next("0 9-17/4 * * mon-fri", at(2026, 11, 27, 18, 0)), at(2026, 11, 30, 9, 0));  // Fri -> Mon
  EXPECT_EQ(next("0 0 1,15 * *", at(2026, 2, 2, 0, 0)), at(2026, 2, 15, 0, 0));
  EXPECT_EQ(next("0 4 * * 7", at(2026, 11, 29, 5, 0)), at(2026, 12, 6, 4, 0));  // 7 = Sunday
  EXPECT_EQ(next("0 0 * feb *", at(2026, 3, 1, 0, 0)), at(2027, 2, 1, 0, 0));
  EXPECT_EQ(next("@weekly", at(2026, 11, 29, 0, 0)), at(2026, 12, 6, 0, 0));
}

TEST(Cron, BothDayFieldsMatchEither) {
  // The 13th or any Friday.
  EXPECT_EQ(next("0 0 13 * fri", at(2026, 11, 1, 0, 0)), at(2026, 11, 6, 0, 0));
  EXPECT_EQ(next("0 0 13 * fri", at(2026, 11, 10, 0, 0)), at(2026, 11, 13, 0, 0));
}

TEST(Cron, LeapDayIsFound) { EXPECT_EQ(next("0 12 29 2 *", at(2026, 3, 1, 0, 0)), at(2028, 2, 29, 12, 0)); }

TEST(Cron, MatchesIgnoresSeconds) {
  auto e = CronExpr::parse("5 * * * *");
  EXPECT_TRUE(e.matches(at(2026, 1, 1, 7, 5) + 42));
  EXPECT_FALSE(e.matches(at(2026, 1, 1, 7, 6)));
}

TEST(Cron, BadExpressionsAreUserErrorsThatTeach) {
  for (const char* bad : {"", "* * * *", "61 * * * *", "* 24 * * *", "0 0 0 * *", "5-1 * * * *", "*/0 * * * *",
                          "0 0 * * funday", "0 0 30 2 *", "@sometimes", "a b c d e"}) {
    try {
      CronExpr::parse(bad, "compose.yaml: x-slipway.schedule.backup");
      ADD_FAILURE() << "accepted " << bad;
    } catch (const UserError& e) {
      std::string m = e.what();
      EXPECT_NE(m.find("x-slipway.schedule.backup"), std::string::npos) << m;
      EXPECT_NE(m.find("e.g."), std::string::npos) << m;
    }
  }
}

TEST(Duration, Units) {
  EXPECT_EQ(parse_duration("90"), 90);
  EXPECT_EQ(parse_duration("30m"), 1800);
  EXPECT_EQ(parse_duration("1h30m"), 5400);
  EXPECT_EQ(parse_duration("1d"), 86400);
  EXPECT_FALSE(parse_duration("1x"));
  EXPECT_FALSE(parse_duration("m"));
  EXPECT_FALSE(parse_duration("-5m"));
}

TEST(Jitter, StableAndBounded) {
  EXPECT_EQ(jitter_for("a/backup", 1800), jitter_for("a/backup", 1800));
  EXPECT_NE(jitter_for("a/backup", 1800), jitter_for("b/backup", 1800));
  EXPECT_LT(jitter_for("a/backup", 1800), 1800);
  EXPECT_EQ(jitter_for("a/backup", 0), 0);
}

}  // namespace
}  // namespace slipway::agent

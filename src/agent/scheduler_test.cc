// The scheduler with an injected clock: occurrences with jitter, one job per stack at a time,
// missed runs caught up once, forget after a successful backup; and reading x-slipway.schedule.
#include "agent/scheduler.h"

#include <ctime>

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway::agent {
namespace {

using ojson = nlohmann::ordered_json;

int64_t at(int y, int mo, int d, int h, int mi) {
  std::tm tm{};
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi;
  return timegm(&tm);
}

compose::Project project(const std::string& name, ojson schedule) {
  compose::Project p;
  p.name = name;
  p.working_dir = "/srv/" + name;
  p.config_files = {"/srv/" + name + "/compose.yaml"};
  p.model = {{"name", name}, {"services", ojson::object()}};
  if (!schedule.is_null()) p.model["x-slipway"] = {{"schedule", schedule}};
  return p;
}

StackSpec spec(const std::string& name, ojson schedule) { return read_schedule(project(name, std::move(schedule))); }

std::vector<std::string> names(const std::vector<Due>& due) {
  std::vector<std::string> out;
  for (const auto& d : due) out.push_back(d.stack + "/" + d.job + (d.catch_up ? " (catch-up)" : ""));
  return out;
}

TEST(Schedule, DefaultsAndArgv) {
  StackSpec s = spec("shop", nullptr);
  ASSERT_EQ(s.jobs.size(), 5u);
  EXPECT_EQ(s.jobs[0].name, "backup");
  EXPECT_EQ(s.jobs[0].cron->text(), kDefaultBackup);
  EXPECT_TRUE(s.jobs[4].after_backup);
  EXPECT_EQ(s.jitter, 1800);
  EXPECT_EQ(job_argv("/usr/bin/slipway", s, s.jobs[2]),
            (std::vector<std::string>{"/usr/bin/slipway", "-p", "shop", "-f", "/srv/shop/compose.yaml",
                                      "--project-directory", "/srv/shop", "update", "--check", "--json"}));
}

TEST(Schedule, OffAndCustom) {
  StackSpec s = spec("shop", {{"drill", "off"}, {"backup", "15 2 * * *"}, {"jitter", "0"}, {"forget", "off"}});
  std::vector<std::string> jobs;
  for (const auto& j : s.jobs) jobs.push_back(j.name);
  EXPECT_EQ(jobs, (std::vector<std::string>{"backup", "update-check", "drift"}));
  EXPECT_EQ(s.jitter, 0);
}

TEST(Schedule, BadInputNamesFileAndKey) {
  for (ojson bad : {ojson{{"backup", "99 * * * *"}}, ojson{{"backups", "@daily"}}, ojson{{"jitter", "soon"}},
                    ojson{{"drill", 5}}, ojson{{"backup", "after-backup"}}, ojson("daily")}) {
    try {
      spec("shop", bad);
      ADD_FAILURE() << "accepted " << bad.dump();
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("/srv/shop/compose.yaml: x-slipway.schedule"), std::string::npos)
          << e.what();
    }
  }
}

TEST(Scheduler, RunsAtTheOccurrencePlusJitter) {
  int64_t now = at(2026, 11, 29, 0, 0);
  Scheduler s({spec("shop", {{"jitter", "10m"}, {"drift", "off"}})}, {}, now);
  int64_t backup = at(2026, 11, 29, 3, 0) + jitter_for("shop/backup", 600);
  EXPECT_EQ(s.next_wakeup(), backup);
  EXPECT_TRUE(s.take_due(backup - 1).empty());
  auto due = s.take_due(backup);
  ASSERT_EQ(names(due), std::vector<std::string>{"shop/backup"});
  EXPECT_EQ(due[0].scheduled, at(2026, 11, 29, 3, 0));
}

TEST(Scheduler, NeverTwoJobsOfOneStackAtOnce) {
  int64_t now = at(2026, 11, 29, 0, 0);
  Scheduler s({spec("a", {{"jitter", "0"}, {"backup", "0 1 * * *"}, {"drift", "0 1 * * *"}}),
               spec("b", {{"jitter", "0"}, {"backup", "0 1 * * *"}})},
              {}, now);
  auto first = s.take_due(at(2026, 11, 29, 1, 0));
  EXPECT_EQ(names(first), (std::vector<std::string>{"a/backup", "b/backup"}));  // stacks run side by side
  EXPECT_TRUE(s.busy("a"));
  EXPECT_TRUE(s.take_due(at(2026, 11, 29, 1, 5)).empty());  // a's drift waits
  s.finished(first[0], /*ok=*/false);                       // a failed backup queues no forget
  EXPECT_EQ(s.next_wakeup(), 0);
  EXPECT_EQ(names(s.take_due(at(2026, 11, 29, 1, 6))), std::vector<std::string>{"a/drift"});
}

TEST(Scheduler, ForgetFollowsASuccessfulBackup) {
  Scheduler s({spec("a", {{"jitter", "0"}, {"drift", "off"}})}, {}, at(2026, 11, 29, 0, 0));
  auto due = s.take_due(at(2026, 11, 29, 3, 0));
  ASSERT_EQ(names(due), std::vector<std::string>{"a/backup"});
  s.finished(due[0], /*ok=*/true);
  EXPECT_EQ(names(s.take_due(at(2026, 11, 29, 3, 10))), std::vector<std::string>{"a/forget"});
}

TEST(Scheduler, MissedRunsAreCaughtUpOnceAtStart) {
  // The agent was down for three days: three daily backups missed, one run at start.
  std::map<std::string, int64_t> last = {{"a/backup", at(2026, 11, 26, 3, 0)}, {"a/drill", at(2026, 11, 22, 4, 0)}};
  int64_t now = at(2026, 11, 29, 12, 0);
  Scheduler s({spec("a", {{"jitter", "0"}})}, last, now);
  auto due = s.take_due(now);
  ASSERT_EQ(names(due), std::vector<std::string>{"a/backup (catch-up)"});
  EXPECT_EQ(due[0].scheduled, at(2026, 11, 29, 3, 0));  // the latest missed occurrence
  s.finished(due[0], true);
  // Then the drill (missed Sunday 29th 04:00), after the forget the backup queued.
  EXPECT_EQ(names(s.take_due(now)), std::vector<std::string>{"a/drill (catch-up)"});
  s.finished({"a", "drill", 0, true}, true);
  EXPECT_EQ(names(s.take_due(now)), std::vector<std::string>{"a/forget"});
  s.finished({"a", "forget", 0, false}, true);
  EXPECT_TRUE(s.take_due(now).empty());  // once only
  // A job recorded at its latest occurrence is not caught up again.
  Scheduler again({spec("a", {{"jitter", "0"}})}, {{"a/backup", at(2026, 11, 29, 3, 0)}}, now);
  EXPECT_TRUE(again.take_due(now).empty());
}

TEST(Scheduler, AClockJumpRunsOnce) {
  Scheduler s({spec("a", {{"jitter", "0"},
                          {"drift", "*/10 * * * *"},
                          {"backup", "off"},
                          {"drill", "off"},
                          {"update-check", "off"},
                          {"forget", "off"}})},
              {}, at(2026, 11, 29, 0, 0));
  auto due = s.take_due(at(2026, 11, 29, 5, 0));  // five hours later: thirty occurrences passed
  ASSERT_EQ(names(due), std::vector<std::string>{"a/drift"});
  s.finished(due[0], true);
  EXPECT_TRUE(s.take_due(at(2026, 11, 29, 5, 1)).empty());
  EXPECT_EQ(s.next_wakeup(), at(2026, 11, 29, 5, 10));
}

TEST(Scheduler, UpcomingIsSortedAndLeavesOutAfterBackup) {
  Scheduler s({spec("a", {{"jitter", "0"}})}, {}, at(2026, 11, 29, 0, 30));
  auto up = s.upcoming();
  ASSERT_EQ(up.size(), 4u);
  EXPECT_EQ(up[0].job, "drift");
  EXPECT_EQ(up[0].at, at(2026, 11, 29, 1, 0));
  EXPECT_EQ(up[1].job, "backup");
}

}  // namespace
}  // namespace slipway::agent

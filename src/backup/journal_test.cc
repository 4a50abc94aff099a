#include "backup/journal.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway::backup {
namespace {

namespace fs = std::filesystem;

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-journal-test-XXXXXX";
    dir_ = std::string(mkdtemp(tmpl)) + "/journal";
  }
  void TearDown() override { fs::remove_all(fs::path(dir_).parent_path()); }

  JournalRecord record(const std::string& stack) {
    JournalRecord r;
    r.kind = "restore";
    r.stack = stack;
    r.run = "abcd1234";
    r.restic.repository = "/srv/repo";
    r.restic.password_file = "/etc/pw";
    r.quiesced.push_back({"c1", "db", true});
    r.posts.push_back({"web", {"sh", "-c", "rm /maintenance"}});
    r.writing_runs = {"safe0001"};
    r.restic_paths = {"/v/_data.slipway-restore-abcd1234"};
    r.phase = RestorePhase::swapping;
    r.safety_run = "safe0001";
    r.targets.push_back({"mail", "/v/_data", "/v/_data.slipway-restore-abcd1234", 11, 22});
    r.dumps.push_back({"db", "ffff", "/db.sql", "123", {"psql"}, "postgres", false});
    return r;
  }

  std::string dir_;
};

TEST_F(JournalTest, RecordRoundTrips) {
  auto r = record("shop");
  auto back = record_from_json(record_to_json(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(record_to_json(*back), record_to_json(r));
  EXPECT_EQ(back->phase, RestorePhase::swapping);
  EXPECT_EQ(back->targets[0].staged_inode, 22u);
  EXPECT_TRUE(back->quiesced[0].stopped);
  EXPECT_FALSE(record_from_json("not json"));
  EXPECT_FALSE(record_from_json("{\"version\": 7}"));
}

TEST_F(JournalTest, NoPasswordReachesTheRecord) {
  ResticConfig c;
  c.repository = "/srv/repo";
  c.password_file = "/etc/pw";
  c.extra_env = {{"RESTIC_CACHE_DIR", "/c"}, {"RESTIC_PASSWORD", "hunter2"}};
  auto r = restic_record(c);
  EXPECT_EQ(r.extra_env.count("RESTIC_CACHE_DIR"), 1u);
  EXPECT_EQ(r.extra_env.count("RESTIC_PASSWORD"), 0u);
}

TEST_F(JournalTest, ALiveOperationIsNotOrphanedAndAFinishedOneLeavesNothing) {
  {
    Journal j(dir_, record("shop"));
    j.update([](JournalRecord& r) { r.quiesced.clear(); });  // every container was resumed
    EXPECT_TRUE(fs::exists(j.path()));
    EXPECT_TRUE(orphaned_journals(dir_, "").empty());  // its owner (us) holds the lock
  }
  EXPECT_TRUE(fs::is_empty(dir_));
  EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST_F(JournalTest, AKilledOwnerLeavesAnOrphanThatOneRecoveryTakes) {
  pid_t pid = fork();
  if (pid == 0) {
    Journal j(dir_, record("shop"));
    j.update([](JournalRecord& r) { r.phase = RestorePhase::swapped; });
    kill(getpid(), SIGKILL);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(orphaned_journals(dir_, "other").empty());  // filtered by stack
  auto orphans = orphaned_journals(dir_, "shop");
  ASSERT_EQ(orphans.size(), 1u);
  ASSERT_TRUE(orphans[0].record());
  EXPECT_EQ(orphans[0].record()->phase, RestorePhase::swapped);
  // While one recovery holds it, a second one does not see it.
  EXPECT_TRUE(orphaned_journals(dir_, "").empty());
  auto r = *orphans[0].record();
  r.dumps[0].loaded = true;
  orphans[0].save(r);
  orphans.clear();  // released without done(): the next command sees the saved progress
  auto again = orphaned_journals(dir_, "");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_TRUE(again[0].record()->dumps[0].loaded);
  again[0].done();
  again.clear();
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(JournalTest, AContainerLeftQuiescedKeepsTheJournal) {
  {
    Journal j(dir_, record("shop"));  // the record still lists a stopped container
  }
  EXPECT_EQ(orphaned_journals(dir_, "shop").size(), 1u);
}

TEST_F(JournalTest, AnUnwritableDirectoryRefusesToStart) {
  std::ofstream(fs::path(dir_).parent_path() / "file") << "x";
  EXPECT_THROW(Journal((fs::path(dir_).parent_path() / "file" / "journal").string(), record("shop")), EnvError);
}

}  // namespace
}  // namespace slipway::backup

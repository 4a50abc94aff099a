#include "deploy/store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "backup/state.h"
#include "support/temp_dir.h"

namespace slipway::deploy {
namespace {

using testsupport::TempDir;

TEST(GenerationStore, SavesUpdatesAndListsNewestFirst) {
  TempDir dir;
  GenerationStore store(dir.path);
  EXPECT_EQ(store.highest("demo"), 0);
  GenerationRecord r;
  r.stack = "demo";
  r.number = 1;
  r.images = {{"web", "sha256:a"}};
  r.services = {"web"};
  r.git_commit = "abc";
  r.git_dirty = true;
  store.save(r);
  r.status = status::kDeployed;
  r.gates = {{"health", true, ""}, {"checks", true, "3 passed"}};
  store.save(r);  // the same generation, updated
  GenerationRecord r2 = r;
  r2.number = 2;
  r2.status = status::kFailed;
  store.save(r2);
  GenerationRecord other = r;
  other.stack = "other";
  other.number = 9;
  store.save(other);

  EXPECT_EQ(store.highest("demo"), 2);
  auto all = store.list("demo");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].number, 2);
  EXPECT_EQ(all[1].status, status::kDeployed);
  ASSERT_EQ(all[1].gates.size(), 2u);
  EXPECT_EQ(all[1].gates[1].detail, "3 passed");
  EXPECT_EQ(all[1].images["web"], "sha256:a");
  EXPECT_TRUE(all[1].git_dirty);
  EXPECT_FALSE(all[1].started.empty());
  EXPECT_FALSE(store.get("demo", 3));
  EXPECT_EQ(store.get("demo", 1)->services, (std::vector<std::string>{"web"}));
}

TEST(GenerationStore, SharesTheStateFileWithBackupHistory) {
  TempDir dir;
  {
    backup::StateDb db(dir.path);
    db.record({"backup", "demo", "snap", "", 1.0, true, ""});
  }
  GenerationStore store(dir.path);
  GenerationRecord r;
  r.stack = "demo";
  r.number = 1;
  store.save(r);
  backup::StateDb db(dir.path);
  EXPECT_EQ(db.history("demo").size(), 1u);
  EXPECT_EQ(store.list("demo").size(), 1u);
}

TEST(GenerationStore, KeepsTheComposeFilesAndShowsOnlyTheirPaths) {
  TempDir dir;
  GenerationStore store(dir.path);
  GenerationRecord r;
  r.stack = "demo";
  r.number = 1;
  r.compose_files = nlohmann::json::array({{{"path", "compose.yaml"}, {"content", "services: {}\n"}}});
  store.save(r);
  EXPECT_EQ(store.get("demo", 1)->compose_files, r.compose_files);
  EXPECT_EQ(store.get("demo", 1)->to_json()["compose_files"], nlohmann::json::array({"compose.yaml"}));
}

// A state file from before compose_files: the column is added, old rows read with none.
TEST(GenerationStore, AnOlderStateFileGainsTheComposeFilesColumn) {
  TempDir dir;
  {
    GenerationStore made(dir.path);  // only to learn the file's path
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(made.path().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TABLE generations; CREATE TABLE generations (stack TEXT NOT NULL, number INTEGER "
                           "NOT NULL, status TEXT NOT NULL, kind TEXT NOT NULL, started TEXT NOT NULL, finished TEXT, "
                           "user TEXT, git_commit TEXT, git_dirty INTEGER NOT NULL DEFAULT 0, config_hash TEXT, "
                           "images TEXT, services TEXT, gates TEXT, detail TEXT, PRIMARY KEY (stack, number));"
                           "INSERT INTO generations (stack, number, status, kind, started) VALUES "
                           "('demo', 1, 'deployed', 'deploy', '2026-01-01T00:00:00Z');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  GenerationStore store(dir.path);
  auto old = store.get("demo", 1);
  ASSERT_TRUE(old);
  EXPECT_TRUE(old->compose_files.empty());
  GenerationRecord r;
  r.stack = "demo";
  r.number = 2;
  r.compose_files = nlohmann::json::array({{{"path", "compose.yaml"}, {"content", "x"}}});
  store.save(r);
  EXPECT_EQ(store.get("demo", 2)->compose_files, r.compose_files);
  GenerationStore again(dir.path);  // the column is there now: nothing to add
  EXPECT_EQ(again.list("demo").size(), 2u);
}

}  // namespace
}  // namespace slipway::deploy

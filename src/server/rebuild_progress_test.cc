#include "server/rebuild_progress.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "util/error.h"

namespace slipway::server {
namespace {

namespace fs = std::filesystem;

class RebuildProgressFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("slipway-rebuild-progress-" + std::to_string(std::random_device{}()));
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(RebuildProgressFileTest, KeepsWhatWasDoneUntilRemoved) {
  RebuildProgressFile f(dir_.string(), "guestbook");
  EXPECT_FALSE(f.load());
  f.save({"2026-11-30T06:00:00Z", "", 0, "ENGINE"});
  f.save({"2026-11-30T06:00:00Z", "run-1", 1, "ENGINE"});
  auto p = f.load();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->started, "2026-11-30T06:00:00Z");
  EXPECT_EQ(p->restored, "run-1");
  EXPECT_EQ(p->deployed, 1);
  EXPECT_EQ(p->engine, "ENGINE");
  EXPECT_EQ(f.path(), (dir_ / "rebuild" / "guestbook.json").string());
  EXPECT_FALSE(fs::exists(f.path() + ".tmp"));
  f.remove();
  EXPECT_FALSE(f.load());
}

TEST_F(RebuildProgressFileTest, EachStackHasItsOwnRecord) {
  RebuildProgressFile a(dir_.string(), "a"), b(dir_.string(), "b");
  a.save({"t", "run-a", 0, "E"});
  EXPECT_FALSE(b.load());
}

TEST_F(RebuildProgressFileTest, WithoutAStateDirectoryNothingIsKept) {
  RebuildProgressFile f("", "a");
  f.save({"t", "run-a", 1, "E"});
  EXPECT_FALSE(f.load());
  EXPECT_TRUE(f.path().empty());
}

TEST_F(RebuildProgressFileTest, AnUnreadableRecordIsAnErrorThatSaysWhatToDo) {
  RebuildProgressFile f(dir_.string(), "a");
  fs::create_directories(dir_ / "rebuild");
  std::ofstream(f.path()) << "{not json";
  try {
    f.load();
    FAIL() << "no error";
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("remove it"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace slipway::server

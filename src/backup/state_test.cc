#include "backup/state.h"

#include <stdlib.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway::backup {
namespace {

TEST(StateDb, RecordsAndListsNewestFirst) {
  char tmpl[] = "/tmp/slipway-state-test-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  {
    StateDb db(dir + "/sub");
    db.record({"backup", "s1", "aaaa1111", "", 1.5, true, "2 parts"});
    db.record({"drill", "s1", "aaaa1111", "", 9, false, "1 of 3 checks failed: http"});
    db.record({"backup", "other", "bbbb", "", 1, true, ""});
  }
  StateDb db(dir + "/sub");
  auto all = db.history("s1");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].kind, "drill");
  EXPECT_FALSE(all[0].ok);
  EXPECT_EQ(all[0].detail, "1 of 3 checks failed: http");
  EXPECT_EQ(all[1].seconds, 1.5);
  EXPECT_EQ(db.history("s1", "backup").size(), 1u);
  EXPECT_EQ(all[0].started.size(), 20u);
  std::filesystem::remove_all(dir);
}

TEST(StateDb, DirectoryFromEnvironment) {
  setenv("SLIPWAY_STATE_DIR", "/x/y", 1);
  EXPECT_EQ(state_directory(), "/x/y");
  unsetenv("SLIPWAY_STATE_DIR");
  setenv("XDG_STATE_HOME", "/st", 1);
  EXPECT_EQ(state_directory(), "/st/slipway");
  unsetenv("XDG_STATE_HOME");
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(state_directory(), "/home/u/.local/state/slipway");
}

TEST(StateDb, UnwritableIsAnEnvError) { EXPECT_THROW(StateDb("/proc/definitely/not"), EnvError); }

}  // namespace
}  // namespace slipway::backup

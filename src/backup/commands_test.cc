// The backup commands through the slipway binary, where no engine is needed: exit codes and
// messages for configuration errors, and snapshots/forget/check on a real restic repository.
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "util/subprocess.h"

namespace slipway::backup {
namespace {

namespace fs = std::filesystem;

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-commands-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(dir_ + "/pw") << "pw\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  void stack(const std::string& x_slipway) {
    std::ofstream(dir_ + "/compose.yaml") << "name: cmdtest\n"
                                          << x_slipway
                                          << "services:\n  app:\n    image: busybox\n    volumes: [data:/d]\n"
                                             "volumes:\n  data: {}\n";
  }

  SubprocessResult slipway(std::vector<std::string> args) {
    args.insert(args.begin(), {SLIPWAY_BINARY, "-f", dir_ + "/compose.yaml"});
    SubprocessOptions o;
    o.extra_env = {{"SLIPWAY_STATE_DIR", dir_ + "/state"},
                   {"RESTIC_REPOSITORY", ""},
                   {"RESTIC_PASSWORD_FILE", ""},
                   {"RESTIC_PASSWORD", ""},
                   {"RESTIC_CACHE_DIR", dir_ + "/cache"}};
    return run_process(args, o);
  }

  std::string dir_;
};

TEST_F(CommandsTest, NoRepositoryConfiguredIsAUserError) {
  stack("");
  auto r = slipway({"snapshots"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no backup repository is configured"), std::string::npos) << r.err;
}

TEST_F(CommandsTest, BadSettingsNameTheKey) {
  stack("x-slipway:\n  backup:\n    repository: " + dir_ + "/repo\n    password_file: " + dir_ +
        "/pw\n    keep: {hourly: 3}\n");
  auto r = slipway({"snapshots"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("x-slipway.backup.keep.hourly: unknown key"), std::string::npos) << r.err;
}

TEST_F(CommandsTest, SnapshotsForgetAndCheckOnAnEmptyRepository) {
  stack("x-slipway:\n  backup:\n    repository: " + dir_ + "/repo\n    password_file: " + dir_ + "/pw\n");
  // No repository yet: an error naming where slipway looked and how to create one; nothing is
  // created by accident.
  auto missing = slipway({"snapshots"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no backup repository at " + dir_ + "/repo"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("slipway backup --init"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(dir_ + "/repo"));
  SubprocessOptions init;
  init.extra_env = {{"RESTIC_PASSWORD_FILE", dir_ + "/pw"}, {"RESTIC_CACHE_DIR", dir_ + "/cache"}};
  ASSERT_EQ(run_process({"restic", "-r", dir_ + "/repo", "init"}, init).exit_code, 0);

  auto s = slipway({"snapshots"});
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("no snapshots of cmdtest yet"), std::string::npos) << s.out;
  auto j = slipway({"snapshots", "--json"});
  EXPECT_EQ(j.out, "[]\n");
  auto f = slipway({"forget"});
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_NE(f.err.find("no keep policy"), std::string::npos) << f.err;
  auto k = slipway({"forget", "--keep-last", "2", "--json"});
  EXPECT_EQ(k.exit_code, 0) << k.err;
  auto c = slipway({"check", "--read-data-subset", "10%"});
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("no errors found"), std::string::npos) << c.out;
  // The password never shows up in anything slipway prints.
  for (const auto* r : {&s, &j, &f, &k, &c}) EXPECT_EQ((r->out + r->err).find("\npw\n"), std::string::npos);
}

TEST_F(CommandsTest, WrongPasswordIsAnEnvironmentError) {
  stack("x-slipway:\n  backup:\n    repository: " + dir_ + "/repo\n    password_file: " + dir_ + "/pw\n");
  SubprocessOptions init;
  init.extra_env = {{"RESTIC_PASSWORD_FILE", dir_ + "/pw"}, {"RESTIC_CACHE_DIR", dir_ + "/cache"}};
  ASSERT_EQ(run_process({"restic", "-r", dir_ + "/repo", "init"}, init).exit_code, 0);
  ASSERT_EQ(slipway({"snapshots"}).exit_code, 0);
  std::ofstream(dir_ + "/pw") << "other\n";
  auto r = slipway({"snapshots"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("restic snapshots failed"), std::string::npos) << r.err;
}

TEST_F(CommandsTest, BackupHelpTeachesInit) {
  stack("");
  auto r = slipway({"backup", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--init"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("never created silently"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace slipway::backup

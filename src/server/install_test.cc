// `slipway install --root DIR` / `uninstall` through the built binary, and systemd's own
// verifier on every unit written (systemd-analyze verify needs no running systemd).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "server/install.h"
#include "util/subprocess.h"

namespace slipway::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class Install : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("slipway-install-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_ / "stack" / "with space");
    stack_ = dir_ / "stack" / "with space";
    std::ofstream(stack_ / "compose.yaml")
        << "name: boottest\nservices:\n  app:\n    image: busybox:none\n"
        << "x-slipway:\n  backup:\n    repository: " << (dir_ / "repo").string() << "\n";
    root_ = dir_ / "root";
  }
  void TearDown() override { fs::remove_all(dir_); }

  SubprocessResult slipway(std::vector<std::string> args) {
    args.insert(args.begin(), SLIPWAY_BINARY);
    SubprocessOptions o;
    o.extra_env = {{"SLIPWAY_STATE_DIR", (dir_ / "state").string()}};
    return run_process(args, o);
  }

  fs::path dir_, stack_, root_;
};

TEST_F(Install, WritesVerifiableUnitsEnablesAndRemovesThem) {
  auto r = slipway({"install", "--stack", stack_.string(), "--root", root_.string(), "--backup-at", "*-*-* 03:00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  fs::path units = unit_directory(root_.string());
  std::vector<std::string> expected = {"slipway-boottest-backup.service", "slipway-boottest-backup.timer",
                                       "slipway-boottest-drill.service", "slipway-boottest-drill.timer",
                                       "slipway-boottest.service"};
  EXPECT_EQ(installed_units(root_.string(), "boottest"), expected);

  // systemd's verifier accepts every unit (it checks ExecStart exists, the dependencies, the
  // calendar expressions). --man=no: Documentation=man:slipway(1) comes with the package, which
  // this build tree has not installed.
  std::vector<std::string> verify = {"systemd-analyze", "verify", "--man=no"};
  for (const auto& u : expected) verify.push_back((units / u).string());
  auto v = run_process(verify);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_EQ(v.err, "");

  // Enabled: the boot unit under multi-user.target, the timers under timers.target.
  EXPECT_TRUE(fs::is_symlink(units / "multi-user.target.wants" / "slipway-boottest.service"));
  EXPECT_TRUE(fs::is_symlink(units / "timers.target.wants" / "slipway-boottest-backup.timer"));
  EXPECT_TRUE(fs::is_symlink(units / "timers.target.wants" / "slipway-boottest-drill.timer"));
  std::ifstream in(units / "slipway-boottest.service");
  std::string boot((std::istreambuf_iterator<char>(in)), {});
  EXPECT_THAT(boot, HasSubstr("--project-directory \"" + stack_.string() + "\" boot\n"));
  EXPECT_THAT(boot, HasSubstr("Environment=\"SLIPWAY_STATE_DIR=" + (dir_ / "state").string() + "\"\n"));

  // Installing again is fine (the files are slipway's own).
  r = slipway({"install", "--stack", stack_.string(), "--root", root_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = slipway({"uninstall", "--stack", stack_.string(), "--root", root_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(installed_units(root_.string(), "boottest").empty());
  EXPECT_FALSE(fs::exists(units / "multi-user.target.wants" / "slipway-boottest.service"));
  EXPECT_FALSE(fs::exists(units / "timers.target.wants" / "slipway-boottest-backup.timer"));
}

TEST_F(Install, RefusesToOverwriteAForeignUnit) {
  fs::create_directories(unit_directory(root_.string()));
  std::ofstream(fs::path(unit_directory(root_.string())) / "slipway-boottest.service") << "[Unit]\n";
  auto r = slipway({"install", "--stack", stack_.string(), "--root", root_.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("not written by slipway"));
  EXPECT_FALSE(fs::exists(fs::path(unit_directory(root_.string())) / "slipway-boottest-backup.timer"));
}

TEST_F(Install, WithoutRepositoryOnlyTheBootUnit) {
  std::ofstream(stack_ / "compose.yaml") << "name: boottest\nservices:\n  app:\n    image: busybox:none\n";
  auto r = slipway({"install", "--stack", stack_.string(), "--root", root_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no backup and drill timers"));
  EXPECT_EQ(installed_units(root_.string(), "boottest"), std::vector<std::string>{"slipway-boottest.service"});
}

TEST_F(Install, NotADirectoryIsAUserError) {
  auto r = slipway({"install", "--stack", (dir_ / "nope").string(), "--root", root_.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--stack: not a directory"));
}

}  // namespace
}  // namespace slipway::server

// The restic wrapper against a real restic repository in a temporary directory (no engine).
#include "backup/restic.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway::backup {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class ResticTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-restic-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    write_file(dir_ / "password", "correct horse battery staple\n");
    config_.repository = (dir_ / "repo").string();
    config_.password_file = (dir_ / "password").string();
    config_.extra_env["RESTIC_CACHE_DIR"] = (dir_ / "cache").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  ResticConfig config_;
};

TEST_F(ResticTest, InitializesOnlyWhenAskedAndRestoresASubfolder) {
  write_file(dir_ / "data/a.txt", "hello\n");
  write_file(dir_ / "data/sub/b.bin", std::string(100000, 'x'));
  Restic r(config_);
  EXPECT_THROW(r.backup_directory((dir_ / "data").string(), "stack1", {}), EnvError);
  EXPECT_FALSE(fs::exists(dir_ / "repo"));
  r.open(/*create=*/true);
  int progress_calls = 0;
  auto s = r.backup_directory((dir_ / "data").string(), "stack1", {"slipway", "volume=data", "run=r1"},
                              [&](const BackupProgress&) { ++progress_calls; });
  EXPECT_TRUE(fs::exists(dir_ / "repo/config"));
  EXPECT_FALSE(s.snapshot_id.empty());
  EXPECT_EQ(s.files_new, 2u);
  EXPECT_EQ(s.total_bytes_processed, 100006u);

  auto snaps = r.snapshots("stack1");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].hostname, "stack1");
  EXPECT_EQ(snaps[0].tag("volume"), "data");
  EXPECT_EQ(snaps[0].tag("run"), "r1");
  EXPECT_TRUE(snaps[0].has_tag("slipway"));
  EXPECT_EQ(snaps[0].id.compare(0, s.snapshot_id.size(), s.snapshot_id), 0);
  EXPECT_TRUE(r.snapshots("otherhost").empty());
  EXPECT_TRUE(r.snapshots("stack1", {"volume=nope"}).empty());

  r.restore(snaps[0].id, (dir_ / "out").string(), (dir_ / "data").string());
  EXPECT_EQ(read_file(dir_ / "out/a.txt"), "hello\n");
  EXPECT_EQ(read_file(dir_ / "out/sub/b.bin"), std::string(100000, 'x'));

  // A second backup of unchanged data finds the parent by host + path.
  auto s2 = r.backup_directory((dir_ / "data").string(), "stack1", {"run=r2"});
  EXPECT_EQ(s2.files_unmodified, 2u);
  EXPECT_EQ(s2.files_new, 0u);
}

TEST_F(ResticTest, StdinBackupAndDump) {
  Restic r(config_);
  r.open(true);
  std::string dump = "CREATE TABLE t (x int);\n";
  r.backup_stdin(dump, "db.sql", "stack1", {"kind=dump", "service=db"});
  auto snaps = r.snapshots("stack1", {"kind=dump"});
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(r.dump(snaps[0].id, "/db.sql"), dump);
}

TEST_F(ResticTest, ForgetKeepsTheLastN) {
  write_file(dir_ / "data/a.txt", "1");
  Restic r(config_);
  r.open(true);
  for (int i = 0; i < 3; ++i) r.backup_directory((dir_ / "data").string(), "stack1", {"run=" + std::to_string(i)});
  auto res = r.forget("stack1", KeepPolicy{.last = 1});
  EXPECT_EQ(res.kept.size(), 1u);
  EXPECT_EQ(res.removed.size(), 2u);
  auto snaps = r.snapshots("stack1");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].tag("run"), "2");
  EXPECT_THROW(r.forget("stack1", KeepPolicy{}), UserError);
}

TEST_F(ResticTest, CheckPassesAndDetectsDamage) {
  write_file(dir_ / "data/a.txt", std::string(5000, 'q'));
  Restic r(config_);
  r.open(true);
  r.backup_directory((dir_ / "data").string(), "s", {});
  EXPECT_TRUE(r.check().ok);
  EXPECT_TRUE(r.check("100%").ok);
  // Corrupt one pack file: reading all data must notice.
  for (auto& e : fs::recursive_directory_iterator(dir_ / "repo/data")) {
    if (!e.is_regular_file()) continue;
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.write("CORRUPTCORRUPT", 14);
    break;
  }
  auto c = r.check("100%");
  EXPECT_FALSE(c.ok);
  EXPECT_FALSE(c.output.empty());
}

TEST_F(ResticTest, WrongPasswordIsAnEnvErrorWithoutThePassword) {
  write_file(dir_ / "data/a.txt", "1");
  Restic(config_).open(true);
  Restic(config_).backup_directory((dir_ / "data").string(), "s", {});
  write_file(dir_ / "password", "wrong-secret-123\n");
  try {
    Restic(config_).snapshots();
    FAIL() << "expected an error";
  } catch (const EnvError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("restic snapshots failed"), std::string::npos) << m;
    EXPECT_EQ(m.find("wrong-secret-123"), std::string::npos) << m;
  }
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const EnvError& e) {
    return e.what();
  }
  return "(no error)";
}

// An unmounted backup disk must never silently become a new repository on the root filesystem.
TEST_F(ResticTest, AMissingRepositoryIsAnErrorThatSaysWhereAndHow) {
  Restic r(config_);
  auto m = error_of([&] { r.snapshots(); });
  EXPECT_NE(m.find("no backup repository at " + config_.repository + ": the directory does not exist"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("is the backup disk mounted?"), std::string::npos) << m;
  EXPECT_NE(m.find("slipway backup --init"), std::string::npos) << m;
  EXPECT_FALSE(fs::exists(config_.repository));

  fs::create_directories(config_.repository);
  write_file(fs::path(config_.repository) / "something", "not restic");
  Restic r2(config_);
  m = error_of([&] { r2.snapshots(); });
  EXPECT_NE(m.find("exists but is not a restic repository"), std::string::npos) << m;
  EXPECT_FALSE(fs::exists(fs::path(config_.repository) / "config"));
}

// Preflight: what a backup needs is checked before anything runs.
TEST_F(ResticTest, PreflightNamesMissingResticAndUnreadablePasswordFile) {
  auto c = config_;
  c.program = "restic-that-does-not-exist";
  EXPECT_EQ(error_of([&] { Restic(c).open(true); }), "restic-that-does-not-exist not found (apt-get install restic)");
  c = config_;
  c.password_file = (dir_ / "no-such-password").string();
  auto m = error_of([&] { Restic(c).open(true); });
  EXPECT_NE(m.find("cannot read the backup password file " + c.password_file), std::string::npos) << m;
  EXPECT_FALSE(fs::exists(config_.repository));
}

// A restic killed while it holds its lock leaves a stale lock; the next operation removes it
// (check and forget need an exclusive lock and would fail otherwise), and only then.
TEST_F(ResticTest, StaleLocksOfDeadRunsAreRemoved) {
  Restic(config_).open(true);
  int in[2];
  ASSERT_EQ(pipe(in), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    close(in[1]);
    setenv("RESTIC_PASSWORD_FILE", config_.password_file.c_str(), 1);
    setenv("RESTIC_CACHE_DIR", config_.extra_env["RESTIC_CACHE_DIR"].c_str(), 1);
    execlp("restic", "restic", "-r", config_.repository.c_str(), "backup", "--stdin", (char*)nullptr);
    _exit(127);
  }
  close(in[0]);
  auto locks = fs::path(config_.repository) / "locks";
  // A lock file restic has finished writing (a half-written one is ignored by restic).
  auto written = [&] {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(locks, ec))
      if (fs::file_size(e.path(), ec) > 0) return true;
    return false;
  };
  for (int i = 0; i < 200 && !written(); ++i) usleep(50000);
  ASSERT_TRUE(written()) << "restic never took its lock";
  usleep(300000);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  close(in[1]);
  ASSERT_FALSE(fs::is_empty(locks));
  auto c = Restic(config_).check();
  EXPECT_TRUE(c.ok) << c.output;
  EXPECT_TRUE(fs::is_empty(locks));
}

TEST(ResticConfigTest, MissingPasswordIsAUserError) {
  unsetenv("RESTIC_PASSWORD");
  unsetenv("RESTIC_PASSWORD_FILE");
  unsetenv("RESTIC_PASSWORD_COMMAND");
  ResticConfig c;
  c.repository = "/tmp/x";
  EXPECT_THROW(Restic{c}, UserError);
}

TEST(ResticConfigTest, DisplayMasksCredentials) {
  ResticConfig c;
  c.repository = "rest:https://user:secret@host:8000/repo";
  c.password_file = "/p";
  EXPECT_EQ(Restic(c).display_repository(), "rest:https://***@host:8000/repo");
}

TEST(ResticParseTest, BackupOutputToleratesNoiseAndUnknownFields) {
  std::string out =
      "warning: something odd\n"
      "{\"message_type\":\"status\",\"percent_done\":0.5,\"total_files\":2,\"bytes_done\":10,\"new_field\":[1]}\n"
      "{\"message_type\":\"verbose_status\",\"action\":\"new\"}\n"
      "not json {\n"
      "{\"message_type\":\"summary\",\"files_new\":1,\"data_added\":\"oops\",\"snapshot_id\":\"abcd1234\"}\n";
  int n = 0;
  auto s = parse_backup_output(out, [&](const BackupProgress& p) {
    ++n;
    EXPECT_DOUBLE_EQ(p.percent_done, 0.5);
    EXPECT_EQ(p.bytes_done, 10u);
  });
  EXPECT_EQ(n, 1);
  EXPECT_EQ(s.snapshot_id, "abcd1234");
  EXPECT_EQ(s.files_new, 1u);
  EXPECT_EQ(s.data_added, 0u);
  EXPECT_THROW(parse_backup_output("{\"message_type\":\"status\"}\n"), EnvError);
}

TEST(ResticParseTest, ProgressIsFedInChunks) {
  std::string pending;
  int n = 0;
  ProgressFn fn = [&](const BackupProgress&) { ++n; };
  feed_progress(pending, "{\"message_type\":\"sta", fn);
  EXPECT_EQ(n, 0);
  feed_progress(pending, "tus\"}\n{\"message_type\":\"status\"}\n{", fn);
  EXPECT_EQ(n, 2);
  EXPECT_EQ(pending, "{");
}

TEST(ResticParseTest, SnapshotsTolerateMissingFields) {
  auto s = parse_snapshots(R"([{"id":"0123456789abcdef","tags":["a=b",5]},{"time":"x"},7])");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].short_id, "01234567");
  EXPECT_EQ(s[0].tag("a"), "b");
  EXPECT_TRUE(s[0].paths.empty());
  EXPECT_THROW(parse_snapshots("{}"), EnvError);
}

TEST(ResticParseTest, ForgetOutputFollowedByPruneText) {
  auto r = parse_forget_output(
      R"([{"tags":null,"host":"h","paths":["/d"],"keep":[{"id":"k1"}],"remove":[{"id":"r1"},{"id":"r2"}]}])"
      "\nloading indexes...\nfound 3 of 3 data blobs still in use\n");
  EXPECT_EQ(r.kept, std::vector<std::string>{"k1"});
  EXPECT_EQ(r.removed, (std::vector<std::string>{"r1", "r2"}));
  EXPECT_TRUE(parse_forget_output("garbage").kept.empty());
}

}  // namespace
}  // namespace slipway::backup

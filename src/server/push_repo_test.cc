// serve-repo and the receive hook without an engine: the deploy is a stand-in program
// (/bin/true succeeds, /bin/false fails), the pushes are git's own objects in a bare
// repository. push_enginetest.cc runs the real thing through sshd.
#include "server/push_repo.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "util/error.h"
#include "util/subprocess.h"

namespace slipway::server {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class PushRepo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("slipway-push-repo-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_ / "work");
    git({"init", "-q", "-b", "main"});
  }
  void TearDown() override {
    fs::current_path(fs::temp_directory_path());
    fs::remove_all(dir_);
  }
  SubprocessResult git(std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", (dir_ / "work").string(), "-c", "user.name=t", "-c",
                               "user.email=t@example.org"});
    return run_process(args);
  }
  std::string commit(const std::map<std::string, std::string>& files, const std::vector<std::string>& removed = {}) {
    for (const auto& [name, text] : files) std::ofstream(dir_ / "work" / name) << text;
    for (const auto& name : removed) fs::remove(dir_ / "work" / name);
    git({"add", "-A"});
    git({"commit", "-q", "-m", "c"});
    return git({"rev-parse", "HEAD"}).out.substr(0, 40);
  }
  // The hook of these tests execs /bin/true: the objects of a push land, the test then runs
  // receive_hook itself.
  ServeRepoResult serve(const std::string& slipway = "/bin/true") {
    ServeRepoOptions o;
    o.repo = (dir_ / "app.git").string();
    o.stack = (dir_ / "app").string();
    o.slipway_binary = slipway;
    return serve_repo(o);
  }
  // The objects reach the repository (its hook is /bin/true); then the hook's work runs as git
  // runs it: in the repository, ref updates on stdin.
  int receive(const std::string& deploy, const std::string& old_commit, const std::string& new_commit) {
    run_process({"git", "-C", (dir_ / "work").string(), "push", "-q", "--no-verify", (dir_ / "app.git").string(),
                 new_commit + ":refs/heads/incoming"});
    fs::current_path(dir_ / "app.git");
    std::istringstream updates(old_commit + " " + new_commit + " refs/heads/main\n");
    ReceiveOptions o;
    o.slipway_binary = deploy;
    o.updates = &updates;
    o.say = [this](const std::string& line) { said_ += line + "\n"; };
    int rc = receive_hook(o);
    fs::current_path(fs::temp_directory_path());
    return rc;
  }

  fs::path dir_;
  std::string said_;
};

TEST_F(PushRepo, ServeRepoMakesABareRepositoryWithAHookThatExecsSlipway) {
  auto r = serve("/usr/bin/slip way's");
  EXPECT_TRUE(r.created);
  EXPECT_EQ(r.branch, "main");
  EXPECT_TRUE(fs::is_directory(dir_ / "app"));
  EXPECT_EQ(run_process({"git", "-C", r.repo, "rev-parse", "--is-bare-repository"}).out, "true\n");
  EXPECT_EQ(run_process({"git", "-C", r.repo, "config", "slipway.stack"}).out, r.stack + "\n");
  std::string hook = read(dir_ / "app.git" / "hooks" / "pre-receive");
  EXPECT_NE(hook.find("exec '/usr/bin/slip way'\\''s' receive-hook\n"), std::string::npos) << hook;
  EXPECT_NE(fs::status(dir_ / "app.git" / "hooks" / "pre-receive").permissions() & fs::perms::owner_exec,
            fs::perms::none);
  EXPECT_FALSE(serve().created);  // again: the hook and settings are written again
}

TEST_F(PushRepo, ServeRepoRefusesWhatItCannotUse) {
  fs::create_directories(dir_ / "plain");
  ServeRepoOptions o;
  o.repo = (dir_ / "plain").string();
  o.stack = (dir_ / "app").string();
  EXPECT_THROW(serve_repo(o), UserError);  // exists, not a bare repository
  o.repo = (dir_ / "app.git").string();
  o.branch = "bad..name";
  EXPECT_THROW(serve_repo(o), UserError);
  EXPECT_FALSE(fs::exists(dir_ / "app.git"));
}

TEST_F(PushRepo, AGoodDeployKeepsThePushedFilesAFailedOneRestoresThePrevious) {
  serve();
  const std::string zero(40, '0');
  std::string c1 = commit({{"compose.yaml", "v1\n"}, {"old.txt", "old\n"}});
  ASSERT_EQ(receive("/bin/true", zero, c1), 0) << said_;
  EXPECT_EQ(read(dir_ / "app" / "compose.yaml"), "v1\n");
  std::ofstream(dir_ / "app" / ".env") << "SECRET=1\n";  // never tracked: always left alone

  std::string c2 = commit({{"compose.yaml", "v2\n"}}, {"old.txt"});
  EXPECT_EQ(receive("/bin/false", c1, c2), 1);
  EXPECT_NE(said_.find("the push is rejected"), std::string::npos) << said_;
  EXPECT_EQ(read(dir_ / "app" / "compose.yaml"), "v1\n");
  EXPECT_TRUE(fs::exists(dir_ / "app" / "old.txt"));
  EXPECT_EQ(read(dir_ / "app" / ".env"), "SECRET=1\n");

  EXPECT_EQ(receive("/bin/true", c1, c2), 0);
  EXPECT_EQ(read(dir_ / "app" / "compose.yaml"), "v2\n");
  EXPECT_FALSE(fs::exists(dir_ / "app" / "old.txt"));
  EXPECT_EQ(read(dir_ / "app" / ".env"), "SECRET=1\n");
}

TEST_F(PushRepo, AFailedFirstPushLeavesNoFilesAndDeletingTheBranchIsRefused) {
  serve();
  const std::string zero(40, '0');
  std::string c1 = commit({{"compose.yaml", "v1\n"}});
  EXPECT_EQ(receive("/bin/false", zero, c1), 1);
  EXPECT_FALSE(fs::exists(dir_ / "app" / "compose.yaml"));
  EXPECT_EQ(receive("/bin/true", zero, c1), 0);
  said_.clear();
  EXPECT_EQ(receive("/bin/true", c1, zero), 1);
  EXPECT_NE(said_.find("refusing to delete main"), std::string::npos) << said_;
  EXPECT_EQ(read(dir_ / "app" / "compose.yaml"), "v1\n");
}

}  // namespace
}  // namespace slipway::server

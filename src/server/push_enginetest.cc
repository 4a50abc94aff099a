// Push to deploy and the remote read-only view, end to end through Debian's OpenSSH
// (tests/support/sshd.h, on port 22 of a network namespace of its own): `slipway serve-repo` on the "server",
// `slipway remote add` + `slipway push` and a plain `git push` from a "laptop" checkout, and
// `slipway -H ssh://… ps|logs|history|snapshots`. The stack is a FROM-scratch busybox httpd
// built from the pushed files, deployed on the shared engine under a unique project name; its
// check (tests/web.yaml) looks at the page the commit ships. A push whose check fails is
// rejected and the generation before keeps serving.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "engine/client.h"
#include "support/sshd.h"
#include "util/subprocess.h"

namespace slipway::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using json = nlohmann::json;

std::string random_id() {
  std::mt19937_64 gen(std::random_device{}());
  std::string s;
  for (int i = 0; i < 8; ++i) s += "0123456789abcdef"[gen() % 16];
  return s;
}

class PushToDeploy : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.ping();  // no engine: fail loudly
    run_id_ = random_id();
    project_ = "sliptest-push-" + run_id_;
    dir_ = fs::temp_directory_path() / ("slipway-push-" + run_id_);
    fs::create_directories(dir_ / "server-state");
    fs::create_directories(dir_ / "laptop-state");
    // What every ssh login on the "server" sees: its own state directory.
    sshd_ = std::make_unique<testsupport::Sshd>(
        dir_.string(), std::map<std::string, std::string>{{"SLIPWAY_STATE_DIR", (dir_ / "server-state").string()},
                                                          {"SLIPWAY_RUNTIME_DIR", (dir_ / "server-run").string()}});
    laptop_ = dir_ / "laptop";
    fs::create_directories(laptop_ / "web");
    fs::create_directories(laptop_ / "tests");
    fs::copy_file("/bin/busybox", laptop_ / "web" / "busybox");
    std::ofstream(laptop_ / "web" / "Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\n";
    std::ofstream(laptop_ / "compose.yaml") << "name: " << project_ << R"(
services:
  web:
    build: ./web
    image: )" << project_ << R"(-web:latest
    command: ["/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/www"]
    labels: {io.slipway.test: ")" << run_id_ << R"("}
networks:
  default:
    labels: {io.slipway.test: ")" << run_id_ << R"("}
x-slipway:
  deploy: {watch: 0}
)";
    ASSERT_EQ(git({"init", "-q", "-b", "main"}).exit_code, 0);
  }

  void TearDown() override {
    run_process({SLIPWAY_BINARY, "--project-directory", (dir_ / "app").string(), "down"}, server_env());
    engine::Filters mine = engine::label_filters({{"io.slipway.test", run_id_}});
    for (const auto& c : client_.list_containers(mine, true)) try {
        client_.remove_container(c["Id"], true, true);
      } catch (const std::exception&) {
      }
    for (const auto& n : client_.list_networks(mine)) try {
        client_.remove_network(n["Id"]);
      } catch (const std::exception&) {
      }
    for (const auto& img : client_.list_images(engine::Filters{{"reference", {project_ + "*"}}})) try {
        client_.remove_image(img["Id"], true);
      } catch (const std::exception&) {
      }
    sshd_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // The laptop's environment: its own state, ssh through the test's keys only.
  SubprocessOptions laptop_env() const {
    SubprocessOptions o;
    o.working_directory = laptop_.string();
    o.extra_env = {{"SLIPWAY_STATE_DIR", (dir_ / "laptop-state").string()},
                   {"SLIPWAY_SSH_CONFIG", sshd_->client_config()},
                   {"SLIPWAY_REMOTE_SLIPWAY", SLIPWAY_BINARY},
                   {"GIT_SSH_COMMAND", "ssh -F " + sshd_->client_config()},
                   {"GIT_AUTHOR_NAME", "t"},
                   {"GIT_AUTHOR_EMAIL", "t@example.org"},
                   {"GIT_COMMITTER_NAME", "t"},
                   {"GIT_COMMITTER_EMAIL", "t@example.org"}};
    return o;
  }
  SubprocessOptions server_env() const {
    SubprocessOptions o;
    o.extra_env = {{"SLIPWAY_STATE_DIR", (dir_ / "server-state").string()},
                   {"SLIPWAY_RUNTIME_DIR", (dir_ / "server-run").string()}};
    return o;
  }
  SubprocessResult git(std::vector<std::string> args) const {
    args.insert(args.begin(), "git");
    return run_process(args, laptop_env());
  }
  SubprocessResult laptop(std::vector<std::string> args, const std::string& host = "") const {
    args.insert(args.begin(), SLIPWAY_BINARY);
    if (!host.empty()) args.insert(args.begin() + 1, {"-H", host});
    return run_process(args, laptop_env());
  }
  // A commit whose page says `page` and whose check expects `expected`.
  std::string commit(const std::string& page, const std::string& expected) const {
    fs::create_directories(laptop_ / "web" / "www");
    std::ofstream(laptop_ / "web" / "www" / "index.html") << page << "\n";
    std::ofstream(laptop_ / "tests" / "web.yaml")
        << "x-slipway: {service: web}\nfile:\n  /www/index.html:\n    exists: true\n    contains: [\"" << expected
        << "\"]\n";
    EXPECT_EQ(git({"add", "-A"}).exit_code, 0);
    EXPECT_EQ(git({"commit", "-q", "-m", page}).exit_code, 0);
    return git({"rev-parse", "HEAD"}).out.substr(0, 40);
  }
  json history(const std::string& host) const {
    auto r = laptop({"history", "--json"}, host);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out.empty() ? "[]" : r.out);
  }
  std::string served_page() {
    engine::ExecOptions o;
    o.cmd = {"/bin/busybox", "cat", "/www/index.html"};
    for (const auto& c : client_.list_containers(engine::label_filters({{"io.slipway.test", run_id_}}), false))
      return client_.exec(c["Id"], o).out;
    return "";
  }

  engine::Client client_;
  std::string run_id_, project_;
  fs::path dir_, laptop_;
  std::unique_ptr<testsupport::Sshd> sshd_;
};

TEST_F(PushToDeploy, GoodPushDeploysFailedChecksRejectThePushAndTheServerIsReadableFromTheLaptop) {
  auto made = run_process({SLIPWAY_BINARY, "serve-repo", (dir_ / "app.git").string()}, server_env());
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string remote = sshd_->url((dir_ / "app.git").string());
  const std::string host = sshd_->url((dir_ / "app").string());  // -H: the server's stack directory
  ASSERT_EQ(laptop({"remote", "add", "prod", remote}).exit_code, 0);
  EXPECT_EQ(laptop({"remote", "add", "prod", remote}).exit_code, 2);  // exists: says so, changes nothing

  // Generation 1, by slipway push; the deploy's output reaches the pusher.
  std::string c1 = commit("v1", "v1");
  auto r = laptop({"push", "prod"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("is deployed"));
  EXPECT_THAT(r.err, HasSubstr("generation 1 is live"));
  EXPECT_THAT(served_page(), HasSubstr("v1"));
  json h = history(host);
  ASSERT_EQ(h.size(), 1u) << h.dump();
  EXPECT_EQ(h[0]["generation"], 1);
  EXPECT_EQ(h[0]["status"], "deployed");
  EXPECT_EQ(h[0]["git_commit"], c1);

  // A commit whose check fails: the push is rejected, generation 1 keeps serving, the server's
  // branch and stack directory keep c1.
  std::string bad = commit("v2-broken", "v2-fixed");
  r = laptop({"push", "prod"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("the push is rejected"));
  EXPECT_THAT(r.err, HasSubstr("pre-receive hook declined"));
  EXPECT_THAT(served_page(), HasSubstr("v1"));
  auto branch = run_process({"git", "-C", (dir_ / "app.git").string(), "rev-parse", "main"});
  EXPECT_EQ(branch.out.substr(0, 40), c1);
  std::ifstream page(dir_ / "app" / "web" / "www" / "index.html");
  std::string text((std::istreambuf_iterator<char>(page)), {});
  EXPECT_EQ(text, "v1\n");
  h = history(host);
  ASSERT_GE(h.size(), 2u);
  EXPECT_EQ(h[0]["status"], "failed");
  EXPECT_EQ(h[1]["generation"], 1);
  EXPECT_EQ(h[1]["status"], "deployed");

  // The remote view: ps through the tunnelled engine sees generation 1 serving, logs read it.
  r = laptop({"ps", "--json"}, host);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json ps = json::parse(r.out);
  ASSERT_EQ(ps.size(), 1u) << r.out;
  EXPECT_EQ(ps[0]["Generation"], "1");
  EXPECT_EQ(ps[0]["State"], "running");
  r = laptop({"logs", "--tail", "5"}, host);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // snapshots runs on the server: its answer (no backup repository: a user error) comes back.
  r = laptop({"snapshots"}, host);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("repository"));

  // Fixed, and pushed with plain git: generation 2 (N+1) goes live.
  std::string c3 = commit("v2-fixed", "v2-fixed");
  r = git({"push", "prod", "main"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(served_page(), HasSubstr("v2-fixed"));
  h = history(host);
  ASSERT_GE(h.size(), 3u);
  EXPECT_EQ(h[0]["status"], "deployed");
  EXPECT_EQ(h[0]["git_commit"], c3);
  EXPECT_GT(h[0]["generation"].get<int>(), 1);
}

TEST_F(PushToDeploy, UnreachableHostOrRefusedKeyIsOneLineAndExit1) {
  auto one_line = [](const SubprocessResult& r) {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  };
  std::string closed = "ssh://root@127.0.0.1:1";
  auto r = laptop({"ps"}, closed);
  one_line(r);
  EXPECT_THAT(r.err, HasSubstr("cannot reach"));
  r = laptop({"history"}, closed + "/srv/x");
  one_line(r);
  EXPECT_THAT(r.err, HasSubstr("cannot reach"));

  SubprocessOptions stranger = laptop_env();
  stranger.extra_env["SLIPWAY_SSH_CONFIG"] = sshd_->stranger_config();
  r = run_process({SLIPWAY_BINARY, "-H", sshd_->url(), "ps"}, stranger);
  one_line(r);
  EXPECT_THAT(r.err, HasSubstr("Permission denied"));
  r = run_process({SLIPWAY_BINARY, "-H", sshd_->url("/srv/x"), "snapshots"}, stranger);
  one_line(r);
  EXPECT_THAT(r.err, HasSubstr("Permission denied"));

  // Commands that change things refuse ssh:// (a user error), before anything runs.
  r = laptop({"deploy"}, sshd_->url());
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
}  // namespace slipway::server

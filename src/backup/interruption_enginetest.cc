// Every interruption of a backup or a restore converges (issue 8, item 2), through the engine
// seam: the operation runs in a child process on an Engine that SIGKILLs the child just before
// its Nth state-changing request, for every N; then the recovery that every slipway command
// starts with runs, and the stack must be whole again: every service running and unpaused, no
// journal left, no stale restic lock (check and forget work), no staged copy, no partial
// snapshot, and the data entirely old or entirely new — as the recovery's message says.
// (The end-to-end variant through a relay on the engine socket kills the real binary.)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "backup/backup.h"
#include "backup/catalog.h"
#include "backup/journal.h"
#include "backup/live.h"
#include "backup/recover.h"
#include "backup/restic.h"
#include "backup/restore.h"
#include "engine/build_context.h"
#include "engine/client.h"
#include "util/error.h"

namespace slipway::backup {
namespace {

namespace fs = std::filesystem;
using engine::json;

// The real client, except that the Nth state-changing request (counting from 1) kills the
// process instead of being sent. kill_at 0 only counts.
class KillingEngine : public engine::Engine {
 public:
  KillingEngine(int kill_at, std::shared_ptr<std::atomic<int>> count)
      : real_(std::make_shared<engine::Client>()), kill_at_(kill_at), count_(std::move(count)) {}

  const std::string& address() const override { return real_->address(); }
  std::string api_version() const override { return real_->api_version(); }
  void ping() const override { real_->ping(); }
  json version() const override { return real_->version(); }
  json info() const override { return real_->info(); }
  json inspect_image(const std::string& n) const override { return real_->inspect_image(n); }
  json list_images(const engine::Filters& f, bool all) const override { return real_->list_images(f, all); }
  json remove_image(const std::string& n, bool force, bool np) const override {
    return (change(), real_->remove_image(n, force, np));
  }
  void tag_image(const std::string& s, const std::string& r, const std::string& t) const override {
    change(), real_->tag_image(s, r, t);
  }
  std::string build_image(const engine::BodyReader& c, const engine::BuildOptions& o,
                          const engine::BuildOutput& out) const override {
    return (change(), real_->build_image(c, o, out));
  }
  std::string pull_image(const std::string& r, const engine::PullOutput& out) const override {
    return (change(), real_->pull_image(r, out));
  }
  std::string import_image(const engine::BodyReader& t, const std::string& r, const std::string& tag,
                           const std::vector<std::string>& ch, const std::string& m) const override {
    return (change(), real_->import_image(t, r, tag, ch, m));
  }
  std::vector<std::string> load_images(const engine::BodyReader& t) const override {
    return (change(), real_->load_images(t));
  }
  std::string create_container(const std::string& n, const json& b) const override {
    return (change(), real_->create_container(n, b));
  }
  void start_container(const std::string& id) const override { change(), real_->start_container(id); }
  void stop_container(const std::string& id, int t) const override { change(), real_->stop_container(id, t); }
  void kill_container(const std::string& id, const std::string& s) const override {
    change(), real_->kill_container(id, s);
  }
  void restart_container(const std::string& id, int t) const override { change(), real_->restart_container(id, t); }
  void remove_container(const std::string& id, bool f, bool v) const override {
    change(), real_->remove_container(id, f, v);
  }
  json inspect_container(const std::string& id) const override { return real_->inspect_container(id); }
  json container_changes(const std::string& id) const override { return real_->container_changes(id); }
  json list_containers(const engine::Filters& f, bool all) const override { return real_->list_containers(f, all); }
  int wait_container(const std::string& id, const std::string& c) const override {
    return real_->wait_container(id, c);
  }
  void rename_container(const std::string& id, const std::string& n) const override {
    change(), real_->rename_container(id, n);
  }
  void pause_container(const std::string& id) const override { change(), real_->pause_container(id); }
  void unpause_container(const std::string& id) const override { change(), real_->unpause_container(id); }
  void logs(const std::string& id, const engine::LogsOptions& o, const engine::OutputSink& s) const override {
    real_->logs(id, o, s);
  }
  engine::ExecResult exec(const std::string& id, const engine::ExecOptions& o) const override {
    return (change(), real_->exec(id, o));
  }
  void get_archive(const std::string& id, const std::string& p, const engine::ChunkSink& s) const override {
    real_->get_archive(id, p, s);
  }
  void put_archive(const std::string& id, const std::string& d, const engine::BodyReader& t) const override {
    change(), real_->put_archive(id, d, t);
  }
  std::string create_network(const json& b) const override { return (change(), real_->create_network(b)); }
  json inspect_network(const std::string& id) const override { return real_->inspect_network(id); }
  json list_networks(const engine::Filters& f) const override { return real_->list_networks(f); }
  void remove_network(const std::string& id) const override { change(), real_->remove_network(id); }
  void connect_network(const std::string& n, const std::string& c, const json& e) const override {
    change(), real_->connect_network(n, c, e);
  }
  void disconnect_network(const std::string& n, const std::string& c, bool f) const override {
    change(), real_->disconnect_network(n, c, f);
  }
  json create_volume(const json& b) const override { return (change(), real_->create_volume(b)); }
  json inspect_volume(const std::string& n) const override { return real_->inspect_volume(n); }
  json list_volumes(const engine::Filters& f) const override { return real_->list_volumes(f); }
  void remove_volume(const std::string& n, bool f) const override { change(), real_->remove_volume(n, f); }
  std::string swarm_init(const json& b) const override { return (change(), real_->swarm_init(b)); }
  void swarm_join(const json& b) const override { change(), real_->swarm_join(b); }
  void swarm_leave(bool f) const override { change(), real_->swarm_leave(f); }
  json inspect_swarm() const override { return real_->inspect_swarm(); }
  json list_nodes(const engine::Filters& f) const override { return real_->list_nodes(f); }
  std::string create_service(const json& s) const override { return (change(), real_->create_service(s)); }
  json inspect_service(const std::string& id) const override { return real_->inspect_service(id); }
  void update_service(const std::string& id, std::uint64_t v, const json& s) const override {
    change(), real_->update_service(id, v, s);
  }
  void remove_service(const std::string& id) const override { change(), real_->remove_service(id); }
  json list_services(const engine::Filters& f) const override { return real_->list_services(f); }
  json list_tasks(const engine::Filters& f) const override { return real_->list_tasks(f); }
  std::string create_secret(const json& s) const override { return (change(), real_->create_secret(s)); }
  void remove_secret(const std::string& id) const override { change(), real_->remove_secret(id); }
  json list_secrets(const engine::Filters& f) const override { return real_->list_secrets(f); }
  void save_images(const std::vector<std::string>& n, const engine::ChunkSink& s) const override {
    real_->save_images(n, s);
  }
  void events(const engine::EventsOptions& o, const engine::EventSink& s) const override { real_->events(o, s); }
  json call(const std::string& m, const std::string& p, const json& b, const std::string& w) const override {
    if (m != "GET" && m != "HEAD") change();
    return real_->call(m, p, b, w);
  }
  // The child's engine lives as long as the child's work: a non-owning handle is enough.
  std::shared_ptr<const Engine> share() const override {
    return std::shared_ptr<const Engine>(this, [](const Engine*) {});
  }

 private:
  int change() const {
    int n = ++*count_;
    if (kill_at_ > 0 && n >= kill_at_) ::kill(::getpid(), SIGKILL);
    return n;
  }
  std::shared_ptr<engine::Client> real_;
  int kill_at_;
  std::shared_ptr<std::atomic<int>> count_;
};

std::string run_id() {
  static std::string id = [] {
    std::random_device rd;
    char b[16];
    std::snprintf(b, sizeof b, "%06x", rd() & 0xffffff);
    return std::string(b);
  }();
  return id;
}

void write(const fs::path& p, const std::string& data) { std::ofstream(p, std::ios::binary) << data; }
std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class InterruptionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    engine::Client c;
    c.ping();
    image_ = "slipway-interrupt-test-busybox:" + run_id();
    char tmpl[] = "/tmp/slipway-bb-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    fs::copy_file("/bin/busybox", dir + "/busybox");
    std::ofstream(dir + "/Dockerfile")
        << "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n";
    engine::BuildOptions o;
    o.tags = {image_};
    o.labels = {{"io.slipway.test", run_id()}};
    c.build_image(engine::context_tar_reader(engine::scan_context(dir)), o);
    fs::remove_all(dir);
  }
  static void TearDownTestSuite() {
    engine::Client c;
    try {
      for (const auto& img : c.list_images(engine::label_filters({{"io.slipway.test", run_id()}})))
        c.remove_image(img["Id"], true);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cleanup: %s\n", e.what());
    }
  }

  void SetUp() override {
    static int n = 0;
    project_.name = "swint" + run_id() + "t" + std::to_string(++n);
    char tmpl[] = "/tmp/slipway-interrupt-test-XXXXXX";
    tmp_ = mkdtemp(tmpl);
    project_.working_dir = tmp_ + "/stack";
    fs::create_directories(project_.working_dir);
    write(tmp_ + "/password", "test password\n");
    ResticConfig rc;
    rc.repository = tmp_ + "/repo";
    rc.password_file = tmp_ + "/password";
    rc.extra_env["RESTIC_CACHE_DIR"] = tmp_ + "/cache";
    restic_ = std::make_unique<Restic>(rc);
    restic_->open(true);
    project_.model = json::object();
  }

  void TearDown() override {
    auto f = engine::label_filters({{"io.slipway.test", run_id()}, {"com.docker.compose.project", project_.name}});
    try {
      for (const auto& ct : client_.list_containers(f, true)) client_.remove_container(ct["Id"], true, true);
      for (const auto& v : client_.list_volumes(f)) client_.remove_volume(v["Name"], true);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "cleanup: " << e.what();
    }
    fs::remove_all(tmp_);
  }

  // A volume `key` and a running service container mounting it at /data.
  std::string service(const std::string& svc, const std::string& key, const json& x_backup,
                      bool volume_is_data = true) {
    std::string name = project_.name + "_" + key;
    client_.create_volume(
        {{"Name", name}, {"Labels", {{"io.slipway.test", run_id()}, {"com.docker.compose.project", project_.name}}}});
    project_.model["volumes"][key] = {{"name", name}};
    if (!volume_is_data) project_.model["volumes"][key]["x-slipway"]["backup"] = false;
    json body = {{"Image", image_},
                 {"Cmd", {"/bin/busybox", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"}},
                 {"Labels",
                  {{"io.slipway.test", run_id()},
                   {"com.docker.compose.project", project_.name},
                   {"com.docker.compose.service", svc},
                   {"com.docker.compose.oneoff", "False"}}},
                 {"HostConfig", {{"Binds", {name + ":/data"}}}}};
    std::string id = client_.create_container(project_.name + "-" + svc + "-1", body);
    client_.start_container(id);
    json spec = {{"image", image_}, {"volumes", {{{"type", "volume"}, {"source", key}, {"target", "/data"}}}}};
    if (!x_backup.is_null()) spec["x-slipway"]["backup"] = x_backup;
    project_.model["services"][svc] = spec;
    ids_.push_back(id);
    return client_.inspect_volume(name)["Mountpoint"];
  }

  // Runs `op` in a child on a KillingEngine; returns the number of state-changing requests
  // (kill_at 0) or whether the child was killed.
  int run_child(int kill_at, const std::function<void(const engine::Engine&)>& op) {
    auto count = std::make_shared<std::atomic<int>>(0);
    int pipefd[2];
    if (pipe(pipefd) != 0) throw EnvError("pipe");
    pid_t pid = fork();
    if (pid == 0) {
      close(pipefd[0]);
      int rc = 0;
      try {
        KillingEngine e(kill_at, count);
        op(e);
      } catch (const std::exception& ex) {
        std::fprintf(stderr, "child: %s\n", ex.what());
        rc = 1;
      }
      int n = *count;
      (void)!::write(pipefd[1], &n, sizeof n);
      _exit(rc);
    }
    close(pipefd[1]);
    int n = -1;
    (void)!::read(pipefd[0], &n, sizeof n);
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (kill_at == 0) {
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the uninterrupted run failed";
      return n;
    }
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 1 : 0;
  }

  // Runs `op` in a child and SIGKILLs the child while one of its restic processes runs (one
  // whose arguments contain `marker`). Returns false when no such restic was seen.
  bool kill_while_restic_runs(const std::function<void(const engine::Engine&)>& op, const std::string& marker) {
    pid_t pid = fork();
    if (pid == 0) {
      try {
        engine::Client c;
        op(c);
      } catch (...) {
      }
      _exit(0);
    }
    bool seen = false;
    for (int i = 0; i < 1200 && !seen; ++i) {
      std::error_code ec;  // processes come and go while /proc is read
      for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
        const auto& e = *it;
        std::string args = read(e.path() / "cmdline");
        std::replace(args.begin(), args.end(), '\0', ' ');
        if (args.rfind("restic ", 0) == 0 && args.find(marker) != std::string::npos) seen = true;
      }
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return seen;
  }

  // The next command's recovery; returns its messages.
  std::string recover() {
    std::string all;
    recover_interrupted(client_, project_.name, tmp_, [&](const std::string& l) { all += l + "\n"; });
    return all;
  }

  // What must hold after any interruption and the recovery.
  void expect_converged(const std::string& context) {
    for (const auto& id : ids_) {
      auto st = client_.inspect_container(id)["State"];
      EXPECT_TRUE(st.value("Running", false)) << context;
      EXPECT_FALSE(st.value("Paused", false)) << context;
    }
    EXPECT_TRUE(orphaned_journals(journal_directory(tmp_), "").empty()) << context;
    for (const auto& v : client_.list_volumes(engine::label_filters({{"com.docker.compose.project", project_.name}}))) {
      fs::path dir = v["Mountpoint"].get<std::string>();
      for (const auto& e : fs::directory_iterator(dir.parent_path()))
        EXPECT_EQ(e.path().filename(), "_data") << context << ": left behind " << e.path();
    }
    for (const auto& s : group_snapshots(restic_->snapshots(project_.name)))
      EXPECT_TRUE(s.complete()) << context << ": partial snapshot " << s.run;
    auto check = restic_->check();
    EXPECT_TRUE(check.ok) << context << ": " << check.output;
    EXPECT_NO_THROW(restic_->forget(project_.name, KeepPolicy{.last = 100}, false)) << context;
  }

  engine::Client client_;
  compose::Project project_;
  std::string tmp_;
  std::unique_ptr<Restic> restic_;
  std::vector<std::string> ids_;
  static std::string image_;
};
std::string InterruptionTest::image_;

TEST_F(InterruptionTest, BackupKilledAtEveryEngineRequestConverges) {
  std::string db =
      service("db", "db", {{"dump", {"cat", "/data/table"}}, {"restore", {"sh", "-c", "cat > /data/table"}}},
              /*volume_is_data=*/false);
  write(db + "/table", "rows\n");
  write(
      service("p", "pv", {{"quiesce", "pause"}, {"pre", {"touch", "/data/pre"}}, {"post", {"rm", "/data/pre"}}}) + "/f",
      "paused data");
  std::string sv = service("s", "sv", {{"quiesce", "stop"}});
  write(sv + "/f", "stopped data");
  auto backup = [&](const engine::Engine& e) {
    BackupOptions o;
    o.journal_dir = journal_directory(tmp_);
    run_backup(project_, e, *restic_, o);
  };
  int total = run_child(0, backup);
  ASSERT_GT(total, 5);  // pre, dump, pause, stop, unpause, start, post at least
  size_t complete = group_snapshots(restic_->snapshots(project_.name)).size();
  for (int n = 1; n <= total; ++n) {
    std::string context = "killed before request " + std::to_string(n) + " of " + std::to_string(total);
    ASSERT_EQ(run_child(n, backup), 1) << context;
    std::string said = recover();
    EXPECT_NE(said.find("recovered an interrupted backup"), std::string::npos) << context << "\n" << said;
    EXPECT_NE(said.find("the data was not changed"), std::string::npos) << context << "\n" << said;
    EXPECT_EQ(said.find("could not"), std::string::npos) << context << "\n" << said;
    expect_converged(context);
    // The `pre` marker is gone again: the owed `post` ran.
    EXPECT_FALSE(fs::exists(client_.inspect_volume(project_.name + "_pv")["Mountpoint"].get<std::string>() + "/pre"))
        << context;
    // Killed after its last part, a backup is complete (and kept); otherwise nothing was added.
    size_t now = group_snapshots(restic_->snapshots(project_.name)).size();
    EXPECT_TRUE(now == complete || now == complete + 1) << context;
    complete = now;
  }
}

TEST_F(InterruptionTest, RestoreKilledAtEveryEngineRequestIsEntirelyOldOrEntirelyNew) {
  std::string db =
      service("db", "db", {{"dump", {"cat", "/data/table"}}, {"restore", {"sh", "-c", "cat > /data/table"}}},
              /*volume_is_data=*/false);
  std::string files = service("app", "files", nullptr);
  write(db + "/table", "new\n");
  write(files + "/f", "new");
  auto snap = run_backup(project_, client_, *restic_, BackupOptions{});
  auto set_old = [&] {
    write(db + "/table", "old\n");
    write(files + "/f", "old");
  };
  auto restore = [&](const engine::Engine& e) {
    RestoreOptions o;
    o.journal_dir = journal_directory(tmp_);
    restore_live(project_, e, *restic_, snap.run, o);
  };
  set_old();
  int total = run_child(0, restore);
  ASSERT_GT(total, 3);  // safety dump, stop, start, load
  EXPECT_EQ(read(files + "/f"), "new");
  EXPECT_EQ(read(db + "/table"), "new\n");
  for (int n = 1; n <= total; ++n) {
    std::string context = "killed before request " + std::to_string(n) + " of " + std::to_string(total);
    set_old();
    ASSERT_EQ(run_child(n, restore), 1) << context;
    std::string said = recover();
    std::fprintf(stderr, "%s: %s", context.c_str(), said.c_str());
    EXPECT_EQ(said.find("could not"), std::string::npos) << context << "\n" << said;
    expect_converged(context);
    std::string f = read(files + "/f"), t = read(db + "/table");
    if (said.find("the old data is in place") != std::string::npos) {
      EXPECT_EQ(f, "old") << context << "\n" << said;
      EXPECT_EQ(t, "old\n") << context << "\n" << said;
    } else {
      EXPECT_NE(said.find("is in place (`slipway restore "), std::string::npos) << context << "\n" << said;
      EXPECT_EQ(f, "new") << context << "\n" << said;
      EXPECT_EQ(t, "new\n") << context << "\n" << said;
    }
  }
}

// SIGKILL to slipway while restic works for it: restic is stopped (and its lock removed) by the
// recovery, so check/forget work at once, and the staged copy it was writing is removed.
TEST_F(InterruptionTest, KilledWhileResticRunsConverges) {
  std::string files = service("app", "files", {{"quiesce", "pause"}});
  {
    std::mt19937_64 rng(7);
    std::string big(200 * 1024 * 1024, '\0');
    for (size_t i = 0; i + 8 <= big.size(); i += 8) {
      uint64_t v = rng();
      std::memcpy(&big[i], &v, 8);
    }
    write(files + "/big", big);
  }
  write(files + "/f", "new");
  auto snap = run_backup(project_, client_, *restic_, BackupOptions{});

  // A backup: restic is reading the (paused) service's data.
  write(files + "/more", "x");
  std::string journal = journal_directory(tmp_);
  ASSERT_TRUE(kill_while_restic_runs(
      [&](const engine::Engine& e) {
        BackupOptions o;
        o.journal_dir = journal;
        run_backup(project_, e, *restic_, o);
      },
      "--tag"));
  std::string said = recover();
  std::fprintf(stderr, "backup: %s", said.c_str());
  EXPECT_EQ(said.find("could not"), std::string::npos) << said;
  expect_converged("backup killed while restic ran");

  // A restore: restic is writing the staged copy.
  write(files + "/f", "old");
  ASSERT_TRUE(kill_while_restic_runs(
      [&](const engine::Engine& e) {
        RestoreOptions o;
        o.journal_dir = journal;
        restore_live(project_, e, *restic_, snap.run, o);
      },
      ".slipway-restore-"));
  said = recover();
  std::fprintf(stderr, "restore: %s", said.c_str());
  EXPECT_NE(said.find("the old data is in place"), std::string::npos) << said;
  expect_converged("restore killed while restic ran");
  EXPECT_EQ(read(files + "/f"), "old");
}

}  // namespace
}  // namespace slipway::backup

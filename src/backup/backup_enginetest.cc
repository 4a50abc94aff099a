// Backups and restores against the real local engine and a real restic repository.
// Stacks are built by hand (containers with Compose's labels) so these tests exercise the backup
// layer alone; every object carries io.slipway.test=<run id> and is removed in teardown.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "backup/backup.h"
#include "backup/catalog.h"
#include "backup/live.h"
#include "backup/quiesce.h"
#include "backup/recover.h"
#include "backup/restic.h"
#include "backup/restore.h"
#include "engine/build_context.h"
#include "engine/client.h"
#include "plan/plan.h"
#include "util/error.h"

namespace slipway::backup {
namespace {

namespace fs = std::filesystem;
using engine::Client;
using json = nlohmann::json;

std::string run_id() {
  static std::string id = [] {
    std::random_device rd;
    char b[16];
    std::snprintf(b, sizeof b, "%06x", rd() & 0xffffff);
    return std::string(b);
  }();
  return id;
}

// ---- a tree with every property a restore must keep, and a comparison of two trees ----

struct Entry {
  char type;  // f, d, l
  unsigned mode;
  unsigned uid, gid;
  long long mtime_ns;
  long long size;
  bool sparse;
  size_t content_hash;
  std::string link;
  std::map<std::string, std::string> xattrs;
};

std::map<std::string, std::string> xattrs_of(const std::string& path) {
  std::map<std::string, std::string> out;
  char names[4096];
  ssize_t n = llistxattr(path.c_str(), names, sizeof names);
  for (ssize_t i = 0; i < n;) {
    std::string name(names + i);
    i += name.size() + 1;
    char value[4096];
    ssize_t v = lgetxattr(path.c_str(), name.c_str(), value, sizeof value);
    out[name] = v >= 0 ? std::string(value, v) : "?";
  }
  return out;
}

std::map<std::string, Entry> manifest(const std::string& root) {
  std::map<std::string, Entry> m;
  auto add = [&](const fs::path& p, const std::string& rel) {
    struct stat st;
    lstat(p.c_str(), &st);
    Entry e{};
    e.type = S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : 'f';
    e.mode = st.st_mode & 07777;
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    e.mtime_ns = e.type == 'l' ? 0 : st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    if (e.type == 'f') {
      e.size = st.st_size;
      e.sparse = st.st_blocks * 512 < st.st_size;
      std::ifstream in(p, std::ios::binary);
      std::string data((std::istreambuf_iterator<char>(in)), {});
      e.content_hash = std::hash<std::string>{}(data);
    }
    if (e.type == 'l') e.link = fs::read_symlink(p).string();
    e.xattrs = xattrs_of(p);
    m[rel] = e;
  };
  add(root, ".");
  for (auto& it : fs::recursive_directory_iterator(root)) add(it.path(), fs::relative(it.path(), root).string());
  return m;
}

std::string differences(const std::map<std::string, Entry>& a, const std::map<std::string, Entry>& b) {
  std::ostringstream out;
  for (const auto& [path, e] : a) {
    auto it = b.find(path);
    if (it == b.end()) {
      out << path << ": missing\n";
      continue;
    }
    const Entry& f = it->second;
    if (e.type != f.type) out << path << ": type\n";
    if (e.mode != f.mode) out << path << ": mode " << std::oct << e.mode << " vs " << f.mode << std::dec << "\n";
    if (e.uid != f.uid || e.gid != f.gid) out << path << ": owner\n";
    if (e.mtime_ns != f.mtime_ns) out << path << ": mtime " << e.mtime_ns << " vs " << f.mtime_ns << "\n";
    if (e.size != f.size || e.content_hash != f.content_hash) out << path << ": content\n";
    if (e.sparse != f.sparse) out << path << ": sparse " << e.sparse << " vs " << f.sparse << "\n";
    if (e.link != f.link) out << path << ": link target\n";
    if (e.xattrs != f.xattrs) out << path << ": xattrs\n";
  }
  for (const auto& [path, e] : b)
    if (!a.count(path)) out << path << ": unexpected\n";
  return out.str();
}

void write(const fs::path& p, const std::string& data) { std::ofstream(p, std::ios::binary) << data; }

// Owners, groups, modes, timestamps, symlinks, xattrs, empty directories, sparse and large files.
void build_tree(const std::string& root) {
  fs::create_directories(root + "/empty/deeper-empty");
  fs::create_directories(root + "/etc");
  write(root + "/etc/config", "key=value\n");
  chmod((root + "/etc/config").c_str(), 0640);
  chown((root + "/etc/config").c_str(), 1234, 5678);
  write(root + "/setuid-tool", "#!/bin/sh\n");
  chmod((root + "/setuid-tool").c_str(), 04755);
  fs::create_directories(root + "/shared");
  chmod((root + "/shared").c_str(), 02775);
  chown((root + "/shared").c_str(), 33, 33);
  fs::create_directory_symlink("etc", root + "/link-to-etc");
  fs::create_symlink("/nonexistent/target", root + "/dangling");
  setxattr((root + "/etc/config").c_str(), "user.origin", "test", 4, 0);
  setxattr((root + "/shared").c_str(), "user.note", "dir xattr", 9, 0);
  {
    int fd = open((root + "/sparse.img").c_str(), O_CREAT | O_WRONLY, 0600);
    (void)!pwrite(fd, "head", 4, 0);
    (void)!pwrite(fd, "tail", 4, 64 * 1024 * 1024);
    close(fd);
  }
  {
    std::mt19937_64 rng(42);
    std::string big(24 * 1024 * 1024, '\0');
    for (size_t i = 0; i + 8 <= big.size(); i += 8) {
      uint64_t v = rng();
      std::memcpy(&big[i], &v, 8);
    }
    write(root + "/large.bin", big);
  }
  timespec times[2] = {{1000000000, 123456789}, {1234567890, 987654321}};
  for (const char* p : {"/etc/config", "/large.bin", "/etc", "/empty/deeper-empty", "/empty", "/shared"})
    utimensat(AT_FDCWD, (root + p).c_str(), times, 0);
}

// ---- fixture: a hand-made stack ----

class BackupEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Client c;
    c.ping();
    image_ = "slipway-backup-test-busybox:" + run_id();
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
    Client c;
    try {
      for (const auto& img : c.list_images(engine::label_filters({{"io.slipway.test", run_id()}})))
        c.remove_image(img["Id"], true);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cleanup: %s\n", e.what());
    }
  }

  void SetUp() override {
    static int n = 0;
    project_.name = "swbk" + run_id() + "t" + std::to_string(++n);
    char tmpl[] = "/tmp/slipway-backup-test-XXXXXX";
    tmp_ = mkdtemp(tmpl);
    project_.working_dir = tmp_ + "/stack";
    fs::create_directories(project_.working_dir);
    write(tmp_ + "/password", "test password\n");
    ResticConfig rc;
    rc.repository = tmp_ + "/repo";
    rc.password_file = tmp_ + "/password";
    rc.extra_env["RESTIC_CACHE_DIR"] = tmp_ + "/cache";
    restic_ = std::make_unique<Restic>(rc);
    restic_->open(/*create=*/true);
    journal_ = journal_directory(tmp_);
    project_.model = json::object();
  }

  void TearDown() override {
    auto f = engine::label_filters({{"io.slipway.test", run_id()}, {"com.docker.compose.project", project_.name}});
    try {
      for (const auto& ct : client_.list_containers(f, true)) client_.remove_container(ct["Id"], true, true);
      for (const auto& v : client_.list_volumes(engine::label_filters({{"io.slipway.test", run_id()}})))
        if (v["Name"].get<std::string>().rfind(project_.name, 0) == 0) client_.remove_volume(v["Name"], true);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "cleanup: " << e.what();
    }
    fs::remove_all(tmp_);
  }

  std::string volume(const std::string& key) {
    std::string name = project_.name + "_" + key;
    client_.create_volume(
        {{"Name", name}, {"Labels", {{"io.slipway.test", run_id()}, {"com.docker.compose.project", project_.name}}}});
    project_.model["volumes"][key] = {{"name", name}};
    return client_.inspect_volume(name)["Mountpoint"];
  }

  // A running service container mounting `key` at /data; it exits promptly on SIGTERM.
  std::string service(const std::string& svc, const std::string& key, const json& x_backup = nullptr) {
    json body = {{"Image", image_},
                 {"Cmd", {"/bin/busybox", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"}},
                 {"Labels",
                  {{"io.slipway.test", run_id()},
                   {"com.docker.compose.project", project_.name},
                   {"com.docker.compose.service", svc},
                   {"com.docker.compose.oneoff", "False"},  // what marks a project's own container
                   {"io.slipway.generation", "3"}}},
                 {"HostConfig", {{"Binds", {project_.name + "_" + key + ":/data"}}}}};
    std::string id = client_.create_container(project_.name + "-" + svc + "-1", body);
    client_.start_container(id);
    json spec = {{"image", image_},
                 {"volumes", {{{"type", "volume"}, {"source", key}, {"target", "/data"}, {"volume", json::object()}}}}};
    if (!x_backup.is_null()) spec["x-slipway"]["backup"] = x_backup;
    project_.model["services"][svc] = spec;
    return id;
  }

  std::string state(const std::string& id) { return client_.inspect_container(id)["State"]["Status"]; }

  BackupOptions options() {
    BackupOptions o;
    o.journal_dir = journal_;
    return o;
  }

  Client client_;
  compose::Project project_;
  std::string tmp_, journal_;
  std::unique_ptr<Restic> restic_;
  static std::string image_;
};
std::string BackupEngineTest::image_;

TEST_F(BackupEngineTest, FidelityAndAtomicLiveRestoreWithSafetySnapshot) {
  std::string mp = volume("files");
  std::string id = service("app", "files");
  build_tree(mp);
  auto before = manifest(mp);

  auto r = run_backup(project_, client_, *restic_, options());
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_EQ(r.generation, "3");
  auto list = group_snapshots(restic_->snapshots(project_.name));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_TRUE(list[0].complete());
  EXPECT_FALSE(list[0].images["app"].empty());

  // Change the live data, then restore: the snapshot's tree comes back exactly.
  fs::remove_all(mp + "/etc");
  write(mp + "/new-after-backup", "x");
  auto changed = manifest(mp);
  auto res = restore_live(project_, client_, *restic_, "", RestoreOptions{{}, true, journal_, nullptr});
  EXPECT_EQ(res.run, r.run);
  EXPECT_EQ(res.restored, std::vector<std::string>{"files"});
  EXPECT_EQ(differences(before, manifest(mp)), "");
  EXPECT_EQ(state(id), "running");
  // The container sees the restored data (it was restarted on the new directory).
  engine::ExecOptions eo;
  eo.cmd = {"/bin/busybox", "cat", "/data/etc/config"};
  EXPECT_EQ(client_.exec(id, eo).out, "key=value\n");

  // The safety snapshot holds the data as it was just before the restore.
  ASSERT_FALSE(res.safety_run.empty());
  list = group_snapshots(restic_->snapshots(project_.name));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].run, res.safety_run);
  EXPECT_EQ(list[1].reason, "safety");
  restore_live(project_, client_, *restic_, res.safety_run, RestoreOptions{{}, true, journal_, nullptr});
  EXPECT_EQ(differences(changed, manifest(mp)), "");
  // "latest" still means the newest real backup, not a safety snapshot.
  EXPECT_EQ(find_snapshot(group_snapshots(restic_->snapshots(project_.name)), "latest").run, r.run);
  // No staging directories are left beside the volume.
  size_t entries = 0;
  for (auto& e : fs::directory_iterator(fs::path(mp).parent_path())) entries += e.path().filename() != "" ? 1 : 0;
  EXPECT_EQ(entries, 1u);
}

TEST_F(BackupEngineTest, FailingDumpFailsTheBackupAndStoresNothing) {
  volume("db");
  std::string id = service("db", "db", {{"dump", {"sh", "-c", "echo partial; echo broken >&2; exit 3"}}});
  try {
    run_backup(project_, client_, *restic_, options());
    FAIL() << "expected the backup to fail";
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("dump of db failed"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("exited with 3: broken"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(restic_->snapshots().empty());

  project_.model["services"]["db"]["x-slipway"]["backup"]["dump"] = {"true"};
  EXPECT_THROW(run_backup(project_, client_, *restic_, options()), EnvError);  // empty output
  EXPECT_TRUE(restic_->snapshots().empty());
  EXPECT_EQ(state(id), "running");
}

TEST_F(BackupEngineTest, DumpIsStoredAndLoadedBack) {
  std::string mp = volume("db");
  write(mp + "/table", "row1\nrow2\n");
  service("db", "db",
          {{"dump", {{"command", {"cat", "/data/table"}}, {"filename", "db.txt"}}},
           {"restore", {"sh", "-c", "cat > /data/table"}}});
  auto r = run_backup(project_, client_, *restic_, options());
  ASSERT_EQ(r.parts.size(), 2u);
  EXPECT_EQ(r.parts[0].kind, "dump");
  EXPECT_EQ(r.parts[0].bytes, 10u);
  auto list = group_snapshots(restic_->snapshots(project_.name));
  ASSERT_EQ(list.size(), 1u);
  // Plain restic reads it back: no lock-in.
  EXPECT_EQ(restic_->dump(list[0].part("dump", "db")->snapshot.id, "/db.txt"), "row1\nrow2\n");
  auto res = restore_live(project_, client_, *restic_, r.run, RestoreOptions{{}, true, journal_, nullptr});
  EXPECT_EQ(res.dumps_loaded, std::vector<std::string>{"db"});
}

TEST_F(BackupEngineTest, QuiesceResumesAfterSuccessAndFailure) {
  std::string mp = volume("data");
  write(mp + "/f", "1");
  std::string id = service("app", "data", {{"quiesce", "pause"}});
  std::string seen;
  auto o = options();
  o.say = [&](const std::string& m) {
    if (m.rfind("backing up", 0) == 0) seen = state(id);
  };
  run_backup(project_, client_, *restic_, o);
  EXPECT_EQ(seen, "paused");
  EXPECT_EQ(state(id), "running");

  // restic fails inside the window (wrong password): the service still comes back.
  write(tmp_ + "/password", "another password\n");
  seen.clear();
  EXPECT_THROW(run_backup(project_, client_, *restic_, o), EnvError);
  EXPECT_EQ(seen, "paused");
  EXPECT_EQ(state(id), "running");

  project_.model["services"]["app"]["x-slipway"]["backup"]["quiesce"] = "stop";
  write(tmp_ + "/password", "test password\n");
  run_backup(project_, client_, *restic_, o);
  EXPECT_EQ(seen, "exited");
  EXPECT_EQ(state(id), "running");
  EXPECT_TRUE(fs::is_empty(journal_));
}

// A backup process killed in the middle: earlier snapshots stay intact and the service runs
// again, by the signal watcher (SIGTERM) or by the journal on the next run (SIGKILL).
TEST_F(BackupEngineTest, InterruptedBackupLeavesEarlierSnapshotsAndResumes) {
  std::string mp = volume("data");
  write(mp + "/small", "first");
  std::string id = service("app", "data", {{"quiesce", "pause"}});
  auto first = run_backup(project_, client_, *restic_, options());
  {
    // Enough new data that the next backup takes a few seconds.
    std::mt19937_64 rng(7);
    std::string big(300 * 1024 * 1024, '\0');
    for (size_t i = 0; i + 8 <= big.size(); i += 8) {
      uint64_t v = rng();
      std::memcpy(&big[i], &v, 8);
    }
    write(mp + "/big", big);
  }
  for (int sig : {SIGTERM, SIGKILL}) {
    pid_t pid = fork();
    if (pid == 0) {
      try {
        Client c;
        run_backup(project_, c, *restic_, options());
      } catch (...) {
      }
      _exit(0);
    }
    // Wait until the child has paused the service, then interrupt it.
    for (int i = 0; i < 200 && state(id) != "paused"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(state(id), "paused") << "signal " << sig;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    kill(pid, sig);
    int status = 0;
    waitpid(pid, &status, 0);
    // After SIGTERM the watcher and the main thread race to the exit; either way is fine.
    if (sig == SIGKILL) {
      EXPECT_TRUE(WIFSIGNALED(status));
    }
    if (sig == SIGKILL) {
      EXPECT_EQ(state(id), "paused");
      std::vector<std::string> lines;
      recover_interrupted(client_, project_.name, tmp_, [&](const std::string& l) { lines.push_back(l); });
      // One line per interrupted run (the SIGTERM one left its journal too: its incomplete
      // snapshot is forgotten now); the SIGKILLed one resumes the service.
      std::string all;
      for (const auto& l : lines) all += l + "\n";
      EXPECT_NE(all.find("recovered an interrupted backup"), std::string::npos) << all;
      EXPECT_NE(all.find("resumed app (left paused)"), std::string::npos) << all;
      EXPECT_EQ(all.find("could not"), std::string::npos) << all;
      std::fprintf(stderr, "%s", all.c_str());
    }
    EXPECT_EQ(state(id), "running") << "signal " << sig;
    // Let an orphaned restic finish or die before looking at the repository.
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  auto list = group_snapshots(restic_->snapshots(project_.name));
  EXPECT_EQ(find_snapshot(list, "latest").run == first.run || find_snapshot(list, "latest").complete(), true);
  EXPECT_TRUE(find_snapshot(list, first.run).complete());
  // After SIGKILL an orphaned restic may still hold its lock for a moment.
  CheckResult check;
  for (int i = 0; i < 60 && !(check = restic_->check()).ok; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    restic_->unlock();
  }
  EXPECT_TRUE(check.ok) << check.output;
}

TEST_F(BackupEngineTest, MissingVolumeIsCreatedOnRestore) {
  std::string mp = volume("data");
  write(mp + "/f", "content");
  project_.model["services"]["app"] = {{"image", image_},
                                       {"volumes", {{{"type", "volume"}, {"source", "data"}, {"target", "/data"}}}}};
  auto r = run_backup(project_, client_, *restic_, options());
  client_.remove_volume(project_.name + "_data", true);
  auto res = restore_live(project_, client_, *restic_, r.run, RestoreOptions{{}, true, journal_, nullptr});
  EXPECT_TRUE(res.safety_run.empty() == false);
  auto v = client_.inspect_volume(project_.name + "_data");
  std::ifstream in(v["Mountpoint"].get<std::string>() + "/f");
  std::string s;
  in >> s;
  EXPECT_EQ(s, "content");
  // The recreated volume carries no test label; remove it here.
  client_.remove_volume(project_.name + "_data", true);
}

// Issue 9: a volume restore re-creates is created as `up` creates it (plan::volume_body), so
// its driver_opts and labels survive; a volume whose driver_opts bind a host directory is read
// and restored there (its Mountpoint is only a mount of it); a tmpfs volume is not data.
TEST_F(BackupEngineTest, VolumeDefinitionSurvivesRestore) {
  std::string device = tmp_ + "/device-data";
  fs::create_directories(device);
  project_.model["volumes"]["data"] = {{"name", project_.name + "_data"},
                                       {"driver", "local"},
                                       {"driver_opts", {{"type", "none"}, {"o", "bind"}, {"device", device}}},
                                       {"labels", {{"io.slipway.test", run_id()}, {"io.example.tier", "gold"}}}};
  project_.model["volumes"]["scratch"] = {{"name", project_.name + "_scratch"},
                                          {"driver_opts", {{"type", "tmpfs"}, {"device", "tmpfs"}}},
                                          {"labels", {{"io.slipway.test", run_id()}}}};
  client_.create_volume(plan::volume_body(project_, "data"));
  client_.create_volume(plan::volume_body(project_, "scratch"));
  std::string id = service("app", "data");
  project_.model["services"]["app"]["volumes"].push_back(
      {{"type", "volume"}, {"source", "scratch"}, {"target", "/scratch"}});
  write(device + "/a", "A");
  auto r = run_backup(project_, client_, *restic_, options());
  ASSERT_EQ(r.parts.size(), 1u);  // scratch is a tmpfs: not data
  EXPECT_EQ(r.parts[0].name, "data");

  write(device + "/b", "B");
  client_.remove_container(id, true);
  client_.remove_volume(project_.name + "_data", true);
  auto res = restore_live(project_, client_, *restic_, r.run, RestoreOptions{{}, true, journal_, nullptr});
  EXPECT_EQ(res.restored, std::vector<std::string>{"data"});
  auto v = client_.inspect_volume(project_.name + "_data");
  EXPECT_EQ(v["Options"], json({{"type", "none"}, {"o", "bind"}, {"device", device}})) << v.dump();
  EXPECT_EQ(v["Labels"]["io.example.tier"], "gold") << v.dump();
  EXPECT_EQ(v["Labels"]["com.docker.compose.volume"], "data") << v.dump();
  EXPECT_TRUE(fs::exists(device + "/a"));
  EXPECT_FALSE(fs::exists(device + "/b"));
  // The staged copy beside the device directory is gone.
  size_t entries = 0;
  for (auto& e : fs::directory_iterator(tmp_)) entries += e.path().filename().string().rfind("device-data", 0) == 0;
  EXPECT_EQ(entries, 1u);
}

}  // namespace
}  // namespace slipway::backup

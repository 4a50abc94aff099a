// Crash safety of the real binary (issue 8, item 2): `slipway backup` (a dump, a `quiesce:
// pause` and a `quiesce: stop` service) and `slipway restore` (a volume and a dump) run through
// the fault relay (tests/support/fault_relay.h), which SIGKILLs slipway just before its Nth
// state-changing engine request, for every N. Then one plain command that is not a backup
// command (`slipway ps`) must converge the stack: every service running and unpaused, no
// journal left, no staged copy, no stale restic lock (`check` and `forget` work), no partial
// snapshot, and the data entirely old or entirely new — as its message says.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "backup/live.h"
#include "engine/client.h"
#include "support/fault_relay.h"
#include "util/subprocess.h"

namespace slipway::backup {
namespace {

namespace fs = std::filesystem;
using testsupport::FaultRelay;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    char b[16];
    std::snprintf(b, sizeof b, "%06x", rd() & 0xffffff);
    run_ = b;
    project_ = "swfault" + run_;
    char tmpl[] = "/tmp/slipway-fault-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    fs::create_directories(dir_ + "/stack/bb");
    fs::copy_file("/bin/busybox", dir_ + "/stack/bb/busybox");
    std::ofstream(dir_ + "/stack/bb/Dockerfile")
        << "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n";
    std::ofstream(dir_ + "/pw") << "fault test password\n";
    std::string svc = R"(    image: swfault-bb:)" + run_ + R"(
    command: ["sh", "-c", "trap 'exit 0' TERM INT; while true; do sleep 0.2; done"]
    labels: {io.slipway.test: ")" +
                      run_ + R"("}
)";
    std::ofstream(dir_ + "/stack/compose.yaml") << "name: " << project_ << R"(
x-slipway:
  backup:
    repository: )" << dir_ << R"(/repo
    password_file: )" << dir_ << R"(/pw
services:
  db:
    build: ./bb
)" << svc << R"(    volumes: [dbdata:/data]
    x-slipway:
      backup:
        dump: [cat, /data/table]
        restore: [sh, -c, "cat > /data/table"]
  paused:
)" << svc << R"(    volumes: [pv:/data]
    x-slipway: {backup: {quiesce: pause}}
  stopped:
)" << svc << R"(    volumes: [sv:/data]
    x-slipway: {backup: {quiesce: stop}}
volumes:
  dbdata: {x-slipway: {backup: false}}
  pv: {}
  sv: {}
)";
    relay_ = std::make_unique<FaultRelay>(dir_ + "/relay.sock");
    relay_->start();
  }

  void TearDown() override {
    relay_.reset();
    slipway({"down", "-v"});
    engine::Client c;
    try {
      auto f = engine::Filters{{"label", {"com.docker.compose.project=" + project_}}};
      for (const auto& ct : c.list_containers(f, true)) c.remove_container(ct["Id"], true, true);
      for (const auto& v : c.list_volumes(f)) c.remove_volume(v["Name"], true);
      for (const auto& n : c.list_networks(f)) c.remove_network(n["Id"]);
      c.remove_image("swfault-bb:" + run_, true);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "cleanup: " << e.what();
    }
    fs::remove_all(dir_);
  }

  // Runs slipway on the stack, straight to the engine or through the relay.
  SubprocessResult slipway(std::vector<std::string> args, bool relayed = false) {
    args.insert(args.begin(), {SLIPWAY_BINARY, "-f", dir_ + "/stack/compose.yaml"});
    SubprocessOptions o;
    o.extra_env["SLIPWAY_STATE_DIR"] = dir_ + "/state";
    o.extra_env["RESTIC_CACHE_DIR"] = dir_ + "/cache";
    if (relayed) o.extra_env["DOCKER_HOST"] = relay_->address();
    return run_process(args, o);
  }

  void start_stack() {
    auto up = slipway({"up", "-d"});
    ASSERT_EQ(up.exit_code, 0) << up.err;
    std::ofstream(volume_dir("dbdata") + "/table") << "rows\n";
    auto init = slipway({"backup", "--init"});  // the repository, and a first snapshot
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }

  std::string volume_dir(const std::string& key) {
    return client_.inspect_volume(project_ + "_" + key)["Mountpoint"].get<std::string>();
  }

  // The plain command after the kill; returns what it said on stderr.
  std::string next_command(const std::string& context) {
    auto ps = slipway({"ps"});
    EXPECT_EQ(ps.exit_code, 0) << context << ": " << ps.err;
    return ps.err;
  }

  void expect_converged(const std::string& context) {
    auto live = observe_stack(client_, project_);
    for (const char* s : {"db", "paused", "stopped"}) {
      ASSERT_EQ(live.services[s].all.size(), 1u) << context << ": " << s;
      auto st = client_.inspect_container(live.services[s].all[0])["State"];
      EXPECT_TRUE(st.value("Running", false)) << context << ": " << s << " is not running";
      EXPECT_FALSE(st.value("Paused", false)) << context << ": " << s << " is paused";
    }
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ + "/state/journal", ec))
      ADD_FAILURE() << context << ": journal left: " << e.path();
    for (const char* key : {"pv", "sv"})
      for (const auto& e : fs::directory_iterator(fs::path(volume_dir(key)).parent_path()))
        EXPECT_EQ(e.path().filename(), "_data") << context << ": left behind " << e.path();
    auto check = slipway({"check"});
    EXPECT_EQ(check.exit_code, 0) << context << ": " << check.out << check.err;
    auto forget = slipway({"forget", "--keep-last", "100", "--no-prune"});
    EXPECT_EQ(forget.exit_code, 0) << context << ": " << forget.err;
    auto list = nlohmann::json::parse(slipway({"snapshots", "--json"}).out, nullptr, false);
    ASSERT_TRUE(list.is_array()) << context;
    for (const auto& s : list) EXPECT_EQ(s["complete"], true) << context << ": partial snapshot " << s["id"];
  }

  engine::Client client_;
  std::unique_ptr<FaultRelay> relay_;
  std::string run_, project_, dir_;
};

TEST_F(FaultTest, BackupKilledBeforeEveryStateChangingRequestConverges) {
  start_stack();
  relay_->reset();
  auto counted = slipway({"backup"}, true);
  ASSERT_EQ(counted.exit_code, 0) << counted.err;
  int total = relay_->state_changing_count();
  ASSERT_GE(total, 5);  // dump exec, pause, stop, unpause, start
  for (int n = 1; n <= total; ++n) {
    std::string context = "backup killed before request " + std::to_string(n) + " of " + std::to_string(total);
    relay_->kill_at(n);
    auto killed = slipway({"backup"}, true);
    ASSERT_EQ(killed.exit_code, 128 + SIGKILL) << context << ": " << killed.err;
    ASSERT_TRUE(relay_->killed()) << context;
    std::string said = next_command(context);
    std::fprintf(stderr, "%s (%s): %s", context.c_str(), relay_->held()->str().c_str(), said.c_str());
    EXPECT_NE(said.find("recovered an interrupted backup of " + project_), std::string::npos) << context << said;
    EXPECT_NE(said.find("the data was not changed"), std::string::npos) << context << said;
    EXPECT_EQ(said.find("could not"), std::string::npos) << context << said;
    expect_converged(context);
  }
}

TEST_F(FaultTest, RestoreKilledBeforeEveryStateChangingRequestIsEntirelyOldOrNew) {
  start_stack();
  std::string table = volume_dir("dbdata") + "/table", file = volume_dir("pv") + "/f";
  std::ofstream(table) << "new\n";
  std::ofstream(file) << "new";
  auto backup = slipway({"backup", "--json"});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  std::string snap = nlohmann::json::parse(backup.out)["snapshot"];
  auto set_old = [&] {
    std::ofstream(table) << "old\n";
    std::ofstream(file) << "old";
  };
  set_old();
  relay_->reset();
  auto counted = slipway({"restore", snap}, true);
  ASSERT_EQ(counted.exit_code, 0) << counted.err;
  int total = relay_->state_changing_count();
  ASSERT_GE(total, 4);  // safety dump, stop, start, load
  for (int n = 1; n <= total; ++n) {
    std::string context = "restore killed before request " + std::to_string(n) + " of " + std::to_string(total);
    set_old();
    relay_->kill_at(n);
    auto killed = slipway({"restore", snap}, true);
    ASSERT_EQ(killed.exit_code, 128 + SIGKILL) << context << ": " << killed.err;
    std::string said = next_command(context);
    std::fprintf(stderr, "%s (%s): %s", context.c_str(), relay_->held()->str().c_str(), said.c_str());
    EXPECT_EQ(said.find("could not"), std::string::npos) << context << said;
    expect_converged(context);
    if (said.find("the old data is in place") != std::string::npos) {
      EXPECT_EQ(read(file), "old") << context << said;
      EXPECT_EQ(read(table), "old\n") << context << said;
    } else {
      EXPECT_NE(said.find("the data of snapshot " + snap + " is in place (`slipway restore "), std::string::npos)
          << context << said;
      EXPECT_EQ(read(file), "new") << context << said;
      EXPECT_EQ(read(table), "new\n") << context << said;
    }
  }
}

}  // namespace
}  // namespace slipway::backup

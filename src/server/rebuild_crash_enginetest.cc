// Crash safety of `slipway rebuild` (issue 12): on an engine that never saw the stack, rebuild
// runs through the fault relay (tests/support/fault_relay.h), which SIGKILLs it just before its
// Nth state-changing engine request, for every N a rebuild makes; then the next plain
// `slipway rebuild` must converge: exit 0, one container of the generation recorded as
// deployed running (1; 2 when the killed run's generation 1 was half made and had to be
// undone first), the data of the backup on the volume, and nothing left behind: no unfinished
// generation, no operation journal, no progress record (server/rebuild_progress.h), no
// helper container, no restic lock.
//
// Also: a rebuild whose checks failed is finished by running it again once they pass, without
// a second restore or deploy, and a finished rebuild refuses the running stack again.
//
// The stack is backed up once on the host engine (a FROM-scratch busybox service with data on
// a volume); each kill point starts again from an empty private engine
// (tests/support/private_engine.h) and an empty state directory: the new machine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "deploy/store.h"
#include "engine/client.h"
#include "support/fault_relay.h"
#include "server/rebuild_stack_fixture.h"
#include "support/private_engine.h"
#include "util/subprocess.h"

namespace slipway::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class RebuildCrash : public RebuildStackTest {
 protected:
  void SetUp() override {
    // Not httpd as PID 1, which ignores SIGTERM: every stop of it would take 10 s.
    make_stack("rbc", R"(["/bin/busybox", "sh", "-c", "[ -f /data/entry ] || echo entry-$$RANDOM$$RANDOM > /data/entry; trap 'exit 0' TERM; /bin/busybox httpd -f -p 8080 -h /data & wait"])");
  }
};

// Back to a machine that never saw the stack: everything on the private engine goes (it holds
// nothing else), and so do the private state and runtime directories.
void empty_engine(const engine::Client& client, const fs::path& state, const fs::path& runtime) {
  for (const auto& c : client.list_containers({}, true)) client.remove_container(c["Id"], true, true);
  for (const auto& v : client.list_volumes({}))
    client.remove_volume(v["Name"].get<std::string>(), true);
  for (const auto& n : client.list_networks({})) {
    std::string name = n["Name"];
    if (name != "bridge" && name != "host" && name != "none") client.remove_network(n["Id"]);
  }
  for (const auto& i : client.list_images({}, true)) try {
      client.remove_image(i["Id"], true);
    } catch (const engine::EngineError&) {
      // a parent already removed with its child
    }
  fs::remove_all(state);
  fs::remove_all(runtime);
}

TEST_F(RebuildCrash, AKilledRebuildConvergesOnTheNextRebuildAtEveryKillPoint) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = slipway("", {"up", "-d", "--build"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  engine::Client host;
  engine::ExecOptions cat;
  cat.cmd = {"/bin/busybox", "cat", "/data/entry"};
  const std::string entry = host.exec(project_ + "-web-1", cat).out;
  ASSERT_THAT(entry, HasSubstr("entry-"));
  r = slipway("", {"backup", "--init"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  host.remove_container(project_ + "-web-1", true);  // the host's part is done (TearDown: the rest)
  std::ofstream(dir_ / "stack" / "tests" / "entry.yaml")
      << "x-slipway: {service: web}\nfile:\n  /data/entry:\n    exists: true\n    contains: [\""
      << entry.substr(0, entry.find('\n')) << "\"]\n";

  std::cerr << "backed up on the host engine: "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
  testsupport::PrivateEngine pe;
  engine::ClientOptions co;
  co.host = pe.host();
  engine::Client priv(co);
  const fs::path state = dir_ / "state-private", runtime = dir_ / "run-private";

  // One container, of the generation recorded as deployed (1, or 2 when the next rebuild's
  // deploy had to undo an interrupted generation 1 first), holding the data of the backup.
  auto expect_converged = [&](const std::string& when) {
    deploy::GenerationStore store(state.string());
    auto records = store.list(project_);
    ASSERT_FALSE(records.empty()) << when;
    EXPECT_EQ(records.front().status, deploy::status::kDeployed) << when;
    for (const auto& rec : records) EXPECT_FALSE(rec.unfinished()) << when << ": generation " << rec.number;
    const std::string name = project_ + "-web-g" + std::to_string(records.front().number) + "-1";
    auto all = priv.list_containers({}, true);
    ASSERT_EQ(all.size(), 1u) << when << ": " << all.dump();
    EXPECT_EQ(all[0]["State"], "running") << when;
    EXPECT_EQ(all[0]["Names"][0], "/" + name) << when;
    EXPECT_EQ(priv.exec(name, cat).out, entry) << when << ": the data is back";
    // Current: what runs is what the Compose file says (slipway ps).
    auto ps = slipway(pe.host(), {"ps", "--json"});
    ASSERT_EQ(ps.exit_code, 0) << when << ": " << ps.err;
    for (const auto& row : nlohmann::json::parse(ps.out)) EXPECT_EQ(row["Config"], "current") << when << ": " << row.dump();
    auto vols = priv.list_volumes({});
    EXPECT_EQ(vols.size(), 1u) << when << ": " << vols.dump();
    EXPECT_FALSE(fs::exists(state / "rebuild" / (project_ + ".json"))) << when << ": the progress record is left";
    std::error_code ec;
    bool journal_left = false;
    for (const auto& e : fs::recursive_directory_iterator(state / "journal", ec))
      if (e.is_regular_file()) journal_left = true;
    EXPECT_FALSE(journal_left) << when << ": an operation journal is left";
    bool locks_left = false;
    for (const auto& e : fs::directory_iterator(dir_ / "repo" / "locks", ec)) locks_left = e.is_regular_file();
    EXPECT_FALSE(locks_left) << when << ": a restic lock is left";
  };

  testsupport::FaultRelayOptions ro;
  ro.listen = (dir_ / "relay.sock").string();
  ro.upstream = pe.socket_path();
  testsupport::FaultRelay relay(ro);
  relay.start();
  r = slipway(relay.address(), {"rebuild"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << pe.log_tail();
  const int total = relay.state_changing_count();
  std::string sequence;
  for (const auto& c : relay.forwarded_changes()) sequence += "\n  " + c;
  std::cerr << "a rebuild makes " << total << " state-changing engine requests:" << sequence << "\n";
  ASSERT_GE(total, 5);
  expect_converged("after an uninterrupted rebuild");

  for (int n = 1; n <= total; ++n) {
    auto t1 = std::chrono::steady_clock::now();
    empty_engine(priv, state, runtime);
    relay.kill_at(n);
    SubprocessResult killed = slipway(relay.address(), {"rebuild"});
    std::string held = relay.held() ? relay.held()->str() : "-";
    if (!relay.killed())
      EXPECT_EQ(killed.exit_code, 0) << killed.err;  // this run made fewer requests
    else
      EXPECT_EQ(killed.exit_code, 128 + SIGKILL) << "request " << n << " (" << held << "): " << killed.err;
    relay.reset();
    std::string when = "after a kill before request " + std::to_string(n) + " (" + held + ")";
    SubprocessResult again = slipway(pe.host(), {"rebuild"});
    ASSERT_EQ(again.exit_code, 0) << when << ": " << again.out << again.err;
    expect_converged(when);
    std::cerr << "  kill point " << n << " (" << held << "): "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count() << " s\n";
  }
  // A rebuild whose checks fail keeps its progress; once the cause is fixed, the same command
  // finishes it without restoring or deploying again.
  empty_engine(priv, state, runtime);
  std::ofstream(dir_ / "stack" / "tests" / "broken.yaml")
      << "x-slipway: {service: web}\nfile:\n  /data/entry: {contains: [not-the-entry]}\n";
  r = slipway(pe.host(), {"rebuild"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("checks failed"));
  EXPECT_TRUE(fs::exists(state / "rebuild" / (project_ + ".json")));
  fs::remove(dir_ / "stack" / "tests" / "broken.yaml");
  r = slipway(pe.host(), {"rebuild"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("resuming the unfinished rebuild"));
  EXPECT_THAT(r.err, HasSubstr("restored by the unfinished rebuild"));
  EXPECT_THAT(r.err, HasSubstr("generation 1, deployed by the unfinished rebuild"));
  expect_converged("after a rebuild whose checks failed, run again");
  // Done: a rebuild now refuses the running stack again.
  r = slipway(pe.host(), {"rebuild"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("already has containers of " + project_));

  std::cerr << "rebuild crash test: " << total << " kill points in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
}

}  // namespace
}  // namespace slipway::server

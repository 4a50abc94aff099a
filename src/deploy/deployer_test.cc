// run_deploy against engine::FakeEngine: the stages without an edge (a start-first worker and a
// stop-first database), its failure paths, and crash safety: slipway "killed" before each of
// its state-changing engine requests (FakeEngine::die_at), then a plain deploy converges.
#include "deploy/deployer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "engine/fake_engine.h"
#include "plan/labels.h"
#include "support/temp_dir.h"

namespace slipway::deploy {
namespace {

namespace fs = std::filesystem;

using testsupport::TempDir;

compose::Project project(const std::string& dir, const std::string& worker_image, const std::string& db_image) {
  compose::Project p;
  p.name = "demo";
  p.working_dir = dir;
  p.config_files = {dir + "/compose.yaml"};
  p.model = ojson::parse(R"({
    "name": "demo",
    "networks": {"default": {"name": "demo_default"}},
    "volumes": {"data": {"name": "demo_data"}},
    "services": {
      "db": {"image": "", "networks": {"default": null},
             "volumes": [{"type": "volume", "source": "data", "target": "/data"}]},
      "worker": {"image": "", "networks": {"default": null}}
    }
  })");
  p.model["services"]["db"]["image"] = db_image;
  p.model["services"]["worker"]["image"] = worker_image;
  return p;
}

struct Fixture {
  TempDir dir;
  engine::FakeEngine engine;
  std::unique_ptr<GenerationStore> store;
  DeployRunOptions options;
  std::vector<std::string> said;

  Fixture() {
    fs::create_directories(dir.path + "/files");
    store = std::make_unique<GenerationStore>(dir.path + "/state");
    for (const char* i : {"w:1", "w:2", "d:1", "d:2"}) engine.add_image(i);
    options.watch = std::chrono::seconds(0);
    options.settle = std::chrono::milliseconds(0);
    options.health_timeout = std::chrono::seconds(2);
    options.files.root = dir.path + "/files";
    options.files.mount_tmpfs = false;
    options.say = [this](const std::string& line) { said.push_back(line); };
  }

  DeployOutcome deploy(const std::string& w, const std::string& d) {
    compose::Project p = project(dir.path, w, d);
    return run_deploy(engine, p, *store, options);
  }

  // service -> (name, state, generation) of its containers.
  std::map<std::string, std::vector<std::string>> containers() {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& c : engine.list_containers({}, true)) {
      const auto& labels = c["Labels"];
      out[labels.value(plan::label::kService, "")].push_back(c["Names"][0].get<std::string>().substr(1) + " " +
                                                             c.value("State", "") + " g" +
                                                             labels.value(plan::label::kGeneration, ""));
    }
    return out;
  }
};

TEST(Deployer, FirstDeployThenOnlyWhatChanged) {
  Fixture f;
  DeployOutcome r = f.deploy("w:1", "d:1");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.generation, 1);
  EXPECT_EQ(f.containers()["worker"], (std::vector<std::string>{"demo-worker-g1-1 running g1"}));
  EXPECT_TRUE(f.deploy("w:1", "d:1").nothing);

  r = f.deploy("w:2", "d:1");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.generation, 2);
  ASSERT_EQ(r.plan.steps.size(), 1u);
  EXPECT_EQ(f.containers()["worker"], (std::vector<std::string>{"demo-worker-g2-1 running g2"}));
  EXPECT_EQ(f.containers()["db"], (std::vector<std::string>{"demo-db-g1-1 running g1"}));
  auto h = f.store->list("demo");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].status, status::kDeployed);
  EXPECT_EQ(h[0].images["worker"], f.engine.inspect_image("w:2")["Id"]);
  EXPECT_EQ(h[0].images["db"], f.engine.inspect_image("d:1")["Id"]);  // unchanged, still recorded
  EXPECT_TRUE(f.engine.find_image("demo-worker-slipway:g2"));
  EXPECT_TRUE(f.engine.find_image("demo-worker-slipway:g1"));
}

TEST(Deployer, StopFirstServicePrintsItsUnavailability) {
  Fixture f;
  ASSERT_TRUE(f.deploy("w:1", "d:1").ok);
  DeployOutcome r = f.deploy("w:1", "d:2");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.plan.steps[0].order.order, Order::stop_first);
  EXPECT_NE(r.message.find("unavailable (stop-first): db"), std::string::npos) << r.message;
  EXPECT_EQ(f.containers()["db"], (std::vector<std::string>{"demo-db-g2-1 running g2"}));
}

// db holds data (stop-first): its backup runs while the old db still runs, and the snapshot is
// in the record's gates.
TEST(Deployer, StopFirstBacksUpTheDataBeforeTheOldContainerStops) {
  Fixture f;
  std::vector<std::string> backed_up, db_then;
  f.options.pre_backup = [&](const std::string& service) -> std::optional<std::string> {
    backed_up.push_back(service);
    db_then = f.containers()["db"];
    return "run-7";
  };
  ASSERT_TRUE(f.deploy("w:1", "d:1").ok);
  EXPECT_TRUE(backed_up.empty()) << "nothing stops on a first deploy: no backup";
  DeployOutcome r = f.deploy("w:1", "d:2");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(backed_up, std::vector<std::string>{"db"});  // only the stop-first service
  EXPECT_EQ(db_then, (std::vector<std::string>{"demo-db-g1-1 running g1"}));
  bool recorded = false;
  auto records = f.store->list("demo");  // kept: a range-for over list()[0] would read a dead temporary
  for (const auto& g : records[0].gates)
    recorded = recorded || (g.gate == "backup" && g.ok && g.detail == "db: snapshot run-7");
  EXPECT_TRUE(recorded);
  EXPECT_EQ(f.containers()["db"], (std::vector<std::string>{"demo-db-g2-1 running g2"}));
}

TEST(Deployer, AFailedPreBackupStopsTheDeployBeforeTheServiceIsTouched) {
  Fixture f;
  ASSERT_TRUE(f.deploy("w:1", "d:1").ok);
  f.options.pre_backup = [](const std::string&) -> std::optional<std::string> {
    throw EnvError("restic: repository is locked");
  };
  size_t calls = f.engine.calls().size();
  DeployOutcome r = f.deploy("w:1", "d:2");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("repository is locked"), std::string::npos) << r.message;
  EXPECT_EQ(f.containers()["db"], (std::vector<std::string>{"demo-db-g1-1 running g1"}));
  for (size_t i = calls; i < f.engine.calls().size(); ++i)
    EXPECT_EQ(f.engine.calls()[i].find("stop"), std::string::npos) << f.engine.calls()[i];
  EXPECT_EQ(f.store->list("demo")[0].status, status::kFailed);
}

TEST(Deployer, AFailingHealthcheckLeavesTheOldGenerationRunning) {
  Fixture f;
  ASSERT_TRUE(f.deploy("w:1", "d:1").ok);
  f.engine.on_start([](engine::FakeEngine::Container& c) {
    if (c.labels[plan::label::kGeneration] == "2") c.health = "unhealthy";
  });
  DeployOutcome r = f.deploy("w:2", "d:2");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("health gate failed"), std::string::npos) << r.message;
  // db (stop-first) went first, failed, and is back; worker was never touched.
  EXPECT_EQ(f.containers()["db"], (std::vector<std::string>{"demo-db-g1-1 running g1"}));
  EXPECT_EQ(f.containers()["worker"], (std::vector<std::string>{"demo-worker-g1-1 running g1"}));
  EXPECT_EQ(f.store->list("demo")[0].status, status::kFailed);
}

// tests/: a smoke file whose check ("probe") runs in worker, and a full file ("slow") that is
// not smoke. The exec hook fails a command once `failing` names it.
struct CheckFiles {
  std::set<std::string> failing;
  explicit CheckFiles(Fixture& f) {
    fs::create_directories(f.dir.path + "/tests");
    std::ofstream(f.dir.path + "/tests/smoke.yaml")
        << "x-slipway: {service: worker, smoke: true}\ncommand:\n  probe: {exit-status: 0}\n";
    std::ofstream(f.dir.path + "/tests/full.yaml") << "x-slipway: {service: worker}\ncommand:\n  slow: {exit-status: 0}\n";
    f.engine.on_exec([this](const engine::FakeEngine::Container&, const engine::ExecOptions& o) {
      std::string cmd = o.cmd.empty() ? "" : o.cmd.back();
      return engine::ExecResult{failing.count(cmd) ? 1 : 0, "", ""};
    });
  }
};

TEST(Deployer, FailingSmokeChecksInTheWatchWindowSwitchBack) {
  Fixture f;
  CheckFiles checks(f);
  ASSERT_TRUE(f.deploy("w:1", "d:1").ok);
  f.options.watch = std::chrono::seconds(5);
  f.options.smoke_every = std::chrono::milliseconds(100);
  f.options.check_retry = std::chrono::milliseconds(0);
  // The gates pass; the smoke check fails once generation 2 serves.
  f.options.on_stage = [&](const std::string& stage) {
    if (stage == "watch") checks.failing.insert("probe");
  };
  DeployOutcome r = f.deploy("w:2", "d:1");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("failed its smoke checks"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("probe"), std::string::npos) << r.message;  // names the failing check
  EXPECT_EQ(f.store->list("demo")[0].status, status::kRolledBack);
  EXPECT_EQ(f.containers()["worker"], (std::vector<std::string>{"demo-worker-g1-1 running g1"}));
}

TEST(Deployer, SmokeOnlyGatesOnTheSmokeFilesAloneAndTheWatchRunsThem) {
  Fixture f;
  CheckFiles checks(f);
  ASSERT_TRUE(f.deploy("w:1", "d:1").ok);
  checks.failing.insert("slow");
  // By default every file gates: the full one fails.
  DeployOutcome r = f.deploy("w:2", "d:1");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("checks gate failed"), std::string::npos) << r.message;
  // --smoke-only: the smoke file alone gates, and the watch window runs it again.
  f.options.smoke_only = true;
  f.options.watch = std::chrono::seconds(1);
  r = f.deploy("w:2", "d:1");
  ASSERT_TRUE(r.ok) << r.message;
  auto gates = f.store->list("demo")[0].gates;
  bool smoke_gate = false, watched = false;
  for (const auto& g : gates) {
    smoke_gate = smoke_gate || (g.gate == "smoke" && g.ok);
    watched = watched || (g.gate == "watch" && g.detail.find("smoke checks passed") != std::string::npos);
  }
  EXPECT_TRUE(smoke_gate);
  EXPECT_TRUE(watched);
  EXPECT_EQ(f.containers()["worker"], (std::vector<std::string>{"demo-worker-g3-1 running g3"}));
}

// Killed before each state-changing request of a deploy that replaces both services: the next
// deploy converges on generation 3 (2 was interrupted) with nothing left behind.
TEST(Deployer, KilledBeforeEveryRequestTheNextDeployConverges) {
  for (int n = 1;; ++n) {
    Fixture f;
    ASSERT_TRUE(f.deploy("w:1", "d:1").ok);
    f.engine.die_at(n);
    bool died = false;
    try {
      died = !f.deploy("w:2", "d:2").ok;
    } catch (const EnvError&) {
      died = true;
    }
    if (!f.engine.dead()) {
      EXPECT_FALSE(died);
      EXPECT_GT(n, 5) << "a deploy makes more than 5 requests";
      break;  // n is past the deploy's last request
    }
    f.engine.revive();
    DeployOutcome r = f.deploy("w:2", "d:2");
    ASSERT_TRUE(r.ok) << "killed at " << n << ": " << r.message;
    auto c = f.containers();
    ASSERT_EQ(c["worker"].size(), 1u) << "killed at " << n;
    ASSERT_EQ(c["db"].size(), 1u) << "killed at " << n;
    EXPECT_NE(c["worker"][0].find(" running "), std::string::npos) << c["worker"][0];
    EXPECT_NE(c["db"][0].find(" running "), std::string::npos) << c["db"][0];
    for (const auto& rec : f.store->list("demo")) EXPECT_FALSE(rec.unfinished()) << "killed at " << n;
    EXPECT_TRUE(f.deploy("w:2", "d:2").nothing) << "killed at " << n;
  }
}

}  // namespace
}  // namespace slipway::deploy

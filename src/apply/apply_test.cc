// apply's failure paths on the in-memory engine (engine/fake_engine.h): rollback of a failed
// create and recreate, wait timeouts, unhealthy and optional dependencies, interruption by a
// signal, and — for every request N of an up, a recreate and a down — "slipway dies before
// request N, then the next plain run converges".
#include "apply/apply.h"

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "apply/observe.h"
#include "engine/fake_engine.h"
#include "plan/naming.h"

namespace slipway::apply {
namespace {

namespace fs = std::filesystem;
using engine::FakeEngine;
using ojson = nlohmann::ordered_json;

class ApplyTest : public ::testing::Test {
 protected:
  fs::path dir;
  FakeEngine engine;
  ApplyOptions options;
  std::vector<std::string> warnings;

  void SetUp() override {
    dir = fs::temp_directory_path() / ("slipway-apply-unit-" + std::to_string(getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir / "stack");
    setenv("SLIPWAY_STATE_DIR", (dir / "state").c_str(), 1);
    std::ofstream(dir / "stack" / "pw.txt") << "s3cret";
    engine.add_image("db:1");
    engine.add_image("web:1");
    options.files.root = (dir / "run").string();
    options.files.mount_tmpfs = false;
    options.wait_timeout = std::chrono::seconds(5);
    options.poll_interval = std::chrono::milliseconds(1);
    options.handle_signals = false;
    options.warn = [this](const std::string& w) { warnings.push_back(w); };
  }

  void TearDown() override { fs::remove_all(dir); }

  // db (healthcheck, a secret, a data volume) <- web (waits for db healthy, the same secret).
  compose::Project project() {
    compose::Project p;
    p.name = "shop";
    p.working_dir = (dir / "stack").string();
    p.config_files = {(dir / "stack" / "compose.yaml").string()};
    p.model = ojson::parse(R"({
      "name": "shop",
      "networks": {"default": {"name": "shop_default"}},
      "volumes": {"data": {"name": "shop_data"}},
      "secrets": {"pw": {"name": "shop_pw", "file": "PW"}},
      "services": {
        "db": {"image": "db:1", "networks": {"default": null},
               "volumes": [{"type": "volume", "source": "data", "target": "/data", "volume": {}}],
               "secrets": [{"source": "pw", "target": "pw", "uid": "0", "gid": "0", "mode": 256}],
               "healthcheck": {"test": ["CMD", "true"], "interval": "1s"}},
        "web": {"image": "web:1", "networks": {"default": null},
                "secrets": [{"source": "pw", "target": "pw", "uid": "5000", "gid": "5000", "mode": 256}],
                "depends_on": {"db": {"condition": "service_healthy", "required": true}}}
      }
    })");
    p.model["secrets"]["pw"]["file"] = (dir / "stack" / "pw.txt").string();
    return p;
  }

  plan::Plan plan_up(const compose::Project& p, plan::UpOptions o = {}) { return plan_on(engine, p, o); }

  // The plan `up` would make on `e`.
  static plan::Plan plan_on(const engine::Engine& e, const compose::Project& p, plan::UpOptions o = {}) {
    o.file_digests = file_digests(p);
    ObserveOptions observe_options;
    observe_options.file_digests = true;
    return plan::plan_up(p, observe(e, p, observe_options), o);
  }

  // Back to an engine with only the images (an engine per iteration would do too).
  void reset_engine() {
    engine.revive();
    for (const auto& c : engine.containers()) engine.remove_container(c.id, true, true);
    for (const auto& n : engine.network_names()) engine.remove_network(n);
    for (const auto& v : engine.volume_names()) engine.remove_volume(v);
    fs::remove_all(dir / "run");
  }

  void up(const compose::Project& p, plan::UpOptions o = {}) { apply(engine, p, plan_up(p, o), options); }

  void down(const compose::Project& p) { apply(engine, p, plan::plan_down(p, observe(engine, p), {}), options); }

  std::set<std::string> files_dirs_on_disk() {
    std::set<std::string> out;
    if (fs::is_directory(dir / "run" / "shop"))
      for (const auto& e : fs::directory_iterator(dir / "run" / "shop")) out.insert(e.path().string());
    return out;
  }

  // One running, healthy, current container per service under its own name, its secret in
  // place; nothing else left by an interruption; the data volume kept; no stray files.
  void expect_converged(const compose::Project& p) {
    auto again = plan_up(p);
    EXPECT_TRUE(again.empty()) << again.render();
    std::set<std::string> referenced;
    int count = 0;
    for (const auto& c : engine.containers()) {
      ++count;
      SCOPED_TRACE(c.name);
      std::string service = c.labels.at(plan::label::kService);
      EXPECT_EQ(c.name, "shop-" + service + "-1");
      EXPECT_EQ(c.status, "running");
      if (service == "db") {
        EXPECT_EQ(c.health, "healthy");
      }
      std::string files = c.labels.count(plan::label::kFilesDir) ? c.labels.at(plan::label::kFilesDir) : "";
      ASSERT_FALSE(files.empty());
      referenced.insert(files);
      std::ifstream in(fs::path(files) / "secret-pw");
      std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_EQ(content, "s3cret");
      EXPECT_TRUE(c.files.empty()) << "nothing is copied into the container's layer";
    }
    EXPECT_EQ(count, 2);
    EXPECT_EQ(files_dirs_on_disk(), referenced);
    auto volumes = engine.volume_names();
    EXPECT_NE(std::find(volumes.begin(), volumes.end(), "shop_data"), volumes.end());
  }

  std::string name_of(const std::string& service) { return "shop-" + service + "-1"; }
};

TEST_F(ApplyTest, UpBindsSecretsFromTheFilesDirectoryWithOwnerAndMode) {
  compose::Project p = project();
  up(p);
  expect_converged(p);
  auto web = engine.container(name_of("web"));
  ASSERT_TRUE(web);
  std::string files = web->labels.at(plan::label::kFilesDir);
  struct stat st = {};
  ASSERT_EQ(::stat((fs::path(files) / "secret-pw").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 5000u);
  EXPECT_EQ(st.st_mode & 07777, 0400u);
  bool bound = false;
  for (const auto& m : web->mounts)
    if (m.value("Destination", "") == "/run/secrets/pw" && m.value("Type", "") == "bind" && !m.value("RW", true))
      bound = true;
  EXPECT_TRUE(bound);
  for (const auto& call : engine.calls()) EXPECT_EQ(call.find("put_archive"), std::string::npos) << call;
  EXPECT_TRUE(engine.container_changes(web->id).empty());
}

TEST_F(ApplyTest, AFailedCreateLeavesNoContainerAndNoFiles) {
  compose::Project p = project();
  plan::Plan plan = plan_up(p);
  // Count the requests of a clean run, then fail each one in turn on a fresh engine.
  FakeEngine probe;
  probe.add_image("db:1");
  probe.add_image("web:1");
  apply(probe, p, plan, options);
  int total = probe.state_changes();
  fs::remove_all(dir / "run");
  ASSERT_GT(total, 6);
  for (int n = 1; n <= total; ++n) {
    SCOPED_TRACE("failing request " + std::to_string(n));
    FakeEngine e;
    e.add_image("db:1");
    e.add_image("web:1");
    e.fail_at(n, 500, "injected");
    EXPECT_THROW(apply(e, p, plan_on(e, p), options), EnvError);
    std::set<std::string> referenced;
    for (const auto& c : e.containers()) {
      EXPECT_EQ(plan::name_role(c.name, c.id, name_of(c.labels.at(plan::label::kService))), plan::NameRole::canonical)
          << "an undone step leaves no staging container: " << c.name;
      EXPECT_EQ(c.status, "running") << c.name;
      referenced.insert(c.labels.at(plan::label::kFilesDir));
    }
    EXPECT_EQ(files_dirs_on_disk(), referenced);
    fs::remove_all(dir / "run");
  }
}

TEST_F(ApplyTest, AFailedRecreateGivesTheOldContainerBackRunning) {
  compose::Project p = project();
  up(p);
  std::string old_id = engine.container(name_of("web"))->id;
  compose::Project changed = project();
  changed.model["services"]["web"]["environment"] = {{"MODE", "new"}};
  plan::Plan plan = plan_up(changed);
  ASSERT_EQ(plan.actions.back().type, plan::ActionType::recreate_container);
  // create staging, stop old, rename old, start new, rename new, remove old
  for (int n = 1; n <= 5; ++n) {
    SCOPED_TRACE("failing request " + std::to_string(n));
    engine.fail_at(n, 500, "injected");
    EXPECT_THROW(apply(engine, changed, plan, options), EnvError);
    auto web = engine.container(name_of("web"));
    ASSERT_TRUE(web);
    EXPECT_EQ(web->id, old_id);
    EXPECT_EQ(web->status, "running");
    EXPECT_EQ(engine.containers().size(), 2u);
    EXPECT_EQ(files_dirs_on_disk().size(), 2u);
  }
  engine.revive();
  apply(engine, changed, plan, options);
  expect_converged(changed);
  EXPECT_NE(engine.container(name_of("web"))->id, old_id);
}

// The heart of crash safety: slipway killed before any request of a recreate, then a plain
// `up` converges — the rename error, a removed healthy container, a container without its
// secrets: none of them happens.
TEST_F(ApplyTest, DyingAtAnyRequestOfARecreateConvergesOnTheNextUp) {
  compose::Project p = project();
  compose::Project changed = project();
  changed.model["services"]["db"]["environment"] = {{"MODE", "new"}};
  changed.model["services"]["web"]["environment"] = {{"MODE", "new"}};
  int total = 0;
  {
    FakeEngine probe;
    probe.add_image("db:1");
    probe.add_image("web:1");
    apply(probe, p, plan_on(probe, p), options);
    probe.fail_at(0);  // reset the counter
    apply(probe, changed, plan_on(probe, changed), options);
    total = probe.state_changes();
  }
  ASSERT_GE(total, 12);
  int converged = 0;
  auto failures = [] { return ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count(); };
  for (int n = 1; n <= total; ++n) {
    int before = failures();
    SCOPED_TRACE("dying at request " + std::to_string(n) + " of " + std::to_string(total));
    engine.revive();
    for (const auto& c : engine.containers()) engine.remove_container(c.id, true, false);
    fs::remove_all(dir / "run");
    up(p);
    engine.die_at(n);
    EXPECT_THROW(up(changed), EnvError);
    engine.revive();
    up(changed);
    expect_converged(changed);
    if (failures() == before) ++converged;
  }
  EXPECT_EQ(converged, total);
  RecordProperty("recreate_converged", std::to_string(converged) + " of " + std::to_string(total));
}

TEST_F(ApplyTest, DyingAtAnyRequestOfAFirstUpConverges) {
  compose::Project p = project();
  int total = 0;
  {
    FakeEngine probe;
    probe.add_image("db:1");
    probe.add_image("web:1");
    apply(probe, p, plan_on(probe, p), options);
    total = probe.state_changes();
  }
  for (int n = 1; n <= total; ++n) {
    SCOPED_TRACE("dying at request " + std::to_string(n) + " of " + std::to_string(total));
    reset_engine();
    engine.die_at(n);
    EXPECT_THROW(up(p), EnvError);
    engine.revive();
    up(p);
    expect_converged(p);
  }
}

TEST_F(ApplyTest, DyingAtAnyRequestOfADownConvergesOnTheNextDown) {
  compose::Project p = project();
  up(p);
  FakeEngine probe;
  probe.add_image("db:1");
  probe.add_image("web:1");
  apply(probe, p, plan_on(probe, p), options);
  probe.fail_at(0);
  apply(probe, p, plan::plan_down(p, observe(probe, p), {}), options);
  int total = probe.state_changes();
  for (int n = 1; n <= total; ++n) {
    SCOPED_TRACE("dying at request " + std::to_string(n) + " of " + std::to_string(total));
    engine.revive();
    up(p);
    engine.die_at(n);
    EXPECT_THROW(down(p), EnvError);
    engine.revive();
    down(p);
    EXPECT_TRUE(engine.containers().empty());
    EXPECT_TRUE(engine.network_names().empty());
    EXPECT_TRUE(files_dirs_on_disk().empty());
  }
}

TEST_F(ApplyTest, LeftoversOfOlderRunsAreRecognised) {
  compose::Project p = project();
  up(p);
  // An older slipway set the old container aside as <id12>_<name> and was killed.
  auto web = *engine.container(name_of("web"));
  engine.stop_container(web.id);
  engine.rename_container(web.id, web.id.substr(0, 12) + "_" + web.name);
  plan::Plan plan = plan_up(p);
  ASSERT_FALSE(plan.empty());
  EXPECT_TRUE(std::any_of(plan.actions.begin(), plan.actions.end(), [](const plan::Action& a) {
    return a.type == plan::ActionType::rename_container;
  })) << plan.render();
  apply(engine, p, plan, options);
  expect_converged(p);
  EXPECT_EQ(engine.container(name_of("web"))->id, web.id);
}

TEST_F(ApplyTest, AfterARebootTheFilesAreWrittenAgainBeforeTheStart) {
  compose::Project p = project();
  up(p);
  for (const auto& c : engine.containers()) engine.stop_container(c.id);
  fs::remove_all(dir / "run");  // the tmpfs is empty after a reboot
  for (const auto& c : engine.containers()) EXPECT_THROW(engine.start_container(c.id), engine::EngineError);
  up(p);
  expect_converged(p);
}

TEST_F(ApplyTest, WaitTimesOut) {
  compose::Project p = project();
  engine.on_start([](FakeEngine::Container&) {});  // health stays "starting"
  options.wait_timeout = std::chrono::seconds(0);
  try {
    up(p);
    FAIL();
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("did not become healthy within 0s"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(engine.container(name_of("web")));  // web never started
}

TEST_F(ApplyTest, AnUnhealthyDependencyStopsTheUp) {
  compose::Project p = project();
  engine.on_start([](FakeEngine::Container& c) {
    if (!c.health.empty()) c.health = "unhealthy";
  });
  try {
    up(p);
    FAIL();
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("is unhealthy"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(engine.container(name_of("web")));
}

TEST_F(ApplyTest, AnOptionalDependencyFailingOnlyWarns) {
  compose::Project p = project();
  p.model["services"]["web"]["depends_on"]["db"]["required"] = false;
  engine.on_start([](FakeEngine::Container& c) {
    if (!c.health.empty()) c.health = "unhealthy";
  });
  up(p);
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings.back().find("optional dependency"), std::string::npos);
  EXPECT_EQ(engine.container(name_of("web"))->status, "running");
}

TEST_F(ApplyTest, ADependencyThatExitsBeforeItIsHealthy) {
  compose::Project p = project();
  engine.on_start([](FakeEngine::Container& c) {
    if (!c.health.empty()) {
      c.status = "exited";
      c.exit_code = 3;
    }
  });
  try {
    up(p);
    FAIL();
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("exited with code 3"), std::string::npos) << e.what();
  }
}

TEST_F(ApplyTest, SignalsStopBetweenActionsWithTheirExitCodes) {
  for (int sig : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(sig);
    compose::Project p = project();
    for (const auto& c : engine.containers()) engine.remove_container(c.id, true, false);
    options.handle_signals = true;
    int seen = 0;
    options.progress = [&](const plan::Action&, size_t, size_t, bool done, double) {
      if (done && ++seen == 1) std::raise(sig);
    };
    try {
      up(p);
      FAIL();
    } catch (const Interrupted& e) {
      EXPECT_EQ(e.exit_code(), 128 + sig);
      EXPECT_NE(std::string(e.what()).find("after 1 of"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(sig == SIGINT ? "SIGINT" : "SIGTERM"), std::string::npos);
    }
    options.progress = nullptr;
    options.handle_signals = false;
    up(p);
    expect_converged(p);
  }
}

TEST_F(ApplyTest, SecretSourceWarnings) {
  compose::Project p = project();
  fs::path outside = dir / "elsewhere.txt";
  std::ofstream(outside) << "x";
  ::chmod(outside.c_str(), 0600);
  p.model["secrets"]["pw"]["file"] = outside.string();
  p.model["services"]["web"]["secrets"][0]["mode"] = 0444;
  auto w = file_source_warnings(p, plan_up(p));
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NE(w[0].find("outside the project directory"), std::string::npos) << w[0];
  EXPECT_NE(w[1].find("readable by every user"), std::string::npos) << w[1];
}

}  // namespace
}  // namespace slipway::apply

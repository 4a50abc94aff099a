// apply's failure paths that apply_test.cc does not reach, on the in-memory engine: a wait for
// health on a service without a healthcheck (the user's error), a dependency that must complete
// but fails, a dependency removed by someone else while it is waited for, and a network created
// by someone else between the plan and its apply.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "apply/apply.h"
#include "apply/observe.h"
#include "engine/fake_engine.h"

namespace slipway::apply {
namespace {

namespace fs = std::filesystem;
using engine::FakeEngine;
using ojson = nlohmann::ordered_json;

class ApplyWaitsTest : public ::testing::Test {
 protected:
  fs::path dir;
  FakeEngine engine;
  ApplyOptions options;

  void SetUp() override {
    dir = fs::temp_directory_path() / ("slipway-apply-waits-" + std::to_string(getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    setenv("SLIPWAY_STATE_DIR", (dir / "state").c_str(), 1);
    engine.add_image("job:1");
    engine.add_image("web:1");
    options.files.root = (dir / "run").string();
    options.files.mount_tmpfs = false;
    options.wait_timeout = std::chrono::seconds(5);
    options.poll_interval = std::chrono::milliseconds(1);
    options.handle_signals = false;
  }
  void TearDown() override { fs::remove_all(dir); }

  // web waits for `job` to meet `condition`; job has no healthcheck.
  compose::Project project(const std::string& condition) {
    compose::Project p;
    p.name = "shop";
    p.working_dir = dir.string();
    p.model = ojson::parse(R"({
      "name": "shop",
      "networks": {"default": {"name": "shop_default"}},
      "services": {
        "job": {"image": "job:1", "networks": {"default": null}},
        "web": {"image": "web:1", "networks": {"default": null}, "depends_on": {"job": {"required": true}}}
      }
    })");
    p.model["services"]["web"]["depends_on"]["job"]["condition"] = condition;
    return p;
  }

  plan::Plan plan_for(const compose::Project& p) { return plan::plan_up(p, observe(engine, p), {}); }

  // The message of the error `apply` throws (of type E); "" when it throws none.
  template <typename E>
  std::string failure(const compose::Project& p, const plan::Plan& plan) {
    try {
      apply(engine, p, plan, options);
    } catch (const E& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(ApplyWaitsTest, WaitingForHealthWithoutAHealthcheckIsTheUsersError) {
  compose::Project p = project("service_healthy");
  std::string what = failure<UserError>(p, plan_for(p));
  EXPECT_NE(what.find("services.job has no healthcheck"), std::string::npos) << what;
  EXPECT_FALSE(engine.container("shop-web-1"));
}

TEST_F(ApplyWaitsTest, ADependencyThatMustCompleteButFailsStopsTheUp) {
  compose::Project p = project("service_completed_successfully");
  engine.on_start([](FakeEngine::Container& c) {
    if (c.name.rfind("shop-job-1", 0) == 0) {  // started under its staging name, then renamed
      c.status = "exited";
      c.exit_code = 2;
    }
  });
  std::string what = failure<EnvError>(p, plan_for(p));
  EXPECT_NE(what.find("exited with code 2"), std::string::npos) << what;
  EXPECT_FALSE(engine.container("shop-web-1"));
}

TEST_F(ApplyWaitsTest, ADependencyRemovedWhileItIsWaitedForIsAnEnvironmentError) {
  compose::Project p = project("service_completed_successfully");
  options.progress = [&](const plan::Action& a, size_t, size_t, bool done, double) {
    if (done && a.type == plan::ActionType::create_container && a.service == "job")
      engine.remove_container("shop-job-1", true, true);  // `docker rm -f` by someone else
  };
  std::string what = failure<EnvError>(p, plan_for(p));
  EXPECT_NE(what.find("does not exist (it was removed meanwhile)"), std::string::npos) << what;
}

TEST_F(ApplyWaitsTest, ANetworkCreatedMeanwhileIsUsedAsItIs) {
  compose::Project p = project("service_started");
  plan::Plan plan = plan_for(p);
  engine.create_network({{"Name", "shop_default"}});  // another client was first
  apply(engine, p, plan, options);
  EXPECT_EQ(engine.container("shop-web-1")->status, "running");
  EXPECT_TRUE(plan_for(p).empty()) << plan_for(p).render();
}

}  // namespace
}  // namespace slipway::apply

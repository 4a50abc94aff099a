// Crash safety of `slipway update`: killed just before several of its state-changing engine
// requests (tests/support/fault_relay.h: probes, the rebuild, the throwaway test, the deploy's
// generation switch, the final retag), the next plain `slipway update` converges: exit 0, one
// container of the service running the image the stack's tag names, no probe or throwaway
// container left, no unfinished generation. A FROM-scratch busybox image keeps every run
// short (no apt; an image without a package manager always counts as changed, so every run
// rebuilds, tests and deploys). Also: --no-deploy tests and records "tested", changing nothing.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include <gtest/gtest.h>

#include "deploy/store.h"
#include "engine/client.h"
#include "support/fault_relay.h"
#include "util/subprocess.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;

class UpdateCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    run = std::to_string(rd() % 1000000000);
    project = "slipwayupdcrash" + run;
    dir = fs::temp_directory_path() / ("slipway-update-crash-" + run);
    fs::create_directories(dir / "app" / "bin");
    fs::create_directories(dir / "app" / "www");
    fs::create_directories(dir / "tests");
    fs::copy_file("/bin/busybox", dir / "app" / "bin" / "busybox");
    fs::create_symlink("busybox", dir / "app" / "bin" / "sh");
    std::ofstream(dir / "app" / "www" / "release.txt") << "released\n";
    std::ofstream(dir / "app" / "Dockerfile")
        << "FROM scratch\nCOPY bin /bin\nCOPY www /www\n"
           "CMD [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8000\", \"-h\", \"/www\"]\n";
    std::ofstream(dir / "tests" / "app.yaml")
        << "file:\n  /www/release.txt:\n    exists: true\n    contains: [released]\n";
    std::ofstream(dir / "compose.yaml") << "name: " << project << "\nservices:\n  app:\n    build:\n"
                                        << "      context: ./app\n      labels: {io.slipway.test: \"" << run
                                        << "\"}\n    labels: {io.slipway.test: \"" << run << "\"}\n"
                                        << "x-slipway:\n  deploy: {watch: 0, keep: 1}\n";
  }
  void TearDown() override {
    slipway({"down", "-v"});
    for (const auto& c : client.list_containers(engine::label_filters({{"io.slipway.test", run}}), true))
      client.remove_container(c["Id"], true);
    for (const auto& c : probes()) client.remove_container(c, true);
    for (const auto& img : client.list_images(engine::label_filters({{"io.slipway.test", run}})))
      client.remove_image(img["Id"], true);
    fs::remove_all(dir);
  }

  SubprocessOptions env() const {
    SubprocessOptions o;
    o.extra_env = {{"SLIPWAY_STATE_DIR", (dir / "state").string()}, {"SLIPWAY_RUNTIME_DIR", (dir / "run").string()}};
    return o;
  }
  SubprocessResult slipway(std::vector<std::string> args, SubprocessOptions o) {
    args.insert(args.begin(), {SLIPWAY_BINARY, "-f", (dir / "compose.yaml").string()});
    return run_process(args, o);
  }
  SubprocessResult slipway(std::vector<std::string> args) { return slipway(std::move(args), env()); }

  // Probe containers of this test's images (they carry no test label).
  std::vector<std::string> probes() {
    std::vector<std::string> out;
    for (const auto& c : client.list_containers(engine::Filters{{"label", {"io.slipway.role=update-probe"}}}, true))
      if (c.value("Image", "").rfind(project, 0) == 0) out.push_back(c["Id"]);
    return out;
  }
  std::string tag_id() { return client.inspect_image(project + "-app:latest")["Id"]; }
  std::string running_image() {
    auto c = client.list_containers(engine::label_filters({{"com.docker.compose.project", project}}), false);
    return c.size() == 1 ? c[0]["ImageID"].get<std::string>() : "";
  }

  void expect_converged(const std::string& when) {
    auto all = client.list_containers(engine::label_filters({{"com.docker.compose.project", project}}), true);
    ASSERT_EQ(all.size(), 1u) << when << ": " << all.dump();
    EXPECT_EQ(all[0]["State"], "running") << when;
    EXPECT_EQ(all[0]["ImageID"], tag_id()) << when;
    auto copy = client.list_containers(
        engine::label_filters({{"com.docker.compose.project", project + "-slipway-update"}}), true);
    EXPECT_TRUE(copy.empty()) << when << ": the throwaway copy is left";
    EXPECT_TRUE(probes().empty()) << when << ": a probe container is left";
    deploy::GenerationStore store((dir / "state").string());
    for (const auto& r : store.list(project)) EXPECT_FALSE(r.unfinished()) << when << ": generation " << r.number;
  }

  engine::Client client;
  std::string run, project;
  fs::path dir;
};

TEST_F(UpdateCrash, NoDeployTestsAndRecordsOnlyAndAKilledUpdateConvergesOnTheNextRun) {
  auto up = slipway({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  std::string before = running_image();
  ASSERT_FALSE(before.empty());

  auto tested = slipway({"update", "--keep-base", "--no-deploy"});
  ASSERT_EQ(tested.exit_code, 0) << tested.out << tested.err;
  EXPECT_NE(tested.out.find("not deployed (--no-deploy)"), std::string::npos) << tested.out;
  EXPECT_EQ(running_image(), before);
  {
    deploy::GenerationStore store((dir / "state").string());
    auto history = store.list(project);
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].status, deploy::status::kTested);
    EXPECT_EQ(history[0].kind, "update");
  }

  testsupport::FaultRelay relay((dir / "relay.sock").string());
  relay.start();
  SubprocessOptions through = env();
  through.extra_env["DOCKER_HOST"] = relay.address();
  auto first = slipway({"update", "--keep-base"}, through);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  int total = relay.state_changing_count();
  ASSERT_GT(total, 8);
  expect_converged("after a plain update");
  std::vector<int> steps = {1, total / 4, total / 2, (3 * total) / 4, total};
  std::cerr << "  an update makes " << total << " state-changing engine requests; killing before 1, " << steps[1]
            << ", " << steps[2] << ", " << steps[3] << " and " << total << "\n";
  for (int n : steps) {
    relay.kill_at(n);
    SubprocessResult killed = slipway({"update", "--keep-base"}, through);
    std::string held = relay.held() ? relay.held()->str() : "-";
    if (!relay.killed())
      EXPECT_EQ(killed.exit_code, 0) << killed.err;  // this run made fewer requests
    else
      EXPECT_EQ(killed.exit_code, 128 + SIGKILL) << "request " << n << " (" << held << "): " << killed.err;
    relay.reset();
    SubprocessResult again = slipway({"update", "--keep-base"});
    ASSERT_EQ(again.exit_code, 0) << "after a kill at request " << n << " (" << held << "): " << again.out
                                  << again.err;
    expect_converged("after a kill at request " + std::to_string(n) + " (" + held + ")");
  }
}

}  // namespace
}  // namespace slipway

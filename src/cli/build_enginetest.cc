// `slipway build` end to end: the real binary against the real engine. Images carry
// io.slipway.test=<run id> and are removed afterwards.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "engine/client.h"
#include "util/subprocess.h"

namespace slipway {
namespace {

class BuildCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    run = std::to_string(rd() % 1000000000);
    char tmpl[] = "/tmp/slipway-buildcmd-XXXXXX";
    dir = mkdtemp(tmpl);
    std::filesystem::create_directories(dir + "/tiny");
    std::filesystem::create_directories(dir + "/broken");
    std::filesystem::copy_file("/bin/busybox", dir + "/tiny/busybox");
    std::ofstream(dir + "/tiny/Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\n";
    std::ofstream(dir + "/tiny/.dockerignore") << "*.tmp\n";
    std::ofstream(dir + "/broken/Dockerfile") << "FROM debian:slipway-missing-" << run << "\nRUN true\n";
    std::ofstream(dir + "/compose.yaml") << "name: slipwaytest" << run << "\n"
                                         << "services:\n"
                                         << "  tiny:\n"
                                         << "    build:\n"
                                         << "      context: ./tiny\n"
                                         << "      labels: {io.slipway.test: \"" << run << "\"}\n"
                                         << "  broken:\n"
                                         << "    build: ./broken\n"
                                         << "    profiles: [broken]\n";
  }
  void TearDown() override {
    engine::Client client;
    for (const auto& img : client.list_images(engine::label_filters({{"io.slipway.test", run}})))
      client.remove_image(img["Id"], true);
    std::filesystem::remove_all(dir);
  }
  SubprocessResult slipway(std::vector<std::string> args) {
    args.insert(args.begin(), {SLIPWAY_BINARY, "-f", dir + "/compose.yaml"});
    return run_process(args);
  }
  std::string run, dir;
};

TEST_F(BuildCommand, BuildsThenSkipsWhatDidNotChange) {
  auto first = slipway({"build"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("tiny: built slipwaytest" + run + "-tiny:latest"), std::string::npos) << first.out;
  EXPECT_NE(first.err.find("tiny | Step 1/"), std::string::npos) << first.err;

  std::ofstream(dir + "/tiny/scratch.tmp") << "ignored";  // excluded by .dockerignore: no rebuild
  auto second = slipway({"build", "--json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto doc = nlohmann::json::parse(second.out);
  EXPECT_EQ(doc["up_to_date"], 1);
  EXPECT_EQ(doc["services"][0]["service"], "tiny");
  EXPECT_TRUE(doc["services"][0]["up_to_date"].get<bool>());
  EXPECT_EQ(second.err, "");

  std::ofstream(dir + "/tiny/new.txt") << "changed";
  auto third = slipway({"build", "tiny"});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find("tiny: built"), std::string::npos) << third.out;
}

TEST_F(BuildCommand, ExitCodes) {
  auto unknown = slipway({"build", "nosuch"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no such service: nosuch"), std::string::npos) << unknown.err;
  EXPECT_EQ(slipway({"build", "--pull"}).exit_code, 2);

  auto missing = slipway({"--profile", "broken", "build", "broken"});
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("slipway base debian:slipway-missing-" + run), std::string::npos) << missing.err;

  auto unreachable =
      run_process({SLIPWAY_BINARY, "-H", "unix:///tmp/slipway-no-engine.sock", "-f", dir + "/compose.yaml", "build"});
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_NE(unreachable.err.find("cannot reach the container engine at unix:///tmp/slipway-no-engine.sock"),
            std::string::npos)
      << unreachable.err;
}

}  // namespace
}  // namespace slipway

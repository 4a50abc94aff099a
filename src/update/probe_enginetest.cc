// Probes against the real engine: a FROM-scratch image has no package manager (and its
// container is never started), debian:bookworm lists its packages and conffiles, and no probe
// container outlives the probe.
#include "update/probe.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "engine/client.h"
#include "util/subprocess.h"

namespace slipway::update {
namespace {

class Probe : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    run = std::to_string(rd() % 1000000000);
    options.labels = {{"io.slipway.test", run}};
    options.upgradable = false;  // no network needed
  }
  void TearDown() override {
    for (const auto& c : client.list_containers(engine::label_filters({{"io.slipway.test", run}}), true))
      client.remove_container(c["Id"], true);
    for (const auto& img : client.list_images(engine::label_filters({{"io.slipway.test", run}})))
      client.remove_image(img["Id"], true);
  }
  size_t leftovers() { return client.list_containers(engine::label_filters({{"io.slipway.test", run}}), true).size(); }
  engine::Client client;
  std::string run;
  ProbeOptions options;
};

TEST_F(Probe, ScratchImageHasNoPackageManager) {
  char tmpl[] = "/tmp/slipway-probe-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::filesystem::copy_file("/bin/busybox", dir + "/busybox");
  std::ofstream(dir + "/Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\n";
  auto b = run_process(
      {"docker", "build", "-q", "--label", "io.slipway.test=" + run, "-t", "slipway-test-probe:" + run, dir});
  std::filesystem::remove_all(dir);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  ImageProbe p = probe_image(client, "slipway-test-probe:" + run, options);
  EXPECT_FALSE(p.package_manager);
  EXPECT_TRUE(p.packages.empty());
  EXPECT_EQ(leftovers(), 0u);
}

TEST_F(Probe, DebianImageListsPackagesAndConffiles) {
  ASSERT_TRUE(client.find_image("debian:bookworm")) << "needs debian:bookworm (slipway base debian:bookworm)";
  ImageProbe p = probe_image(client, "debian:bookworm", options);
  EXPECT_TRUE(p.package_manager);
  EXPECT_EQ(p.suite, "bookworm");
  bool dpkg = false;
  for (const auto& pkg : p.packages) dpkg = dpkg || (pkg.name == "dpkg" && !pkg.version.empty());
  EXPECT_TRUE(dpkg);
  EXPECT_FALSE(p.conffiles.empty());
  EXPECT_EQ(leftovers(), 0u);
}

}  // namespace
}  // namespace slipway::update

#include "server/rebuild.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace slipway::server {
namespace {

namespace fs = std::filesystem;

TEST(RebuildResult, TimingLineGivesEachPhaseAndTheOverheadBeyondThem) {
  RebuildResult r;
  r.phases = {{"base", 0.0, ""}, {"build", 2.0, ""}, {"restore", 3.0, ""}, {"deploy", 4.0, ""}, {"checks", 0.5, ""}};
  r.total_seconds = 10.0;
  EXPECT_DOUBLE_EQ(r.phases_seconds(), 9.5);
  EXPECT_DOUBLE_EQ(r.overhead_seconds(), 0.5);
  EXPECT_EQ(r.timing_line(),
            "base 0.0 s, build 2.0 s, restore 3.0 s, deploy 4.0 s, checks 0.5 s, overhead 0.5 s (5.0 % of 10.0 s)");
}

TEST(DebianBasesNeeded, AreTheDockerfilesDebianBasesAndTheEdgesOnceEach) {
  fs::path dir = fs::temp_directory_path() / ("slipway-rebuild-unit-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  fs::create_directories(dir / "c");
  std::ofstream(dir / "a" / "Dockerfile") << "ARG SUITE=trixie\nFROM debian:${SUITE} AS base\nFROM base\n";
  std::ofstream(dir / "b" / "Dockerfile") << "FROM scratch\nCOPY x /x\n";
  std::ofstream(dir / "c" / "Dockerfile") << "FROM debian:trixie\n";
  std::ofstream(dir / "compose.yaml") << "name: rb\nservices:\n"
                                         "  a: {build: ./a}\n  b: {build: ./b}\n  c: {build: ./c}\n"
                                         "  d: {image: postgres:15}\n"
                                         "x-slipway:\n  routes: {\"http://a.test\": \"a:80\"}\n";
  compose::LoadOptions o;
  o.files = {(dir / "compose.yaml").string()};
  o.environment = {};
  compose::Project p = compose::load(o);
  EXPECT_EQ(debian_bases_needed(p), (std::vector<std::string>{"debian:trixie", "debian:bookworm"}));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace slipway::server

#include "edge/locate.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace slipway::edge {
namespace {

namespace fs = std::filesystem;

class LocateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("slipway-locate-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "a.yaml") << "services: {web: {image: x}}\nx-slipway:\n  routes:\n    a.org: web:80\n";
    std::ofstream(dir_ / "b.yaml") << "x-slipway:\n  edge: {http: 8080}\n  routes:\n\n    a.org: web:81\n";
    std::ofstream(dir_ / "bad.yaml") << "x-slipway: [unclosed\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const char* name) { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(LocateTest, TheLastFileThatWritesTheKeyWins) {
  Locator at = file_locator({file("a.yaml"), file("b.yaml")});
  EXPECT_EQ(at({"x-slipway", "routes", "a.org"}).str(), file("b.yaml") + ":5:5");
  EXPECT_EQ(at({"services", "web"}).str(), file("a.yaml") + ":1:12");
  EXPECT_EQ(at({"x-slipway", "edge", "http"}).str(), file("b.yaml") + ":2:10");
}

TEST_F(LocateTest, UnknownKeysAndUnreadableFilesGiveTheFirstFile) {
  Locator at = file_locator({file("bad.yaml"), file("a.yaml")});
  EXPECT_EQ(at({"x-slipway", "routes", "b.org"}).str(), file("bad.yaml"));
  EXPECT_EQ(at({"x-slipway", "routes", "a.org"}).str(), file("a.yaml") + ":4:5");
  EXPECT_EQ(file_locator({})({"x"}).str(), "");
  EXPECT_EQ(fixed_locator({"c.yaml", 2, 3})({"anything"}).str(), "c.yaml:2:3");
}

}  // namespace
}  // namespace slipway::edge

#include "compose/discovery.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "util/error.h"

namespace slipway::compose {
namespace {

namespace fs = std::filesystem;

class Discovery : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-discovery-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void touch(const std::string& rel) {
    fs::create_directories(fs::path(dir_ + "/" + rel).parent_path());
    std::ofstream(dir_ + "/" + rel) << "services: {}\n";
  }
  std::string dir_;
};

TEST_F(Discovery, FindsFileAndOverrideInOrderOfPreference) {
  touch("docker-compose.yaml");
  touch("docker-compose.yml");
  touch("docker-compose.override.yaml");
  std::vector<std::string> warnings;
  auto files = discover_files(dir_, [&](const std::string& w) { warnings.push_back(w); });
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], dir_ + "/docker-compose.yml");
  EXPECT_EQ(files[1], dir_ + "/docker-compose.override.yaml");
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[1], "Using " + dir_ + "/docker-compose.yml");
}

TEST_F(Discovery, SearchesParentsAndStopsAtTheFirstHit) {
  touch("compose.yml");
  touch("a/b/c/.keep");
  auto files = discover_files(dir_ + "/a/b/c");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], dir_ + "/compose.yml");
}

TEST_F(Discovery, ComposeFileVariable) {
  touch("a.yaml");
  touch("sub/b.yaml");
  auto files = split_compose_file_env("a.yaml:sub/b.yaml", "", dir_);
  EXPECT_EQ(files, (std::vector<std::string>{dir_ + "/a.yaml", dir_ + "/sub/b.yaml"}));
  files = split_compose_file_env("a.yaml,,sub/../a.yaml", ",,", dir_);
  EXPECT_EQ(files, (std::vector<std::string>{dir_ + "/a.yaml", dir_ + "/a.yaml"}));
  EXPECT_THROW(split_compose_file_env("a.yaml:missing.yaml", ":", dir_), UserError);
  EXPECT_THROW(split_compose_file_env("sub", ":", dir_), UserError);
}

TEST(ProjectName, NormalizedAsComposeDoes) {
  EXPECT_EQ(normalize_project_name("My App"), "myapp");
  EXPECT_EQ(normalize_project_name("__-x_y-Z.1"), "x_y-z1");
  EXPECT_EQ(normalize_project_name("---"), "");
  EXPECT_EQ(normalize_project_name("ünïcode"), "ncode");
}

TEST(ProjectName, ExplicitNamesAreChecked) {
  EXPECT_NO_THROW(check_project_name("good-name_1", "-p"));
  EXPECT_THROW(check_project_name("Bad", "-p"), UserError);
  EXPECT_THROW(check_project_name("_lead", "-p"), UserError);
}

TEST(AbsolutePath, CleansLikeGo) {
  EXPECT_EQ(absolute_path("a/./b/../c/", "/x"), "/x/a/c");
  EXPECT_EQ(absolute_path("/abs//p", "/x"), "/abs/p");
  EXPECT_EQ(absolute_path(".", "/x/y"), "/x/y");
}

}  // namespace
}  // namespace slipway::compose

#include "deploy/config_record.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "util/error.h"
#include "support/temp_dir.h"

namespace slipway::deploy {
namespace {

namespace fs = std::filesystem;

using testsupport::TempDir;

compose::Project load(const std::vector<std::string>& files, const std::string& project_dir = "",
                      const std::string& name = "") {
  compose::LoadOptions o;
  o.files = files;
  o.project_directory = project_dir;
  o.project_name = name;
  o.warn = [](const std::string&) {};
  return compose::load(o);
}

// Rollback's path: the recorded text, written elsewhere and loaded with the stack's directory,
// gives the model of the generation it was recorded from, with relative paths resolved in the
// stack's directory, even after the stack's file changed.
TEST(ConfigRecord, RecordedFilesLoadAsTheGenerationsConfig) {
  TempDir stack, copies;
  std::ofstream(stack.path + "/app.env") << "FROM_ENV_FILE=yes\n";
  std::ofstream(stack.path + "/compose.yaml") << "services:\n  web:\n    image: web:1\n    env_file: app.env\n";
  compose::Project deployed = load({stack.path + "/compose.yaml"});
  nlohmann::json files = record_compose_files(deployed);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0]["path"], "compose.yaml");

  std::ofstream(stack.path + "/compose.yaml") << "services:\n  web:\n    image: web:2\n";  // a later change
  std::vector<std::string> paths = write_compose_files(files, copies.path);
  ASSERT_EQ(paths.size(), 1u);
  compose::Project back = load(paths, stack.path, deployed.name);
  EXPECT_EQ(back.name, deployed.name);
  EXPECT_EQ(back.working_dir, deployed.working_dir);
  EXPECT_EQ(back.model["services"]["web"]["image"], "web:1");
  EXPECT_EQ(back.model["services"]["web"]["environment"]["FROM_ENV_FILE"], "yes");
  EXPECT_EQ(back.model, deployed.model);
}

TEST(ConfigRecord, AFileOutsideTheStackKeepsItsAbsolutePathAndSameNamesDoNotClash) {
  TempDir stack, other, copies;
  std::ofstream(stack.path + "/compose.yaml") << "services:\n  web:\n    image: web:1\n";
  std::ofstream(other.path + "/compose.yaml") << "services:\n  web:\n    environment: {X: \"1\"}\n";
  compose::Project p = load({stack.path + "/compose.yaml", other.path + "/compose.yaml"});
  nlohmann::json files = record_compose_files(p);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[1]["path"], fs::path(other.path + "/compose.yaml").lexically_normal().string());
  auto paths = write_compose_files(files, copies.path);
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_NE(paths[0], paths[1]);
  EXPECT_EQ(load(paths, stack.path, p.name).model, p.model);
}

TEST(ConfigRecord, ARecordWithoutFilesIsRefused) {
  TempDir copies;
  EXPECT_THROW(write_compose_files(nlohmann::json::array(), copies.path), UserError);
}

}  // namespace
}  // namespace slipway::deploy

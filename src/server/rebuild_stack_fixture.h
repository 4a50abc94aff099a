// The stack that the rebuild engine tests rebuild (rebuild_enginetest.cc,
// rebuild_crash_enginetest.cc): a FROM-scratch busybox web service whose data lives on a volume,
// backed up by restic into a repository in the test's directory, with deploy's watch window
// off. Each test gets its own project name, directory and labels, and runs slipway either
// against the host engine or a private one, each with a state directory of its own.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "engine/client.h"
#include "util/subprocess.h"

namespace slipway::server {

class RebuildStackTest : public ::testing::Test {
 protected:
  // Writes the stack: `tag` names the project and directory ("rb" -> sliptest-rb-<run>),
  // `web_command` is the web service's command (a YAML flow sequence).
  void make_stack(const std::string& tag, const std::string& web_command) {
    namespace fs = std::filesystem;
    run_ = std::to_string(std::random_device{}() % 1000000000);
    project_ = "sliptest-" + tag + "-" + run_;
    dir_ = fs::temp_directory_path() / ("slipway-" + tag + "-" + run_);
    fs::create_directories(dir_ / "stack" / "web");
    fs::create_directories(dir_ / "stack" / "tests");
    std::ofstream(dir_ / "stack" / "web" / "Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\n";
    fs::copy_file("/bin/busybox", dir_ / "stack" / "web" / "busybox");
    std::ofstream(dir_ / "pw") << "rebuild test password\n";
    std::string label = "{io.slipway.test: \"" + run_ + "\"}";
    std::ofstream(dir_ / "stack" / "compose.yaml")
        << "name: " << project_ << "\n"
        << "x-slipway:\n"
        << "  backup:\n"
        << "    repository: " << (dir_ / "repo").string() << "\n"
        << "    password_file: " << (dir_ / "pw").string() << "\n"
        << "  deploy: {watch: 0}\n"
        << "services:\n"
        << "  web:\n"
        << "    build: ./web\n"
        << "    image: " << project_ << "-web:1\n"
        << "    labels: " << label << "\n"
        << "    command: " << web_command << "\n"
        << "    volumes: [data:/data]\n"
        << "volumes:\n"
        << "  data: {labels: " << label << "}\n"
        << "networks:\n"
        << "  default: {labels: " << label << "}\n";
  }

  void TearDown() override {
    slipway("", {"down", "-v"});
    engine::Client host;
    for (const auto& img : host.list_images({{"reference", {project_ + "-web*"}}})) {
      try {
        host.remove_image(img["Id"], true);
      } catch (const std::exception&) {
      }
    }
    std::filesystem::remove_all(dir_);
  }

  // `host` "" = the host engine; each engine has a state directory of its own.
  SubprocessResult slipway(const std::string& host, std::vector<std::string> args) {
    args.insert(args.begin(), {SLIPWAY_BINARY, "--project-directory", (dir_ / "stack").string()});
    std::string where = host.empty() ? "host" : "private";
    SubprocessOptions o;
    o.extra_env = {{"SLIPWAY_STATE_DIR", (dir_ / ("state-" + where)).string()},
                   {"SLIPWAY_RUNTIME_DIR", (dir_ / ("run-" + where)).string()}};
    if (!host.empty()) o.extra_env["DOCKER_HOST"] = host;
    return run_process(args, o);
  }

  std::string run_, project_;
  std::filesystem::path dir_;
};

}  // namespace slipway::server

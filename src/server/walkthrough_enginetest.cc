// The README's walk-through (issue 12, item 8), run as written: from a server with slipway
// installed to a stack deployed by `git push`, backed up and installed for boot.
//
// The commands are read from README.md itself: every ```sh block right after a line
// `<!-- walkthrough: server -->` or `<!-- walkthrough: laptop -->`, in order. Each line is one
// command; `#` starts a comment; words are split on blanks (the walk-through uses no quoting,
// and the test fails if it does). The one way they are adapted to the test:
//   - `server.example` is the address of the test's sshd (tests/support/sshd.h, port 22 of a
//     network namespace of its own), which logs in as root as the walk-through does;
//   - `/srv/` is `<test dir>/srv/` (the server's directories);
//   - a command `slipway` is the slipway just built (SLIPWAY_BINARY);
//   - `cd DIR` sets the directory of the block's later commands (a block starts in the
//     laptop's checkout or the test directory);
//   - the server's state and runtime directories are the test's (SLIPWAY_STATE_DIR,
//     SLIPWAY_RUNTIME_DIR, also in the ssh logins), the laptop's ssh uses the test's keys
//     (SLIPWAY_SSH_CONFIG, GIT_SSH_COMMAND) and finds the server's slipway by
//     SLIPWAY_REMOTE_SLIPWAY;
//   - /etc/systemd/system is a directory of the test, bind-mounted over the host's in a mount
//     namespace of the test process alone, so `slipway install` runs as written and changes
//     nothing of the host (no systemd runs here: `systemctl enable` only makes links).
// The laptop's checkout is a small FROM-scratch busybox stack with a data volume and a check,
// whose x-slipway.backup names the repository and password file the walk-through uses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "engine/client.h"
#include "support/sshd.h"
#include "util/subprocess.h"

namespace slipway::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct Block {
  std::string side;  // "server" or "laptop"
  std::vector<std::string> lines;
};

// The marked blocks of README.md, in order.
std::vector<Block> walkthrough(const std::string& readme) {
  std::ifstream in(readme);
  std::vector<Block> out;
  std::string line, side;
  bool in_block = false;
  const std::string marker = "<!-- walkthrough: ";
  while (std::getline(in, line)) {
    if (in_block) {
      if (line.rfind("```", 0) == 0) {
        in_block = false;
        side.clear();
      } else {
        out.back().lines.push_back(line);
      }
    } else if (line.rfind(marker, 0) == 0) {
      side = line.substr(marker.size(), line.find(' ', marker.size()) - marker.size());
    } else if (!side.empty() && line.rfind("```sh", 0) == 0) {
      in_block = true;
      out.push_back({side, {}});
    } else if (!line.empty()) {
      side.clear();  // the marker must be right before its block
    }
  }
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
  return s;
}

class Walkthrough : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.ping();  // no engine: fail loudly
    run_id_ = std::to_string(std::random_device{}() % 1000000000);
    project_ = "sliptest-walk-" + run_id_;
    dir_ = fs::temp_directory_path() / ("slipway-walkthrough-" + run_id_);
    fs::create_directories(dir_ / "srv");
    fs::create_directories(dir_ / "units");
    // /etc/systemd/system of this process (and its children) only.
    ASSERT_EQ(::unshare(CLONE_NEWNS), 0) << std::strerror(errno);
    ASSERT_EQ(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0) << std::strerror(errno);
    fs::create_directories("/etc/systemd/system");
    ASSERT_EQ(::mount((dir_ / "units").c_str(), "/etc/systemd/system", nullptr, MS_BIND, nullptr), 0)
        << std::strerror(errno);
    mounted_ = true;
    sshd_ = std::make_unique<testsupport::Sshd>(dir_.string(), server_env().extra_env);

    laptop_ = dir_ / "laptop";
    fs::create_directories(laptop_ / "web");
    fs::create_directories(laptop_ / "tests");
    fs::copy_file("/bin/busybox", laptop_ / "web" / "busybox");
    std::ofstream(laptop_ / "web" / "Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\n";
    std::ofstream(laptop_ / "tests" / "web.yaml")
        << "x-slipway: {service: web, smoke: true}\nfile:\n  /data/index.html: {exists: true, contains: [hello]}\n";
    std::ofstream(laptop_ / "compose.yaml") << "name: " << project_ << R"(
services:
  web:
    build: ./web
    image: )" << project_ << R"(-web:latest
    command: ["/bin/busybox", "sh", "-c", "echo hello > /data/index.html; trap 'exit 0' TERM; /bin/busybox httpd -f -p 8080 -h /data & wait"]
    volumes: [data:/data]
    labels: {io.slipway.test: ")" << run_id_ << R"("}
volumes:
  data: {labels: {io.slipway.test: ")" << run_id_ << R"("}}
networks:
  default: {labels: {io.slipway.test: ")" << run_id_ << R"("}}
x-slipway:
  deploy: {watch: 0}
  backup:
    repository: )" << srv("/srv/backup/app") << R"(
    password_file: )" << srv("/srv/app.restic-password") << R"(
)";
    for (auto args : std::vector<std::vector<std::string>>{{"init", "-q", "-b", "main"},
                                                           {"add", "-A"},
                                                           {"commit", "-q", "-m", "the stack"}}) {
      args.insert(args.begin(), "git");
      auto r = run_process(args, laptop_env());
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }

  void TearDown() override {
    run_process({SLIPWAY_BINARY, "--project-directory", srv("/srv/app"), "down", "-v"}, server_env());
    engine::Filters mine = engine::label_filters({{"io.slipway.test", run_id_}});
    for (const auto& c : client_.list_containers(mine, true)) try {
        client_.remove_container(c["Id"], true, true);
      } catch (const std::exception&) {
      }
    for (const auto& v : client_.list_volumes(mine)) try {
        client_.remove_volume(v["Name"], true);
      } catch (const std::exception&) {
      }
    for (const auto& n : client_.list_networks(mine)) try {
        client_.remove_network(n["Id"]);
      } catch (const std::exception&) {
      }
    for (const auto& img : client_.list_images(engine::Filters{{"reference", {project_ + "*"}}})) try {
        client_.remove_image(img["Id"], true);
      } catch (const std::exception&) {
      }
    sshd_.reset();
    if (mounted_) ::umount2("/etc/systemd/system", MNT_DETACH);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string srv(const std::string& path) const { return replace_all(path, "/srv/", (dir_ / "srv").string() + "/"); }

  SubprocessOptions server_env() const {
    SubprocessOptions o;
    o.extra_env = {{"SLIPWAY_STATE_DIR", (dir_ / "server-state").string()},
                   {"SLIPWAY_RUNTIME_DIR", (dir_ / "server-run").string()}};
    return o;
  }
  SubprocessOptions laptop_env() const {
    SubprocessOptions o;
    o.working_directory = laptop_.string();
    o.extra_env = {{"SLIPWAY_STATE_DIR", (dir_ / "laptop-state").string()},
                   {"SLIPWAY_REMOTE_SLIPWAY", SLIPWAY_BINARY},
                   {"GIT_AUTHOR_NAME", "t"},
                   {"GIT_AUTHOR_EMAIL", "t@example.org"},
                   {"GIT_COMMITTER_NAME", "t"},
                   {"GIT_COMMITTER_EMAIL", "t@example.org"}};
    if (sshd_) {
      o.extra_env["SLIPWAY_SSH_CONFIG"] = sshd_->client_config();
      o.extra_env["GIT_SSH_COMMAND"] = "ssh -F " + sshd_->client_config();
    }
    return o;
  }

  // One line of the walk-through as argv, adapted as the file's comment says; empty for a blank
  // or comment line.
  std::vector<std::string> command(const std::string& line) const {
    std::string text = line.substr(0, line.find('#'));
    EXPECT_EQ(text.find_first_of("'\"`$|&;<>\\"), std::string::npos) << "the walk-through uses no shell syntax: " << line;
    std::vector<std::string> argv;
    std::istringstream words(text);
    for (std::string w; words >> w;)
      argv.push_back(srv(replace_all(w, "@server.example", "@" + sshd_->address())));
    if (!argv.empty() && argv[0] == "slipway") argv[0] = SLIPWAY_BINARY;
    return argv;
  }

  engine::Client client_;
  std::string run_id_, project_;
  fs::path dir_, laptop_;
  std::unique_ptr<testsupport::Sshd> sshd_;
  bool mounted_ = false;
};

TEST_F(Walkthrough, TheReadmesCommandsTakeAServerToAPushDeployedBackedUpBootSafeStack) {
  std::vector<Block> blocks = walkthrough(SLIPWAY_SOURCE_DIR "/README.md");
  ASSERT_GE(blocks.size(), 3u) << "README.md has no marked walk-through";
  std::string transcript;
  size_t commands = 0;
  for (const auto& block : blocks) {
    SubprocessOptions o = block.side == "laptop" ? laptop_env() : server_env();
    if (block.side == "server") o.working_directory = dir_.string();
    for (const auto& line : block.lines) {
      std::vector<std::string> argv = command(line);
      if (argv.empty()) continue;
      if (argv[0] == "cd") {
        ASSERT_EQ(argv.size(), 2u) << line;
        o.working_directory = argv[1];
        continue;
      }
      auto r = run_process(argv, o);
      ++commands;
      transcript += "\n$ " + line + "   [" + block.side + ", exit " + std::to_string(r.exit_code) + "]\n" + r.out + r.err;
      ASSERT_EQ(r.exit_code, 0) << "README walk-through, on the " << block.side << ": " << line << transcript;
    }
  }
  std::cerr << "ran the README's walk-through: " << commands << " commands\n";

  // Deployed by the push, backed up, installed for boot.
  auto ps = run_process({SLIPWAY_BINARY, "--project-directory", srv("/srv/app"), "ps", "--json"}, server_env());
  ASSERT_EQ(ps.exit_code, 0) << ps.err;
  auto doc = nlohmann::json::parse(ps.out);
  ASSERT_EQ(doc.size(), 1u) << ps.out;
  EXPECT_EQ(doc[0]["State"], "running");
  auto snaps =
      run_process({SLIPWAY_BINARY, "--project-directory", srv("/srv/app"), "snapshots", "--json"}, server_env());
  ASSERT_EQ(snaps.exit_code, 0) << snaps.err;
  auto list = nlohmann::json::parse(snaps.out);
  ASSERT_EQ(list.size(), 1u) << snaps.out;
  EXPECT_EQ(list[0]["complete"], true) << snaps.out;
  for (const auto& unit : {"slipway-" + project_ + ".service", "slipway-" + project_ + "-backup.timer",
                           "slipway-" + project_ + "-drill.timer"})
    EXPECT_TRUE(fs::exists(dir_ / "units" / unit)) << unit << transcript;

  // What the boot unit runs, in the unit's environment, brings generation 1 back.
  std::ifstream unit(dir_ / "units" / ("slipway-" + project_ + ".service"));
  SubprocessOptions as_unit;
  std::vector<std::string> exec;
  for (std::string l; std::getline(unit, l);) {
    if (l.rfind("Environment=", 0) == 0) {
      std::string kv = l.substr(12);
      if (kv.size() >= 2 && kv.front() == '"' && kv.back() == '"') kv = kv.substr(1, kv.size() - 2);
      as_unit.extra_env[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
    } else if (l.rfind("ExecStart=", 0) == 0) {
      ASSERT_EQ(l.find_first_of("'\"\\"), std::string::npos) << "a word the test does not unquote: " << l;
      std::istringstream words(l.substr(10));
      for (std::string w; words >> w;) exec.push_back(w);
    }
  }
  ASSERT_FALSE(exec.empty()) << "no ExecStart in the boot unit";
  auto booted = run_process(exec, as_unit);
  EXPECT_EQ(booted.exit_code, 0) << booted.err;
  EXPECT_THAT(booted.err, HasSubstr("generation 1"));
}

}  // namespace
}  // namespace slipway::server

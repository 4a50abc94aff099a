// Check files are user input: whatever a path names (/dev/urandom, a huge log, a FIFO), it is
// read through util/read_input.h, stops after 8 MiB and fails with exit 2 naming the file.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "checks/spec.h"
#include "util/read_input.h"
#include "util/subprocess.h"

namespace slipway::checks {
namespace {

namespace fs = std::filesystem;

// Bytes this process has read through read(2) and friends (/proc/self/io "rchar").
long long bytes_read() {
  std::ifstream io("/proc/self/io");
  std::string key;
  long long value = 0;
  while (io >> key >> value)
    if (key == "rchar:") return value;
  return -1;
}

// The message of the UserError `fn` throws ("" when it throws none).
template <typename Fn>
std::string user_error(Fn fn) {
  try {
    fn();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

class BoundedInput : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-bounded-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string dir;
};

TEST_F(BoundedInput, UrandomAsACheckFileStopsAtTheLimit) {
  long long before = bytes_read();
  std::string message = user_error([] { load_gossfile("/dev/urandom"); });
  long long read = bytes_read() - before;
  EXPECT_EQ(message,
            "/dev/urandom: the check file is larger than 8 MiB, slipway's limit for one input file (is this the right "
            "file?)");
  EXPECT_GT(read, static_cast<long long>(kMaxInputBytes));
  EXPECT_LT(read, static_cast<long long>(kMaxInputBytes) + (1 << 20)) << "read far past the limit";
}

TEST_F(BoundedInput, AFileOneByteOverTheLimitIsRefusedAndOneAtItLoads) {
  std::string at = dir + "/at.yaml", over = dir + "/over.yaml";
  std::string text = "matching:\n  x: {content: 1, matches: 1}\n";
  text.append(kMaxInputBytes - text.size(), '\n');  // blank lines up to exactly the limit
  std::ofstream(at) << text;
  std::ofstream(over) << text << "\n";
  EXPECT_EQ(load_gossfile(at).checks.size(), 1u);
  EXPECT_NE(user_error([&] { load_gossfile(over); }).find(over + ": the check file is larger than 8 MiB"),
            std::string::npos);
}

TEST_F(BoundedInput, IncludedFilesAndReadFileAreBoundedToo) {
  std::string main = dir + "/main.yaml";
  std::ofstream(main) << "gossfile:\n  /dev/urandom: {}\n";
  EXPECT_EQ(user_error([&] { load_gossfile(main); }).rfind("/dev/urandom: the check file is larger than 8 MiB", 0), 0u);

  std::ofstream(main, std::ios::trunc) << "matching:\n  x:\n    content: {{ readFile \"/dev/urandom\" | toJson }}\n"
                                          "    matches: 1\n";
  EXPECT_EQ(user_error([&] { load_gossfile(main); }),
            main +
                ":3: template: readFile: /dev/urandom: the file is larger than 8 MiB, slipway's limit for one input "
                "file (is this the right file?)");
  std::ofstream(main, std::ios::trunc) << "matching:\n  x:\n    content: {{ readFile \"" << dir
                                       << "/nope\" }}\n    matches: 1\n";
  EXPECT_NE(
      user_error([&] { load_gossfile(main); }).find(":3: template: readFile: cannot read the file " + dir + "/nope"),
      std::string::npos);
}

// The whole command: `slipway test` with tests/random.yaml -> /dev/urandom fails with exit 2
// naming the file, before it talks to the engine.
TEST_F(BoundedInput, SlipwayTestExitsTwoNamingTheCheckFile) {
  fs::create_directories(dir + "/tests");
  std::ofstream(dir + "/compose.yaml") << "name: bounded\nservices:\n  web:\n    image: busybox\n";
  std::ofstream(dir + "/tests/a.yaml") << "matching:\n  x: {content: 1, matches: 1}\n";
  fs::create_symlink("/dev/urandom", dir + "/tests/random.yaml");
  SubprocessOptions o;
  o.extra_env["DOCKER_HOST"] = "unix://" + dir + "/no-engine-here.sock";
  auto r = run_process({SLIPWAY_BINARY, "-f", dir + "/compose.yaml", "test"}, o);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(dir + "/tests/random.yaml: the check file is larger than 8 MiB"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace slipway::checks

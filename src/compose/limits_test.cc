// The loader's limits (README "Limits"): each one fails with a one-line UserError (exit 2) that
// names it, and the slipway binary stays within its memory bound on endless input.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "compose/dotenv.h"
#include "compose/interpolate.h"
#include "compose/loader.h"
#include "util/error.h"

namespace slipway::compose {
namespace {

namespace fs = std::filesystem;

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-limits-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ + "/" + name) << text; }

  // The UserError message of loading compose.yaml ("" when it loads).
  std::string load_error() {
    LoadOptions o;
    o.files = {dir_ + "/compose.yaml"};
    o.environment = {{"HOME", "/home/u"}};
    o.warn = [](const std::string&) {};
    try {
      load(o);
    } catch (const UserError& e) {
      return e.what();
    }
    return "";
  }

  std::string dir_;
};

TEST_F(LimitsTest, ComposeFileLargerThan8MiB) {
  write("compose.yaml", "services:\n  a: {image: x}\nx-pad: \"" + std::string(8u << 20, 'p') + "\"\n");
  std::string e = load_error();
  EXPECT_NE(e.find("compose.yaml: the compose file is larger than 8 MiB, slipway's limit for one input file"),
            std::string::npos)
      << e;
}

TEST_F(LimitsTest, EnvFileLargerThan8MiB) {
  write("compose.yaml", "services:\n  a: {image: x}\n");
  write(".env", "A=" + std::string(8u << 20, 'a') + "\n");
  std::string e = load_error();
  EXPECT_NE(e.find(".env: the env file is larger than 8 MiB"), std::string::npos) << e;
}

TEST_F(LimitsTest, ServiceEnvFileLargerThan8MiB) {
  write("compose.yaml", "services:\n  a: {image: x, env_file: big.env}\n");
  write("big.env", "A=" + std::string(8u << 20, 'a') + "\n");
  std::string e = load_error();
  EXPECT_NE(e.find("big.env: the env file is larger than 8 MiB"), std::string::npos) << e;
}

TEST_F(LimitsTest, ManyNodesWithoutAliasesDoNotBlameAliases) {
  std::string yaml = "services:\n  a:\n    image: x\n    labels:\n";
  for (int i = 0; i < 60'000; ++i) yaml += "      l" + std::to_string(i) + ": v\n";
  write("compose.yaml", yaml);
  std::string e = load_error();
  EXPECT_NE(e.find("holds more than 65536 nodes, slipway's limit for one project"), std::string::npos) << e;
  EXPECT_EQ(e.find("alias"), std::string::npos) << e;
}

TEST_F(LimitsTest, IncludeFanOutSharesTheProjectBudget) {
  std::string inc = "services:\n";
  for (int i = 0; i < 500; ++i) inc += "  i" + std::to_string(i) + ": {image: x, labels: [a=b, c=d, e=f]}\n";
  write("inc.yaml", inc);
  std::string yaml = "include:\n";
  for (int i = 0; i < 200; ++i) yaml += "  - path: inc.yaml\n    project_directory: d" + std::to_string(i) + "\n";
  write("compose.yaml", yaml + "services:\n  a: {image: x}\n");
  std::string e = load_error();
  EXPECT_NE(e.find("the project's Compose files hold more than 65536 nodes"), std::string::npos) << e;
}

TEST_F(LimitsTest, InterpolationThatExpandsIsBounded) {
  write(".env", "A=" + std::string(1 << 20, 'a') + "\n");
  std::string value;
  for (int i = 0; i < 20; ++i) value += "${A}";
  write("compose.yaml", "services:\n  a:\n    image: x\n    environment: {E: \"" + value + "\"}\n");
  auto start = std::chrono::steady_clock::now();
  std::string e = load_error();
  EXPECT_NE(e.find("variable substitution makes the values grow by more than 8 MiB"), std::string::npos) << e;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}

TEST_F(LimitsTest, InterpolationBudgetIsSharedAcrossValues) {
  write(".env", "A=" + std::string(100'000, 'a') + "\n");
  std::string yaml = "services:\n  a:\n    image: x\nx-many:\n";
  for (int i = 0; i < 100; ++i) yaml += "  - ${A}\n";  // 10 MB in 100 small values
  write("compose.yaml", yaml);
  EXPECT_NE(load_error().find("grow by more than 8 MiB"), std::string::npos);
}

TEST_F(LimitsTest, DotenvExpansionIsBounded) {
  std::string text = "A=" + std::string(1 << 20, 'a') + "\n";
  for (int i = 0; i < 20; ++i) text += "B" + std::to_string(i) + "=${A}\n";
  try {
    parse_dotenv(text, "x.env", nullptr);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("grow by more than 8 MiB"), std::string::npos) << e.what();
  }
}

TEST_F(LimitsTest, NormalInterpolationIsUnaffected) {
  InterpolateOptions io;
  io.lookup = [](const std::string&) { return std::optional<std::string>("v"); };
  io.growth_left = std::make_shared<size_t>(4);
  EXPECT_EQ(interpolate_string("${A}${B}", io), "vv");
  EXPECT_EQ(*io.growth_left, 4u);  // "vv" is shorter than "${A}${B}"
}

// ---- the binary on endless input ---------------------------------------------------------------

struct ChildRun {
  int exit_code = -1;
  long max_rss_kib = 0;
  std::string stderr_text;
};

// Runs `slipway ARGS...` with stdin from `stdin_path` (or /dev/null) and reports how it ended.
ChildRun run_slipway(const std::vector<std::string>& args, const std::string& stdin_path = "/dev/null") {
  std::string err_path = fs::temp_directory_path() / ("slipway-limits-err-" + std::to_string(::getpid()));
  pid_t pid = fork();
  if (pid == 0) {
    int in = ::open(stdin_path.c_str(), O_RDONLY);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int out = ::open("/dev/null", O_WRONLY);
    if (in < 0 || err < 0 || out < 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv{const_cast<char*>(SLIPWAY_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(SLIPWAY_BINARY, argv.data());
    _exit(127);
  }
  ChildRun r;
  int status = 0;
  struct rusage ru {};
  if (pid > 0 && wait4(pid, &status, 0, &ru) == pid) {
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.max_rss_kib = ru.ru_maxrss;
  }
  std::ifstream f(err_path);
  std::getline(f, r.stderr_text, '\0');
  fs::remove(err_path);
  return r;
}

// The bound holds for the normal build. Under AddressSanitizer the same run needs several
// hundred MiB (shadow memory and a 256 MiB free-quarantine), so the bound there is looser; it still
// catches an endless read, which would not stop before the machine's memory does.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kMaxRssKiB = 1024 * 1024;
#else
constexpr long kMaxRssKiB = 64 * 1024;
#endif

TEST(LimitsBinary, DevUrandomIsRefusedWithinTheMemoryBound) {
  ChildRun r = run_slipway({"-f", "/dev/urandom", "config"});
  EXPECT_EQ(r.exit_code, 2) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("larger than 8 MiB"), std::string::npos) << r.stderr_text;
  EXPECT_LT(r.max_rss_kib, kMaxRssKiB);
}

TEST(LimitsBinary, EndlessStandardInputIsRefused) {
  ChildRun r = run_slipway({"-f", "-", "config"}, "/dev/zero");
  EXPECT_EQ(r.exit_code, 2) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("(standard input): the compose file is larger than 8 MiB"), std::string::npos)
      << r.stderr_text;
  EXPECT_LT(r.max_rss_kib, kMaxRssKiB);
}

TEST_F(LimitsTest, AFifoThatNeverEndsIsRefused) {
  std::string fifo = dir_ + "/compose.yaml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // A writer that keeps the FIFO full until slipway gives up (or 64 MiB, whichever first).
  std::thread writer([&] {
    signal(SIGPIPE, SIG_IGN);
    // Never block on a reader that does not come: poll for one for up to a minute.
    int fd = -1;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (fd < 0 && std::chrono::steady_clock::now() < deadline) {
      fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (fd < 0) return;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    std::string chunk(64 * 1024, ' ');
    for (size_t total = 0; total < (64u << 20);) {
      ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n <= 0) break;
      total += static_cast<size_t>(n);
    }
    ::close(fd);
  });
  ChildRun r = run_slipway({"-f", fifo, "config"});
  writer.join();
  EXPECT_EQ(r.exit_code, 2) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("larger than 8 MiB"), std::string::npos) << r.stderr_text;
  EXPECT_LT(r.max_rss_kib, kMaxRssKiB);
}

}  // namespace
}  // namespace slipway::compose

#include "util/subprocess.h"

#include <chrono>

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway {
namespace {

TEST(Subprocess, CapturesStdoutAndExitCode) {
  auto r = run_process({"echo", "hello", "world"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "hello world\n");
  EXPECT_EQ(r.err, "");
}

TEST(Subprocess, ArgumentsAreNeverReparsedByAShell) {
  auto r = run_process({"printf", "%s|", "a b", "$HOME", "'q'", ";ls"});
  EXPECT_EQ(r.out, "a b|$HOME|'q'|;ls|");
}

TEST(Subprocess, SeparatesStderr) {
  auto r = run_process({"ls", "/definitely/not/here"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("/definitely/not/here"), std::string::npos);
}

TEST(Subprocess, FeedsStdin) {
  SubprocessOptions o;
  o.stdin_data = "line1\nline2\n";
  auto r = run_process({"wc", "-l"}, o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.find('2') != std::string::npos, true);
}

TEST(Subprocess, LargeStdinAndStdoutDoNotDeadlock) {
  SubprocessOptions o;
  o.stdin_data = std::string(4 * 1024 * 1024, 'x');
  auto r = run_process({"cat"}, o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), o.stdin_data->size());
}

TEST(Subprocess, ChildClosingStdinEarlyIsNotAnError) {
  SubprocessOptions o;
  o.stdin_data = std::string(4 * 1024 * 1024, 'x');
  auto r = run_process({"head", "-c", "10"}, o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string(10, 'x'));
}

TEST(Subprocess, NoStdinMeansDevNull) {
  auto r = run_process({"cat"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
}

TEST(Subprocess, ExitCodeAndSignal) {
  EXPECT_EQ(run_process({"false"}).exit_code, 1);
  EXPECT_EQ(run_process({"sh", "-c", "kill -TERM $$"}).exit_code, 128 + 15);
}

TEST(Subprocess, MissingProgramIsEnvError) {
  try {
    run_process({"slipway-no-such-program-xyz"});
    FAIL();
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("slipway-no-such-program-xyz not found"), std::string::npos);
  }
  EXPECT_FALSE(program_exists("slipway-no-such-program-xyz"));
  EXPECT_TRUE(program_exists("sh"));
  EXPECT_TRUE(program_exists("/bin/sh"));
}

TEST(Subprocess, EnvironmentAndWorkingDirectory) {
  SubprocessOptions o;
  o.extra_env = {{"SLIPWAY_TEST_VAR", "v a l"}};
  o.working_directory = "/tmp";
  auto r = run_process({"sh", "-c", "printf '%s:' \"$SLIPWAY_TEST_VAR\"; pwd"}, o);
  EXPECT_EQ(r.out, "v a l:/tmp\n");
}

TEST(Subprocess, StreamsChunksToCallbacks) {
  SubprocessOptions o;
  std::string seen_out, seen_err;
  o.on_stdout = [&](const std::string& s) { seen_out += s; };
  o.on_stderr = [&](const std::string& s) { seen_err += s; };
  o.capture_stdout = false;
  auto r = run_process({"sh", "-c", "echo out; echo err >&2"}, o);
  EXPECT_EQ(seen_out, "out\n");
  EXPECT_EQ(seen_err, "err\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "err\n");
}

TEST(Subprocess, ThrowingCallbackStopsTheChild) {
  SubprocessOptions o;
  o.on_stdout = [](const std::string&) { throw std::runtime_error("stop"); };
  EXPECT_THROW(run_process({"sh", "-c", "echo x; sleep 30"}, o), std::runtime_error);
}

}  // namespace
}  // namespace slipway

namespace slipway {
namespace {

TEST(Subprocess, ShouldStopSendsTheStopSignal) {
  SubprocessOptions o;
  auto start = std::chrono::steady_clock::now();
  o.should_stop = [&] { return std::chrono::steady_clock::now() - start > std::chrono::milliseconds(200); };
  auto r = run_process({"sleep", "30"}, o);
  EXPECT_EQ(r.exit_code, 128 + 15);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(Subprocess, ShouldStopEscalatesToSigkill) {
  SubprocessOptions o;
  o.should_stop = [] { return true; };
  o.stop_grace_seconds = 0;
  // The shell ignores SIGTERM; only the SIGKILL after the grace period ends it.
  auto r = run_process({"sh", "-c", "trap '' TERM; while :; do :; done"}, o);
  EXPECT_EQ(r.exit_code, 128 + 9);
}

}  // namespace
}  // namespace slipway

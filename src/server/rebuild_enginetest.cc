// `slipway rebuild` on an engine that never saw the stack: a FROM-scratch busybox stack with
// data on a volume is brought up and backed up by restic on the host engine, then rebuilt on a
// private engine (tests/support/private_engine.h) from the stack directory and the repository
// alone. The data must be back (the stack's own check looks at it), every phase is reported
// with its time, and the command's overhead beyond its phases is printed (the figure issue 12
// asks to keep under 10 %).
//
// The example stack (guestbook + mail, FROM debian:bookworm) is too slow for the suite:
// scripts/rebuild-example runs it by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "engine/client.h"
#include "server/rebuild_stack_fixture.h"
#include "support/private_engine.h"
#include "util/subprocess.h"

namespace slipway::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class RebuildTest : public RebuildStackTest {
 protected:
  void SetUp() override {
    make_stack("rb", R"(["/bin/busybox", "sh", "-c", "[ -f /data/entry ] || echo entry-$$RANDOM$$RANDOM > /data/entry; exec /bin/busybox httpd -f -p 8080 -h /data"])");
  }
};

TEST_F(RebuildTest, BringsTheStackAndItsDataBackOnAnEngineThatNeverSawIt) {
  auto r = slipway("", {"up", "-d", "--build"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  engine::Client host;
  engine::ExecOptions cat;
  cat.cmd = {"/bin/busybox", "cat", "/data/entry"};
  std::string entry = host.exec(project_ + "-web-1", cat).out;
  ASSERT_THAT(entry, HasSubstr("entry-"));
  r = slipway("", {"backup", "--init"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The stack's check: the entry written before the backup is there.
  std::ofstream(dir_ / "stack" / "tests" / "entry.yaml")
      << "x-slipway: {service: web}\nfile:\n  /data/entry:\n    exists: true\n    contains: [\""
      << entry.substr(0, entry.find('\n')) << "\"]\n";

  testsupport::PrivateEngine pe;
  r = slipway(pe.host(), {"rebuild", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << pe.log_tail();
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["ok"], true);
  EXPECT_EQ(doc["generation"], 1);
  EXPECT_FALSE(doc["snapshot"].get<std::string>().empty());
  std::vector<std::string> phases;
  double sum = 0;
  for (const auto& p : doc["phases"]) {
    phases.push_back(p["phase"]);
    sum += p["seconds"].get<double>();
  }
  EXPECT_EQ(phases, (std::vector<std::string>{"base", "build", "restore", "deploy", "checks"}));
  double total = doc["total_seconds"], overhead = doc["overhead_seconds"];
  EXPECT_NEAR(total - sum, overhead, 0.01);
  std::cerr << "rebuild: " << total << " s in all, phases " << sum << " s, overhead " << overhead << " s ("
            << 100 * overhead / total << " %)\n";

  engine::ClientOptions co;
  co.host = pe.host();
  engine::Client priv(co);
  EXPECT_EQ(priv.exec(project_ + "-web-g1-1", cat).out, entry) << "the data is back";

  // Human output: progress per phase and the timing line; a second rebuild refuses a live stack.
  r = slipway(pe.host(), {"rebuild"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("already has containers of " + project_));
}

}  // namespace
}  // namespace slipway::server

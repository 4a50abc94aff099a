// A private engine starts in its own network namespace, runs a busybox container, survives a
// power loss (SIGKILL of everything, mounts dropped) with its data, and leaves nothing behind.
#include "support/private_engine.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/build_context.h"
#include "engine/client.h"
#include "util/subprocess.h"

namespace slipway::testsupport {
namespace {

namespace fs = std::filesystem;

engine::ExecOptions cat_file(const std::string& path) {
  engine::ExecOptions o;
  o.cmd = {"/bin/busybox", "cat", path};
  return o;
}

// FROM scratch + Debian's busybox-static, built on `client` (a fresh engine has no images).
std::string build_busybox(const engine::Client& client, const std::string& dir) {
  fs::create_directories(dir);
  std::ofstream(dir + "/Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\n";
  fs::copy_file("/bin/busybox", dir + "/busybox", fs::copy_options::overwrite_existing);
  engine::BuildContext ctx = engine::scan_context(dir);
  engine::BuildOptions bo;
  bo.tags = {"pe-busybox:latest"};
  bo.dockerfile = ctx.dockerfile;
  return client.build_image(engine::context_tar_reader(ctx), bo);
}

// Running (a zombie waiting for its new parent to reap it is dead).
bool alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z' && stat[close + 2] != 'X';
}

TEST(PrivateEngine, RunsAContainerSurvivesPowerLossAndCleansUp) {
  std::string dir, netns, veth_address;
  {
    PrivateEngine pe;
    dir = pe.directory();
    netns = pe.netns();
    engine::ClientOptions co;
    co.host = pe.host();
    engine::Client client(co);
    ASSERT_NO_THROW(client.ping());
    // Its own engine: a fresh data root, not the host's.
    EXPECT_EQ(client.info().value("DockerRootDir", ""), dir + "/data");
    build_busybox(client, dir + "/ctx");

    std::string id = client.create_container(
        "pe-test", {{"Image", "pe-busybox:latest"},
                    {"Cmd", {"/bin/busybox", "sh", "-c", "echo hello > /marker; exec /bin/busybox sleep 600"}},
                    {"HostConfig", {{"NetworkMode", "none"}}}});
    client.start_container(id);
    EXPECT_TRUE(client.inspect_container(id)["State"].value("Running", false));
    pid_t container_pid = client.inspect_container(id)["State"].value("Pid", 0);
    ASSERT_GT(container_pid, 0);

    // The engine lives in the namespace: its veth address answers there.
    auto r = run_process({"ip", "-n", netns, "-o", "addr", "show"});
    EXPECT_NE(r.out.find(pe.address()), std::string::npos) << r.out;

    pe.power_loss();
    EXPECT_EQ(pe.pid(), 0);
    EXPECT_FALSE(alive(container_pid)) << "the container's process survived the power loss";
    pe.start();
    engine::Client again(co);
    // The container is still recorded (not running: no restart policy), its file is on disk.
    auto state = again.inspect_container("pe-test")["State"];
    EXPECT_FALSE(state.value("Running", true));
    again.start_container("pe-test");
    auto out = again.exec("pe-test", cat_file("/marker"));
    EXPECT_EQ(out.out, "hello\n");
  }
  // The destructor removed everything.
  EXPECT_FALSE(fs::exists(dir));
  auto ns = run_process({"ip", "netns", "list"});
  EXPECT_EQ(ns.out.find(netns), std::string::npos);
  std::ifstream mounts("/proc/self/mountinfo");
  std::string all((std::istreambuf_iterator<char>(mounts)), {});
  EXPECT_EQ(all.find(dir), std::string::npos);
}

}  // namespace
}  // namespace slipway::testsupport

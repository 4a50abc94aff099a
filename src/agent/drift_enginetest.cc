// `slipway drift` end to end on the real engine: a FROM-scratch busybox stack brought up by
// `slipway up` reports no drift; then each kind of drift is made by hand (a file written inside
// a container, a container started from a stack image, a labelled volume the file does not
// declare, a changed Compose file, an untagged image) and each is found. Everything carries
// io.slipway.test=<run id> or the unique project name and is removed in TearDown.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "engine/client.h"
#include "util/subprocess.h"

namespace slipway {
namespace {

engine::ExecOptions exec_options(std::vector<std::string> cmd) {
  engine::ExecOptions o;
  o.cmd = std::move(cmd);
  return o;
}

class DriftCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    run = std::to_string(rd() % 1000000000);
    project = "slipwaydrift" + run;
    char tmpl[] = "/tmp/slipway-drift-XXXXXX";
    dir = mkdtemp(tmpl);
    std::filesystem::create_directories(dir + "/img");
    std::filesystem::copy_file("/bin/busybox", dir + "/img/busybox");
    std::ofstream(dir + "/img/Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\n";
    write_compose("one");
  }

  void write_compose(const std::string& version) {
    std::ofstream(dir + "/compose.yaml", std::ios::trunc)
        << "name: " << project << "\n"
        << "x-test: &test {io.slipway.test: \"" << run << "\"}\n"
        << "services:\n"
        << "  web:\n"
        << "    build: {context: ./img, labels: *test}\n"
        << "    command: [/bin/busybox, sh, -c, 'echo " << version << "; exec /bin/busybox sleep 600']\n"
        << "    environment: {PATH: /bin}\n"
        << "    labels: *test\n"
        << "    stop_grace_period: 1s\n"
        << "    tmpfs: [/scratch]\n"
        << "    volumes: [data:/data]\n"
        << "networks:\n"
        << "  default: {labels: *test}\n"
        << "volumes:\n"
        << "  data: {labels: *test}\n";
  }

  void TearDown() override {
    engine::Client client;
    for (const auto& filter : {engine::label_filters({{"io.slipway.test", run}}),
                               engine::label_filters({{"com.docker.compose.project", project}})}) {
      for (const auto& c : client.list_containers(filter, true))
        ignore([&] { client.remove_container(c["Id"], true, true); });
      for (const auto& n : client.list_networks(filter)) ignore([&] { client.remove_network(n["Id"]); });
      for (const auto& v : client.list_volumes(filter)) ignore([&] { client.remove_volume(v["Name"], true); });
      for (const auto& i : client.list_images(filter)) ignore([&] { client.remove_image(i["Id"], true); });
    }
    std::filesystem::remove_all(dir);
  }

  template <class F>
  static void ignore(F f) {
    try {
      f();
    } catch (const std::exception&) {
    }
  }

  SubprocessResult slipway(std::vector<std::string> args) {
    args.insert(args.begin(), {SLIPWAY_BINARY, "-f", dir + "/compose.yaml"});
    SubprocessOptions o;
    o.extra_env = {{"SLIPWAY_STATE_DIR", dir + "/state"}, {"SLIPWAY_RUNTIME_DIR", dir + "/runtime"}};
    return run_process(args, o);
  }

  std::string run, project, dir;
};

TEST_F(DriftCommand, CleanStackThenEachKindOfDrift) {
  auto up = slipway({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  engine::Client client;
  std::string web = project + "-web-1";
  // Data written where the stack keeps data is not drift.
  auto data = client.exec(web, exec_options({"/bin/busybox", "sh", "-c", "echo x > /data/f; echo y > /scratch/g"}));
  ASSERT_EQ(data.exit_code, 0) << data.err;

  auto clean = slipway({"drift", "--json"});
  ASSERT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  auto report = nlohmann::json::parse(clean.out);
  EXPECT_EQ(report["clean"], true) << clean.out;
  EXPECT_EQ(report["generation"], "1");
  EXPECT_NE(slipway({"drift"}).out.find("no drift"), std::string::npos);

  // filesystem: a file added to the container's own filesystem.
  auto edit = client.exec(web, exec_options({"/bin/busybox", "cp", "/bin/busybox", "/bin/extra"}));
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  // hand-started: `docker run` of the stack's image.
  nlohmann::json body = {
      {"Image", project + "-web"}, {"Cmd", {"/bin/busybox", "sleep", "600"}}, {"Labels", {{"io.slipway.test", run}}}};
  client.start_container(client.create_container(project + "-debug", body));
  // undeclared: a volume with the project's label the file does not declare.
  client.create_volume(
      {{"Name", project + "_old"}, {"Labels", {{"com.docker.compose.project", project}, {"io.slipway.test", run}}}});
  // config: the Compose file changed since `up`.
  write_compose("two");
  // missing-image: a tag the stack runs is gone (the image stays while containers use it).
  auto image_id = client.inspect_image(project + "-web")["Id"].get<std::string>();
  client.tag_image(image_id, project + "-keep", "latest");  // so TearDown finds it by name
  client.remove_image(project + "-web", /*force=*/true);

  auto found = slipway({"drift", "--json"});
  EXPECT_EQ(found.exit_code, 1) << found.err;
  auto r = nlohmann::json::parse(found.out);
  std::set<std::string> kinds;
  for (const auto& f : r["findings"]) {
    kinds.insert(f["kind"].get<std::string>() + " " + f["object"].get<std::string>());
    EXPECT_FALSE(f["action"].get<std::string>().empty());
  }
  EXPECT_TRUE(kinds.count("filesystem " + web)) << found.out;
  EXPECT_TRUE(kinds.count("hand-started " + project + "-debug")) << found.out;
  EXPECT_TRUE(kinds.count("undeclared " + project + "_old")) << found.out;
  EXPECT_TRUE(kinds.count("missing-image " + project + "-web:latest") ||
              kinds.count("missing-image " + project + "-web"))
      << found.out;
  for (const auto& f : r["findings"])
    if (f["kind"] == "filesystem") {
      auto paths = f["paths"].dump();
      EXPECT_NE(paths.find("/bin/extra"), std::string::npos) << paths;
      EXPECT_EQ(paths.find("/data"), std::string::npos) << paths;
      EXPECT_EQ(paths.find("/scratch"), std::string::npos) << paths;
    }
  auto text = slipway({"drift"});
  EXPECT_NE(text.out.find("-> "), std::string::npos) << text.out;

  // config: with the image back, the changed Compose file shows as config drift.
  client.tag_image(image_id, project + "-web", "latest");
  auto cfg = nlohmann::json::parse(slipway({"drift", "--json"}).out);
  bool config = false;
  for (const auto& f : cfg["findings"]) config |= f["kind"] == "config" && f["object"] == web;
  EXPECT_TRUE(config) << cfg.dump(2);
  client.remove_image(project + "-keep", true);
}

}  // namespace
}  // namespace slipway

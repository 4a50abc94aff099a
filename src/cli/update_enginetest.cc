// `slipway update` end to end, deterministic: a local apt repository (dpkg-deb +
// apt-ftparchive) served by a busybox httpd container holds version 1, then also version 2, of
// a tiny package whose changelog and conffile change; the stack's image installs it and
// overrides its conffile. Asserted: --check sees 1 -> 2 (exit 3); an update whose tests fail
// keeps the running container; the report shows the changelog entry and the conffile diff
// beside the override; an update whose tests pass goes live as a new generation (deploy's
// switch); both outcomes are lines of the generation history. Everything carries
// io.slipway.test=<run> or the test's project name and is removed in teardown.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "deploy/store.h"
#include "engine/client.h"
#include "util/subprocess.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;

void write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string gzip(const std::string& text) {
  SubprocessOptions o;
  o.stdin_data = text;
  auto r = run_process({"gzip", "-9n"}, o);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

std::string changelog(int upto) {
  std::string v2 =
      "tinypkg (2.0-1) bookworm-security; urgency=high\n\n"
      "  * Version two: the default port moves to 8081.\n"
      "  * Fixes CVE-2099-0001.\n\n"
      " -- Test Maintainer <test@example.org>  Sun, 29 Nov 2026 12:00:00 +0000\n\n";
  std::string v1 =
      "tinypkg (1.0-1) unstable; urgency=low\n\n"
      "  * First release.\n\n"
      " -- Test Maintainer <test@example.org>  Sat, 28 Nov 2026 12:00:00 +0000\n";
  return (upto >= 2 ? v2 : "") + v1;
}

class UpdateCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    run = std::to_string(rd() % 1000000000);
    project = "slipwayupd" + run;
    char tmpl[] = "/tmp/slipway-update-XXXXXX";
    dir = mkdtemp(tmpl);
    ASSERT_TRUE(client.find_image("debian:bookworm")) << "needs debian:bookworm (slipway base debian:bookworm)";
    make_package(1, "port = 8080\nmode = safe\n");
    index_repo();
    start_repo_server();
    write_stack();
  }
  void TearDown() override {
    slipway({"down", "-v"});
    for (const auto& c : client.list_containers(engine::label_filters({{"io.slipway.test", run}}), true))
      client.remove_container(c["Id"], true);
    for (const auto& img : client.list_images(engine::label_filters({{"io.slipway.test", run}})))
      client.remove_image(img["Id"], true);
    fs::remove_all(dir);
  }

  void make_package(int version, const std::string& conf) {
    std::string v = std::to_string(version) + ".0-1";
    std::string root = dir + "/pkg" + std::to_string(version);
    write(root + "/DEBIAN/control", "Package: tinypkg\nVersion: " + v +
                                        "\nArchitecture: all\nMaintainer: Test <test@example.org>\n"
                                        "Description: slipway update test package\n");
    write(root + "/DEBIAN/conffiles", "/etc/tinypkg.conf\n");
    write(root + "/etc/tinypkg.conf", conf);
    write(root + "/usr/share/doc/tinypkg/changelog.Debian.gz", gzip(changelog(version)));
    fs::create_directories(dir + "/repo");
    auto r = run_process({"dpkg-deb", "--root-owner-group", "--build", root, dir + "/repo/tinypkg_" + v + "_all.deb"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void index_repo() {
    SubprocessOptions o;
    o.working_directory = dir + "/repo";
    auto p = run_process({"apt-ftparchive", "packages", "."}, o);
    ASSERT_EQ(p.exit_code, 0) << p.err;
    write(dir + "/repo/Packages", p.out);
    fs::remove(dir + "/repo/Release");
    auto rel = run_process({"apt-ftparchive", "release", "."}, o);
    ASSERT_EQ(rel.exit_code, 0) << rel.err;
    write(dir + "/repo/Release", rel.out);
  }
  // busybox httpd in a FROM-scratch image, serving the repository directory (bind mount).
  void start_repo_server() {
    write(dir + "/httpd/Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\n");
    fs::copy_file("/bin/busybox", dir + "/httpd/busybox");
    auto b = run_process({"docker", "build", "-q", "--label", "io.slipway.test=" + run, "-t",
                          "slipway-test-aptrepo:" + run, dir + "/httpd"});
    ASSERT_EQ(b.exit_code, 0) << b.err;
    engine::json body = {{"Image", "slipway-test-aptrepo:" + run},
                         {"Cmd", {"/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/repo"}},
                         {"Labels", {{"io.slipway.test", run}}},
                         {"HostConfig", {{"Binds", {dir + "/repo:/repo:ro"}}}}};
    std::string id = client.create_container("slipway-test-aptrepo-" + run, body);
    client.start_container(id);
    std::string ip = client.inspect_container(id)["NetworkSettings"]["IPAddress"];
    ASSERT_FALSE(ip.empty());
    repo_url = "http://" + ip + ":8080/";
  }
  void write_stack() {
    // Only the test repository as a source: the result must not depend on Debian's archive today.
    write(dir + "/app/Dockerfile",
          "FROM debian:bookworm\nARG REPO\n"
          "RUN rm -f /etc/apt/sources.list /etc/apt/sources.list.d/* && "
          "echo \"deb [trusted=yes] $REPO ./\" > /etc/apt/sources.list.d/test.list && "
          "apt-get update -q && apt-get install -y -q tinypkg && rm -rf /var/lib/apt/lists/*\n"
          "COPY tinypkg.conf /etc/tinypkg.conf\n"
          "CMD [\"sleep\", \"infinity\"]\n");
    write(dir + "/app/tinypkg.conf", "port = 9000\nmode = safe\n");
    write(dir + "/compose.yaml", "name: " + project +
                                     "\nservices:\n"
                                     "  app:\n"
                                     "    build:\n"
                                     "      context: ./app\n"
                                     "      args: {REPO: \"" +
                                     repo_url +
                                     "\"}\n"
                                     "      labels: {io.slipway.test: \"" +
                                     run + "\"}\n");
    write_checks("1.0-1");
  }
  void write_checks(const std::string& version) {
    write(dir + "/tests/app.yaml",
          "package:\n  tinypkg:\n    installed: true\n    versions: [\"" + version +
              "\"]\nfile:\n  /etc/tinypkg.conf:\n    exists: true\n    contents: [\"port = 9000\"]\n");
  }
  SubprocessResult slipway(std::vector<std::string> args) {
    args.insert(args.begin(), {SLIPWAY_BINARY, "-f", dir + "/compose.yaml"});
    SubprocessOptions o;
    o.extra_env = {{"SLIPWAY_STATE_DIR", dir + "/state"}, {"SLIPWAY_RUNTIME_DIR", dir + "/runtime"}};
    return run_process(args, o);
  }
  std::string running_image() {
    auto c = client.list_containers(engine::label_filters({{"com.docker.compose.project", project}}), false);
    return c.empty() ? "" : c[0]["ImageID"].get<std::string>();
  }

  engine::Client client;
  std::string run, project, dir, repo_url;
};

TEST_F(UpdateCommand, ChecksReportsGatesAndGoesLive) {
  auto up = slipway({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  std::string v1_image = running_image();
  ASSERT_FALSE(v1_image.empty());

  auto current = slipway({"update", "--check", "--json"});
  ASSERT_EQ(current.exit_code, 0) << current.out << current.err;

  make_package(2, "port = 8081\nmode = safe\n");
  index_repo();
  auto check = slipway({"update", "--check", "--json"});
  ASSERT_EQ(check.exit_code, 3) << check.out << check.err;
  auto doc = nlohmann::json::parse(check.out);
  EXPECT_EQ(doc["status"], "updates");
  const auto& up1 = doc["images"][0]["upgradable"];
  ASSERT_EQ(up1.size(), 1u) << check.out;
  EXPECT_EQ(up1[0]["package"], "tinypkg");
  EXPECT_EQ(up1[0]["installed"], "1.0-1");
  EXPECT_EQ(up1[0]["candidate"], "2.0-1");
  EXPECT_EQ(running_image(), v1_image);  // --check changes nothing

  // Red: the checks still expect version 1. The running container keeps its image.
  auto red = slipway({"update", "--keep-base", "--json", "-o", dir + "/report.md"});
  EXPECT_EQ(red.exit_code, 1) << red.out << red.err;
  EXPECT_EQ(running_image(), v1_image);
  auto report = nlohmann::json::parse(red.out);
  EXPECT_NE(report["tests"].get<std::string>().find("failed"), std::string::npos);
  EXPECT_FALSE(report["failing_checks"].empty());
  const auto& im = report["images"][0];
  ASSERT_EQ(im["packages"].size(), 1u) << red.out;
  EXPECT_EQ(im["packages"][0]["old"], "1.0-1");
  EXPECT_EQ(im["packages"][0]["new"], "2.0-1");
  const auto& cl = im["changelogs"][0];
  EXPECT_EQ(cl["entries"].size(), 1u);
  EXPECT_EQ(cl["entries"][0]["version"], "2.0-1");
  EXPECT_EQ(cl["cves"][0], "CVE-2099-0001");
  EXPECT_TRUE(cl["security"].get<bool>());  // its entry is for bookworm-security
  const auto& conf = im["conffiles"][0];
  EXPECT_EQ(conf["path"], "/etc/tinypkg.conf");
  EXPECT_NE(conf["default_diff"].get<std::string>().find("-port = 8080\n+port = 8081\n"), std::string::npos)
      << conf.dump(2);
  EXPECT_EQ(conf["override"], "port = 9000\nmode = safe\n");
  std::ifstream md(dir + "/report.md");
  std::string markdown((std::istreambuf_iterator<char>(md)), std::istreambuf_iterator<char>());
  EXPECT_NE(markdown.find("+port = 8081"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("Version two"), std::string::npos) << markdown;

  // Green: the checks accept version 2; the service goes live on the new image as a generation.
  write_checks("2.0-1");
  auto green = slipway({"update", "--keep-base", "--watch", "0"});
  ASSERT_EQ(green.exit_code, 0) << green.out << green.err;
  EXPECT_NE(green.out.find("Outcome: deployed as generation"), std::string::npos) << green.out;
  std::string v2_image = running_image();
  EXPECT_NE(v2_image, v1_image);
  EXPECT_EQ(v2_image, client.inspect_image(project + "-app:latest")["Id"]);

  deploy::GenerationStore store(dir + "/state");
  auto history = store.list(project);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].kind, "update");
  EXPECT_EQ(history[0].status, deploy::status::kDeployed);
  ASSERT_FALSE(history[0].gates.empty());
  EXPECT_EQ(history[0].gates.front().gate, "test");  // the throwaway test, then the deploy's gates
  EXPECT_TRUE(history[0].gates.front().ok);
  EXPECT_EQ(history[0].images["app"], v2_image);
  EXPECT_EQ(history[1].kind, "update");
  EXPECT_EQ(history[1].status, deploy::status::kFailed);
  ASSERT_EQ(history[1].gates.size(), 1u);
  EXPECT_FALSE(history[1].gates[0].ok);
  EXPECT_EQ(report["generation"], history[1].number);
}

}  // namespace
}  // namespace slipway

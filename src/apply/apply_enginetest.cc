// up/down against the real local engine: every object carries io.slipway.test=<run id> and a
// unique project name, and TearDown removes whatever carries the label, also after a failure.
#include <sys/vfs.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "apply/apply.h"
#include "apply/image_build.h"
#include "apply/observe.h"
#include "engine/build_context.h"
#include "engine/client.h"
#include "engine/transport.h"
#include "plan/plan.h"
#include "util/sha256.h"

namespace slipway::apply {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
namespace fs = std::filesystem;

std::string random_id() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 10; ++i) s += hex[gen() % 16];
  return s;
}

class ApplyEngineTest : public ::testing::Test {
 protected:
  static inline std::string run_id;
  static inline std::string image;
  static inline engine::Client* client = nullptr;
  static inline fs::path scratch;

  static void SetUpTestSuite() {
    run_id = random_id();
    client = new engine::Client();
    client->ping();  // no engine: fail loudly, never skip
    scratch = fs::temp_directory_path() / ("slipway-apply-test-" + run_id);
    fs::create_directories(scratch / "image");
    std::ofstream(scratch / "image" / "Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\n";
    fs::copy_file("/bin/busybox", scratch / "image" / "busybox");
    image = "slipway-apply-test-" + run_id + ":latest";
    engine::BuildContext ctx = engine::scan_context((scratch / "image").string());
    engine::BuildOptions bo;
    bo.tags = {image};
    bo.labels = {{"io.slipway.test", run_id}};
    bo.dockerfile = ctx.dockerfile;
    client->build_image(engine::context_tar_reader(ctx), bo);
  }

  static void TearDownTestSuite() {
    if (client) {
      try {
        client->remove_image(image, true);
      } catch (const std::exception&) {
      }
    }
    std::error_code ec;
    fs::remove_all(scratch, ec);
    delete client;
    client = nullptr;
  }

  void TearDown() override {
    engine::Filters mine = engine::label_filters({{"io.slipway.test", run_id}});
    for (const auto& c : client->list_containers(mine, true)) {
      try {
        client->remove_container(c["Id"], true, true);
      } catch (const std::exception&) {
      }
    }
    for (const auto& n : client->list_networks(mine)) {
      try {
        client->remove_network(n["Id"]);
      } catch (const std::exception&) {
      }
    }
    for (const auto& v : client->list_volumes(mine)) {
      try {
        client->remove_volume(v["Name"], true);
      } catch (const std::exception&) {
      }
    }
  }

  // A project named uniquely whose every service, network and volume carries the test label.
  compose::Project project(const std::string& tag, const std::string& model_json) {
    compose::Project p;
    p.name = "sliptest-" + run_id + "-" + tag;
    p.working_dir = scratch.string();
    p.config_files = {(scratch / "compose.yaml").string()};
    p.model = ojson::parse(model_json);
    p.model["name"] = p.name;
    if (!p.model.contains("networks")) p.model["networks"] = {{"default", ojson::object()}};
    for (auto& [key, net] : p.model["networks"].items()) {
      net["name"] = p.name + "_" + key;
      net["labels"]["io.slipway.test"] = run_id;
    }
    if (p.model.contains("volumes"))
      for (auto& [key, vol] : p.model["volumes"].items()) {
        vol["name"] = p.name + "_" + key;
        vol["labels"]["io.slipway.test"] = run_id;
      }
    for (auto& [name, svc] : p.model["services"].items()) {
      svc["image"] = image;
      svc["labels"]["io.slipway.test"] = run_id;
      // busybox as PID 1 ignores SIGTERM; do not wait 10 s for every stop.
      if (!svc.contains("stop_grace_period")) svc["stop_grace_period"] = "1s";
    }
    return p;
  }

  plan::Plan plan_up(const compose::Project& p, plan::UpOptions o = {}) {
    o.api_version = client->api_version();
    o.file_digests = file_digests(p);
    return plan::plan_up(p, observe(*client, p, {.file_digests = true}), o);
  }

  plan::Plan up(const compose::Project& p, plan::UpOptions o = {}, ApplyOptions ao = {}) {
    plan::Plan plan = plan_up(p, o);
    ao.wait_timeout = std::chrono::seconds(60);
    ao.poll_interval = std::chrono::milliseconds(100);
    apply(*client, p, plan, ao);
    return plan;
  }

  void down(const compose::Project& p, plan::DownOptions o = {}) {
    apply(*client, p, plan::plan_down(p, observe(*client, p), o));
  }

  json inspect(const std::string& name) { return client->inspect_container(name); }

  std::string run_in(const std::string& container, const std::vector<std::string>& cmd) {
    engine::ExecOptions eo;
    eo.cmd = cmd;
    auto r = client->exec(container, eo);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  std::vector<std::string> described(const plan::Plan& p) {
    std::vector<std::string> out;
    for (const auto& a : p.actions) out.push_back(a.describe());
    return out;
  }
};

const char* kSleep = R"(["/bin/busybox", "sleep", "600"])";

TEST_F(ApplyEngineTest, UpTwiceDownLeavesNothing) {
  auto p = project("basic", std::string(R"({"services": {
      "web": {"command": ["/bin/busybox", "httpd", "-f", "-p", "8080"],
              "ports": [{"target": 8080, "protocol": "tcp"}], "restart": "unless-stopped",
              "environment": {"GREETING": "hello"}, "working_dir": "/", "user": "0:0",
              "cap_drop": ["NET_RAW"], "read_only": true, "sysctls": {"net.ipv4.ip_forward": "0"},
              "extra_hosts": ["db.example=10.1.2.3"], "logging": {"driver": "json-file", "options": {"max-size": "1m"}},
              "ulimits": {"nofile": {"soft": 1000, "hard": 2000}}, "expose": ["9000"],
              "volumes": [{"type": "tmpfs", "target": "/scratch", "tmpfs": {"size": "1048576"}}],
              "networks": {"default": {"aliases": ["www"]}}},
      "worker": {"command": )") +
                                kSleep + R"(, "depends_on": {"web": {"condition": "service_started", "required": true}}}
    }})");
  plan::Plan first = up(p);
  EXPECT_EQ(described(first).front(), "create network " + p.name + "_default");
  json web = inspect(p.name + "-web-1");
  EXPECT_TRUE(web["State"]["Running"].get<bool>());
  EXPECT_EQ(web["Config"]["Labels"]["com.docker.compose.project"], p.name);
  EXPECT_EQ(web["Config"]["Labels"]["com.docker.compose.service"], "web");
  EXPECT_EQ(web["Config"]["Labels"]["io.slipway.generation"], "1");
  EXPECT_TRUE(web["HostConfig"]["ReadonlyRootfs"].get<bool>());
  EXPECT_NE(web["HostConfig"]["PortBindings"]["8080/tcp"][0]["HostPort"], nullptr);
  run_in(p.name + "-worker-1", {"/bin/busybox", "ping", "-c", "1", "-W", "2", "www"});  // the alias resolves
  EXPECT_NE(run_in(p.name + "-web-1", {"/bin/busybox", "cat", "/etc/hosts"}).find("db.example"), std::string::npos);

  // Nothing changed: no engine change at all.
  EXPECT_TRUE(plan_up(p).empty()) << plan_up(p).render();
  auto before = observe_containers(*client, p.name);

  down(p);
  EXPECT_TRUE(observe_containers(*client, p.name).empty());
  EXPECT_FALSE(client->find_network(p.name + "_default"));
  EXPECT_EQ(before.size(), 2u);
}

// Images built for a project carry its project label, and containers inherit image labels: a
// container someone runs by hand from such an image is not the project's, and `up`/`down` must
// leave it alone.
TEST_F(ApplyEngineTest, HandStartedContainerFromAProjectImageIsNotTheProjects) {
  auto p = project("stranger", std::string(R"({"services": {"app": {"command": )") + kSleep + "}}}");
  up(p);
  json body = {
      {"Image", image},
      {"Cmd", json::parse(kSleep)},
      {"Labels",
       {{"com.docker.compose.project", p.name}, {"com.docker.compose.service", "app"}, {"io.slipway.test", run_id}}}};
  std::string stranger = client->create_container(p.name + "-by-hand", body);
  auto mine = observe_containers(*client, p.name);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].name, p.name + "-app-1");
  down(p);
  EXPECT_NO_THROW(client->inspect_container(stranger));
}

TEST_F(ApplyEngineTest, ChangedServiceIsRecreatedAndKeepsItsData) {
  std::string model = std::string(R"({"services": {
      "db": {"command": ["/bin/busybox", "sh", "-c", "[ -f /data/first ] || echo $RANDOM$RANDOM > /data/first; exec /bin/busybox sleep 600"],
             "environment": {"PATH": "/bin", "VERSION": "1"},
             "volumes": [{"type": "volume", "source": "data", "target": "/data", "volume": {}},
                         {"type": "volume", "target": "/anon", "volume": {}}]},
      "app": {"command": )") +
                      kSleep + R"(}
    }, "volumes": {"data": {}}})";
  auto p = project("recreate", model);
  up(p);
  std::string old_id = inspect(p.name + "-db-1")["Id"];
  std::string app_id = inspect(p.name + "-app-1")["Id"];
  // The command writes the file just after start; give it a moment.
  const std::vector<std::string> wait_first = {
      "/bin/busybox", "sh", "-c", "for i in $(seq 50); do [ -f /data/first ] && exit 0; sleep 0.1; done; exit 1"};
  run_in(p.name + "-db-1", wait_first);
  std::string first = run_in(p.name + "-db-1", {"/bin/busybox", "cat", "/data/first"});
  run_in(p.name + "-db-1", {"/bin/busybox", "sh", "-c", "echo kept > /anon/file"});
  ASSERT_FALSE(first.empty());

  p.model["services"]["db"]["environment"]["VERSION"] = "2";
  plan::Plan second = plan_up(p);
  EXPECT_EQ(described(second), (std::vector<std::string>{"recreate container " + p.name + "-db-1 (config changed)"}));
  apply(*client, p, second);
  json db = inspect(p.name + "-db-1");
  EXPECT_NE(db["Id"], old_id);
  run_in(p.name + "-db-1", wait_first);
  EXPECT_EQ(inspect(p.name + "-app-1")["Id"], app_id);  // untouched
  EXPECT_EQ(run_in(p.name + "-db-1", {"/bin/busybox", "cat", "/data/first"}), first);
  EXPECT_EQ(run_in(p.name + "-db-1", {"/bin/busybox", "cat", "/anon/file"}), "kept\n");
  EXPECT_FALSE(client->find_container(old_id));
  EXPECT_TRUE(plan_up(p).empty());

  // down without -v keeps the named volume; with -v it goes. Like Compose's, a plain down leaves
  // the anonymous volume behind unattached (it carries no label): remove it here.
  std::string anonymous;
  json recreated = inspect(p.name + "-db-1");
  for (const auto& m : recreated["Mounts"])
    if (m.value("Destination", "") == "/anon") anonymous = m.value("Name", "");
  ASSERT_FALSE(anonymous.empty());
  down(p);
  client->remove_volume(anonymous, true);
  EXPECT_TRUE(client->find_volume(p.name + "_data"));
  up(p);
  run_in(p.name + "-db-1", wait_first);
  EXPECT_EQ(run_in(p.name + "-db-1", {"/bin/busybox", "cat", "/data/first"}), first);
  down(p, {.volumes = true});
  EXPECT_FALSE(client->find_volume(p.name + "_data"));
}

TEST_F(ApplyEngineTest, DependsOnConditionsAreWaitedFor) {
  // db turns healthy after 2 s; init finishes after writing a file; web checks both at start.
  auto p = project("deps", R"({"services": {
      "db": {"command": ["/bin/busybox", "sh", "-c", "sleep 2; touch /shared/db-ready; exec sleep 600"],
             "environment": {"PATH": "/bin"},
             "volumes": [{"type": "volume", "source": "shared", "target": "/shared", "volume": {}}],
             "healthcheck": {"test": ["CMD", "/bin/busybox", "test", "-f", "/shared/db-ready"],
                             "interval": "300ms", "retries": 30}},
      "init": {"command": ["/bin/busybox", "sh", "-c", "sleep 1; touch /shared/init-done"],
               "environment": {"PATH": "/bin"},
               "volumes": [{"type": "volume", "source": "shared", "target": "/shared", "volume": {}}]},
      "web": {"command": ["/bin/busybox", "sh", "-c",
                          "test -f /shared/db-ready && test -f /shared/init-done && touch /shared/web-saw-both; exec sleep 600"],
              "environment": {"PATH": "/bin"},
              "volumes": [{"type": "volume", "source": "shared", "target": "/shared", "volume": {}}],
              "depends_on": {"db": {"condition": "service_healthy", "required": true},
                             "init": {"condition": "service_completed_successfully", "required": true}}}
    }, "volumes": {"shared": {}}})");
  plan::Plan plan = up(p);
  auto lines = described(plan);
  auto at = [&](const std::string& s) { return std::find(lines.begin(), lines.end(), s) - lines.begin(); };
  EXPECT_LT(at("wait for container " + p.name + "-db-1 to be healthy"),
            at("create container " + p.name + "-web-1 (image " + plan.actions.back().image_id.substr(0, 19) + "…)"));
  run_in(p.name + "-web-1", {"/bin/busybox", "test", "-f", "/shared/web-saw-both"});
  // The finished job is not restarted by a second up.
  EXPECT_TRUE(plan_up(p).empty()) << plan_up(p).render();
}

TEST_F(ApplyEngineTest, FailedDependencyStopsTheUp) {
  auto p = project("faildep", R"({"services": {
      "job": {"command": ["/bin/busybox", "false"]},
      "web": {"command": ["/bin/busybox", "sleep", "600"],
              "depends_on": {"job": {"condition": "service_completed_successfully", "required": true}}}
    }})");
  try {
    up(p);
    FAIL() << "up should fail";
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("exited with code 1"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(client->find_container(p.name + "-web-1"));
}

// Secrets are bind-mounted from slipway's tmpfs (apply/secret_files.h): the container sees
// them with the owner and mode asked for, and neither `docker diff` nor `docker export` of the
// running container holds them.
TEST_F(ApplyEngineTest, SecretsAreBoundFromATmpfsWithOwnerAndModeAndNeverInTheLayer) {
  fs::path secret = scratch / ("pw-" + run_id + ".txt");
  std::ofstream(secret) << "s3cret";
  std::string model = std::string(R"({"services": {"app": {"command": )") + kSleep + R"(,
      "secrets": [{"source": "pw", "target": "/run/secrets/pw"},
                  {"source": "pw", "target": "other", "uid": "1000", "gid": "1001", "mode": "0400"}]}},
    "secrets": {"pw": {"name": "pw", "file": ")" +
                      secret.string() + R"("}}})";
  auto p = project("secrets", model);
  plan::Plan plan = up(p);
  EXPECT_EQ(plan.render().find("s3cret"), std::string::npos);
  std::string c = p.name + "-app-1";
  EXPECT_EQ(run_in(c, {"/bin/busybox", "cat", "/run/secrets/pw"}), "s3cret");
  EXPECT_EQ(run_in(c, {"/bin/busybox", "stat", "-c", "%a %u %g", "/run/secrets/pw"}), "444 0 0\n");
  EXPECT_EQ(run_in(c, {"/bin/busybox", "stat", "-c", "%a %u %g", "/run/secrets/other"}), "400 1000 1001\n");
  // Not in the container's layer: what `docker diff` lists are at most empty mount points,
  // and the export (the layer, without mounts) holds no secret.
  std::string id = inspect(c)["Id"];
  json changes = client->container_changes(id);
  engine::Transport raw(engine::Endpoint::parse(client->address()));
  engine::Request export_request;
  export_request.target = "/v" + client->api_version() + "/containers/" + id + "/export";
  std::string exported;
  auto response = raw.send(export_request, [&](const char* d, size_t n) {
    exported.append(d, n);
    return true;
  });
  ASSERT_EQ(response.status, 200);
  EXPECT_GT(exported.size(), 100000u);  // busybox is in it
  EXPECT_EQ(exported.find("s3cret"), std::string::npos);
  // diff lists paths only: at most the mount points, never added content (the export shows).
  ASSERT_TRUE(changes.is_array() || changes.is_null());
  // The files live in a root-only directory on a tmpfs, not on persistent disk.
  std::string files = inspect(c)["Config"]["Labels"].value(plan::label::kFilesDir, "");
  ASSERT_FALSE(files.empty());
  struct statfs sfs = {};
  ASSERT_EQ(::statfs(files.c_str(), &sfs), 0);
  EXPECT_EQ(static_cast<long>(sfs.f_type), 0x01021994L) << files << " is not on a tmpfs";
  EXPECT_EQ(fs::status(fs::path(files).parent_path().parent_path()).permissions() & fs::perms::all,
            fs::perms::owner_all);
  // The secret is nowhere in the container's configuration.
  EXPECT_EQ(inspect(c).dump().find("s3cret"), std::string::npos);
  // Its fingerprint is, keyed: the plain sha256 would let label readers test guesses.
  auto labels = inspect(c)["Config"]["Labels"];
  ASSERT_TRUE(labels.contains(plan::label::kFileDigests));
  EXPECT_EQ(labels[plan::label::kFileDigests].get<std::string>().find(sha256_hex("s3cret")), std::string::npos);
  EXPECT_TRUE(plan_up(p).empty());
  // A changed secret file recreates the container.
  std::ofstream(secret) << "n3w";
  EXPECT_EQ(described(plan_up(p)), (std::vector<std::string>{"recreate container " + c + " (secret pw changed)"}));
  up(p);
  EXPECT_EQ(run_in(c, {"/bin/busybox", "cat", "/run/secrets/other"}), "n3w");
  EXPECT_FALSE(fs::exists(files)) << "the replaced container's files are removed with it";

  // After a reboot the tmpfs is empty and the engine cannot start the container; `up` writes
  // the files again and starts it.
  std::string now = inspect(c)["Config"]["Labels"].value(plan::label::kFilesDir, "");
  client->stop_container(c, 1);
  fs::remove_all(now);
  EXPECT_THROW(client->start_container(c), engine::EngineError);
  up(p);
  EXPECT_EQ(run_in(c, {"/bin/busybox", "cat", "/run/secrets/other"}), "n3w");
  down(p);
  EXPECT_FALSE(fs::exists(now)) << "down removes the files directory";
}

// A container created without the fingerprint label (by an older slipway) is read from inside
// instead: not recreated while its secret is unchanged, recreated (and labelled) once it is.
TEST_F(ApplyEngineTest, UnlabelledSecretsAreReadFromInside) {
  fs::path secret = scratch / ("old-" + run_id + ".txt");
  std::ofstream(secret) << "s3cret";
  std::string model = std::string(R"({"services": {"app": {"command": )") + kSleep + R"(,
      "secrets": [{"source": "pw", "target": "/run/secrets/pw"}]}},
    "secrets": {"pw": {"name": "pw", "file": ")" +
                      secret.string() + R"("}}})";
  auto p = project("oldsecrets", model);
  plan::UpOptions unlabelled;
  unlabelled.api_version = client->api_version();
  apply(*client, p, plan::plan_up(p, observe(*client, p), unlabelled));
  std::string c = p.name + "-app-1";
  EXPECT_FALSE(inspect(c)["Config"]["Labels"].contains(plan::label::kFileDigests));
  EXPECT_TRUE(plan_up(p).empty()) << plan_up(p).render();
  std::ofstream(secret) << "n3w";
  EXPECT_EQ(described(plan_up(p)), (std::vector<std::string>{"recreate container " + c + " (secret pw changed)"}));
  up(p);
  EXPECT_TRUE(inspect(c)["Config"]["Labels"].contains(plan::label::kFileDigests));
  EXPECT_TRUE(plan_up(p).empty());
}

TEST_F(ApplyEngineTest, OrphansAreRemovedOnlyWhenAsked) {
  std::string model =
      std::string(R"({"services": {"a": {"command": )") + kSleep + R"(}, "b": {"command": )" + kSleep + "}}}";
  auto p = project("orphans", model);
  up(p);
  p.model["services"].erase("b");
  plan::Plan keep = plan_up(p);
  EXPECT_TRUE(keep.empty());
  ASSERT_EQ(keep.warnings.size(), 1u);
  EXPECT_TRUE(client->find_container(p.name + "-b-1"));
  plan::UpOptions o;
  o.remove_orphans = true;
  up(p, o);
  EXPECT_FALSE(client->find_container(p.name + "-b-1"));
  EXPECT_TRUE(client->find_container(p.name + "-a-1"));
}

TEST_F(ApplyEngineTest, EngineErrorsAreSurfacedAndRolledBack) {
  // The bind source does not exist and may not be created: the engine refuses at create.
  auto p = project("errors", std::string(R"({"services": {"bad": {"command": )") + kSleep + R"(,
      "volumes": [{"type": "bind", "source": "/nonexistent/slipway/)" +
                                 run_id + R"(", "target": "/x",
                   "bind": {"create_host_path": false}}]}}})");
  try {
    up(p);
    FAIL() << "up should fail";
  } catch (const EnvError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("create container " + p.name + "-bad-1"), std::string::npos) << m;
    EXPECT_NE(m.find("/nonexistent/slipway"), std::string::npos) << m;
  }
  EXPECT_FALSE(client->find_container(p.name + "-bad-1"));

  // A start failure (the command does not exist) removes the half-created container.
  auto q = project("errors2", R"({"services": {"bad": {"command": ["/no/such/program"]}}})");
  EXPECT_THROW(up(q), EnvError);
  EXPECT_FALSE(client->find_container(q.name + "-bad-1"));
}

TEST_F(ApplyEngineTest, InterruptLeavesATruthfulStateThatTheNextUpConverges) {
  std::string model = std::string(R"({"services": {"a": {"command": )") + kSleep + R"(}, "b": {"command": )" + kSleep +
                      R"(}, "c": {"command": )" + kSleep + "}}}";
  auto p = project("interrupt", model);
  ApplyOptions ao;
  ao.progress = [](const plan::Action& a, size_t, size_t, bool done, double) {
    if (done && a.name.find("-a-1") != std::string::npos) std::raise(SIGINT);
  };
  EXPECT_THROW(up(p, {}, ao), Interrupted);
  auto seen = observe_containers(*client, p.name);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].service, "a");
  EXPECT_EQ(seen[0].state, "running");
  plan::Plan rest = plan_up(p);
  EXPECT_EQ(described(rest).size(), 2u) << rest.render();
  up(p);
  EXPECT_EQ(observe_containers(*client, p.name).size(), 3u);
  EXPECT_TRUE(plan_up(p).empty());
}

// --- builds (apply/image_build.h) ---

TEST_F(ApplyEngineTest, ServiceBuildSkipsAnUnchangedContext) {
  char tmpl[] = "/tmp/slipway-svc-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/Dockerfile") << "FROM " << image << "\nCOPY a.txt /a.txt\n";
  std::ofstream(dir + "/a.txt") << "one";
  nlohmann::ordered_json build = {
      {"context", dir}, {"dockerfile", "Dockerfile"}, {"labels", {{"io.slipway.test", run_id}}}};
  std::string tag = "slipway-test-svc-" + run_id;
  auto req = [&] { return plan::build_request("sliptest-" + run_id, "svc", build, tag); };
  auto first = build_service(*client, req());
  EXPECT_FALSE(first.up_to_date);
  EXPECT_EQ(first.image, tag + ":latest");
  auto again = build_service(*client, req());
  EXPECT_TRUE(again.up_to_date);
  EXPECT_EQ(again.image_id, first.image_id);
  EXPECT_EQ(client->inspect_image(tag)["Config"]["Labels"][kContextHashLabel], first.context_hash);
  std::ofstream(dir + "/a.txt", std::ios::trunc) << "two";
  auto changed = build_service(*client, req());
  EXPECT_FALSE(changed.up_to_date);
  EXPECT_NE(changed.context_hash, first.context_hash);
  ServiceBuildOptions forced;
  forced.no_cache = true;
  EXPECT_FALSE(build_service(*client, req(), forced).up_to_date);
  client->remove_image(tag, true);
  std::filesystem::remove_all(dir);
}

TEST_F(ApplyEngineTest, MissingBaseImageIsExplained) {
  char tmpl[] = "/tmp/slipway-svc-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string missing = "debian:slipway-missing-" + run_id;
  std::ofstream(dir + "/Dockerfile") << "ARG SUITE=slipway-missing-" << run_id << "\nFROM debian:${SUITE}\nRUN true\n";
  nlohmann::ordered_json build = {{"context", dir}, {"labels", {{"io.slipway.test", run_id}}}};
  try {
    build_service(*client, plan::build_request("sliptest-" + run_id, "web", build, "slipway-test-never-" + run_id));
    FAIL();
  } catch (const engine::EngineError& e) {
    FAIL() << "expected the explained EnvError, got " << e.what();
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("base image " + missing), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("slipway base " + missing), std::string::npos) << e.what();
  }
  std::ofstream(dir + "/Dockerfile", std::ios::trunc) << "FROM " << image << "\nRUN [\"/bin/busybox\", \"false\"]\n";
  try {
    build_service(*client, plan::build_request("sliptest-" + run_id, "web", build, "slipway-test-never-" + run_id));
    FAIL();
  } catch (const engine::BuildError& e) {
    EXPECT_NE(std::string(e.what()).find("build of service web failed"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace slipway::apply

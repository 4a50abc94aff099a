#include "compose/model.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway::compose {
namespace {

namespace fs = std::filesystem;

// A project loaded from `yaml` written to a fresh directory.
class ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-model-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }

  const Project& load_yaml(const std::string& yaml) {
    std::ofstream(dir_ + "/compose.yaml") << yaml;
    LoadOptions o;
    o.files = {dir_ + "/compose.yaml"};
    o.environment = {{"HOME", "/home/u"}};
    o.warn = [](const std::string&) {};
    project_ = load(o);
    return project_;
  }

  std::string dir_;
  Project project_;
};

TEST_F(ModelTest, ServicesInModelAndDependencyOrder) {
  Model m(load_yaml(R"(
name: shop
services:
  web: {image: nginx, depends_on: {api: {condition: service_healthy}}}
  api: {image: api, depends_on: [db], links: [cache:redis]}
  db: {image: postgres}
  cache: {image: redis, network_mode: "service:db"}
)"));
  EXPECT_EQ(m.project_name(), "shop");
  EXPECT_EQ(m.service_names(), (std::vector<std::string>{"api", "cache", "db", "web"}));
  EXPECT_EQ(m.dependency_order(), (std::vector<std::string>{"db", "cache", "api", "web"}));
  EXPECT_EQ(m.with_dependencies({"api"}), (std::vector<std::string>{"api", "cache", "db"}));
  EXPECT_EQ(m.service("api").dependencies(), (std::vector<std::string>{"cache", "db"}));
  auto deps = m.service("web").depends_on();
  ASSERT_EQ(deps.size(), 1u);
  EXPECT_EQ(deps[0].service, "api");
  EXPECT_EQ(deps[0].condition, "service_healthy");
  EXPECT_TRUE(deps[0].required);
  EXPECT_FALSE(deps[0].restart);
  // links become implicit dependencies that restart with their target.
  auto api = m.service("api").depends_on();
  ASSERT_EQ(api.size(), 2u);
  EXPECT_EQ(api[0].service, "cache");
  EXPECT_TRUE(api[0].restart);
}

TEST_F(ModelTest, IdentityDependenciesAreNamespacesAndVolumesFrom) {
  Model m(load_yaml(R"(
name: shop
services:
  db: {image: postgres}
  cache: {image: redis}
  side: {image: busybox}
  app:
    image: app
    network_mode: "service:db"
    pid: "service:side"
    volumes_from: ["cache:ro", "container:other"]
    links: [side]
    depends_on: [db]
)"));
  // links and depends_on order the start but do not bind the container's identity.
  EXPECT_EQ(m.service("app").identity_dependencies(), (std::vector<std::string>{"cache", "db", "side"}));
  EXPECT_TRUE(m.service("db").identity_dependencies().empty());
}

TEST_F(ModelTest, UnknownServiceIsAUserErrorNamingIt) {
  Model m(load_yaml("services:\n  web: {image: nginx}\n  db: {image: postgres}\n"));
  EXPECT_FALSE(m.has_service("nosuch"));
  try {
    m.service("nosuch");
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(e.exit_code(), 2);
    EXPECT_EQ(std::string(e.what()), "no such service: nosuch (services: db, web)");
  }
  EXPECT_THROW(m.with_dependencies({"nosuch"}), UserError);
}

TEST_F(ModelTest, ImagesBuildsReplicasAndContainerNames) {
  Model m(load_yaml(R"(
name: p
services:
  app: {build: ./app, scale: 3, pull_policy: if_not_present}
  inline: {build: {dockerfile_inline: "FROM scratch"}}
  db: {image: postgres:15, container_name: the-db, deploy: {replicas: 1}}
)"));
  Service app = m.service("app");
  EXPECT_EQ(app.image(), "");
  EXPECT_EQ(app.image_reference("p"), "p-app");
  ASSERT_TRUE(app.build());
  EXPECT_EQ(app.build()->context, dir_ + "/app");
  EXPECT_EQ(app.build()->dockerfile, "Dockerfile");
  EXPECT_EQ(app.replicas(), 3);
  EXPECT_EQ(app.pull_policy(), "missing");
  EXPECT_EQ(app.container_name("p", 2), "p-app-2");
  EXPECT_EQ(m.service("inline").build()->dockerfile, "");
  Service db = m.service("db");
  EXPECT_FALSE(db.build());
  EXPECT_EQ(db.image_reference("p"), "postgres:15");
  EXPECT_EQ(db.replicas(), 1);
  EXPECT_EQ(db.container_name("p", 1), "the-db");
}

// The view reads any model, also one made by hand or loaded without normalization.
TEST_F(ModelTest, WritableVolumesAreNamedReadWriteVolumesOnce) {
  const Project& p = load_yaml(R"(services:
  db:
    image: postgres
    volumes:
      - data:/var/lib/postgresql/data
      - config:/etc/app:ro
      - /var/cache/app
      - ./conf:/conf
      - data:/backup
volumes: {data: {}, config: {}}
)");
  Model m(p);
  EXPECT_EQ(m.service("db").writable_volumes(), std::vector<std::string>({"data"}));
}

TEST(ModelView, HandMadeAndUnnormalizedModels) {
  Project p;
  p.name = "p";
  p.model = ojson::parse(R"({"services": {
      "a": {"image": "x", "container_name": "one", "scale": 2},
      "b": {"build": "./b", "scale": "3", "depends_on": ["a"], "networks": ["front"]},
      "c": {"image": 7, "scale": -1},
      "d": {"image": "x", "scale": "lots"}}})");
  Model m(p);
  EXPECT_THROW(m.service("a").replicas(), UserError);
  EXPECT_EQ(m.service("b").replicas(), 3);
  EXPECT_EQ(m.service("b").build()->context, "./b");
  EXPECT_EQ(m.service("b").depends_on()[0].service, "a");
  EXPECT_EQ(m.service("b").networks(), (std::vector<std::string>{"front"}));
  EXPECT_EQ(m.service("c").image(), "");  // a value of the wrong type reads as absent
  EXPECT_THROW(m.service("c").replicas(), UserError);
  EXPECT_THROW(m.service("d").replicas(), UserError);
  EXPECT_TRUE(m.networks().empty());
  EXPECT_EQ(m.network_name("front"), "p_front");
  EXPECT_EQ(m.x_slipway(), nullptr);
}

TEST_F(ModelTest, NetworksVolumesMountsAndTheirNames) {
  Model m(load_yaml(R"(
name: p
services:
  web:
    image: x
    networks: {front: {aliases: [www], priority: 5}, back: {}}
    volumes:
      - data:/var/lib/data:ro
      - {type: bind, source: ./conf, target: /conf, x-slipway: {backup: true}}
      - /scratch
  solo: {image: x, network_mode: host}
  plain: {image: x}
networks:
  front: {driver: bridge, driver_opts: {mtu: 1400}, labels: [team=web]}
  back: {external: true, name: shared-back}
volumes:
  data: {x-slipway: {backup: false}}
)"));
  Service web = m.service("web");
  EXPECT_EQ(web.networks(), (std::vector<std::string>{"back", "front"}));
  ASSERT_NE(web.network_settings("front"), nullptr);
  EXPECT_EQ((*web.network_settings("front"))["priority"], 5);
  EXPECT_TRUE(m.service("solo").networks().empty());
  EXPECT_EQ(m.service("solo").network_mode(), "host");
  EXPECT_EQ(m.service("plain").networks(), (std::vector<std::string>{"default"}));

  auto mounts = web.mounts();
  ASSERT_EQ(mounts.size(), 3u);
  EXPECT_EQ(mounts[0].type(), "volume");
  EXPECT_EQ(mounts[0].source(), "data");
  EXPECT_EQ(mounts[0].target(), "/var/lib/data");
  EXPECT_TRUE(mounts[0].read_only());
  EXPECT_EQ(mounts[1].type(), "bind");
  EXPECT_EQ(mounts[1].source(), dir_ + "/conf");
  ASSERT_NE(mounts[1].x_slipway(), nullptr);
  EXPECT_EQ((*mounts[1].x_slipway())["backup"], true);
  EXPECT_EQ(mounts[2].source(), "");

  auto front = m.network("front");
  ASSERT_TRUE(front);
  EXPECT_EQ(front->name(), "p_front");
  EXPECT_EQ(front->driver(), "bridge");
  EXPECT_EQ(front->driver_opts(), (std::vector<std::pair<std::string, std::string>>{{"mtu", "1400"}}));
  EXPECT_EQ(front->labels(), (std::vector<std::pair<std::string, std::string>>{{"team", "web"}}));
  EXPECT_FALSE(front->external());
  EXPECT_TRUE(m.network("back")->external());
  EXPECT_EQ(m.network_name("back"), "shared-back");
  EXPECT_EQ(m.network_name("default"), "p_default");
  EXPECT_EQ(m.network_name("undeclared"), "p_undeclared");
  EXPECT_EQ(m.volume_name("data"), "p_data");
  ASSERT_NE(m.volume("data")->x_slipway(), nullptr);
  EXPECT_FALSE(m.volume("nosuch"));
  EXPECT_EQ(m.networks().size(), 3u);  // back, default, front
}

TEST_F(ModelTest, SecretsConfigsPortsHealthAndGracePeriod) {
  std::ofstream(dir_ + "/pw") << "secret";
  std::ofstream(dir_ + "/compose.yaml") << R"(
services:
  app:
    image: x
    secrets: [pw, {source: pw, target: custom, uid: "100", mode: 0400}]
    configs: [{source: conf, target: /etc/app.conf}, conf]
    ports: ["127.0.0.1:8080:80", "53:53/udp"]
    healthcheck: {test: [CMD, "true"], interval: 5s}
    stop_grace_period: 1m30s
    profiles: [debug]
    x-slipway: {backup: {dump: [pg_dump]}}
  quiet: {image: x, healthcheck: {disable: true}}
secrets:
  pw: {file: ./pw}
configs:
  conf: {content: "hello"}
x-slipway: {backup: {repository: /r}}
)";
  LoadOptions o;
  o.files = {dir_ + "/compose.yaml"};
  o.profiles = {"debug"};
  o.environment = {{"HOME", "/home/u"}};
  Project p = load(o);
  Model m(p);
  Service app = m.service("app");
  auto secrets = app.secrets();
  ASSERT_EQ(secrets.size(), 2u);
  EXPECT_EQ(secrets[0].source, "pw");
  EXPECT_EQ(secrets[0].target, "/run/secrets/pw");
  EXPECT_EQ(secrets[1].target, "/run/secrets/custom");
  EXPECT_EQ(secrets[1].uid, "100");
  EXPECT_EQ(secrets[1].mode, 0400);
  auto configs = app.configs();
  ASSERT_EQ(configs.size(), 2u);
  EXPECT_EQ(configs[0].target, "/etc/app.conf");
  EXPECT_EQ(configs[1].target, "/conf");
  EXPECT_EQ(m.secret("pw")->file(), dir_ + "/pw");
  EXPECT_EQ(m.config("conf")->content(), "hello");
  EXPECT_FALSE(m.secret("pw")->content());

  auto ports = app.ports();
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0].host_ip, "127.0.0.1");
  EXPECT_EQ(ports[0].published, "8080");
  EXPECT_EQ(ports[0].target, 80);
  EXPECT_EQ(ports[1].protocol, "udp");

  EXPECT_TRUE(app.has_healthcheck());
  EXPECT_FALSE(m.service("quiet").has_healthcheck());
  EXPECT_EQ(app.stop_grace_period(), 90'000'000'000LL);
  EXPECT_FALSE(m.service("quiet").stop_grace_period());
  EXPECT_EQ(app.profiles(), (std::vector<std::string>{"debug"}));
  ASSERT_NE(app.x_slipway(), nullptr);
  ASSERT_NE(m.x_slipway(), nullptr);
  EXPECT_EQ((*m.x_slipway())["backup"]["repository"], "/r");
}

TEST_F(ModelTest, CyclesAndMissingDependencies) {
  LoadOptions o;
  std::ofstream(dir_ + "/compose.yaml")
      << "services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [a]}\n";
  o.files = {dir_ + "/compose.yaml"};
  o.consistency = false;  // the loader would refuse the cycle itself
  Project p = load(o);
  EXPECT_THROW(Model(p).dependency_order(), UserError);

  Model optional(load_yaml(
      "services:\n  a:\n    image: x\n    depends_on: {gone: {condition: service_started, required: false}}\n"));
  EXPECT_EQ(optional.dependency_order(), (std::vector<std::string>{"a"}));
}

TEST_F(ModelTest, LongChainsNeedNoDeepStack) {
  std::string yaml = "services:\n  s0: {image: x}\n";
  for (int i = 1; i < 3000; ++i)
    yaml += "  s" + std::to_string(i) + ": {image: x, depends_on: [s" + std::to_string(i - 1) + "]}\n";
  Model m(load_yaml(yaml));
  auto order = m.dependency_order();
  ASSERT_EQ(order.size(), 3000u);
  EXPECT_EQ(order.front(), "s0");
  EXPECT_EQ(order.back(), "s2999");
}

// Every project of the corpus: the views read every service and resource without throwing, and
// agree with the JSON they view.
TEST(ModelCorpus, EveryCorpusProjectReads) {
  const fs::path corpus = fs::weakly_canonical(std::string(SLIPWAY_SOURCE_DIR) + "/../shared/corpus/compose");
  int projects = 0;
  for (const auto& entry : fs::recursive_directory_iterator(corpus / "awesome-compose")) {
    std::string name = entry.path().filename().string();
    if (name != "compose.yaml" && name != "docker-compose.yml" && name != "compose.yml") continue;
    LoadOptions o;
    o.files = {entry.path().string()};
    o.environment = {{"HOME", "/nonexistent-home"}};
    o.warn = [](const std::string&) {};
    Project p;
    try {
      p = load(o);
    } catch (const Error&) {
      continue;  // a project Compose itself refuses (the loader tests cover those)
    }
    Model m(p);
    ++projects;
    SCOPED_TRACE(entry.path().string());
    std::vector<std::string> order = m.dependency_order();
    EXPECT_EQ(order.size(), m.service_names().size());
    for (const Service& s : m.services()) {
      EXPECT_FALSE(s.image_reference(p.name).empty());
      EXPECT_EQ(s.build().has_value(), p.model["services"][s.name()].contains("build"));
      EXPECT_GE(s.replicas(), 0);
      for (const auto& d : s.depends_on()) EXPECT_TRUE(m.has_service(d.service) || !d.required);
      for (const auto& key : s.networks()) EXPECT_FALSE(m.network_name(key).empty());
      for (const Mount& mount : s.mounts()) {
        EXPECT_FALSE(mount.target().empty());
        if (mount.type() == "volume" && !mount.source().empty()) {
          EXPECT_TRUE(m.volume(mount.source()));
        }
      }
      for (const auto& ref : s.secrets()) EXPECT_TRUE(m.secret(ref.source));
      for (const auto& ref : s.configs()) EXPECT_TRUE(m.config(ref.source));
      for (const Port& port : s.ports()) EXPECT_GT(port.target, 0);
    }
    for (const Resource& v : m.volumes()) EXPECT_EQ(v.name(), p.model["volumes"][v.key()]["name"]);
    for (const Resource& n : m.networks()) EXPECT_EQ(n.name(), p.model["networks"][n.key()]["name"]);
  }
  EXPECT_GT(projects, 20);
}

}  // namespace
}  // namespace slipway::compose

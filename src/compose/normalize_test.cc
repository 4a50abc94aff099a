#include "compose/normalize.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "compose/emit.h"
#include "yaml/reader.h"

namespace slipway::compose {
namespace {

using json = nlohmann::ordered_json;

json norm(const std::string& text, Environment env = {}, std::vector<std::string>* warnings = nullptr,
          const std::string& dir = "/proj") {
  NormalizeContext ctx;
  ctx.project_name = "demo";
  ctx.working_dir = dir;
  ctx.environment = std::move(env);
  ctx.warn = [warnings](const std::string& w) {
    if (warnings) warnings->push_back(w);
  };
  yaml::Node root = yaml::read(text, "compose.yaml");
  yaml::Node canonical = normalize(root, ctx);
  check_consistency(canonical);
  return to_json(canonical);
}

std::string error_of(const std::string& text) {
  try {
    norm(text);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Normalize, PortsLongForm) {
  json m = norm(R"(
services:
  web:
    image: x
    ports: ["8000-8002:80-82", "127.0.0.1::53/udp", 9000, {target: 443, published: 8443}]
)");
  const json& p = m["services"]["web"]["ports"];
  ASSERT_EQ(p.size(), 6u);
  EXPECT_EQ(p[0], json::parse(R"({"mode":"ingress","target":80,"published":"8000","protocol":"tcp"})"));
  EXPECT_EQ(p[2]["published"], "8002");
  EXPECT_EQ(p[3], json::parse(R"({"mode":"ingress","host_ip":"127.0.0.1","target":53,"protocol":"udp"})"));
  EXPECT_EQ(p[4], json::parse(R"({"mode":"ingress","target":9000,"protocol":"tcp"})"));
  EXPECT_EQ(p[5], json::parse(R"({"mode":"ingress","target":443,"published":"8443","protocol":"tcp"})"));
}

TEST(Normalize, VolumesLongForm) {
  json m = norm(R"(
services:
  web:
    image: x
    volumes: ["./a:/b/:ro,z", "~/x:/y", "named:/data:nocopy", "/anon", "/etc/x:/etc/x:rw",
              {type: bind, source: ../up, target: /up}, {type: tmpfs, target: /t, tmpfs: {size: 1m}}]
volumes:
  named:
)",
                {{"HOME", "/home/u"}});
  const json& v = m["services"]["web"]["volumes"];
  EXPECT_EQ(v[0],
            json::parse(R"({"type":"bind","source":"/proj/a","target":"/b","read_only":true,"bind":{"selinux":"z"}})"));
  EXPECT_EQ(v[1], json::parse(R"({"type":"bind","source":"/home/u/x","target":"/y","bind":{}})"));
  EXPECT_EQ(v[2], json::parse(R"({"type":"volume","source":"named","target":"/data","volume":{"nocopy":true}})"));
  EXPECT_EQ(v[3], json::parse(R"({"type":"volume","target":"/anon","volume":{}})"));
  EXPECT_EQ(v[4]["source"], "/etc/x");
  EXPECT_EQ(v[5], json::parse(R"({"type":"bind","source":"/up","target":"/up"})"));
  EXPECT_EQ(v[6], json::parse(R"({"type":"tmpfs","target":"/t","tmpfs":{"size":"1048576"}})"));
  EXPECT_EQ(m["volumes"]["named"]["name"], "demo_named");
}

TEST(Normalize, CommandEnvironmentLabels) {
  json m = norm(R"(
services:
  web:
    image: x
    command: echo "a b" c
    entrypoint: [/bin/sh, -c]
    environment: [A=b, HOME, NOPE, "E="]
    labels: [a=b, c]
    expose: [80, "90-91"]
    extra_hosts: ["a:1.2.3.4", "b=::1", "c=[::2]"]
)",
                {{"HOME", "/root"}});
  const json& s = m["services"]["web"];
  EXPECT_EQ(s["command"], json::parse(R"(["echo","a b","c"])"));
  EXPECT_EQ(s["entrypoint"], json::parse(R"(["/bin/sh","-c"])"));
  EXPECT_EQ(s["environment"], json::parse(R"({"A":"b","E":"","HOME":"/root","NOPE":null})"));
  EXPECT_EQ(s["labels"], json::parse(R"({"a":"b","c":""})"));
  EXPECT_EQ(s["expose"], json::parse(R"(["80","90-91"])"));
  EXPECT_EQ(s["extra_hosts"], json::parse(R"(["a=1.2.3.4","b=::1","c=::2"])"));
}

TEST(Normalize, EnvFileMergedIntoEnvironment) {
  auto dir = std::filesystem::temp_directory_path() / ("slipway-normalize-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "app.env") << "A=1\nB=from_file\nC=${A}x\n";
  json m = norm(R"(
services:
  web:
    image: x
    env_file: [app.env, {path: missing.env, required: false}]
    environment: {B: over}
)",
                {}, nullptr, dir.string());
  std::filesystem::remove_all(dir);
  const json& s = m["services"]["web"];
  EXPECT_EQ(s["environment"], json::parse(R"({"A":"1","B":"over","C":"1x"})"));
  EXPECT_FALSE(s.contains("env_file"));
}

TEST(Normalize, DependsOnAndImplicitDependencies) {
  json m = norm(R"(
services:
  web:
    image: x
    depends_on: [db]
    links: ["cache:c"]
  db: {image: y, network_mode: "service:web2"}
  web2: {image: z}
  cache: {image: r}
)");
  EXPECT_EQ(m["services"]["web"]["depends_on"],
            json::parse(R"({"cache":{"condition":"service_started","restart":true,"required":true},
                            "db":{"condition":"service_started","required":true}})"));
  EXPECT_EQ(m["services"]["db"]["depends_on"]["web2"]["restart"], true);
  EXPECT_FALSE(m["services"]["db"].contains("networks"));
}

TEST(Normalize, BuildAndDefaults) {
  json m = norm(R"(
services:
  a: {build: ./app}
  b: {build: {context: https://github.com/x/y.git, args: [X, Y=2, Z]}}
  c: {build: {dockerfile_inline: "FROM scratch"}}
)",
                {{"X", "xx"}});
  EXPECT_EQ(m["services"]["a"]["build"], json::parse(R"({"context":"/proj/app","dockerfile":"Dockerfile"})"));
  EXPECT_EQ(m["services"]["b"]["build"]["context"], "https://github.com/x/y.git");
  EXPECT_EQ(m["services"]["b"]["build"]["args"], json::parse(R"({"X":"xx","Y":"2"})"));
  EXPECT_EQ(m["services"]["c"]["build"], json::parse(R"({"context":"/proj","dockerfile_inline":"FROM scratch"})"));
  EXPECT_EQ(m["services"]["a"]["networks"], json::parse(R"({"default":null})"));
  EXPECT_EQ(m["networks"]["default"]["name"], "demo_default");
}

TEST(Normalize, DurationsSizesUlimits) {
  json m = norm(R"(
services:
  web:
    image: x
    shm_size: 1g
    mem_limit: 512m
    stop_grace_period: 90s
    healthcheck: {test: "curl x", interval: 90s, timeout: 1h2m, retries: 3}
    ulimits: {nofile: {soft: 1, hard: 2}, nproc: 5}
    cpus: 0.5
)");
  const json& s = m["services"]["web"];
  EXPECT_EQ(s["shm_size"], "1073741824");
  EXPECT_EQ(s["mem_limit"], "536870912");
  EXPECT_EQ(s["stop_grace_period"], "1m30s");
  EXPECT_EQ(s["healthcheck"],
            json::parse(R"({"test":["CMD-SHELL","curl x"],"timeout":"1h2m0s","interval":"1m30s","retries":3})"));
  EXPECT_EQ(s["ulimits"], json::parse(R"({"nofile":{"soft":1,"hard":2},"nproc":5})"));
  EXPECT_EQ(s["cpus"], 0.5);
}

TEST(Normalize, KeyOrderFollowsComposeTypes) {
  json m = norm(R"(
x-top: 1
services:
  web:
    ports: ["80"]
    image: x
    x-mine: {b: 1, a: 2}
    restart: always
    environment: {Z: 1, A: 2}
)");
  std::vector<std::string> keys;
  for (auto it = m["services"]["web"].begin(); it != m["services"]["web"].end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"restart", "environment", "image", "networks", "ports", "x-mine"}));
  std::vector<std::string> top;
  for (auto it = m.begin(); it != m.end(); ++it) top.push_back(it.key());
  EXPECT_EQ(top, (std::vector<std::string>{"name", "services", "networks", "x-top"}));
  EXPECT_EQ(m["services"]["web"]["environment"].begin().key(), "A");
}

TEST(Normalize, ResourceNames) {
  json m = norm(R"(
services: {web: {image: x, networks: [front, ext], secrets: [s]}}
networks: {front: {}, ext: {external: true}, named: {name: custom}}
secrets: {s: {file: ./s.txt}}
configs: {c: {external: {name: legacy}}}
)");
  EXPECT_EQ(m["networks"]["front"]["name"], "demo_front");
  EXPECT_EQ(m["networks"]["ext"], json::parse(R"({"name":"ext","external":true})"));
  EXPECT_EQ(m["networks"]["named"]["name"], "custom");
  EXPECT_EQ(m["secrets"]["s"], json::parse(R"({"name":"demo_s","file":"/proj/s.txt"})"));
  EXPECT_EQ(m["configs"]["c"], json::parse(R"({"name":"legacy","external":true})"));
  EXPECT_FALSE(m["networks"].contains("default"));
}

TEST(Normalize, VersionWarns) {
  std::vector<std::string> warnings;
  json m = norm("version: '3'\nservices: {web: {image: x}}\n", {}, &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("`version` is obsolete"), std::string::npos);
  EXPECT_FALSE(m.contains("version"));
}

TEST(Normalize, MalformedValuesPointAtThem) {
  EXPECT_EQ(error_of("services:\n  web:\n    image: x\n    ports: [\"80:80:80:80x\"]\n"),
            "compose.yaml:4:13: services.web.ports[0]: invalid port \"80x\" (use "
            "[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])");
  EXPECT_NE(error_of("services:\n  web:\n    image: x\n    healthcheck: {interval: 5q}\n")
                .find("compose.yaml:4:29: services.web.healthcheck.interval: invalid duration"),
            std::string::npos);
  EXPECT_NE(error_of("services:\n  web:\n    image: x\n    mem_limit: 1x\n")
                .find("compose.yaml:4:16: services.web.mem_limit: invalid byte size"),
            std::string::npos);
  EXPECT_NE(error_of("services:\n  web:\n    image: x\n    volumes: [\"vol::/a\"]\n").find("services.web.volumes[0]"),
            std::string::npos);
  EXPECT_NE(error_of("services:\n  web:\n    image: x\n    command: \"a 'b\"\n").find("invalid command line string"),
            std::string::npos);
}

TEST(Normalize, EmitsLikeComposeConfig) {
  json m = norm(R"(
services:
  db:
    image: pg
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U $${USER}"]
)");
  EmitOptions raw;
  raw.escape_dollars = false;
  EXPECT_EQ(emit_yaml(m, raw),
            "name: demo\n"
            "services:\n"
            "  db:\n"
            "    image: pg\n"
            "    networks:\n"
            "      default: null\n"
            "    healthcheck:\n"
            "      test:\n"
            "        - CMD-SHELL\n"
            "        - pg_isready -U $${USER}\n"
            "networks:\n"
            "  default:\n"
            "    name: demo_default\n");
}

}  // namespace
}  // namespace slipway::compose

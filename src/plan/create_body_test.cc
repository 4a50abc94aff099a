#include "plan/create_body.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace slipway::plan {
namespace {

using json = nlohmann::json;

ojson load(const std::string& path) {
  std::ifstream in(path);
  return ojson::parse(in);
}

const std::string kData = std::string(SLIPWAY_SOURCE_DIR) + "/src/plan/testdata/";

ContainerSpec spec_for(const ojson& model, const std::string& service, const std::string& api = "1.41") {
  CreateContext ctx;
  ctx.project = model["name"];
  ctx.service = service;
  ctx.image = "sha256:abc";
  ctx.labels = {{"com.docker.compose.project", ctx.project}};
  ctx.api_version = api;
  return container_spec(model, ctx);
}

// full.json is `docker compose config --format json` of a file using every option the issue
// names; it needs start_interval (API 1.44) and a volume subpath (1.45), so older
// engines must refuse it.
TEST(CreateBody, EveryListedOption) {
  ojson model = load(kData + "full.json");
  EXPECT_THROW(spec_for(model, "web"), UserError);
  EXPECT_THROW(spec_for(model, "web", "1.44"), UserError);  // volume subpath
  ContainerSpec s = spec_for(model, "web", "1.45");
  const json& b = s.body;
  const json& h = b["HostConfig"];
  EXPECT_EQ(s.name, "full-web-1");
  EXPECT_EQ(b["Image"], "sha256:abc");
  EXPECT_EQ(b["Cmd"], json({"httpd", "-f"}));
  EXPECT_EQ(b["Entrypoint"], json({"/bin/sh", "-c"}));
  EXPECT_EQ(b["Env"], json({"A=1", "B", "FOO=bar"}));
  EXPECT_EQ(b["User"], "1000:1000");
  EXPECT_EQ(b["WorkingDir"], "/src");
  EXPECT_EQ(b["Hostname"], "web");
  EXPECT_EQ(b["StopSignal"], "SIGINT");
  EXPECT_EQ(b["StopTimeout"], 5);
  EXPECT_EQ(s.stop_timeout, 5);
  EXPECT_TRUE(b["Tty"]);
  EXPECT_TRUE(b["OpenStdin"]);
  EXPECT_EQ(b["Labels"]["x"], "y");
  EXPECT_EQ(b["Labels"]["com.docker.compose.project"], "full");
  EXPECT_TRUE(b["ExposedPorts"].contains("80/tcp"));
  EXPECT_TRUE(b["ExposedPorts"].contains("443/tcp"));
  EXPECT_TRUE(b["ExposedPorts"].contains("9001/udp"));
  EXPECT_TRUE(b["ExposedPorts"].contains("3000/tcp"));
  EXPECT_EQ(h["PortBindings"]["80/tcp"], json::parse(R"([{"HostIp":"","HostPort":"8080"}])"));
  EXPECT_EQ(h["PortBindings"]["9000/udp"], json::parse(R"([{"HostIp":"127.0.0.1","HostPort":"9000"}])"));
  EXPECT_EQ(h["PortBindings"]["3000/tcp"], json::parse(R"([{"HostIp":"","HostPort":""}])"));
  EXPECT_EQ(b["Healthcheck"]["Test"], json({"CMD", "true"}));
  EXPECT_EQ(b["Healthcheck"]["Interval"], 10000000000LL);
  EXPECT_EQ(b["Healthcheck"]["Timeout"], 5000000000LL);
  EXPECT_EQ(b["Healthcheck"]["StartPeriod"], 2000000000LL);
  EXPECT_EQ(b["Healthcheck"]["Retries"], 3);
  EXPECT_EQ(h["RestartPolicy"]["Name"], "unless-stopped");
  EXPECT_EQ(h["CapAdd"], json({"NET_ADMIN"}));
  EXPECT_EQ(h["CapDrop"], json({"ALL"}));
  EXPECT_TRUE(h["Init"]);
  EXPECT_EQ(h["Ulimits"],
            json::parse(R"([{"Name":"nofile","Soft":1024,"Hard":2048},{"Name":"nproc","Soft":65535,"Hard":65535}])"));
  EXPECT_EQ(h["Sysctls"]["net.core.somaxconn"], "1024");
  EXPECT_EQ(h["ExtraHosts"], json({"other:1.2.3.4", "somehost:162.242.195.82"}));
  EXPECT_EQ(h["LogConfig"], json::parse(R"({"Type":"json-file","Config":{"max-size":"10m"}})"));
  EXPECT_EQ(h["Dns"], json({"8.8.8.8"}));
  EXPECT_EQ(h["Tmpfs"], json::parse(R"({"/run":""})"));
  EXPECT_EQ(h["Devices"][0]["PathInContainer"], "/dev/xnull");
  EXPECT_EQ(h["ShmSize"], 67108864);
  EXPECT_EQ(h["Memory"], 104857600);
  EXPECT_EQ(h["PidMode"], "host");
  EXPECT_EQ(h["Binds"], json({"/srv/full/src:/src:ro"}));
  ASSERT_EQ(h["Mounts"].size(), 3u);
  EXPECT_EQ(h["Mounts"][0], json::parse(R"({"Type":"volume","Target":"/data","Source":"full_data"})"));
  EXPECT_EQ(h["Mounts"][1],
            json::parse(R"({"Type":"tmpfs","Target":"/tmp","TmpfsOptions":{"SizeBytes":1000000,"Mode":1023}})"));
  EXPECT_EQ(h["Mounts"][2]["VolumeOptions"], json::parse(R"({"NoCopy":true,"Subpath":"x"})"));
  // Networks: one at create (the engine takes one before API 1.44), the rest joined after.
  EXPECT_EQ(h["NetworkMode"], "full_back");
  EXPECT_EQ(b["NetworkingConfig"]["EndpointsConfig"]["full_back"]["Aliases"], json({"web"}));
  ASSERT_EQ(s.extra_networks.size(), 1u);
  EXPECT_EQ(s.extra_networks[0].network, "full_front");
  EXPECT_EQ(s.extra_networks[0].endpoint["Aliases"], json({"web", "www", "web2"}));
  // Secrets are copied in with their owner and mode.
  ASSERT_EQ(s.files.size(), 2u);
  EXPECT_EQ(s.files[0].target, "/run/secrets/pw");
  EXPECT_EQ(s.files[0].mode, 0444);
  EXPECT_EQ(s.files[0].source_file, "/srv/full/pw.txt");
  EXPECT_EQ(s.files[1].target, "/run/secrets/other");
  EXPECT_EQ(s.files[1].uid, 1000);
  EXPECT_EQ(s.files[1].gid, 1000);
  EXPECT_EQ(s.files[1].mode, 0400);
  // Secrets never reach the request body.
  EXPECT_EQ(s.body.dump().find("s3cret"), std::string::npos);
}

TEST(CreateBody, NetworkModesAndDisabledHealthcheck) {
  ojson model = load(kData + "full.json");
  ContainerSpec db = spec_for(model, "db");
  EXPECT_EQ(db.body["HostConfig"]["NetworkMode"], "container:full-init-1");
  EXPECT_EQ(db.body["Healthcheck"]["Test"], json({"NONE"}));
  EXPECT_TRUE(db.body["NetworkingConfig"]["EndpointsConfig"].empty());
  ContainerSpec init = spec_for(model, "init");
  EXPECT_EQ(init.body["HostConfig"]["NetworkMode"], "none");
  EXPECT_EQ(init.body["HostConfig"]["RestartPolicy"]["Name"], "no");
}

TEST(CreateBody, UnsupportedOptionsAreErrorsNamingThem) {
  auto with = [](const char* service_json) {
    ojson model = ojson::parse(R"({"name":"p","services":{"s":{"image":"x"}}})");
    model["services"]["s"].update(ojson::parse(service_json));
    return model;
  };
  auto message = [&](const char* service_json) {
    try {
      spec_for(with(service_json), "s");
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(R"({"gpus":"all"})").find("services.s.gpus is not supported"), std::string::npos);
  EXPECT_NE(message(R"({"post_start":[{"command":"x"}]})").find("post_start"), std::string::npos);
  EXPECT_NE(message(R"({"deploy":{"placement":{"constraints":["x"]}}})").find("deploy.placement"), std::string::npos);
  EXPECT_NE(message(R"({"volumes":[{"type":"npipe","source":"a","target":"/b"}]})").find("npipe"), std::string::npos);
  EXPECT_NE(message(R"({"healthcheck":{"test":["CMD","x"],"interval":"often"}})").find("healthcheck.interval"),
            std::string::npos);
  EXPECT_NE(message(R"({"restart":"sometimes"})").find("restart"), std::string::npos);
  EXPECT_NE(message(R"({"secrets":["nope"]})").find("undefined secret"), std::string::npos);
  EXPECT_NE(message(R"({"networks":{"ghost":null}})").find("undefined network"), std::string::npos);
  EXPECT_NE(message(R"({"volumes":[{"type":"volume","source":"ghost","target":"/x"}]})").find("undefined volume"),
            std::string::npos);
  EXPECT_NE(message(R"({"ports":[{"target":80,"mode":"weird"}]})").find("mode"), std::string::npos);
  EXPECT_NE(message(R"({"ulimits":{"nofile":{"soft":"x","hard":1}}})").find("ulimits"), std::string::npos);
  EXPECT_EQ(message(R"({"restart":"on-failure:3","x-custom":1,"develop":{}})"), "no error");
}

// Every file is bind-mounted from slipway's tmpfs (apply/secret_files.h), so a read-only
// root filesystem takes secrets with an owner and mode like any other container.
TEST(CreateBody, ReadOnlyContainersTakeSecretsWithAMode) {
  ojson model = ojson::parse(R"({"name":"p","services":{"s":{"image":"x","read_only":true,
    "secrets":[{"source":"a","target":"/run/secrets/a","mode":"0400","uid":"5"}]}},
    "secrets":{"a":{"name":"p_a","file":"/srv/a.txt"}}})");
  ContainerSpec s = spec_for(model, "s");
  EXPECT_TRUE(s.body["HostConfig"]["ReadonlyRootfs"]);
  ASSERT_EQ(s.files.size(), 1u);
  EXPECT_EQ(s.files[0].mode, 0400);
  EXPECT_EQ(s.files[0].uid, 5);
  EXPECT_FALSE(s.body["HostConfig"].contains("Binds"));
}

TEST(CreateBody, SecretDefaultsAndExternalSecrets) {
  ojson model =
      ojson::parse(R"({"name":"p","services":{"s":{"image":"x","secrets":[{"source":"a","target":"custom/path"}],
    "configs":[{"source":"c"}]}},
    "secrets":{"a":{"name":"p_a","environment":"TOKEN"}},"configs":{"c":{"name":"p_c","content":"hello"}}})");
  ContainerSpec s = spec_for(model, "s");
  ASSERT_EQ(s.files.size(), 2u);
  EXPECT_EQ(s.files[0].target, "/run/secrets/custom/path");
  EXPECT_EQ(s.files[0].environment, "TOKEN");
  EXPECT_EQ(s.files[1].target, "/c");
  EXPECT_EQ(s.files[1].content, "hello");
  model["secrets"]["a"] = ojson::parse(R"({"external":true,"name":"a"})");
  EXPECT_THROW(spec_for(model, "s"), UserError);
}

// Every service of every awesome-compose sample translates (or fails only for options the
// engine here cannot give: platform/runtime of the wasm sample are passed through).
TEST(CreateBody, AwesomeComposeSamplesTranslate) {
  int services = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kData + "awesome")) {
    ojson model = load(entry.path().string());
    for (const auto& [name, _] : model["services"].items()) {
      SCOPED_TRACE(entry.path().filename().string() + " " + name);
      EXPECT_NO_THROW(spec_for(model, name));
      ++services;
    }
  }
  EXPECT_GE(services, 50);
}

}  // namespace
}  // namespace slipway::plan

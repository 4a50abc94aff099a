#include "compose/schema.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "yaml/reader.h"

namespace slipway::compose {
namespace {

std::string error_of(const std::string& text) {
  try {
    validate_schema(yaml::read(text, "compose.yaml"));
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Schema, AcceptsValidFiles) {
  EXPECT_EQ(error_of("services:\n  web:\n    image: nginx\n    ports: [\"80:80\", 443]\n    x-own: {any: thing}\n"
                     "x-top: 1\nvolumes: {data: }\nnetworks: {front: {driver: bridge}}\n"),
            "");
  EXPECT_EQ(error_of(""), "");
  EXPECT_EQ(error_of("services:\n  web:\n    build: .\n    depends_on: {db: {condition: service_healthy}}\n"
                     "    healthcheck: {test: [CMD, \"true\"], interval: 10s}\n    deploy: {resources: {limits: {cpus: "
                     "'0.5'}}}\n"),
            "");
}

TEST(Schema, UnknownKeyAtTheKey) {
  EXPECT_EQ(error_of("services:\n  web:\n    imagee: x\n"),
            "compose.yaml:3:5: services.web: additional property \"imagee\" is not allowed");
  EXPECT_EQ(error_of("servics: {}\n"), "compose.yaml:1:1: (root): additional property \"servics\" is not allowed");
  EXPECT_EQ(error_of("services:\n  web:\n    build: {contxt: .}\n"),
            "compose.yaml:3:13: services.web.build: additional property \"contxt\" is not allowed");
  EXPECT_EQ(error_of("services:\n  web:\n    image: x\n    healthcheck: {intervl: 1s}\n"),
            "compose.yaml:4:19: services.web.healthcheck: additional property \"intervl\" is not allowed");
}

TEST(Schema, WrongTypesAtTheValue) {
  EXPECT_EQ(error_of("services:\n  web:\n    image: 1.5\n"), "compose.yaml:3:12: services.web.image must be a string");
  EXPECT_EQ(error_of("services:\n  web:\n    image: x\n    ports: {a: 1}\n"),
            "compose.yaml:4:12: services.web.ports must be a list");
  EXPECT_EQ(error_of("services:\n  web:\n    image: x\n    privileged: [1]\n"),
            "compose.yaml:4:17: services.web.privileged must be a boolean or a string");
  EXPECT_EQ(error_of("services: [a]\n"), "compose.yaml:1:11: services must be a mapping");
  EXPECT_EQ(error_of("services:\n  web:\n    image: x\n    depends_on: {db: {condition: bogus}}\n"),
            "compose.yaml:4:34: services.web.depends_on.db.condition must be one of: service_started, service_healthy, "
            "service_completed_successfully");
  EXPECT_NE(error_of("services:\n  web:\n    image: x\n    environment: [A=1, A=1]\n").find("duplicate items"),
            std::string::npos);
}

TEST(Schema, WholeCorpusIsValid) {
  std::string corpus = std::string(SLIPWAY_SOURCE_DIR) + "/../shared/corpus/compose/awesome-compose";
  int n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(corpus)) {
    std::string p = e.path().string();
    if (p.size() < 5 || (p.substr(p.size() - 5) != ".yaml" && p.substr(p.size() - 4) != ".yml")) continue;
    EXPECT_NO_THROW(validate_schema(yaml::read_file(p))) << p;
    ++n;
  }
  EXPECT_GE(n, 20);
}

}  // namespace
}  // namespace slipway::compose

namespace slipway::compose {
namespace {

TEST(Schema, MalformedValueStrings) {
  EXPECT_EQ(error_of("services:\n  web:\n    image: x\n    ports: [\"80:80:80:80x\"]\n"),
            "compose.yaml:4:13: services.web.ports[0]: invalid port \"80x\" (use "
            "[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])");
  EXPECT_EQ(error_of("services:\n  web:\n    image: x\n    stop_grace_period: 10 s\n"),
            "compose.yaml:4:24: services.web.stop_grace_period: invalid duration \"10 s\" (use a Go duration such as "
            "30s, 1m30s or 2h)");
  EXPECT_EQ(error_of("services:\n  web:\n    image: x\n    shm_size: lots\n"),
            "compose.yaml:4:15: services.web.shm_size: invalid byte size \"lots\" (use a number of bytes or a unit: "
            "512m, 1g)");
  EXPECT_NE(error_of("services:\n  web:\n    image: x\n    volumes: [\"vol:/a:ro:extra\"]\n")
                .find("services.web.volumes[0]: invalid spec"),
            std::string::npos);
  EXPECT_EQ(error_of("services:\n  web:\n    image: x\n    ports: [\"${PORT}:80\"]\n"), "");
}

}  // namespace
}  // namespace slipway::compose

namespace slipway::compose {
namespace {

TEST(Schema, Patterns) {
  EXPECT_NE(error_of("services:\n  \"we b\": {image: x}\n").find("additional property \"we b\" is not allowed"),
            std::string::npos);
  EXPECT_EQ(error_of("services:\n  web: {image: x, pull_policy: every_1d12h}\n"), "");
  EXPECT_NE(error_of("services:\n  web: {image: x, pull_policy: sometimes}\n").find("does not match pattern"),
            std::string::npos);
  // A huge value must not exhaust the stack (no recursive regex on user data).
  EXPECT_EQ(error_of("services:\n  web: {image: x, container_name: " + std::string(200000, 'a') + "}\n"), "");
}

}  // namespace
}  // namespace slipway::compose

namespace slipway::compose {
namespace {

TEST(Schema, InterpolatedEmptyValueIsAString) {
  yaml::Node root = yaml::read("services:\n  web:\n    image: x\n", "compose.yaml");
  root.find("services")->find("web")->set("image", yaml::Node::scalar("", {}, yaml::Style::Plain));
  EXPECT_NO_THROW(validate_schema(root));
}

}  // namespace
}  // namespace slipway::compose

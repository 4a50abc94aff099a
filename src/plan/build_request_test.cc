#include "plan/build_request.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway::plan {
namespace {

using ojson = nlohmann::ordered_json;

TEST(DockerfileBaseImages, StagesArgsAndFlags) {
  std::string df =
      "# syntax=docker/dockerfile:1\n"
      "ARG SUITE=bookworm\n"
      "ARG REG\n"
      "FROM --platform=linux/amd64 debian:${SUITE} AS build\n"
      "RUN true\n"
      "FROM build AS test\n"
      "from scratch\n"
      "FROM \\\n  alpine:$V\n"
      "FROM debian:${SUITE}\n"
      "FROM ${REG:-local}/app:1\n";
  EXPECT_EQ(dockerfile_base_images(df), (std::vector<std::string>{"debian:bookworm", "alpine:", "local/app:1"}));
  EXPECT_EQ(dockerfile_base_images(df, {{"SUITE", "trixie"}, {"V", std::nullopt}}),
            (std::vector<std::string>{"debian:trixie", "alpine:", "local/app:1"}));
}

TEST(BuildRequest, TranslatesTheCanonicalSection) {
  ojson b = ojson::parse(R"({"context": "/src/app", "dockerfile": "Dockerfile.web", "args": {"A": "1", "B": null},
    "labels": {"x": "y"}, "extra_hosts": ["h=1.2.3.4"], "network": "host", "target": "prod",
    "shm_size": "67108864", "no_cache": true, "tags": ["extra:1"]})");
  auto s = build_request("proj", "web", b, "proj-web");
  EXPECT_EQ(s.context, "/src/app");
  EXPECT_EQ(s.dockerfile, "Dockerfile.web");
  EXPECT_EQ(s.tags, (std::vector<std::string>{"proj-web:latest", "extra:1"}));
  EXPECT_EQ(*s.args["A"], "1");
  EXPECT_FALSE(s.args["B"].has_value());
  EXPECT_EQ(s.extra_hosts, (std::vector<std::string>{"h:1.2.3.4"}));
  EXPECT_EQ(s.shm_size, 67108864);
  EXPECT_EQ(s.network, "host");
  EXPECT_TRUE(s.no_cache);
  EXPECT_EQ(s.labels.at("x"), "y");
  EXPECT_EQ(s.labels.at("com.docker.compose.project"), "proj");
  EXPECT_EQ(s.labels.at("com.docker.compose.service"), "web");
  EXPECT_EQ(build_request("proj", "web", b, "reg:5000/img:2").tags[0], "reg:5000/img:2");
  EXPECT_EQ(build_request("proj", "web", b, "reg:5000/img").tags[0], "reg:5000/img:latest");
}

TEST(BuildRequest, RejectsWhatTheClassicBuilderCannotDo) {
  auto msg = [](const char* json) {
    try {
      build_request("proj", "web", ojson::parse(json), "x");
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg(R"({"context": "/a", "secrets": [{"source": "s"}]})").find("services.web.build.secrets"),
            std::string::npos);
  EXPECT_NE(msg(R"({"context": "https://github.com/x/y.git"})").find("remote context"), std::string::npos);
  EXPECT_NE(msg(R"({"dockerfile": "D"})").find("context is missing"), std::string::npos);
  EXPECT_NE(msg(R"({"context": "/a", "platforms": ["linux/amd64", "linux/arm64"]})").find("platforms"),
            std::string::npos);
  EXPECT_NE(msg(R"({"context": "/a", "shm_size": "64m"})").find("byte count"), std::string::npos);
}

}  // namespace
}  // namespace slipway::plan

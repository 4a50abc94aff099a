#include <gtest/gtest.h>

#include "compose/normalize.h"
#include "yaml/reader.h"

namespace slipway::compose {
namespace {

std::string error_of(const std::string& text) {
  NormalizeContext ctx;
  ctx.project_name = "demo";
  ctx.working_dir = "/proj";
  try {
    check_consistency(normalize(yaml::read(text, "compose.yaml"), ctx));
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Consistency, AcceptsAConsistentProject) {
  EXPECT_EQ(
      error_of("services:\n  web: {image: x, depends_on: [db], networks: [front], volumes: [data:/d], secrets: [s]}\n"
               "  db: {image: y}\nnetworks: {front: }\nvolumes: {data: }\nsecrets: {s: {file: ./s}}\n"),
      "");
}

TEST(Consistency, UndefinedReferences) {
  EXPECT_EQ(
      error_of("services:\n  web: {image: x, networks: [foo]}\n"),
      "compose.yaml:2:30: service \"web\" refers to undefined network foo (declare it under the top-level networks:)");
  EXPECT_NE(error_of("services:\n  web: {image: x, volumes: [\"data:/d\"]}\n").find("refers to undefined volume data"),
            std::string::npos);
  EXPECT_NE(error_of("services:\n  web: {image: x, secrets: [s]}\n").find("refers to undefined secret s"),
            std::string::npos);
  EXPECT_NE(error_of("services:\n  web: {image: x, configs: [c]}\n").find("refers to undefined config c"),
            std::string::npos);
  EXPECT_EQ(
      error_of("services:\n  web: {image: x, depends_on: [db]}\n"),
      "compose.yaml:2:32: service \"web\" depends on undefined service \"db\" (define it, or set required: false)");
  EXPECT_EQ(error_of("services:\n  web: {image: x, depends_on: {db: {condition: service_started, required: false}}}\n"),
            "");
  EXPECT_NE(
      error_of("services:\n  web: {image: x, network_mode: \"service:nope\"}\n").find("undefined service \"nope\""),
      std::string::npos);
  EXPECT_NE(error_of("services:\n  web: {image: x, volumes_from: [\"nope:ro\"]}\n").find("undefined service \"nope\""),
            std::string::npos);
}

TEST(Consistency, DependencyCycles) {
  EXPECT_NE(error_of("services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [c]}\n  c: {image: x, "
                     "depends_on: [a]}\n")
                .find("dependency cycle detected: a -> b -> c -> a"),
            std::string::npos);
  EXPECT_NE(error_of("services:\n  a: {image: x, depends_on: [a]}\n").find("dependency cycle detected: a -> a"),
            std::string::npos);
}

}  // namespace
}  // namespace slipway::compose

namespace slipway::compose {
namespace {

TEST(Consistency, ServiceLevelChecks) {
  EXPECT_NE(error_of("services:\n  web: {restart: always}\n").find("has neither an image nor a build context"),
            std::string::npos);
  EXPECT_NE(error_of("services:\n  web: {image: x, mem_limit: 1g, deploy: {resources: {limits: {memory: 2g}}}}\n")
                .find("can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory'"),
            std::string::npos);
  EXPECT_EQ(error_of("services:\n  web: {image: x, mem_limit: 1g, deploy: {resources: {limits: {memory: 1024m}}}}\n"),
            "");
  EXPECT_NE(
      error_of("services:\n  web: {image: x, healthcheck: {test: [WRONG, x]}}\n").find("healthcheck.test must start"),
      std::string::npos);
  EXPECT_NE(error_of("services:\n  web: {image: x, container_name: w, scale: 2}\n").find("can't set container_name"),
            std::string::npos);
}

}  // namespace
}  // namespace slipway::compose

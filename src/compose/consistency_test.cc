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
  EXPECT_EQ(error_of("services:\n  web: {image: x, depends_on: [db], networks: [front], volumes: [data:/d], secrets: [s]}\n"
                     "  db: {image: y}\nnetworks: {front: }\nvolumes: {data: }\nsecrets: {s: {file: ./s}}\n"),
            "");
}

TEST(Consistency, UndefinedReferences) {
  EXPECT_EQ(error_of("services:\n  web: {image: x, networks: [foo]}\n"),
            "compose.yaml:2:30: service \"web\" refers to undefined network foo (declare it under the top-level networks:)");
  EXPECT_NE(error_of("services:\n  web: {image: x, volumes: [\"data:/d\"]}\n").find("refers to undefined volume data"), std::string::npos);
  EXPECT_NE(error_of("services:\n  web: {image: x, secrets: [s]}\n").find("refers to undefined secret s"), std::string::npos);
  EXPECT_NE(error_of("services:\n  web: {image: x, configs: [c]}\n").find("refers to undefined config c"), std::string::npos);
  EXPECT_EQ(error_of("services:\n  web: {image: x, depends_on: [db]}\n"),
            "compose.yaml:2:32: service \"web\" depends on undefined service \"db\" (define it, or set required: false)");
  EXPECT_EQ(error_of("services:\n  web: {image: x, depends_on: {db: {condition: service_started, required: false}}}\n"), "");
  EXPECT_NE(error_of("services:\n  web: {image: x, network_mode: \"service:nope\"}\n").find("undefined service \"nope\""), std::string::npos);
  EXPECT_NE(error_of("services:\n  web: {image: x, volumes_from: [\"nope:ro\"]}\n").find("undefined service \"nope\""), std::string::npos);
}

TEST(Consistency, DependencyCycles) {
  EXPECT_NE(error_of("services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [c]}\n  c: {image: x, depends_on: [a]}\n")
                .find("dependency cycle detected: a -> b -> c -> a"),
            std::string::npos);
  EXPECT_NE(error_of("services:\n  a: {image: x, depends_on: [a]}\n").find("dependency cycle detected: a -> a"), std::string::npos);
}

}  // namespace
}  // namespace slipway::compose

#include "plan/naming.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway::plan {
namespace {

TEST(Naming, ContainerNamesFollowCompose) {
  EXPECT_EQ(container_name("shop", "web", ojson::object(), 2), "shop-web-2");
  EXPECT_EQ(container_name("shop", "web", ojson{{"container_name", "fixed"}}, 1), "fixed");
  EXPECT_EQ(service_image("shop", "web", ojson{{"build", {{"context", "/x"}}}}), "shop-web");
  EXPECT_EQ(service_image("shop", "web", ojson{{"image", "nginx"}}), "nginx");
}

TEST(Naming, NetworkAndVolumeNames) {
  ojson model =
      ojson::parse(R"({"name":"p","networks":{"a":{"name":"custom"},"b":{}},"volumes":{"d":{"name":"p_d"}}})");
  EXPECT_EQ(network_name(model, "a"), "custom");
  EXPECT_EQ(network_name(model, "b"), "p_b");
  EXPECT_EQ(network_name(model, "default"), "p_default");
  EXPECT_EQ(volume_name(model, "d"), "p_d");
}

TEST(Naming, Replicas) {
  EXPECT_EQ(replicas("s", ojson::object()), 1);
  EXPECT_EQ(replicas("s", ojson{{"scale", 3}}), 3);
  EXPECT_EQ(replicas("s", ojson::parse(R"({"deploy":{"replicas":2}})")), 2);
  EXPECT_THROW(replicas("s", ojson::parse(R"({"scale":2,"container_name":"x"})")), UserError);
  EXPECT_THROW(replicas("s", ojson{{"scale", "many"}}), UserError);
}

TEST(Order, DependenciesComeFirst) {
  ojson services = ojson::parse(R"({
    "web": {"depends_on": {"db": {"condition": "service_healthy"}, "cache": {}}},
    "db": {},
    "cache": {"network_mode": "service:db"},
    "worker": {"volumes_from": ["web:ro"], "links": ["db:database"]}
  })");
  EXPECT_EQ(dependency_order(services), (std::vector<std::string>{"db", "cache", "web", "worker"}));
  EXPECT_EQ(with_dependencies(services, {"web"}), (std::vector<std::string>{"cache", "db", "web"}));
  EXPECT_THROW(with_dependencies(services, {"nope"}), UserError);
}

TEST(Order, CyclesAndUnknownServicesAreUserErrors) {
  EXPECT_THROW(dependency_order(ojson::parse(R"({"a":{"depends_on":{"b":{}}},"b":{"depends_on":{"a":{}}}})")),
               UserError);
  EXPECT_THROW(dependency_order(ojson::parse(R"({"a":{"depends_on":{"ghost":{}}}})")), UserError);
  // An optional dependency on a service that is not loaded is skipped.
  EXPECT_EQ(dependency_order(ojson::parse(R"({"a":{"depends_on":{"ghost":{"required":false}}}})")),
            (std::vector<std::string>{"a"}));
}

}  // namespace
}  // namespace slipway::plan

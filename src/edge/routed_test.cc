#include "edge/routed.h"

#include <gtest/gtest.h>

namespace slipway::edge {
namespace {

ojson model() {
  return ojson::parse(R"({
    "name": "demo",
    "networks": {"default": {"name": "demo_default"}, "front": {"name": "demo_front"}, "back": {"name": "shared-back"}},
    "services": {
      "web": {"image": "w", "networks": {"front": null, "back": null},
              "ports": [{"target": 8000, "published": "8080", "host_ip": "127.0.0.1", "protocol": "tcp"},
                        {"target": 22, "published": "2222", "protocol": "tcp"},
                        {"target": 8000, "published": "8000", "protocol": "udp"}]},
      "api": {"image": "a", "networks": {"default": null}, "ports": [{"target": 9000, "protocol": "tcp"}]},
      "db": {"image": "d", "networks": {"back": null}, "ports": [{"target": 5432, "published": "5432"}]},
      "mail": {"image": "m", "ports": [{"target": 25, "published": "443", "protocol": "tcp"}]}
    },
    "x-slipway": {"routes": {"a.test": "web:8000", "a.test/api": "api:9000"}}
  })");
}

Routing routing(const ojson& m) { return parse_routing(m, fixed_locator()); }

TEST(Routed, RoutedServicesTheirNetworksAndTheirPorts) {
  ojson m = model();
  EdgePorts p = edge_ports(m, routing(m));
  EXPECT_EQ(p.routed_services, (std::vector<std::string>{"api", "web"}));
  EXPECT_EQ(p.networks, (std::vector<std::string>{"demo_default", "demo_front", "shared-back"}));
  ASSERT_EQ(p.edge_owned.size(), 2u);
  EXPECT_EQ(p.edge_owned[0].service, "web");
  EXPECT_EQ(p.edge_owned[0].index, 0u);
  EXPECT_EQ(p.edge_owned[0].port["published"], "8080");
  EXPECT_EQ(p.edge_owned[1].service, "api");  // a random host port for 9000 is the edge's too
  ASSERT_EQ(p.kept.size(), 2u);
  EXPECT_EQ(p.kept[0].port["target"], 22);
  EXPECT_EQ(p.kept[1].port["protocol"], "udp");  // the edge proxies TCP only
}

TEST(Routed, WithoutEdgePortsLeavesTheRestOfTheService) {
  ojson m = model();
  EdgePorts p = edge_ports(m, routing(m));
  ojson web = without_edge_ports("web", m["services"]["web"], p);
  ASSERT_EQ(web["ports"].size(), 2u);
  EXPECT_EQ(web["ports"][0]["target"], 22);
  EXPECT_EQ(web["networks"], m["services"]["web"]["networks"]);
  ojson api = without_edge_ports("api", m["services"]["api"], p);
  EXPECT_FALSE(api.contains("ports"));
  // Not routed: untouched.
  EXPECT_EQ(without_edge_ports("db", m["services"]["db"], p), m["services"]["db"]);
}

TEST(Routed, NoRoutesNoChange) {
  ojson m = model();
  m.erase("x-slipway");
  EdgePorts p = edge_ports(m, routing(m));
  EXPECT_TRUE(p.routed_services.empty());
  EXPECT_TRUE(p.edge_owned.empty());
  EXPECT_EQ(without_edge_ports("web", m["services"]["web"], p), m["services"]["web"]);
  check_public_ports(m, routing(m), p, fixed_locator());  // no edge, no conflict
}

TEST(Routed, AServiceOnTheEdgesPublicPortIsAnError) {
  ojson m = model();
  EdgePorts p = edge_ports(m, routing(m));
  try {
    check_public_ports(m, routing(m), p, fixed_locator({"compose.yaml", 3, 4}));
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(),
                 "compose.yaml:3:4: services.mail.ports: host port 443 is the edge's public https port "
                 "(x-slipway.edge.https); route the service through x-slipway.routes or publish another port");
  }
  // On other addresses both can bind.
  m["x-slipway"]["edge"] = {{"https", "127.0.0.1:443"}};
  m["services"]["mail"]["ports"][0]["host_ip"] = "192.0.2.1";
  check_public_ports(m, routing(m), edge_ports(m, routing(m)), fixed_locator());
  // A port the edge owns is no conflict: web's 8080 while the edge listens on 8080.
  m = model();
  m["services"].erase("mail");
  m["x-slipway"]["edge"] = {{"http", 8080}};
  check_public_ports(m, routing(m), edge_ports(m, routing(m)), fixed_locator());
}

}  // namespace
}  // namespace slipway::edge

#include "edge/caddy_config.h"

#include <gtest/gtest.h>

namespace slipway::edge {
namespace {

Routing example() {
  ojson model = ojson::parse(R"({
    "name": "demo",
    "services": {"web": {"image": "w"}, "api": {"image": "a"}},
    "x-slipway": {
      "edge": {"http": 8080, "https": 8443, "email": "ops@example.org"},
      "routes": {
        "guestbook.example.org": "web:8000",
        "example.org/api": "api:9000",
        "localhost": "web:8000",
        "http://intranet.lan/": "web:8000",
        "[::1]/app/": "web:8000"
      }
    }
  })");
  return parse_routing(model, fixed_locator());
}

json find_route(const json& config, const std::string& server, const std::string& id) {
  for (const auto& r : config["apps"]["http"]["servers"][server]["routes"])
    if (r.value("@id", "") == id) return r;
  return nullptr;
}

TEST(CaddyConfig, AdminListensOnTheSocketOnlyAndAutosaves) {
  EXPECT_EQ(back_config(example())["admin"], json::parse(R"({"listen": "unix//run/slipway-admin/admin.sock",
                                                            "config": {"persist": true}})"));
  EXPECT_EQ(front_config(example())["admin"], json::parse(R"({"listen": "unix//run/slipway-admin/front.sock",
                                                             "config": {"persist": true}})"));
}

TEST(CaddyConfig, BackListensOnlyOnUnixSocketsWithoutTls) {
  json config = back_config(example());
  EXPECT_EQ(config["admin"], admin_section(kAdminSocketName));
  const json& http = config["apps"]["http"];
  EXPECT_EQ(http["grace_period"], "30s");
  EXPECT_EQ(http["servers"]["https"]["listen"], json::array({"unix//tmp/slipway-edge/https.sock"}));
  EXPECT_EQ(http["servers"]["http"]["listen"], json::array({"unix//tmp/slipway-edge/http.sock"}));
  for (const auto& [name, srv] : http["servers"].items()) {
    EXPECT_EQ(srv["automatic_https"]["disable"], true) << name;
    EXPECT_EQ(srv["protocols"], json::array({"h1"})) << name;
  }
  // Certificates are the front's business.
  EXPECT_FALSE(config["apps"].contains("tls"));
  EXPECT_FALSE(config["apps"].contains("pki"));
}

TEST(CaddyConfig, HttpsRoutesInMatchOrderWithStableIds) {
  json config = back_config(example());
  const json& https = config["apps"]["http"]["servers"]["https"];
  std::vector<std::string> ids;
  for (const auto& r : https["routes"]) ids.push_back(r.value("@id", "(catch-all)"));
  EXPECT_EQ(ids, (std::vector<std::string>{"route:[::1]:app:", "route:example.org:api", "route:guestbook.example.org",
                                           "route:localhost", "(catch-all)"}));
  // The last route answers 404 to what no route matches (instead of Caddy's empty 200).
  EXPECT_EQ(https["routes"].back()["handle"][0]["status_code"], 404);
}

TEST(CaddyConfig, MatchersCoverHostAndPathPrefix) {
  json config = back_config(example());
  json api = find_route(config, "https", "route:example.org:api");
  EXPECT_EQ(api["match"], json::parse(R"([{"host": ["example.org"], "path": ["/api", "/api/*"]}])"));
  EXPECT_EQ(api["terminal"], true);
  json v6 = find_route(config, "https", "route:[::1]:app:");
  EXPECT_EQ(v6["match"], json::parse(R"([{"host": ["::1"], "path": ["/app/*"]}])"));
  json site = find_route(config, "https", "route:guestbook.example.org");
  EXPECT_EQ(site["match"], json::parse(R"([{"host": ["guestbook.example.org"]}])"));
}

TEST(CaddyConfig, HandlerZeroIsTheReverseProxyToTheService) {
  json config = back_config(example());
  json api = find_route(config, "https", "route:example.org:api");
  ASSERT_EQ(api["handle"].size(), 1u);
  const json& proxy = api["handle"][0];
  EXPECT_EQ(proxy["handler"], "reverse_proxy");
  EXPECT_EQ(proxy["upstreams"], json::parse(R"([{"dial": "api:9000"}])"));
  EXPECT_EQ(proxy["load_balancing"]["selection_policy"]["policy"], "round_robin");
  EXPECT_EQ(proxy["load_balancing"]["try_duration"], "5s");
  // What the front set about the client reaches the service (Caddy would drop it, as the
  // request came over a unix socket).
  EXPECT_EQ(proxy["headers"]["request"]["set"]["X-Forwarded-For"],
            json::array({"{http.request.header.X-Forwarded-For}"}));
  EXPECT_EQ(proxy["headers"]["request"]["set"]["X-Forwarded-Proto"],
            json::array({"{http.request.header.X-Forwarded-Proto}"}));
}

TEST(CaddyConfig, PlainHttpRoutesGetTheirOwnServer) {
  json config = back_config(example());
  const json& plain = config["apps"]["http"]["servers"]["http"];
  ASSERT_EQ(plain["routes"].size(), 2u);
  EXPECT_EQ(plain["routes"][0]["@id"], "route:intranet.lan");
  EXPECT_EQ(plain["routes"][0]["match"], json::parse(R"([{"host": ["intranet.lan"]}])"));
}

TEST(CaddyConfig, FrontHoldsThePortsAndForwardsEachServersHostsToTheBack) {
  json config = front_config(example());
  EXPECT_EQ(config["admin"], admin_section(kFrontAdminSocketName));
  const json& http = config["apps"]["http"];
  EXPECT_EQ(http["http_port"], 8080);
  EXPECT_FALSE(http.contains("https_port"));  // the redirect to HTTPS must name the public port
  EXPECT_EQ(http["grace_period"], "30s");
  const json& https = http["servers"]["https"];
  EXPECT_EQ(https["listen"], json::array({":8443"}));
  EXPECT_EQ(https["protocols"], json::parse(R"(["h1", "h2"])"));
  ASSERT_EQ(https["routes"].size(), 2u);
  // Hosts only (automatic HTTPS certifies them), sorted; paths are the back's business.
  EXPECT_EQ(https["routes"][0]["match"],
            json::parse(R"([{"host": ["::1", "example.org", "guestbook.example.org", "localhost"]}])"));
  const json& proxy = https["routes"][0]["handle"][0];
  EXPECT_EQ(proxy["upstreams"], json::parse(R"([{"dial": "unix//tmp/slipway-edge/https.sock"}])"));
  // A new connection to the back for every request: no idle one for a reload to close.
  EXPECT_EQ(proxy["transport"]["keep_alive"]["enabled"], false);
  EXPECT_EQ(https["routes"][1]["handle"][0]["status_code"], 404);
  const json& plain = http["servers"]["http"];
  EXPECT_EQ(plain["listen"], json::array({":8080"}));
  EXPECT_EQ(plain["routes"][0]["match"], json::parse(R"([{"host": ["intranet.lan"]}])"));
  EXPECT_EQ(plain["routes"][0]["handle"][0]["upstreams"],
            json::parse(R"([{"dial": "unix//tmp/slipway-edge/http.sock"}])"));
}

TEST(CaddyConfig, FrontDoesNotChangeWhenOnlyPathsOrUpstreamsDo) {
  Routing more = example();
  Route extra = more.routes.front();
  extra.path = "/more";
  extra.id = "route:extra";
  more.routes.push_back(extra);
  EXPECT_EQ(front_config(more), front_config(example()));
}

TEST(CaddyConfig, CertificatesFromTheInternalCaOrAcmeWithTheEmail) {
  json config = front_config(example());
  EXPECT_EQ(config["apps"]["tls"]["automation"]["policies"], json::parse(R"([
    {"subjects": ["::1", "localhost"], "issuers": [{"module": "internal"}]},
    {"subjects": ["example.org", "guestbook.example.org"],
     "issuers": [{"module": "acme", "email": "ops@example.org"}, {"module": "zerossl", "email": "ops@example.org"}]}
  ])"));
  EXPECT_EQ(config["apps"]["pki"]["certificate_authorities"]["local"]["install_trust"], false);
}

TEST(CaddyConfig, WithoutAnEmailPublicNamesUseCaddysDefaultIssuers) {
  Routing r = example();
  r.settings.email.clear();
  json policies = front_config(r)["apps"]["tls"]["automation"]["policies"];
  ASSERT_EQ(policies.size(), 1u);
  EXPECT_EQ(policies[0]["issuers"], json::parse(R"([{"module": "internal"}])"));
}

TEST(CaddyConfig, NoRoutesServesNothing) {
  Routing none;
  EXPECT_EQ(back_config(none), json({{"admin", admin_section(kAdminSocketName)}}));
  EXPECT_EQ(front_config(none), json({{"admin", admin_section(kFrontAdminSocketName)}}));
}

TEST(CaddyConfig, UpstreamsOverrideTheServiceName) {
  UpstreamMap up = {{"route:localhost", {"demo-web-g2-1:8000", "demo-web-g2-2:8000"}}};
  json config = back_config(example(), up);
  json local = find_route(config, "https", "route:localhost");
  EXPECT_EQ(local["handle"][0]["upstreams"],
            json::parse(R"([{"dial": "demo-web-g2-1:8000"}, {"dial": "demo-web-g2-2:8000"}])"));
  // Deterministic: the same input, the same document.
  EXPECT_EQ(config.dump(), back_config(example(), up).dump());
}

TEST(CaddyConfig, RouteHandlersKeepThePreviousUpstreamsBehindTheProxy) {
  json handle = route_handlers({"b:80"}, {"a:80"});
  ASSERT_EQ(handle.size(), 2u);
  EXPECT_EQ(handle[0], reverse_proxy({"b:80"}));
  EXPECT_EQ(handle[1], json::parse(R"({"handler": "reverse_proxy", "upstreams": [{"dial": "a:80"}]})"));
  EXPECT_EQ(route_handlers({"b:80"}).size(), 1u);
}

TEST(CaddyConfig, LiveUpstreamsReadsHandlerZeroOfEveryRoute) {
  UpstreamMap up = {{"route:localhost", {"g2:8000"}}};
  json config = back_config(example(), up);
  config["apps"]["http"]["servers"]["https"]["routes"][3]["handle"] = route_handlers({"g3:8000"}, {"g2:8000"});
  UpstreamMap live = live_upstreams(config);
  EXPECT_EQ(live.size(), 5u);
  EXPECT_EQ(live["route:localhost"], std::vector<std::string>{"g3:8000"});
  EXPECT_EQ(live["route:example.org:api"], std::vector<std::string>{"api:9000"});
  EXPECT_TRUE(live_upstreams(json::object()).empty());
  EXPECT_TRUE(live_upstreams(json::parse(R"({"apps": {"http": {"servers": {"x": {"routes": 3}}}}})")).empty());
}

TEST(CaddyConfig, PreviousUpstreamsBecomeTheHolderOnlyWhenTheyDiffer) {
  json config = back_config(example(), {{"route:localhost", {"g3:8000"}}},
                             {{"route:localhost", {"g2:8000"}}, {"route:example.org:api", {"api:9000"}}});
  EXPECT_EQ(find_route(config, "https", "route:localhost")["handle"], route_handlers({"g3:8000"}, {"g2:8000"}));
  // The api route serves what it would hold: no holder.
  EXPECT_EQ(find_route(config, "https", "route:example.org:api")["handle"].size(), 1u);
  UpstreamMap held = held_upstreams(config);
  EXPECT_EQ(held.size(), 1u);
  EXPECT_EQ(held["route:localhost"], std::vector<std::string>{"g2:8000"});
}

}  // namespace
}  // namespace slipway::edge

#include "edge/routes.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "compose/loader.h"

namespace slipway::edge {
namespace {

ojson model_with(const ojson& x_slipway) {
  ojson m = ojson::parse(R"({
    "name": "demo",
    "services": {
      "web": {"image": "web", "networks": {"default": null}},
      "api": {"image": "api", "networks": {"default": null}},
      "host-net": {"image": "x", "network_mode": "host"}
    }
  })");
  m["x-slipway"] = x_slipway;
  return m;
}

Routing parse(const ojson& x_slipway) { return parse_routing(model_with(x_slipway), fixed_locator({"compose.yaml"})); }

std::string error_of(const ojson& x_slipway) {
  try {
    parse(x_slipway);
  } catch (const UserError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Routes, ParsesTheDocumentedForms) {
  Routing r = parse(ojson::parse(R"({"routes": {
    "guestbook.example.org": "web:8000",
    "example.org/api": "api:9000",
    "localhost": "web:8000",
    "http://intranet.lan": "web:8000",
    "nas.lan": {"to": "web:8000", "tls": "internal"}
  }})"));
  ASSERT_EQ(r.routes.size(), 5u);
  // Match order: the path prefix first, then by host.
  EXPECT_EQ(r.routes[0].key, "example.org/api");
  EXPECT_EQ(r.routes[0].host, "example.org");
  EXPECT_EQ(r.routes[0].path, "/api");
  EXPECT_EQ(r.routes[0].service, "api");
  EXPECT_EQ(r.routes[0].port, 9000);
  EXPECT_EQ(r.routes[0].tls, Tls::acme);
  EXPECT_EQ(r.routes[0].id, "route:example.org:api");
  EXPECT_EQ(r.routes[0].upstream(), "api:9000");
  EXPECT_EQ(r.routes[1].host, "guestbook.example.org");
  EXPECT_EQ(r.routes[1].tls, Tls::acme);
  EXPECT_EQ(r.routes[2].host, "intranet.lan");
  EXPECT_EQ(r.routes[2].tls, Tls::none);
  EXPECT_EQ(r.routes[3].host, "localhost");
  EXPECT_EQ(r.routes[3].tls, Tls::internal);
  EXPECT_EQ(r.routes[4].host, "nas.lan");
  EXPECT_EQ(r.routes[4].tls, Tls::internal);
  EXPECT_EQ(r.settings, EdgeSettings{});
  EXPECT_EQ(r.settings.http.port, 80);
  EXPECT_EQ(r.settings.https.port, 443);
}

TEST(Routes, NoRoutesIsEmpty) {
  EXPECT_TRUE(parse(nullptr).empty());
  EXPECT_TRUE(parse(ojson::object()).empty());
  EXPECT_TRUE(parse(ojson::parse(R"({"backup": {}})")).empty());
}

TEST(Routes, LocalNamesAndAddressesUseTheInternalCa) {
  for (const char* host : {"localhost", "app.localhost", "shop.test", "printer.local", "db.internal", "nas.home.arpa",
                           "127.0.0.1", "[::1]", "*.localhost"})
    EXPECT_EQ(default_tls(host), Tls::internal) << host;
  for (const char* host : {"example.org", "testing.org", "localhost.example.org", "local.example"})
    EXPECT_EQ(default_tls(host), Tls::acme) << host;
}

TEST(Routes, HostsAreLowerCasedAndPathsNormalized) {
  Routing r = parse(ojson::parse(R"({"routes": {"HTTPS://Example.ORG/": "web:8000", "[::1]/App/": "web:80"}})"));
  ASSERT_EQ(r.routes.size(), 2u);
  EXPECT_EQ(r.routes[0].host, "[::1]");
  EXPECT_EQ(r.routes[0].path, "/App/");
  EXPECT_EQ(r.routes[0].id, "route:[::1]:App:");
  EXPECT_EQ(r.routes[1].host, "example.org");
  EXPECT_EQ(r.routes[1].path, "");
  EXPECT_EQ(r.routes[1].id, "route:example.org");
}

TEST(Routes, MatchOrderPutsSpecificRoutesFirst) {
  Routing r = parse(ojson::parse(R"({"routes": {
    "*.app.test": "web:1", "a.test": "web:2", "a.test/x": "web:3", "a.test/x/y": "web:4", "b.test/x": "web:5"
  }})"));
  std::vector<std::string> keys;
  for (const auto& route : r.routes) keys.push_back(route.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a.test/x/y", "a.test/x", "b.test/x", "a.test", "*.app.test"}));
}

TEST(Routes, SettingsTakePortsAndAddresses) {
  Routing r = parse(
      ojson::parse(R"({"edge": {"http": 8080, "https": "127.0.0.1:8443", "email": "ops@example.org"}, "routes": {}})"));
  EXPECT_EQ(r.settings.http, (PublicPort{"", 8080}));
  EXPECT_EQ(r.settings.https, (PublicPort{"127.0.0.1", 8443}));
  EXPECT_EQ(r.settings.email, "ops@example.org");
  r = parse(ojson::parse(R"({"edge": {"https": "[::1]:4443"}})"));
  EXPECT_EQ(r.settings.https, (PublicPort{"::1", 4443}));
}

TEST(Routes, BadSettingsAreUserErrors) {
  EXPECT_EQ(error_of(ojson::parse(R"({"edge": {"http": 0}})")),
            "compose.yaml: x-slipway.edge.http: must be a port (1-65535) or IP:PORT");
  EXPECT_EQ(error_of(ojson::parse(R"({"edge": {"http": -1}})")),
            "compose.yaml: x-slipway.edge.http: must be a port (1-65535) or IP:PORT");
  EXPECT_EQ(error_of(ojson::parse(R"({"edge": {"https": "host:443"}})")),
            "compose.yaml: x-slipway.edge.https: 'host' is not an IP address (write PORT or IP:PORT, e.g. "
            "127.0.0.1:8080)");
  EXPECT_EQ(error_of(ojson::parse(R"({"edge": {"http": 8080, "https": 8080}})")),
            "compose.yaml: x-slipway.edge: http and https must be different ports");
  EXPECT_EQ(error_of(ojson::parse(R"({"edge": {"port": 1}})")),
            "compose.yaml: x-slipway.edge.port: unknown key (known: http, https, email)");
  EXPECT_EQ(error_of(ojson::parse(R"({"edge": {"email": "nobody"}})")),
            "compose.yaml: x-slipway.edge.email: must be an e-mail address (the ACME account's contact)");
  EXPECT_EQ(error_of(ojson::parse(R"({"edge": [80]})")),
            "compose.yaml: x-slipway.edge: must be a mapping (http, https, email)");
}

TEST(Routes, BadRoutesNameTheRoute) {
  auto err = [](const std::string& key, const ojson& value) {
    ojson routes = ojson::object();
    routes[key] = value;
    return error_of({{"routes", routes}});
  };
  EXPECT_EQ(err("example.org", "db:5432"),
            "compose.yaml: x-slipway.routes.example.org: no service named 'db' (services: web, api, host-net)");
  EXPECT_EQ(err("example.org", "web"),
            "compose.yaml: x-slipway.routes.example.org: 'web' must be SERVICE:PORT, the service and its container "
            "port (e.g. web:8000)");
  EXPECT_EQ(err("example.org", "web:0"), "compose.yaml: x-slipway.routes.example.org: '0' is not a port (1-65535)");
  EXPECT_EQ(err("example.org", "web:65536"),
            "compose.yaml: x-slipway.routes.example.org: '65536' is not a port (1-65535)");
  EXPECT_EQ(err("example.org", "web:http"),
            "compose.yaml: x-slipway.routes.example.org: 'http' is not a port (1-65535)");
  EXPECT_EQ(err("example.org", 8000),
            "compose.yaml: x-slipway.routes.example.org: must be SERVICE:PORT (e.g. web:8000)");
  EXPECT_NE(err("example.org", "host-net:80").find("uses network_mode \"host\""), std::string::npos);
  EXPECT_EQ(err("example.org:8443", "web:80"),
            "compose.yaml: x-slipway.routes.example.org:8443: a route names no port (the edge listens on "
            "x-slipway.edge.http and .https)");
  EXPECT_NE(err("exa_mple.org", "web:80").find("is not a host name or IP address"), std::string::npos);
  EXPECT_NE(err("-a.org", "web:80").find("is not a host name or IP address"), std::string::npos);
  EXPECT_NE(err("/api", "web:80").find("names no host"), std::string::npos);
  EXPECT_NE(err("ftp://a.org", "web:80").find("only http:// and https://"), std::string::npos);
  EXPECT_NE(err("a.org/a b", "web:80").find("the path prefix may hold"), std::string::npos);
  EXPECT_NE(err("a.org/a/../b", "web:80").find("'..' segment"), std::string::npos);
  EXPECT_NE(err("a.org.", "web:80").find("trailing dot"), std::string::npos);
  EXPECT_NE(err("bücher.de", "web:80").find("xn--"), std::string::npos);
  EXPECT_NE(err("*.example.org", "web:80").find("wildcard certificate needs a DNS challenge"), std::string::npos);
  EXPECT_EQ(err("localhost", ojson::parse(R"({"to": "web:80", "tls": "acme"})")),
            "compose.yaml: x-slipway.routes.localhost.tls: localhost cannot get a public certificate (it is local or "
            "an IP address); use tls: internal");
  EXPECT_NE(err("http://a.org", ojson::parse(R"({"to": "web:80", "tls": "internal"})")).find("has no certificate"),
            std::string::npos);
  EXPECT_EQ(err("a.org", ojson::parse(R"({"to": "web:80", "tls": "off"})")),
            "compose.yaml: x-slipway.routes.a.org.tls: must be acme or internal (write http://HOST for plain HTTP)");
  EXPECT_EQ(err("a.org", ojson::parse(R"({"to": "web:80", "via": 1})")),
            "compose.yaml: x-slipway.routes.a.org.via: unknown key (known: to, tls)");
  EXPECT_EQ(err("a.org", ojson::parse(R"({"tls": "internal"})")),
            "compose.yaml: x-slipway.routes.a.org.to: is missing (the SERVICE:PORT the route reaches)");
}

TEST(Routes, WildcardsWithTheInternalCaAreFine) {
  Routing r = parse(ojson::parse(R"({"routes": {"*.example.org": {"to": "web:80", "tls": "internal"}}})"));
  ASSERT_EQ(r.routes.size(), 1u);
  EXPECT_EQ(r.routes[0].tls, Tls::internal);
}

TEST(Routes, TheSameHostAndPathTwiceIsAnError) {
  std::string e = error_of(ojson::parse(R"({"routes": {"a.org": "web:80", "A.org/": "api:80"}})"));
  EXPECT_EQ(e, "compose.yaml: x-slipway.routes.A.org/: routes the same host and path as 'a.org' (keep one)");
  // http:// and https:// on the same host and path would be one route id too.
  e = error_of(ojson::parse(R"({"routes": {"a.test": "web:80", "http://a.test": "api:80"}})"));
  EXPECT_NE(e.find("routes the same host and path"), std::string::npos);
}

TEST(Routes, TheEdgeServiceNameIsReserved) {
  ojson m = model_with(ojson::parse(R"({"routes": {"a.org": "web:80"}})"));
  m["services"]["slipway-edge"] = {{"image", "x"}};
  try {
    parse_routing(m, fixed_locator({"compose.yaml"}));
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(),
                 "compose.yaml: services.slipway-edge: the name slipway-edge is reserved for the edge proxy (rename "
                 "the service)");
  }
}

TEST(Routes, RoutesOfService) {
  Routing r = parse(ojson::parse(R"({"routes": {"a.org": "web:80", "b.org": "api:80", "c.org/x": "web:81"}})"));
  auto web = routes_of_service(r.routes, "web");
  ASSERT_EQ(web.size(), 2u);
  EXPECT_EQ(web[0].key, "c.org/x");
  EXPECT_EQ(web[1].key, "a.org");
}

// Through the real loader: the error points at the line and column of the route's key.
TEST(Routes, ErrorsCarryTheComposeFileLocation) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("slipway-routes-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "compose.yaml") << "services:\n"
                                         "  web:\n"
                                         "    image: web\n"
                                         "x-slipway:\n"
                                         "  routes:\n"
                                         "    example.org: web:8000\n"
                                         "    example.org/api: api:9000\n";
  compose::LoadOptions o;
  o.files = {(dir / "compose.yaml").string()};
  o.environment = {};
  compose::Project p = compose::load(o);
  try {
    parse_routing(p);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "compose.yaml").string() +
                                         ":7:5: x-slipway.routes.example.org/api: no service named 'api' (services: "
                                         "web)");
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace slipway::edge

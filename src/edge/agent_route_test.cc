#include "edge/agent_route.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "edge/caddy_config.h"

namespace slipway::edge {
namespace {

namespace fs = std::filesystem;

// bcrypt of "right-horse-battery" (cost 10), as htpasswd -nB writes it, and the same hash as
// Caddy 2.6's `caddy hash-password` prints it (base64).
const std::string kHash = "$2y$10$IFk0.rqWk26JJMfAE1vTzeA.ar6YbPMPzRsHwRL10Ndm2.JqLtnbG";

std::string base64_of(const std::string& s) {
  static const char* d = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    unsigned v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8 | (unsigned char)s[i + 2];
    for (int sh : {18, 12, 6, 0}) out += d[(v >> sh) & 63];
  }
  EXPECT_EQ(i, s.size()) << "test helper handles whole groups only";
  return out;
}

class AgentRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("slipway-agent-route-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "secrets");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }

  ojson model(const ojson& x) {
    ojson m = ojson::parse(R"({"name": "demo", "services": {"web": {"image": "web", "networks": {"default": null}}}})");
    m["x-slipway"] = x;
    return m;
  }
  Routing parse(const ojson& x) { return parse_routing(model(x), fixed_locator({"compose.yaml", 3, 5}), dir_.string()); }
  std::string error_of(const ojson& x) {
    try {
      parse(x);
    } catch (const UserError& e) {
      return e.what();
    }
    return "no error";
  }
  fs::path dir_;
};

TEST_F(AgentRouteTest, ParsesRouteAndUsersFileRelativeToTheProject) {
  write("secrets/status-users", "# who may see the page\n\nowner:" + kHash + "\r\n");
  Routing r = parse(ojson::parse(R"({"agent": {"route": "Status.Example.org", "users-file": "./secrets/status-users"}})"));
  ASSERT_TRUE(r.agent);
  EXPECT_EQ(r.agent->host, "status.example.org");
  EXPECT_EQ(r.agent->tls, Tls::acme);
  EXPECT_EQ(r.agent->users_file, (dir_ / "secrets/status-users").string());
  ASSERT_EQ(r.agent->users.size(), 1u);
  EXPECT_EQ(r.agent->users[0], (BasicUser{"owner", kHash}));
  EXPECT_FALSE(r.empty()) << "an agent route alone needs an edge";
  EXPECT_TRUE(r.routes.empty());
}

TEST_F(AgentRouteTest, LocalAndPlainHostsAndTlsChoice) {
  write("users", "a:" + kHash + "\n");
  EXPECT_EQ(parse(ojson::parse(R"({"agent": {"route": "status.localhost", "users-file": "users"}})")).agent->tls,
            Tls::internal);
  EXPECT_EQ(parse(ojson::parse(R"({"agent": {"route": "http://status.lan", "users-file": "users"}})")).agent->tls,
            Tls::none);
  EXPECT_EQ(
      parse(ojson::parse(R"({"agent": {"route": "status.lan", "users-file": "users", "tls": "internal"}})")).agent->tls,
      Tls::internal);
  EXPECT_FALSE(parse(ojson::parse(R"({"routes": {"a.example.org": "web:80"}})")).agent);
}

TEST_F(AgentRouteTest, AcceptsTheBase64FormCaddyHashPasswordPrints) {
  // base64 needs the hash's 60 bytes: a whole number of 3-byte groups.
  auto users = parse_users("owner:" + base64_of(kHash) + "\n", "users");
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].hash, kHash);
}

TEST_F(AgentRouteTest, ErrorsNameTheKeyOrTheFileLine) {
  write("users", "a:" + kHash + "\n");
  EXPECT_EQ(error_of(ojson::parse(R"({"agent": "status.example.org"})")),
            "compose.yaml:3:5: x-slipway.agent: must be a mapping (route, users-file, tls)");
  EXPECT_EQ(error_of(ojson::parse(R"({"agent": {"route": "s.example.org", "users-file": "users", "user": "x"}})")),
            "compose.yaml:3:5: x-slipway.agent.user: unknown key (known: route, users-file, tls)");
  EXPECT_EQ(error_of(ojson::parse(R"({"agent": {"users-file": "users"}})")),
            "compose.yaml:3:5: x-slipway.agent.route: must be the host name the status page is served under (e.g. "
            "status.example.org)");
  EXPECT_NE(error_of(ojson::parse(R"({"agent": {"route": "s.example.org"}})"))
                .find("x-slipway.agent.users-file: must name a file of NAME:BCRYPT-HASH lines"),
            std::string::npos);
  EXPECT_EQ(error_of(ojson::parse(R"({"agent": {"route": "example.org/status", "users-file": "users"}})")),
            "compose.yaml:3:5: x-slipway.agent.route: names a path; the status page needs a host of its own (write "
            "the host only)");
  EXPECT_EQ(error_of(ojson::parse(R"({"agent": {"route": "*.example.org", "users-file": "users"}})")),
            "compose.yaml:3:5: x-slipway.agent.route: must be one host, not a wildcard");
  EXPECT_EQ(error_of(ojson::parse(R"({"agent": {"route": "localhost", "users-file": "users", "tls": "acme"}})")),
            "compose.yaml:3:5: x-slipway.agent.tls: localhost cannot get a public certificate (it is local or an IP "
            "address); use tls: internal");
  EXPECT_EQ(error_of(ojson::parse(R"({"agent": {"route": "s.example.org", "users-file": "missing"}})")),
            "compose.yaml:3:5: x-slipway.agent.users-file: cannot read " + (dir_ / "missing").string());
  EXPECT_EQ(error_of(ojson::parse(
                R"({"agent": {"route": "s.example.org", "users-file": "users"}, "routes": {"S.example.org": "web:80"}})")),
            "compose.yaml:3:5: x-slipway.routes.S.example.org: names s.example.org, the host of x-slipway.agent.route "
            "(the status page needs a host of its own)");
}

TEST_F(AgentRouteTest, UsersFileErrorsNeverEchoThePassword) {
  std::string how = " (write NAME:HASH, the hash from `htpasswd -nB NAME` or `caddy hash-password`)";
  try {
    parse_users("# ok\nowner:hunter2-plaintext\n", "/s/users");
    FAIL() << "a plaintext password was accepted";
  } catch (const UserError& e) {
    std::string what = e.what();
    EXPECT_EQ(what, "/s/users:2: the text after 'owner:' is not a bcrypt hash; store hashes, never passwords" + how);
    EXPECT_EQ(what.find("hunter2"), std::string::npos);
  }
  auto error = [](const std::string& text) {
    try {
      parse_users(text, "u");
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("hunter2\n"), "u:1: not a user line" + how);
  EXPECT_EQ(error("\n# nobody\n"), "u: names no user" + how);
  EXPECT_EQ(error("a:" + kHash + "\na:" + kHash + "\n"), "u:2: user 'a' is listed twice");
  EXPECT_EQ(error("a b:" + kHash + "\n"), "u:1: the user name holds a blank");
  EXPECT_FALSE(is_bcrypt_hash("$2y$03$" + kHash.substr(7)));  // cost below bcrypt's minimum
  EXPECT_FALSE(is_bcrypt_hash("$1$" + kHash.substr(3)));
  EXPECT_TRUE(is_bcrypt_hash("$2b$" + kHash.substr(4)));
}

TEST_F(AgentRouteTest, BackRoutesTheHostThroughBasicAuthToTheAgentSocket) {
  write("users", "owner:" + kHash + "\n");
  Routing r = parse(ojson::parse(
      R"({"agent": {"route": "status.example.org", "users-file": "users"}, "routes": {"app.example.org": "web:80"}})"));
  json back = back_config(r);
  const json& routes = back["apps"]["http"]["servers"]["https"]["routes"];
  ASSERT_EQ(routes.size(), 3u);  // the app, the agent, the 404
  const json& agent = routes[1];
  EXPECT_FALSE(agent.contains("@id")) << "a deploy's switch must not see it";
  EXPECT_EQ(agent["match"], json::parse(R"([{"host": ["status.example.org"]}])"));
  const json& auth = agent["handle"][0];
  EXPECT_EQ(auth["handler"], "authentication");
  const json& basic = auth["providers"]["http_basic"];
  EXPECT_EQ(basic["hash"]["algorithm"], "bcrypt");
  EXPECT_EQ(basic["accounts"][0]["username"], "owner");
  EXPECT_EQ(basic["accounts"][0]["password"], base64_of(kHash));
  const json& proxy = agent["handle"][1];
  EXPECT_EQ(proxy["handler"], "reverse_proxy");
  EXPECT_EQ(proxy["upstreams"][0]["dial"], "unix//run/slipway-admin/agent.sock");
  EXPECT_EQ(proxy["headers"]["request"]["delete"], json::array({"Authorization"}));
  EXPECT_TRUE(live_upstreams(back).count("route:app.example.org"));
  EXPECT_EQ(live_upstreams(back).size(), 1u);

  json front = front_config(r);
  EXPECT_EQ(front["apps"]["http"]["servers"]["https"]["routes"][0]["match"][0]["host"],
            json::parse(R"(["app.example.org", "status.example.org"])"));
  EXPECT_EQ(front["apps"]["tls"], nullptr) << "no email: Caddy's default ACME issuers, no policy";

  // Plain HTTP and the internal CA.
  Routing plain = parse(ojson::parse(R"({"agent": {"route": "http://status.lan", "users-file": "users"}})"));
  EXPECT_EQ(back_config(plain)["apps"]["http"]["servers"]["http"]["routes"][0]["match"][0]["host"][0], "status.lan");
  Routing local = parse(ojson::parse(R"({"agent": {"route": "status.localhost", "users-file": "users"}})"));
  EXPECT_EQ(front_config(local)["apps"]["tls"]["automation"]["policies"][0]["subjects"],
            json::array({"status.localhost"}));
}

}  // namespace
}  // namespace slipway::edge

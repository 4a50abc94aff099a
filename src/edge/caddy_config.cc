#include "edge/caddy_config.h"

#include <algorithm>
#include <set>

#include "edge/agent_route.h"

namespace slipway::edge {
namespace {

std::string base64(const std::string& in) {
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    for (int s : {18, 12, 6, 0}) out += digits[(v >> s) & 63];
  }
  if (size_t rest = in.size() - i; rest > 0) {
    unsigned v = (unsigned char)in[i] << 16 | (rest > 1 ? (unsigned char)in[i + 1] << 8 : 0);
    out += digits[(v >> 18) & 63];
    out += digits[(v >> 12) & 63];
    out += rest > 1 ? digits[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Caddy matches and certifies IPv6 hosts without the brackets a route key needs.
std::string bare_host(const std::string& host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

json route_match(const Route& r) {
  json m = {{"host", {bare_host(r.host)}}};
  if (!r.path.empty()) {
    // "/api" covers /api and /api/...; "/api/" only what is below it.
    if (r.path.back() == '/')
      m["path"] = {r.path + "*"};
    else
      m["path"] = {r.path, r.path + "/*"};
  }
  return json::array({m});
}

json route_json(const Route& r, const UpstreamMap& upstreams, const UpstreamMap& previous) {
  auto it = upstreams.find(r.id);
  std::vector<std::string> dials = it != upstreams.end() ? it->second : std::vector<std::string>{r.upstream()};
  auto held = previous.find(r.id);
  std::vector<std::string> before = held != previous.end() && held->second != dials ? held->second
                                                                                     : std::vector<std::string>{};
  return {{"@id", r.id}, {"match", route_match(r)}, {"handle", route_handlers(dials, before)}, {"terminal", true}};
}

// What a request for no route gets, instead of Caddy's empty 200.
json not_found_route() {
  return {
      {"handle", {{{"handler", "static_response"}, {"status_code", 404}, {"body", "no route for this address\n"}}}}};
}

// A server of the front: the public port.
json front_server(int port, json routes) {
  routes.push_back(not_found_route());
  // HTTP/3 would need the UDP port published too; h1 and h2 cover every client.
  return {{"listen", {":" + std::to_string(port)}}, {"routes", std::move(routes)}, {"protocols", {"h1", "h2"}}};
}

// A server of the back: a unix socket that only the front, inside the container, reaches. No
// TLS (the front terminated it) and no automatic HTTPS (the front redirects).
json back_server(const char* socket, json routes) {
  routes.push_back(not_found_route());
  return {{"listen", {std::string("unix/") + socket}},
          {"routes", std::move(routes)},
          {"protocols", {"h1"}},
          {"automatic_https", {{"disable", true}}}};
}

// The front's one route of a server: every request for one of `hosts` goes to the back, on a
// new connection each time. An idle keep-alive connection to the back is what a reload of the
// back would close under a request; without any, a reload meets only requests that are
// running (they finish) or connections still queued on the listening socket, which Caddy hands
// to the next config.
json forward_to_back(const std::vector<std::string>& hosts, const char* socket) {
  json proxy = {{"handler", "reverse_proxy"},
                {"upstreams", {{{"dial", std::string("unix/") + socket}}}},
                {"transport", {{"protocol", "http"}, {"keep_alive", {{"enabled", false}}}}},
                {"load_balancing", {{"try_duration", "5s"}, {"try_interval", "100ms"}}}};
  return {{"match", {{{"host", hosts}}}}, {"handle", {proxy}}, {"terminal", true}};
}

// The hosts the front serves and their certificates: every route's, and the agent's page.
std::vector<std::pair<std::string, Tls>> front_hosts(const Routing& routing) {
  std::vector<std::pair<std::string, Tls>> hosts;
  for (const auto& r : routing.routes) hosts.emplace_back(bare_host(r.host), r.tls);
  if (routing.agent) hosts.emplace_back(bare_host(routing.agent->host), routing.agent->tls);
  return hosts;
}

json tls_app(const Routing& routing) {
  json internal = json::array(), acme = json::array();
  for (const auto& [subject, tls] : front_hosts(routing)) {
    json& list = tls == Tls::internal ? internal : acme;
    if (tls != Tls::none && std::find(list.begin(), list.end(), subject) == list.end()) list.push_back(subject);
  }
  json policies = json::array();
  if (!internal.empty()) policies.push_back({{"subjects", internal}, {"issuers", {{{"module", "internal"}}}}});
  if (!acme.empty() && !routing.settings.email.empty())
    policies.push_back({{"subjects", acme},
                        {"issuers",
                         {{{"module", "acme"}, {"email", routing.settings.email}},
                          {{"module", "zerossl"}, {"email", routing.settings.email}}}}});
  if (policies.empty()) return nullptr;
  return {{"automation", {{"policies", policies}}}};
}

}  // namespace

json admin_section(const char* socket_name) {
  return {{"listen", std::string("unix/") + kAdminDirInContainer + "/" + socket_name},
          {"config", {{"persist", true}}}};
}

json reverse_proxy(const std::vector<std::string>& upstreams) {
  json list = json::array();
  for (const auto& u : upstreams) list.push_back({{"dial", u}});
  return {{"handler", "reverse_proxy"},
          {"upstreams", list},
          {"load_balancing",
           {{"selection_policy", {{"policy", "round_robin"}}}, {"try_duration", "5s"}, {"try_interval", "250ms"}}},
          {"headers",
           {{"request",
             {{"set",
               {{"X-Forwarded-For", {"{http.request.header.X-Forwarded-For}"}},
                {"X-Forwarded-Proto", {"{http.request.header.X-Forwarded-Proto}"}},
                {"X-Forwarded-Host", {"{http.request.header.X-Forwarded-Host}"}}}}}}}}};
}

json route_handlers(const std::vector<std::string>& upstreams, const std::vector<std::string>& previous) {
  json handle = json::array({reverse_proxy(upstreams)});
  if (!previous.empty()) {
    json list = json::array();
    for (const auto& u : previous) list.push_back({{"dial", u}});
    handle.push_back({{"handler", "reverse_proxy"}, {"upstreams", list}});
  }
  return handle;
}

json agent_route(const AgentRoute& agent) {
  json accounts = json::array();
  // Caddy 2.6 takes each bcrypt hash base64-encoded (later versions accept both forms).
  for (const auto& u : agent.users) accounts.push_back({{"username", u.name}, {"password", base64(u.hash)}});
  json auth = {{"handler", "authentication"},
               {"providers",
                {{"http_basic",
                  {{"accounts", accounts}, {"hash", {{"algorithm", "bcrypt"}}}, {"realm", "slipway status"}}}}}};
  // The credentials stop here: the agent never sees them (and its API, which wants a bearer
  // token in the same header, answers 401 through the edge).
  json proxy = {{"handler", "reverse_proxy"},
                {"upstreams", {{{"dial", std::string("unix/") + kAdminDirInContainer + "/" + kAgentSocketName}}}},
                {"headers", {{"request", {{"delete", {"Authorization"}}}}}}};
  return {{"match", {{{"host", {bare_host(agent.host)}}}}}, {"handle", {auth, proxy}}, {"terminal", true}};
}

json back_config(const Routing& routing, const UpstreamMap& upstreams, const UpstreamMap& previous) {
  json config = {{"admin", admin_section(kAdminSocketName)}};
  json tls_routes = json::array(), plain_routes = json::array();
  for (const auto& r : routing.routes)
    (r.tls == Tls::none ? plain_routes : tls_routes).push_back(route_json(r, upstreams, previous));
  if (routing.agent) (routing.agent->tls == Tls::none ? plain_routes : tls_routes).push_back(agent_route(*routing.agent));
  json servers = json::object();
  if (!tls_routes.empty()) servers["https"] = back_server(kBackHttpsSocket, std::move(tls_routes));
  if (!plain_routes.empty()) servers["http"] = back_server(kBackHttpSocket, std::move(plain_routes));
  if (!servers.empty()) config["apps"] = {{"http", {{"grace_period", kGracePeriod}, {"servers", servers}}}};
  return config;
}

json front_config(const Routing& routing) {
  json config = {{"admin", admin_section(kFrontAdminSocketName)}};
  std::set<std::string> tls_hosts, plain_hosts;
  for (const auto& [host, tls] : front_hosts(routing)) (tls == Tls::none ? plain_hosts : tls_hosts).insert(host);
  json servers = json::object();
  auto forward = [](const std::set<std::string>& hosts, const char* socket) {
    return json::array({forward_to_back({hosts.begin(), hosts.end()}, socket)});
  };
  if (!tls_hosts.empty())
    servers["https"] = front_server(routing.settings.https.port, forward(tls_hosts, kBackHttpsSocket));
  if (!plain_hosts.empty())
    servers["http"] = front_server(routing.settings.http.port, forward(plain_hosts, kBackHttpSocket));
  json apps = json::object();
  if (!servers.empty())
    // No https_port: Caddy takes it as an internal port and leaves it out of its HTTP->HTTPS
    // redirects; the edge listens on the public port itself, so the redirect must name it
    // (as it does for any port but 443 and http_port).
    apps["http"] = {{"http_port", routing.settings.http.port}, {"grace_period", kGracePeriod}, {"servers", servers}};
  if (json tls = tls_app(routing); !tls.is_null()) apps["tls"] = tls;
  // The internal CA's root stays inside the edge: trying to install it into the container's
  // trust store would only fail and log warnings.
  if (apps.contains("http")) apps["pki"] = {{"certificate_authorities", {{"local", {{"install_trust", false}}}}}};
  if (!apps.empty()) config["apps"] = apps;
  return config;
}

std::vector<std::string> dial_addresses(const json& upstreams) {
  std::vector<std::string> out;
  if (!upstreams.is_array()) return out;
  for (const auto& u : upstreams)
    if (u.is_object() && u.contains("dial") && u["dial"].is_string()) out.push_back(u["dial"]);
  return out;
}

namespace {

// The dial addresses of handler `index` of every route with an @id, by id.
UpstreamMap handler_upstreams(const json& config, size_t index) {
  UpstreamMap out;
  const json* servers = nullptr;
  if (config.is_object() && config.contains("apps") && config["apps"].contains("http") &&
      config["apps"]["http"].contains("servers"))
    servers = &config["apps"]["http"]["servers"];
  if (!servers || !servers->is_object()) return out;
  for (const auto& [name, srv] : servers->items()) {
    if (!srv.is_object() || !srv.contains("routes") || !srv["routes"].is_array()) continue;
    for (const auto& route : srv["routes"]) {
      if (!route.is_object() || !route.contains("@id") || !route["@id"].is_string()) continue;
      const json& handle = route.value("handle", json::array());
      if (handle.is_array() && handle.size() > index && handle[index].is_object())
        out[route["@id"]] = dial_addresses(handle[index].value("upstreams", json::array()));
    }
  }
  return out;
}

}  // namespace

UpstreamMap live_upstreams(const json& config) { return handler_upstreams(config, 0); }

UpstreamMap held_upstreams(const json& config) { return handler_upstreams(config, 1); }

}  // namespace slipway::edge

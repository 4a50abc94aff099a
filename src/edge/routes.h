// The edge's settings and routes, from the Compose file's top-level `x-slipway` (pure: no
// engine; the Compose files are read again only to locate an error).
//
//   x-slipway:
//     edge:
//       http: 80                       # public HTTP port, or "IP:PORT" to listen on one address
//       https: 443                     # public HTTPS port, likewise
//       email: ops@example.org         # ACME account e-mail (optional)
//     routes:
//       guestbook.example.org: web:8000           # HTTPS, certificate from Let's Encrypt (ACME)
//       example.org/api: api:9000                 # host + path prefix (/api and /api/...)
//       localhost: web:8000                       # HTTPS, certificate from the edge's own CA
//       http://intranet.lan: web:8000             # plain HTTP, no certificate
//       nas.lan: {to: web:8000, tls: internal}    # the edge's own CA for a non-public name
//
// A route is [http://|https://]HOST[/PATH] -> SERVICE:PORT. HOST is a DNS name (optionally
// "*." + name), an IPv4 address or a [bracketed] IPv6 address. The certificate comes from ACME
// for public names and from the edge's internal CA for localhost, *.localhost, *.test, *.local,
// *.internal, *.home.arpa and IP addresses, unless `tls:` says otherwise; "http://" serves
// plain HTTP. SERVICE must be a service of the stack on its Compose networks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/loader.h"
#include "edge/locate.h"
#include "util/error.h"

namespace slipway::edge {

using ojson = nlohmann::ordered_json;

// The Compose service name the edge's container carries; no stack service may use it.
inline constexpr const char* kEdgeService = "slipway-edge";

enum class Tls {
  acme,      // a public certificate (Let's Encrypt, ZeroSSL) obtained by the edge
  internal,  // a certificate from the edge's own CA (Caddy's "tls internal")
  none,      // plain HTTP
};
const char* tls_name(Tls tls);

// A port the edge publishes on the host; inside its container it listens on the same number,
// so redirects and ACME challenges name the port clients use.
struct PublicPort {
  std::string host_ip;  // "" = every address
  int port = 0;
  bool operator==(const PublicPort&) const = default;
};

struct EdgeSettings {
  PublicPort http{"", 80};
  PublicPort https{"", 443};
  std::string email;  // ACME account; "" = the CA's anonymous default
  bool operator==(const EdgeSettings&) const = default;
};

struct Route {
  std::string key;      // as written under x-slipway.routes
  std::string host;     // lower-case; "*.example.org", "127.0.0.1" or "[::1]"
  std::string path;     // "" (the whole host) or a prefix starting with "/"
  std::string service;  // the stack service it reaches
  int port = 0;         // the service's container port
  Tls tls = Tls::acme;
  std::string id;  // the route's stable @id in the edge's config (route_id(host, path))
  Location where;  // the key in the Compose file

  // "service:port": where the route points while no generation overrides it.
  std::string upstream() const { return service + ":" + std::to_string(port); }
};

// x-slipway.agent.route: the agent's status page through the edge, behind HTTP basic
// authentication (edge/agent_route.h parses it; the agent serves it on a unix socket in the
// edge's admin directory, agent/edge_socket.h).
struct BasicUser {
  std::string name;
  std::string hash;  // bcrypt ("$2a$", "$2b$" or "$2y$"), never a plaintext password
  bool operator==(const BasicUser&) const = default;
};

struct AgentRoute {
  std::string host;        // lower-case, as for a Route (no path: the page needs a whole host)
  Tls tls = Tls::acme;
  std::string users_file;  // absolute
  std::vector<BasicUser> users;
  Location where;          // x-slipway.agent.route in the Compose file
};

struct Routing {
  EdgeSettings settings;
  std::vector<Route> routes;  // in match order (see match_order)
  std::optional<AgentRoute> agent;
  bool empty() const { return routes.empty() && !agent; }
};

// x-slipway.edge and x-slipway.routes of the canonical model. Throws UserError at the
// offending key (via `locate`) for a malformed route, an unknown service, a bad port, a service
// reachable by no Compose network (network_mode), two routes for the same host and path, a
// certificate that cannot be had (ACME for a wildcard, an IP or a local name), or a stack
// service named slipway-edge. No routes: an empty Routing with the settings.
// x-slipway.agent (edge/agent_route.h) reads its users file, relative to `base_dir` (default:
// the current directory), and fails on a host that a route also names.
Routing parse_routing(const ojson& model, const Locator& locate, const std::string& base_dir = "");
// The same, locating errors in the project's Compose files.
Routing parse_routing(const compose::Project& project);

// The @id of the route for host + path: "route:" + host + path with every "/" written ":",
// e.g. "route:example.org:api". Caddy addresses objects as /id/<id>/..., so an id holds no "/".
std::string route_id(const std::string& host, const std::string& path);

// The certificate a host gets when the route does not say: internal for local names and IP
// addresses, acme otherwise.
Tls default_tls(const std::string& host);

// Reads a route key "[http://|https://]HOST[/PATH]" into host, path and tls (the default for
// the host); fails through `at` on anything malformed.
void parse_route_key(const std::string& key, Route& r, const Reporter& at);

// Sorts routes so that the first match is the most specific: exact hosts before wildcards,
// longer path prefixes before shorter ones, then by host and path (a stable order).
void match_order(std::vector<Route>& routes);

// The routes that point at `service`, in match order.
std::vector<Route> routes_of_service(const std::vector<Route>& routes, const std::string& service);

}  // namespace slipway::edge

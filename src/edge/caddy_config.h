// The edge's configuration as Caddy's JSON (pure). slipway never edits a Caddyfile: the edge
// is configured only through its admin API, with documents made here.
//
// The edge runs two Caddy processes (docs/edge.md, "Two Caddy processes"), each with its own
// config and admin socket:
//
//   FRONT (front_config): owns the public ports and TLS. Its config names the hosts, the ports
//     and the certificate policies, never a path or an upstream, so a deploy's switch never
//     changes it. Every request for a known host goes, on a new connection each time (no
//     keep-alive), over a unix socket inside the container to the back; Caddy's automatic HTTPS
//     gets the certificates and redirects HTTP requests of HTTPS hosts to HTTPS.
//   BACK (back_config): the routes. It listens only on two unix sockets inside the container
//     (one for what the front received over HTTPS, one for plain HTTP) and is the only process a
//     switch reloads. Caddy hands a unix listening socket over from one config to the next, and
//     the front keeps no idle connection to it, so a reload of the back meets no client
//     connection that it could close under a request.
//
// Layout of the back's config:
//   admin: listens on a unix socket in a host directory only root can reach (edge/edge.h);
//          every change is autosaved, so `caddy run --resume` brings the last config back.
//   apps.http.servers.https: routes of HTTPS hosts, on kBackHttpsSocket.
//   apps.http.servers.http:  plain-HTTP routes (http://...), on kBackHttpSocket.
// Each route is {"@id": route.id, "match": [...], "handle": [reverse_proxy, previous?]}:
// handle[0] is the reverse proxy that serves; handle[1], when present, holds the upstreams the
// route pointed at before the last switch. It is never reached (a reverse proxy ends the chain)
// but keeps those upstreams in Caddy's upstream pool, so their in-flight requests stay visible
// in GET /reverse_proxy/upstreams while they drain (Caddy drops an address from the pool as
// soon as no loaded handler names it, even while old requests to it are still running).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "edge/routes.h"

namespace slipway::edge {

using json = nlohmann::json;

// Where the admin sockets are inside the edge container (the bind-mounted host directory):
// the back's (routes, upstreams, drain counters: what slipway talks to most) and the front's.
inline constexpr const char* kAdminDirInContainer = "/run/slipway-admin";
inline constexpr const char* kAdminSocketName = "admin.sock";
inline constexpr const char* kFrontAdminSocketName = "front.sock";
// Where the back serves the front, inside the container only (a tmpfs, emptied at each start).
inline constexpr const char* kBackSocketDir = "/tmp/slipway-edge";
inline constexpr const char* kBackHttpsSocket = "/tmp/slipway-edge/https.sock";
inline constexpr const char* kBackHttpSocket = "/tmp/slipway-edge/http.sock";
// How long old connections may finish after a config change or at shutdown.
inline constexpr const char* kGracePeriod = "30s";

// Upstream dial addresses ("host:port") by route id.
using UpstreamMap = std::map<std::string, std::vector<std::string>>;

// The "admin" section: the unix socket `socket_name` in kAdminDirInContainer, autosave on.
json admin_section(const char* socket_name = kAdminSocketName);

// The reverse_proxy handler that serves a route: round robin over `upstreams`, retrying a
// failed connection to another upstream for a few seconds (so a container that is just going
// away costs no request). It passes on the X-Forwarded-* headers the front set: Caddy drops
// them for a request that came over a unix socket (no client address to trust).
json reverse_proxy(const std::vector<std::string>& upstreams);

// A route's handle list: the serving proxy, then (when `previous` is not empty) the holder of
// the previous upstreams (see above).
json route_handlers(const std::vector<std::string>& upstreams, const std::vector<std::string>& previous = {});

// The back's route for the agent's status page (x-slipway.agent): HTTP basic authentication
// against the users' bcrypt hashes, then the agent's socket in the admin directory, with the
// Authorization header removed. No @id: a deploy's switch never touches it.
json agent_route(const AgentRoute& agent);

// The back's complete config for `routing`. Each route's upstreams come from `upstreams[route.id]`
// when present, else route.upstream() (the service name, which Docker's DNS resolves on the
// stack network); `previous[route.id]`, when present and different, becomes the route's holder
// (handle[1], see above). Deterministic: the same input gives the same bytes.
json back_config(const Routing& routing, const UpstreamMap& upstreams = {}, const UpstreamMap& previous = {});

// The front's complete config for `routing`: its hosts (per public port), the ports, the TLS
// policies; the same for any upstreams, so a switch never changes it.
json front_config(const Routing& routing);

// The serving upstreams of every route with an @id in a running config (handle[0]), by id.
UpstreamMap live_upstreams(const json& config);

// The held upstreams (handle[1]) of every route that has a holder, by id.
UpstreamMap held_upstreams(const json& config);

// The dial addresses of a reverse_proxy handler's "upstreams" array.
std::vector<std::string> dial_addresses(const json& upstreams);

}  // namespace slipway::edge

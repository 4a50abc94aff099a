// The edge's whole configuration as Caddy's JSON (pure). slipway never edits a Caddyfile: the
// edge is configured only through its admin API, with documents made here.
//
// Layout of the generated config:
//   admin: listens on a unix socket in a host directory only root can reach (edge/edge.h);
//          every change is autosaved, so `caddy run --resume` brings the last config back.
//   apps.http.servers.https: HTTPS routes on the public HTTPS port; Caddy's automatic HTTPS
//          gets their certificates and redirects their HTTP requests to HTTPS.
//   apps.http.servers.http:  plain-HTTP routes (http://...) on the public HTTP port.
//   apps.tls.automation:     internal CA for local names, ACME (with the e-mail) for the rest.
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

// Where Caddy's admin socket is inside the edge container (the bind-mounted host directory).
inline constexpr const char* kAdminDirInContainer = "/run/slipway-admin";
inline constexpr const char* kAdminSocketName = "admin.sock";
// How long old connections may finish after a config change or at shutdown.
inline constexpr const char* kGracePeriod = "30s";

// Upstream dial addresses ("host:port") by route id.
using UpstreamMap = std::map<std::string, std::vector<std::string>>;

// The "admin" section: the unix socket, autosave on.
json admin_section();

// The reverse_proxy handler that serves a route: round robin over `upstreams`, retrying a
// failed connection to another upstream for a few seconds (so a container that is just going
// away costs no request).
json reverse_proxy(const std::vector<std::string>& upstreams);

// A route's handle list: the serving proxy, then (when `previous` is not empty) the holder of
// the previous upstreams (see above).
json route_handlers(const std::vector<std::string>& upstreams, const std::vector<std::string>& previous = {});

// The complete config for `routing`. Each route's upstreams come from `upstreams[route.id]`
// when present, else route.upstream() (the service name, which Docker's DNS resolves on the
// stack network); `previous[route.id]`, when present and different, becomes the route's holder
// (handle[1], see above). Deterministic: the same input gives the same bytes.
json caddy_config(const Routing& routing, const UpstreamMap& upstreams = {}, const UpstreamMap& previous = {});

// The serving upstreams of every route with an @id in a running config (handle[0]), by id.
UpstreamMap live_upstreams(const json& config);

// The held upstreams (handle[1]) of every route that has a holder, by id.
UpstreamMap held_upstreams(const json& config);

// The dial addresses of a reverse_proxy handler's "upstreams" array.
std::vector<std::string> dial_addresses(const json& upstreams);

}  // namespace slipway::edge

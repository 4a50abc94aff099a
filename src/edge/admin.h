// edge::Admin — the edge's admin API as the deploy engine uses it: load the routes, point a
// route at new containers in one change, watch old upstreams drain, read the config back.
//
// The edge runs two Caddy processes (caddy_config.h): the back holds the routes and is what
// every call but apply_routes talks to; apply_routes also keeps the front's config (hosts,
// ports, TLS) in step, changing it only when that part changed. Talks to both over their admin
// unix sockets (edge/admin_http.h), never over the network; see edge/edge.h for where the
// sockets live and docs/edge.md for why.
//
// Errors: EnvError when the socket does not answer; AdminError (an EnvError) when Caddy
// refuses a request, carrying its status and its own message.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "edge/admin_http.h"
#include "edge/caddy_config.h"
#include "edge/routes.h"
#include "util/error.h"

namespace slipway::edge {

class AdminError : public EnvError {
 public:
  AdminError(long status, std::string caddy_message, const std::string& context);
  long status() const { return status_; }
  const std::string& caddy_message() const { return caddy_message_; }

 private:
  long status_;
  std::string caddy_message_;
};

// One entry of GET /reverse_proxy/upstreams.
struct UpstreamStatus {
  std::string address;  // the dial address, "host:port"
  int in_flight = 0;    // requests being proxied to it now
  int fails = 0;        // recent failures (passive health)
};

class Admin {
 public:
  // `socket_path`: the back's admin socket on the host (EdgeInstance::socket_path);
  // `front_socket_path`: the front's (EdgeInstance::front_socket_path). Without the front's,
  // everything but apply_routes works (it throws std::logic_error).
  explicit Admin(std::string socket_path, std::string front_socket_path = "");

  const std::string& socket_path() const { return http_.socket_path(); }

  // Polls GET /config/ of the back and of the front (when known) until both answer or
  // `timeout` passes (then EnvError naming the socket). `check_alive` runs between polls and
  // may throw to stop waiting early (e.g. when the edge container exited).
  void wait_ready(std::chrono::milliseconds timeout, const std::function<void()>& check_alive = {}) const;

  // GET /config/ of the back: the running routes (what the edge also resumes after a restart).
  json current_config() const;

  // GET /config/ of the front.
  json current_front_config() const;

  // POST /load to the back: replaces its whole config in one change. Caddy keeps the old
  // config when it refuses the new one (AdminError 400 with Caddy's reason).
  void load(const json& config) const;

  // Loads back_config(routing, ...) into the back in one change and returns it; then loads
  // front_config(routing) into the front when the front runs something else (its hosts, ports
  // or TLS policies changed; never for a mere switch of upstreams). A route's upstreams are, in
  // order of preference: `upstreams[route.id]`; with keep_live, what that route serves now
  // (so re-applying routes never undoes a switch); else route.upstream(). Routes no longer in
  // `routing` disappear. With keep_live, a route that `upstreams` moves gets what it served
  // until now as its holder (caddy_config.h), so its requests stay visible while they drain,
  // and the other routes keep their holders; this is how any number of routes switch in ONE
  // change. Nothing is loaded when the result equals the running config.
  //
  // Why changes are few: Caddy 2.6 reloads its whole config on every admin change. A reload of
  // a process that clients talk to replaces its listening sockets (SO_REUSEPORT on Linux) and
  // closes its idle keep-alive connections, racing with a client sending on one: under load
  // that failed about 2 requests per 100 reloads when the edge was one process
  // (docs/deploy.md). The back's reloads do not reach clients (caddy_config.h); the front's
  // still would, so it reloads only when the hosts, ports or TLS policies change.
  json apply_routes(const Routing& routing, const UpstreamMap& upstreams = {}, bool keep_live = true) const;

  // The upstreams the route serves from now (its handle[0]). AdminError 404 for an unknown id.
  std::vector<std::string> upstreams(const std::string& route_id) const;

  // Points the route at `upstreams` ("host:port" each, at least one) in ONE admin change
  // (PATCH /id/<route_id>/handle): requests that start after it returns go to the new
  // upstreams; requests in flight finish on the old ones (Caddy's graceful reload, bounded by
  // kGracePeriod). The old upstreams stay referenced by the route (caddy_config.h), so
  // in_flight() keeps counting their requests until they drain. Guarded by the route's ETag:
  // AdminError 412 when something else changed the route between reading and writing it.
  // AdminError 404 when no route has this id (apply the routes first).
  void switch_upstreams(const std::string& route_id, const std::vector<std::string>& upstreams) const;

  // GET /reverse_proxy/upstreams.
  std::vector<UpstreamStatus> upstream_status() const;

  // Requests being proxied to `upstream` ("host:port") right now, over every route that names
  // it (current or previous upstreams). 0 when the edge does not know the address.
  int in_flight(const std::string& upstream) const;

  // Polls in_flight until it is 0 for every one of `upstreams` or `timeout` passes. True when
  // drained.
  bool wait_drained(const std::vector<std::string>& upstreams, std::chrono::milliseconds timeout,
                    std::chrono::milliseconds interval = std::chrono::milliseconds(200)) const;

  // The PEM root certificate of the edge's internal CA (GET /pki/ca/local of the front, or of
  // the one socket when the front's is not known): what a client must trust for the routes
  // with tls internal.
  std::string internal_ca_root() const;

 private:
  json call(const std::string& method, const std::string& path, const json& body, const std::string& what,
            AdminResponse* raw = nullptr, const std::map<std::string, std::string>& headers = {}) const;
  json call_on(const AdminHttp& http, const std::string& method, const std::string& path, const json& body,
               const std::string& what, AdminResponse* raw = nullptr,
               const std::map<std::string, std::string>& headers = {}) const;
  void sync_front(const Routing& routing) const;

  AdminHttp http_;                   // the back
  std::optional<AdminHttp> front_;   // the front, when known
};

}  // namespace slipway::edge

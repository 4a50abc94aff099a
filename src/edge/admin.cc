#include "edge/admin.h"

#include <stdexcept>
#include <thread>

namespace slipway::edge {
namespace {

// Caddy answers errors as {"error": "..."}; anything else is quoted as it came.
std::string caddy_error(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) return parsed["error"];
  std::string text = body;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text.empty() ? "no message" : text;
}

std::string id_path(const std::string& route_id, const std::string& rest) {
  return "/id/" + path_segment(route_id) + rest;
}

void check_upstreams(const std::string& route_id, const std::vector<std::string>& upstreams) {
  if (upstreams.empty())
    throw UserError("switching route " + route_id + ": no upstream given (a route needs at least one host:port)");
  for (const auto& u : upstreams) {
    size_t colon = u.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == u.size())
      throw UserError("switching route " + route_id + ": upstream '" + u + "' is not HOST:PORT");
  }
}

}  // namespace

AdminError::AdminError(long status, std::string caddy_message, const std::string& context)
    : EnvError(context + ": the edge answered " + std::to_string(status) + ": " + caddy_message),
      status_(status),
      caddy_message_(std::move(caddy_message)) {}

Admin::Admin(std::string socket_path, std::string front_socket_path) : http_(std::move(socket_path)) {
  if (!front_socket_path.empty()) front_.emplace(std::move(front_socket_path));
}

json Admin::call(const std::string& method, const std::string& path, const json& body, const std::string& what,
                 AdminResponse* raw, const std::map<std::string, std::string>& headers) const {
  return call_on(http_, method, path, body, what, raw, headers);
}

json Admin::call_on(const AdminHttp& http, const std::string& method, const std::string& path, const json& body,
                    const std::string& what, AdminResponse* raw,
                    const std::map<std::string, std::string>& headers) const {
  AdminRequest request;
  request.method = method;
  request.path = path;
  if (!body.is_null()) request.body = body.dump();
  request.headers = headers;
  request.timeout_seconds = 60;
  AdminResponse response = http.send(request);
  if (response.status >= 300) throw AdminError(response.status, caddy_error(response.body), what);
  json parsed = response.body.empty() ? json() : json::parse(response.body, nullptr, false);
  if (parsed.is_discarded()) throw EnvError(what + ": the edge answered something that is not JSON");
  if (raw) *raw = std::move(response);
  return parsed;
}

void Admin::wait_ready(std::chrono::milliseconds timeout, const std::function<void()>& check_alive) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  for (;;) {
    try {
      AdminRequest probe;
      probe.path = "/config/";
      probe.timeout_seconds = 5;
      bool back = http_.send(probe).status == 200;
      bool front = !front_ || front_->send(probe).status == 200;
      if (back && front) return;
      last = back ? "the front answered with an error" : "the back answered with an error";
    } catch (const EnvError& e) {
      last = e.what();
    }
    if (check_alive) check_alive();
    if (std::chrono::steady_clock::now() >= deadline)
      throw EnvError("the edge's admin API did not come up within " +
                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
                     " s (last: " + last + ")");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

json Admin::current_config() const {
  json config = call("GET", "/config/", nullptr, "reading the edge's config");
  return config.is_null() ? json::object() : config;
}

json Admin::current_front_config() const {
  if (!front_) throw std::logic_error("edge::Admin made without the front's socket");
  json config = call_on(*front_, "GET", "/config/", nullptr, "reading the edge front's config");
  return config.is_null() ? json::object() : config;
}

void Admin::sync_front(const Routing& routing) const {
  json wanted = front_config(routing);
  // A reload of the front closes its clients' idle connections (admin.h): only when needed.
  if (current_front_config() != wanted) call_on(*front_, "POST", "/load", wanted, "loading the edge front's config");
}

void Admin::load(const json& config) const { call("POST", "/load", config, "loading the edge's config"); }

json Admin::apply_routes(const Routing& routing, const UpstreamMap& upstreams, bool keep_live) const {
  if (!front_) throw std::logic_error("edge::Admin::apply_routes needs the front's socket");
  // The back first: a host that the front starts to forward has its routes already.
  if (!keep_live) {
    json config = back_config(routing, upstreams);
    load(config);
    sync_front(routing);
    return config;
  }
  json running = current_config();
  UpstreamMap live = live_upstreams(running);
  UpstreamMap chosen = live, previous = held_upstreams(running);
  for (const auto& [id, dials] : upstreams) {
    chosen[id] = dials;
    // A route that moves keeps what it served until now behind its proxy, so those requests
    // stay visible while they drain; a route that stays keeps its holder as it is.
    if (auto it = live.find(id); it != live.end() && it->second != dials) previous[id] = it->second;
  }
  json config = back_config(routing, chosen, previous);
  // Every change is a reload of the whole config, and each reload replaces Caddy's listening
  // sockets (see admin.h): a change that would load the same config is not made at all.
  if (config != running) load(config);
  sync_front(routing);
  return config;
}

std::vector<std::string> Admin::upstreams(const std::string& route_id) const {
  json handle = call("GET", id_path(route_id, "/handle/0/upstreams"), nullptr, "reading route " + route_id);
  return dial_addresses(handle);
}

void Admin::switch_upstreams(const std::string& route_id, const std::vector<std::string>& upstreams) const {
  check_upstreams(route_id, upstreams);
  std::string what = "switching route " + route_id;
  AdminResponse raw;
  json handle = call("GET", id_path(route_id, "/handle"), nullptr, what, &raw);
  std::vector<std::string> previous;
  if (handle.is_array() && !handle.empty() && handle[0].is_object())
    previous = dial_addresses(handle[0].value("upstreams", json::array()));
  if (previous == upstreams) previous.clear();
  std::map<std::string, std::string> guard;
  if (auto etag = raw.headers.find("etag"); etag != raw.headers.end()) guard["If-Match"] = etag->second;
  try {
    call("PATCH", id_path(route_id, "/handle"), route_handlers(upstreams, previous), what, nullptr, guard);
  } catch (const AdminError& e) {
    if (e.status() != 412) throw;
    throw AdminError(412, e.caddy_message(),
                     what + " (someone else changed the route meanwhile; read it again and retry)");
  }
}

std::vector<UpstreamStatus> Admin::upstream_status() const {
  json list = call("GET", "/reverse_proxy/upstreams", nullptr, "reading the edge's upstreams");
  std::vector<UpstreamStatus> out;
  if (!list.is_array()) return out;
  for (const auto& u : list) {
    if (!u.is_object()) continue;
    UpstreamStatus s;
    s.address = u.value("address", "");
    s.in_flight = u.value("num_requests", 0);
    s.fails = u.value("fails", 0);
    out.push_back(s);
  }
  return out;
}

int Admin::in_flight(const std::string& upstream) const {
  int n = 0;
  for (const auto& s : upstream_status())
    if (s.address == upstream) n += s.in_flight;
  return n;
}

bool Admin::wait_drained(const std::vector<std::string>& upstreams, std::chrono::milliseconds timeout,
                         std::chrono::milliseconds interval) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int busy = 0;
    for (const auto& s : upstream_status())
      for (const auto& u : upstreams)
        if (s.address == u) busy += s.in_flight;
    if (busy == 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

std::string Admin::internal_ca_root() const {
  // The front holds TLS and its CA; the back would answer with a CA of its own, which signs
  // nothing anyone sees.
  json ca = call_on(front_ ? *front_ : http_, "GET", "/pki/ca/local", nullptr, "reading the edge's internal CA");
  if (!ca.is_object() || !ca.contains("root_certificate") || !ca["root_certificate"].is_string())
    throw EnvError("reading the edge's internal CA: the answer holds no root_certificate");
  return ca["root_certificate"];
}

}  // namespace slipway::edge

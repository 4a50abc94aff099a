#include "deploy/order.h"

#include <algorithm>

#include "compose/model.h"
#include "util/error.h"

namespace slipway::deploy {
namespace {

// The explicit override, when the service has one.
std::optional<Order> override_of(const std::string& service, const ojson& spec) {
  if (!spec.contains("x-slipway") || !spec["x-slipway"].is_object()) return std::nullopt;
  const ojson& x = spec["x-slipway"];
  if (!x.contains("deploy") || !x["deploy"].is_object() || !x["deploy"].contains("order")) return std::nullopt;
  const ojson& o = x["deploy"]["order"];
  if (o == "start-first") return Order::start_first;
  if (o == "stop-first") return Order::stop_first;
  throw UserError("services." + service + ".x-slipway.deploy.order: " + o.dump() +
                  " is not an order (use start-first or stop-first)");
}

bool edge_owns(const edge::EdgePorts& ports, const std::string& service, size_t index) {
  return std::any_of(ports.edge_owned.begin(), ports.edge_owned.end(),
                     [&](const edge::PublishedPort& p) { return p.service == service && p.index == index; });
}

// The first fixed host port the service publishes that the edge does not own ("" when none).
std::string fixed_host_port(const std::string& service, const ojson& spec, const edge::EdgePorts& ports) {
  if (!spec.contains("ports") || !spec["ports"].is_array()) return "";
  for (size_t i = 0; i < spec["ports"].size(); ++i) {
    const ojson& p = spec["ports"][i];
    if (!p.is_object() || edge_owns(ports, service, i)) continue;
    std::string published = p.contains("published") && p["published"].is_string()   ? p["published"].get<std::string>()
                            : p.contains("published") && p["published"].is_number() ? p["published"].dump()
                                                                                    : "";
    if (published.empty() || published == "0") continue;  // a random host port: any number of copies
    return published + "/" + p.value("protocol", "tcp");
  }
  return "";
}

}  // namespace

const char* order_name(Order order) { return order == Order::start_first ? "start-first" : "stop-first"; }

ServiceOrder service_order(const std::string& service, const ojson& spec, const edge::EdgePorts& ports) {
  if (auto o = override_of(service, spec)) return {*o, "x-slipway deploy.order"};
  if (auto v = compose::Service(service, spec).writable_volumes(); !v.empty())
    return {Order::stop_first, "writable volume " + v.front()};
  if (spec.contains("container_name")) return {Order::stop_first, "container_name"};
  if (spec.value("network_mode", "") == "host") return {Order::stop_first, "network_mode: host"};
  if (std::string p = fixed_host_port(service, spec, ports); !p.empty())
    return {Order::stop_first, "publishes host port " + p};
  return {Order::start_first, "stateless"};
}

DeploySettings deploy_settings(const compose::Project& project) {
  Location where{project.config_files.empty() ? std::string() : project.config_files.front(), 0, 0};
  return deploy_settings(project.model, where);
}

DeploySettings deploy_settings(const ojson& model, const Location& where) {
  DeploySettings s;
  if (!model.contains("x-slipway") || !model["x-slipway"].is_object()) return s;
  const ojson& x = model["x-slipway"];
  if (!x.contains("deploy")) return s;
  const ojson& d = x["deploy"];
  if (!d.is_object()) throw UserError(where, "x-slipway.deploy must be a mapping (keys: keep, watch)");
  for (const auto& [key, value] : d.items()) {
    if (key != "keep" && key != "watch")
      throw UserError(where, "x-slipway.deploy." + key + " is not a deploy setting (keys: keep, watch)");
    if (!value.is_number_integer()) throw UserError(where, "x-slipway.deploy." + key + " must be a whole number");
  }
  if (d.contains("keep")) {
    s.keep = d["keep"].get<int>();
    if (s.keep < 1) throw UserError(where, "x-slipway.deploy.keep must be at least 1 (the running generation)");
  }
  if (d.contains("watch")) {
    int w = d["watch"].get<int>();
    if (w < 0) throw UserError(where, "x-slipway.deploy.watch must be 0 or more seconds");
    s.watch = std::chrono::seconds(w);
  }
  return s;
}

}  // namespace slipway::deploy

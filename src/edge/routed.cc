#include "edge/routed.h"

#include <algorithm>
#include <set>
#include <utility>

#include "plan/naming.h"

namespace slipway::edge {
namespace {

std::string text(const ojson& v) { return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump(); }

const ojson& service_ports(const ojson& spec) {
  static const ojson none = ojson::array();
  auto it = spec.find("ports");
  return it != spec.end() && it->is_array() ? *it : none;
}

bool same_port(const PublishedPort& a, const std::string& service, std::size_t index) {
  return a.service == service && a.index == index;
}

}  // namespace

EdgePorts edge_ports(const ojson& model, const Routing& routing) {
  EdgePorts out;
  std::set<std::string> routed, networks;
  for (const auto& r : routing.routes) routed.insert(r.service);
  out.routed_services.assign(routed.begin(), routed.end());
  if (!model.contains("services") || !model["services"].is_object()) return out;
  for (const auto& [name, spec] : model["services"].items()) {
    if (!routed.count(name)) continue;
    std::set<int> routed_ports;
    for (const auto& r : routing.routes)
      if (r.service == name) routed_ports.insert(r.port);
    if (auto n = spec.find("networks"); n != spec.end() && n->is_object())
      for (const auto& [key, _] : n->items()) networks.insert(plan::network_name(model, key));
    else if (!spec.contains("network_mode"))
      networks.insert(plan::network_name(model, "default"));
    const ojson& ports = service_ports(spec);
    for (std::size_t i = 0; i < ports.size(); ++i) {
      const ojson& p = ports[i];
      std::string proto = p.contains("protocol") ? text(p["protocol"]) : "tcp";
      int target = p.contains("target") && p["target"].is_number_integer() ? p["target"].get<int>() : -1;
      PublishedPort entry{name, i, p};
      if (proto == "tcp" && routed_ports.count(target))
        out.edge_owned.push_back(entry);
      else
        out.kept.push_back(entry);
    }
  }
  out.networks.assign(networks.begin(), networks.end());
  return out;
}

ojson without_edge_ports(const std::string& service, const ojson& service_spec, const EdgePorts& ports) {
  ojson spec = service_spec;
  auto it = spec.find("ports");
  if (it == spec.end() || !it->is_array()) return spec;
  ojson kept = ojson::array();
  for (std::size_t i = 0; i < it->size(); ++i) {
    bool owned = std::any_of(ports.edge_owned.begin(), ports.edge_owned.end(),
                             [&](const PublishedPort& p) { return same_port(p, service, i); });
    if (!owned) kept.push_back((*it)[i]);
  }
  if (kept.empty())
    spec.erase("ports");
  else
    *it = kept;
  return spec;
}

void check_public_ports(const ojson& model, const Routing& routing, const EdgePorts& ports, const Locator& locate) {
  if (routing.empty() || !model.contains("services") || !model["services"].is_object()) return;
  const std::pair<const char*, PublicPort> public_ports[] = {{"http", routing.settings.http},
                                                             {"https", routing.settings.https}};
  for (const auto& [name, spec] : model["services"].items()) {
    const ojson& list = service_ports(spec);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const ojson& p = list[i];
      bool owned = std::any_of(ports.edge_owned.begin(), ports.edge_owned.end(),
                               [&](const PublishedPort& e) { return same_port(e, name, i); });
      std::string proto = p.contains("protocol") ? text(p["protocol"]) : "tcp";
      if (owned || proto != "tcp" || !p.contains("published")) continue;
      std::string published = text(p["published"]);
      std::string ip = p.contains("host_ip") ? text(p["host_ip"]) : "";
      for (const auto& [which, pub] : public_ports) {
        bool overlap = ip.empty() || pub.host_ip.empty() || ip == pub.host_ip;
        if (published == std::to_string(pub.port) && overlap)
          throw UserError(locate({"services", name, "ports"}),
                          "services." + name + ".ports: host port " + published + " is the edge's public " + which +
                              " port (x-slipway.edge." + which +
                              "); route the service through x-slipway.routes or publish another port");
      }
    }
  }
}

}  // namespace slipway::edge

// Translator, network: ports, networks and aliases, links, extra hosts, namespace modes.
#include <algorithm>

#include "plan/naming.h"
#include "plan/translator.h"
#include "util/parse.h"

namespace slipway::plan {

void Translator::expose_port(const std::string& port) {
  std::string p = port.find('/') == std::string::npos ? port + "/tcp" : port;
  size_t slash = p.find('/');
  std::string range = p.substr(0, slash), proto = p.substr(slash);
  size_t dash = range.find('-');
  if (dash == std::string::npos) {
    config_["ExposedPorts"][p] = json::object();
    return;
  }
  auto lo = parse_int(range.substr(0, dash)), hi = parse_int(range.substr(dash + 1));
  if (!lo || !hi || *hi < *lo || *hi - *lo > 65535) bad("has a malformed port range \"" + port + "\"");
  for (int64_t n = *lo; n <= *hi; ++n) config_["ExposedPorts"][std::to_string(n) + proto] = json::object();
}

void Translator::ports(const ojson& v) {
  if (v.is_null()) return;
  if (!v.is_array()) bad("must be a list");
  for (const auto& p : v) {
    if (!p.is_object() || !p.contains("target")) bad("entries must be long-form ports with a target");
    for (const auto& [k, _] : p.items())
      if (k != "target" && k != "published" && k != "protocol" && k != "host_ip" && k != "mode" && k != "name" &&
          k != "app_protocol")
        fail(path_ + "." + k, "is not supported by slipway (remove it)");
    std::string proto = p.contains("protocol") ? str(p["protocol"]) : "tcp";
    std::string mode = p.contains("mode") ? str(p["mode"]) : "ingress";
    if (mode != "ingress" && mode != "host") bad("mode must be ingress or host");
    std::string key = str(p["target"]) + "/" + proto;
    config_["ExposedPorts"][key] = json::object();
    json binding = json::object();
    binding["HostIp"] = p.contains("host_ip") ? str(p["host_ip"]) : "";
    binding["HostPort"] = p.contains("published") && !p["published"].is_null() ? str(p["published"]) : "";
    host_["PortBindings"][key].push_back(binding);
  }
}

void Translator::expose(const ojson& v) {
  for (const auto& item : strings(v)) expose_port(item.get<std::string>());
}

void Translator::extra_hosts(const ojson& v) {
  json list = json::array();
  auto add = [&](const std::string& host, const std::string& ip) {
    // The engine splits "host:ip" at the first colon, so IPv6 addresses pass unchanged.
    list.push_back(host + ":" + ip);
  };
  if (v.is_object()) {
    for (const auto& [host, ip] : v.items()) {
      if (ip.is_array())
        for (const auto& one : ip) add(host, str(one));
      else
        add(host, str(ip));
    }
  } else {
    for (const auto& item : strings(v)) {
      std::string s = item.get<std::string>();
      size_t eq = s.find('=');
      if (eq == std::string::npos) eq = s.find(':');
      if (eq == std::string::npos) bad("entries must be host=ip");
      add(s.substr(0, eq), s.substr(eq + 1));
    }
  }
  host_["ExtraHosts"] = list;
}

std::string Translator::service_ref(const std::string& mode) const {
  // "service:x" -> the container of service x; Compose resolves it to the first container.
  std::string svc = mode.substr(8);
  if (!model_.has_service(svc)) bad("refers to undefined service \"" + svc + "\"");
  return "container:" + model_.service(svc).container_name(ctx_.project, 1);
}

void Translator::namespace_mode(const ojson& v, const char* field) {
  std::string mode = str(v);
  host_[field] = mode.rfind("service:", 0) == 0 ? service_ref(mode) : mode;
}

void Translator::links(const ojson& v) {
  for (const auto& item : strings(v)) {
    std::string s = item.get<std::string>();
    size_t colon = s.find(':');
    std::string svc = s.substr(0, colon), alias = colon == std::string::npos ? svc : s.substr(colon + 1);
    if (!model_.has_service(svc)) bad("links to undefined service \"" + svc + "\"");
    host_["Links"].push_back(model_.service(svc).container_name(ctx_.project, 1) + ":" + alias);
  }
}

void Translator::external_links(const ojson& v) {
  for (const auto& item : strings(v)) {
    std::string s = item.get<std::string>();
    host_["Links"].push_back(s.find(':') == std::string::npos ? s + ":" + s : s);
  }
}

void Translator::volumes_from(const ojson& v) {
  for (const auto& item : strings(v)) {
    std::string s = item.get<std::string>();
    if (s.rfind("container:", 0) == 0) {
      host_["VolumesFrom"].push_back(s.substr(10));
      continue;
    }
    if (s.rfind("service:", 0) == 0) s = s.substr(8);
    size_t colon = s.find(':');
    std::string svc = s.substr(0, colon);
    if (!model_.has_service(svc)) bad("refers to undefined service \"" + svc + "\"");
    std::string name = model_.service(svc).container_name(ctx_.project, 1);
    host_["VolumesFrom"].push_back(colon == std::string::npos ? name : name + s.substr(colon));
  }
}

void Translator::attach_networks() {
  std::string mode = spec_.contains("network_mode") ? str(spec_["network_mode"]) : "";
  if (!mode.empty()) {
    path_ = "network_mode";
    if (spec_.contains("networks") && !spec_["networks"].is_null() && !spec_["networks"].empty())
      fail("networks", "cannot be combined with network_mode (remove one)");
    host_["NetworkMode"] = mode.rfind("service:", 0) == 0 ? service_ref(mode) : mode;
    return;
  }
  path_ = "networks";
  ojson nets =
      spec_.contains("networks") && spec_["networks"].is_object() ? spec_["networks"] : ojson{{"default", nullptr}};
  // The primary network is the one with the highest priority, then the first by name:
  // that is the one whose settings (e.g. the default gateway) the container gets.
  std::vector<std::pair<std::string, int64_t>> order;
  for (const auto& [key, cfg] : nets.items()) {
    int64_t prio = cfg.is_object() && cfg.contains("priority") ? integer(cfg["priority"]) : 0;
    order.push_back({key, prio});
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return a.first < b.first;
  });
  bool first = true;
  for (const auto& [key, _] : order) {
    const ojson& cfg = nets[key];
    if (!model_.network(key)) {
      if (key != "default") bad("uses undefined network \"" + key + "\" (declare it under the top-level networks:)");
    }
    json ep = json::object();
    json aliases = json::array({ctx_.service});
    if (cfg.is_object()) {
      for (const auto& [k, nv] : cfg.items()) {
        path_ = "networks." + key + "." + k;
        if (k == "aliases") {
          for (const auto& a : strings(nv))
            if (std::find(aliases.begin(), aliases.end(), a) == aliases.end()) aliases.push_back(a);
        } else if (k == "ipv4_address")
          ep["IPAMConfig"]["IPv4Address"] = str(nv);
        else if (k == "ipv6_address")
          ep["IPAMConfig"]["IPv6Address"] = str(nv);
        else if (k == "link_local_ips")
          ep["IPAMConfig"]["LinkLocalIPs"] = strings(nv);
        else if (k == "priority")
          continue;
        else if (k == "mac_address") {
          need_api("1.44");
          ep["MacAddress"] = str(nv);
        } else if (k == "driver_opts")
          ep["DriverOpts"] = string_map(nv);
        else
          fail(path_, "is not supported by slipway (remove it)");
      }
    }
    ep["Aliases"] = aliases;
    std::string name = model_.network_name(key);
    if (first) {
      host_["NetworkMode"] = name;
      endpoints_[name] = ep;
      first = false;
    } else {
      out_.extra_networks.push_back({name, ep});
    }
  }
}

}  // namespace slipway::plan

// Request bodies for the model's networks and volumes (plan.h: network_body, volume_body).
#include <functional>

#include "plan/naming.h"
#include "plan/plan.h"
#include "plan/plan_helpers.h"

namespace slipway::plan {

using json = nlohmann::json;

namespace {

// Labels of a network or volume: the project's, which one it is, then the user's own.
json resource_labels(const compose::Project& project, const char* kind_label, const std::string& key) {
  json labels = json::object();
  for (const auto& [k, v] : base_labels(project)) labels[k] = v;
  labels[kind_label] = key;
  return labels;
}

// driver_opts and labels values: strings as written, other scalars as their JSON text.
std::string option_text(const ojson& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// User labels in either spelling: a mapping, or a list of "key=value" ("key" alone maps to "").
void add_user_labels(json& labels, const ojson& v) {
  if (v.is_object())
    for (const auto& [lk, lv] : v.items()) labels[lk] = option_text(lv);
  else if (v.is_array())
    for (const auto& item : v) {
      std::string s = item.get<std::string>();
      size_t eq = s.find('=');
      labels[s.substr(0, eq)] = eq == std::string::npos ? "" : s.substr(eq + 1);
    }
}

// A network's `ipam:` as the engine's IPAM object; `fail` reports an unsupported key.
json ipam_body(const ojson& v, const std::function<void(const std::string&)>& fail) {
  json ipam = json::object();
  for (const auto& [ik, iv] : v.items()) {
    if (ik == "driver") {
      ipam["Driver"] = iv.get<std::string>();
    } else if (ik == "options") {
      ipam["Options"] = json::parse(iv.dump());
    } else if (ik == "config") {
      json configs = json::array();
      for (const auto& c : iv) {
        json one = json::object();
        for (const auto& [ck, cv] : c.items()) {
          if (ck == "subnet")
            one["Subnet"] = cv.get<std::string>();
          else if (ck == "gateway")
            one["Gateway"] = cv.get<std::string>();
          else if (ck == "ip_range")
            one["IPRange"] = cv.get<std::string>();
          else if (ck == "aux_addresses")
            one["AuxiliaryAddresses"] = json::parse(cv.dump());
          else
            fail("ipam.config." + ck + " is not supported by slipway (remove it)");
        }
        configs.push_back(one);
      }
      ipam["Config"] = configs;
    } else {
      fail("ipam." + ik + " is not supported by slipway (remove it)");
    }
  }
  return ipam;
}

}  // namespace

json network_body(const compose::Project& project, const std::string& key) {
  compose::Model model(project);
  std::optional<compose::Resource> network = model.network(key);
  const ojson& def = network ? network->spec() : ojson::object();
  auto fail = [&](const std::string& what) -> void { throw UserError(where(project), "networks." + key + " " + what); };
  json body = {{"Name", model.network_name(key)}, {"CheckDuplicate", true}};
  json labels = resource_labels(project, label::kNetwork, key);
  if (def.is_object()) {
    for (const auto& [k, v] : def.items()) {
      if (k == "name" || k == "external" || k.rfind("x-", 0) == 0) continue;
      if (k == "driver")
        body["Driver"] = v.get<std::string>();
      else if (k == "driver_opts") {
        for (const auto& [ok, ov] : v.items()) body["Options"][ok] = option_text(ov);
      } else if (k == "internal")
        body["Internal"] = v.get<bool>();
      else if (k == "attachable")
        body["Attachable"] = v.get<bool>();
      else if (k == "enable_ipv6")
        body["EnableIPv6"] = v.get<bool>();
      else if (k == "labels") {
        add_user_labels(labels, v);
      } else if (k == "ipam") {
        json ipam = ipam_body(v, fail);
        if (!ipam.empty()) body["IPAM"] = ipam;
      } else {
        fail(k + " is not supported by slipway (remove it)");
      }
    }
  }
  body["Labels"] = labels;
  return body;
}

json volume_body(const compose::Project& project, const std::string& key) {
  compose::Model model(project);
  std::optional<compose::Resource> volume = model.volume(key);
  const ojson& def = volume ? volume->spec() : ojson::object();
  json body = {{"Name", model.volume_name(key)}};
  json labels = resource_labels(project, label::kVolume, key);
  if (def.is_object()) {
    for (const auto& [k, v] : def.items()) {
      if (k == "name" || k == "external" || k.rfind("x-", 0) == 0) continue;
      if (k == "driver")
        body["Driver"] = v.get<std::string>();
      else if (k == "driver_opts") {
        for (const auto& [ok, ov] : v.items()) body["DriverOpts"][ok] = option_text(ov);
      } else if (k == "labels") {
        add_user_labels(labels, v);
      } else {
        throw UserError(where(project), "volumes." + key + "." + k + " is not supported by slipway (remove it)");
      }
    }
  }
  body["Labels"] = labels;
  return body;
}

}  // namespace slipway::plan

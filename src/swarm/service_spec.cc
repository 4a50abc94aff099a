#include "swarm/service_spec.h"

#include <algorithm>
#include <set>

#include "plan/create_body.h"
#include "plan/labels.h"
#include "util/sha256.h"

namespace slipway::swarm {
namespace {

namespace label = plan::label;
using ojson = compose::ojson;

constexpr std::int64_t kSecond = 1'000'000'000;

// Service keys a swarm deploy translates in this version. Every other key is refused, so a
// service never runs on the cluster quietly without something its file asks for.
bool supported_key(const std::string& key) {
  static const std::set<std::string> keys = {
      "image",      "build",       "command",  "entrypoint", "environment", "env_file",  "working_dir",
      "user",       "hostname",    "labels",   "healthcheck", "stop_grace_period", "stop_signal", "networks",
      "deploy",     "scale",       "depends_on", "init",      "tty",         "stdin_open", "read_only",
      "restart",    "pull_policy", "profiles", "expose"};
  return keys.count(key) > 0 || key.rfind("x-", 0) == 0;
}

std::string why_not(const std::string& key) {
  if (key == "volumes" || key == "tmpfs")
    return "volumes are per node on a swarm; stateful services (pinned to the node that holds their data) are "
           "not supported yet (docs/swarm.md)";
  if (key == "ports")
    return "published ports are not supported on a swarm yet: the edge proxy will front the cluster "
           "(docs/swarm.md)";
  return "not supported on a swarm yet (docs/swarm.md); deploy this stack to one machine, or remove the key";
}

bool present(const ojson& spec, const std::string& key) {
  if (!spec.contains(key)) return false;
  const ojson& v = spec[key];
  return !(v.is_null() || ((v.is_array() || v.is_object()) && v.empty()));
}

void check_service(const compose::Service& s, const Location& where) {
  for (const auto& [key, value] : s.spec().items()) {
    if (supported_key(key) || value.is_null() || ((value.is_array() || value.is_object()) && value.empty()))
      continue;
    throw UserError(where, "services." + s.name() + "." + key + ": " + why_not(key));
  }
  if (present(s.spec(), "deploy"))
    for (const auto& [key, value] : s.spec()["deploy"].items()) {
      if (key == "replicas" || value.is_null()) continue;
      if (key == "mode" && value.is_string() && value.get<std::string>() == "replicated") continue;
      throw UserError(where, "services." + s.name() + ".deploy." + key + ": " + why_not(key));
    }
  if (!s.network_mode().empty())
    throw UserError(where, "services." + s.name() + ".network_mode: " + why_not("network_mode"));
}

// Config fields of the container translation that a ContainerSpec carries, by their swarm
// names. Anything else the translation produced came from a key check_service refused.
json container_spec_of(const json& create, const std::string& image, const std::string& project,
                       std::int64_t stop_grace) {
  json c = {{"Image", image}};
  const json& config = create;
  const json host = create.value("HostConfig", json::object());
  if (config.contains("Entrypoint") && config["Entrypoint"].is_array()) c["Command"] = config["Entrypoint"];
  if (config.contains("Cmd") && config["Cmd"].is_array()) c["Args"] = config["Cmd"];
  if (config.contains("Env") && config["Env"].is_array()) c["Env"] = config["Env"];
  if (!config.value("WorkingDir", "").empty()) c["Dir"] = config["WorkingDir"];
  if (!config.value("User", "").empty()) c["User"] = config["User"];
  if (!config.value("Hostname", "").empty()) c["Hostname"] = config["Hostname"];
  if (config.value("Tty", false)) c["TTY"] = true;
  if (config.value("OpenStdin", false)) c["OpenStdin"] = true;
  if (!config.value("StopSignal", "").empty()) c["StopSignal"] = config["StopSignal"];
  if (config.contains("Healthcheck")) c["Healthcheck"] = config["Healthcheck"];
  if (host.value("ReadonlyRootfs", false)) c["ReadOnly"] = true;
  if (host.contains("Init") && host["Init"].is_boolean()) c["Init"] = host["Init"];
  // The service's own labels (Compose `labels:`) on its containers, plus the stack's.
  json labels = json::object();
  if (config.contains("Labels") && config["Labels"].is_object())
    for (const auto& [k, v] : config["Labels"].items())
      if (k.rfind("com.docker.compose.", 0) != 0 && k.rfind("io.slipway.", 0) != 0) labels[k] = v;
  labels[label::kStackNamespace] = project;
  c["Labels"] = labels;
  c["StopGracePeriod"] = stop_grace;
  return c;
}

// Compose's `restart:` as a swarm restart policy (docker stack deploy reads only
// deploy.restart_policy; a service that says `restart: "no"` should not come back either).
json restart_policy(const ojson& spec) {
  std::string restart = spec.contains("restart") && spec["restart"].is_string() ? spec["restart"].get<std::string>() : "";
  if (restart == "no") return {{"Condition", "none"}};
  if (restart.rfind("on-failure", 0) == 0) return {{"Condition", "on-failure"}};
  return {{"Condition", "any"}};
}

}  // namespace

std::int64_t monitor_window(const json& hc) {
  if (!hc.is_object() || !hc.contains("Test") ||
      (hc["Test"].is_array() && !hc["Test"].empty() && hc["Test"][0] == "NONE"))
    return 5 * kSecond;
  auto field = [&](const char* key, std::int64_t fallback) {
    std::int64_t v = hc.contains(key) && hc[key].is_number_integer() ? hc[key].get<std::int64_t>() : 0;
    return v > 0 ? v : fallback;
  };
  std::int64_t interval = field("Interval", 30 * kSecond);
  std::int64_t timeout = field("Timeout", 30 * kSecond);
  std::int64_t retries = field("Retries", 3);
  std::int64_t start = hc.contains("StartPeriod") && hc["StartPeriod"].is_number_integer()
                           ? hc["StartPeriod"].get<std::int64_t>()
                           : 0;
  // A margin beyond the last probe's verdict: the engine reports health a moment later.
  return start + retries * (interval + timeout) + 5 * kSecond;
}

StackPlan plan_stack(const compose::Model& model, const SwarmContext& ctx) {
  StackPlan out;
  std::vector<std::string> used_networks;
  for (const auto& s : model.services()) {
    for (const auto& n : s.networks())
      if (std::find(used_networks.begin(), used_networks.end(), n) == used_networks.end()) used_networks.push_back(n);
  }
  for (const auto& key : used_networks) {
    auto def = model.network(key);
    if (def && def->external()) continue;  // the user's: it must exist on the swarm already
    json labels = {{label::kStackNamespace, ctx.project}, {label::kProject, ctx.project}, {label::kNetwork, key}};
    if (def)
      for (const auto& [k, v] : def->labels()) labels[k] = v;
    out.networks.push_back({{"Name", model.network_name(key)},
                            {"Driver", "overlay"},
                            {"Scope", "swarm"},
                            {"CheckDuplicate", true},
                            {"Attachable", false},
                            {"Labels", labels}});
  }

  for (const auto& s : model.services()) {
    check_service(s, ctx.where);
    auto image = ctx.images.find(s.name());
    if (image == ctx.images.end() || image->second.empty())
      throw UserError(ctx.where, "services." + s.name() + ": no image ID to deploy (build it first)");
    plan::CreateContext cc;
    cc.project = ctx.project;
    cc.service = s.name();
    cc.image = image->second;
    cc.where = ctx.where;
    plan::ContainerSpec container = plan::container_spec(model, cc);
    std::int64_t grace = static_cast<std::int64_t>(plan::stop_timeout_seconds(s.spec())) * kSecond;
    json cs = container_spec_of(container.body, image->second, ctx.project, grace);
    std::int64_t monitor = monitor_window(cs.value("Healthcheck", json()));

    json networks = json::array();
    for (const auto& key : s.networks()) {
      json aliases = json::array({s.name()});
      if (const ojson* settings = s.network_settings(key); settings && settings->is_object() &&
                                                             settings->contains("aliases") &&
                                                             (*settings)["aliases"].is_array())
        for (const auto& a : (*settings)["aliases"]) aliases.push_back(a.get<std::string>());
      networks.push_back({{"Target", model.network_name(key)}, {"Aliases", aliases}});
    }

    ServicePlan p;
    p.service = s.name();
    p.name = ctx.project + "_" + s.name();
    p.spec = {{"Name", p.name},
              {"TaskTemplate",
               {{"ContainerSpec", cs},
                {"RestartPolicy", restart_policy(s.spec())},
                {"Networks", networks},
                {"ForceUpdate", 0}}},
              {"Mode", {{"Replicated", {{"Replicas", s.replicas()}}}}},
              // New task first, watched for `monitor`, rolled back by itself when it fails.
              {"UpdateConfig",
               {{"Parallelism", 1},
                {"Delay", 0},
                {"FailureAction", "rollback"},
                {"Monitor", monitor},
                {"MaxFailureRatio", 0},
                {"Order", "start-first"}}},
              {"RollbackConfig",
               {{"Parallelism", 1},
                {"Delay", 0},
                {"FailureAction", "pause"},
                {"Monitor", monitor},
                {"MaxFailureRatio", 0},
                {"Order", "start-first"}}},
              {"EndpointSpec", {{"Mode", "vip"}}}};
    // The hash covers the spec before the labels that carry it.
    p.hash = sha256_hex(p.spec.dump());
    // On the containers too: a task shows by it which spec it runs (swarm/stack.h converged).
    p.spec["TaskTemplate"]["ContainerSpec"]["Labels"][label::kSpecHash] = p.hash;
    p.spec["Labels"] = {{label::kStackNamespace, ctx.project},
                        {label::kStackImage, s.image_reference(ctx.project)},
                        {label::kProject, ctx.project},
                        {label::kService, s.name()},
                        {label::kSpecHash, p.hash}};
    out.services.push_back(std::move(p));
  }
  return out;
}

}  // namespace slipway::swarm

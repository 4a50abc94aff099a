#include "edge/container.h"

#include "edge/caddy_config.h"
#include "edge/image.h"
#include "util/parse.h"
#include "util/sha256.h"

namespace slipway::edge {

using json = nlohmann::json;

std::string edge_container_name(const std::string& project) { return project + "-" + kEdgeService + "-1"; }

std::string edge_volume_name(const std::string& project) { return project + "_" + kEdgeService; }

plan::Labels edge_selector(const std::string& project) {
  return {{plan::label::kProject, project}, {plan::label::kRole, kEdgeRole}};
}

plan::ContainerSpec edge_container_spec(const EdgeSpecInput& in) {
  json exposed = json::object(), bindings = json::object();
  for (const PublicPort* p : {&in.settings.http, &in.settings.https}) {
    std::string key = std::to_string(p->port) + "/tcp";
    exposed[key] = json::object();
    if (in.publish) bindings[key] = json::array({{{"HostIp", p->host_ip}, {"HostPort", std::to_string(p->port)}}});
  }
  json host = {
      {"RestartPolicy", {{"Name", "unless-stopped"}}},
      {"Mounts",
       {{{"Type", "bind"}, {"Source", in.admin_dir}, {"Target", kAdminDirInContainer}},
        {{"Type", "volume"}, {"Source", edge_volume_name(in.project)}, {"Target", kEdgeStateDir}}}},
      {"CapDrop", {"ALL"}},
      {"SecurityOpt", {"no-new-privileges"}},
      {"ReadonlyRootfs", true},
      {"Tmpfs", {{"/tmp", "rw,nosuid,nodev,size=16m"}}},
      {"Sysctls", {{"net.ipv4.ip_unprivileged_port_start", "0"}}},
  };
  if (in.migrate_queued) host["Sysctls"]["net.ipv4.tcp_migrate_req"] = "1";
  if (!bindings.empty()) host["PortBindings"] = bindings;

  plan::Labels labels = in.extra_labels;
  labels[plan::label::kProject] = in.project;
  labels[plan::label::kService] = kEdgeService;
  labels[plan::label::kNumber] = "1";
  labels[plan::label::kOneoff] = "False";
  labels[plan::label::kRole] = kEdgeRole;

  json body = {{"Image", in.image},
               {"ExposedPorts", exposed},
               {"HostConfig", host},
               {"Labels", labels},
               {"StopTimeout", kEdgeStopTimeout}};
  std::string hash = sha256_hex(body.dump());
  body["Labels"][plan::label::kConfigHash] = hash;

  plan::ContainerSpec spec;
  spec.name = edge_container_name(in.project);
  spec.stop_timeout = kEdgeStopTimeout;
  if (!in.networks.empty()) {
    body["NetworkingConfig"] = {{"EndpointsConfig", {{in.networks.front(), json::object()}}}};
    for (size_t i = 1; i < in.networks.size(); ++i) spec.extra_networks.push_back({in.networks[i], json::object()});
  }
  spec.body = std::move(body);
  return spec;
}

bool kernel_migrates_queued_connections(const std::string& kernel_version) {
  // "major.minor[.patch][-suffix]": only the first two numbers matter.
  auto dot = kernel_version.find('.');
  if (dot == std::string::npos) return false;
  auto end = kernel_version.find_first_not_of("0123456789", dot + 1);
  auto major = parse_int(std::string_view(kernel_version).substr(0, dot), 0, 1000);
  auto minor = parse_int(std::string_view(kernel_version).substr(dot + 1, end == std::string::npos ? end : end - dot - 1), 0, 1000);
  if (!major || !minor) return false;
  return *major > 5 || (*major == 5 && *minor >= 14);
}

json edge_volume_body(const std::string& project, const plan::Labels& extra_labels) {
  json labels = extra_labels;
  labels[plan::label::kProject] = project;
  labels[plan::label::kVolume] = kEdgeService;
  labels[plan::label::kRole] = kEdgeRole;
  return {{"Name", edge_volume_name(project)}, {"Labels", labels}};
}

}  // namespace slipway::edge

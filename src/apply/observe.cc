#include "apply/observe.h"

#include <set>

#include "apply/host_key.h"
#include "apply/tar.h"
#include "plan/create_body.h"
#include "plan/file_digests.h"
#include "plan/naming.h"
#include "util/hmac.h"
#include "util/parse.h"

namespace slipway::apply {

using json = nlohmann::json;
namespace label = plan::label;

namespace {

// The string labels of an engine object (its "Labels" may be null).
plan::Labels labels_of(const json& object) {
  plan::Labels labels;
  if (object.contains("Labels") && object["Labels"].is_object())
    for (const auto& [k, v] : object["Labels"].items())
      if (v.is_string()) labels[k] = v.get<std::string>();
  return labels;
}

// A network or volume is the project's when the model names it or its label says so (one the
// model no longer names is then an orphan to remove).
bool project_owns(const std::set<std::string>& model_names, const std::string& name, const plan::Labels& labels,
                  const std::string& project) {
  auto it = labels.find(label::kProject);
  return model_names.count(name) || (it != labels.end() && it->second == project);
}

}  // namespace

plan::ObservedContainer from_summary(const json& s) {
  plan::ObservedContainer c;
  c.id = s.value("Id", "");
  if (s.contains("Names") && s["Names"].is_array() && !s["Names"].empty()) {
    c.name = s["Names"][0].get<std::string>();
    if (!c.name.empty() && c.name[0] == '/') c.name.erase(0, 1);
  }
  c.labels = labels_of(s);
  auto get = [&](const char* key) {
    auto it = c.labels.find(key);
    return it == c.labels.end() ? std::string() : it->second;
  };
  c.service = get(label::kService);
  c.number = static_cast<int>(parse_int(get(label::kNumber), 0, 1 << 20).value_or(0));
  c.config_hash = get(label::kConfigHash);
  c.files_dir = get(label::kFilesDir);
  if (c.labels.count(label::kFileDigests)) c.file_digests = plan::decode_file_digests(get(label::kFileDigests));
  std::string oneoff = get(label::kOneoff);
  c.oneoff = oneoff == "True" || oneoff == "true";
  c.image_id = s.value("ImageID", "");
  c.state = s.value("State", "");
  // The summary's Status text is the only place the list call reports health and exit code:
  // "Up 5 seconds (healthy)", "Up 2 seconds (health: starting)", "Exited (137) 3 minutes ago".
  std::string status = s.value("Status", "");
  if (status.find("(healthy)") != std::string::npos)
    c.health = "healthy";
  else if (status.find("(unhealthy)") != std::string::npos)
    c.health = "unhealthy";
  else if (status.find("(health: starting)") != std::string::npos)
    c.health = "starting";
  if (status.rfind("Exited (", 0) == 0) {
    std::string code = status.substr(8, status.find(')') == std::string::npos ? 0 : status.find(')') - 8);
    c.exit_code = static_cast<int>(parse_int(code, -(1 << 16), 1 << 16).value_or(0));
  }
  return c;
}

engine::Filters project_containers_filter(const std::string& project) {
  return engine::label_filters({{label::kProject, project}, {label::kOneoff, ""}});
}

std::vector<plan::ObservedContainer> observe_containers(const engine::Engine& client, const std::string& project) {
  std::vector<plan::ObservedContainer> out;
  for (const auto& s : client.list_containers(project_containers_filter(project), true)) out.push_back(from_summary(s));
  return out;
}

plan::Observed observe(const engine::Engine& client, const compose::Project& project, const ObserveOptions& options) {
  plan::Observed o;
  o.containers = observe_containers(client, project.name);
  compose::Model model(project);

  std::set<std::string> network_names, volume_names;
  for (const auto& net : model.networks()) network_names.insert(model.network_name(net.key()));
  network_names.insert(model.network_name("default"));
  for (const auto& vol : model.volumes()) volume_names.insert(model.volume_name(vol.key()));

  for (const auto& n : client.list_networks()) {
    plan::ObservedNetwork net;
    net.id = n.value("Id", "");
    net.name = n.value("Name", "");
    net.labels = labels_of(n);
    if (project_owns(network_names, net.name, net.labels, project.name)) o.networks.push_back(std::move(net));
  }
  for (const auto& v : client.list_volumes()) {
    plan::ObservedVolume vol;
    vol.name = v.value("Name", "");
    vol.labels = labels_of(v);
    if (project_owns(volume_names, vol.name, vol.labels, project.name)) o.volumes.push_back(std::move(vol));
  }

  for (const auto& svc : model.services()) {
    std::string ref = svc.image_reference(project.name);
    if (o.images.count(ref)) continue;
    if (auto image = client.find_image(ref)) o.images[ref] = image->value("Id", "");
  }

  if (options.file_digests) {
    for (auto& c : o.containers) {
      // The label answers for containers this slipway created; only older ones are read.
      if (c.labels.count(label::kFileDigests)) continue;
      if (!c.running() || !model.has_service(c.service)) continue;
      compose::Service svc = model.service(c.service);
      if (svc.secrets().empty() && svc.configs().empty()) continue;
      plan::CreateContext ctx;
      ctx.project = project.name;
      ctx.service = c.service;
      ctx.number = c.number;
      ctx.api_version = "9.99";  // only the file list matters here
      std::vector<plan::FileInjection> files;
      try {
        files = plan::container_spec(model, ctx).files;
      } catch (const UserError&) {
        continue;  // the planner reports it
      }
      for (const auto& f : files) {
        try {
          auto entries = read_tar(client.get_archive(c.id, f.target));
          if (entries.size() == 1) c.file_digests[f.target] = hmac_sha256_hex(host_key(), entries.begin()->second);
        } catch (const engine::EngineError&) {
          c.file_digests[f.target] = "missing";
        }
      }
    }
  }
  return o;
}

}  // namespace slipway::apply

// observe_drift (drift.h): the engine reads behind `slipway drift`. Read-only.
#include <algorithm>
#include <set>

#include "agent/drift.h"
#include "apply/observe.h"
#include "compose/model.h"
#include "plan/labels.h"
#include "plan/naming.h"
#include "util/parse.h"

namespace slipway::agent {

using json = nlohmann::json;
namespace label = plan::label;

namespace {

plan::Labels labels_of(const json& object) {
  plan::Labels labels;
  if (object.contains("Labels") && object["Labels"].is_object())
    for (const auto& [k, v] : object["Labels"].items())
      if (v.is_string()) labels[k] = v.get<std::string>();
  return labels;
}

bool has_project_label(const plan::Labels& labels, const std::string& project) {
  auto it = labels.find(label::kProject);
  return it != labels.end() && it->second == project;
}

// Where the container keeps data on purpose: every mount (volume, bind, tmpfs) from inspect,
// plus HostConfig.Tmpfs (which older engines leave out of Mounts).
std::vector<std::string> mount_targets(const json& inspect) {
  std::vector<std::string> out;
  if (inspect.contains("Mounts") && inspect["Mounts"].is_array())
    for (const auto& m : inspect["Mounts"])
      if (m.is_object() && m.contains("Destination") && m["Destination"].is_string())
        out.push_back(m["Destination"].get<std::string>());
  const json* host = inspect.contains("HostConfig") ? &inspect["HostConfig"] : nullptr;
  if (host && host->contains("Tmpfs") && (*host)["Tmpfs"].is_object())
    for (const auto& [path, _] : (*host)["Tmpfs"].items()) out.push_back(path);
  if (host && host->contains("Mounts") && (*host)["Mounts"].is_array())
    for (const auto& m : (*host)["Mounts"])
      if (m.is_object() && m.contains("Target") && m["Target"].is_string())
        out.push_back(m["Target"].get<std::string>());
  return out;
}

}  // namespace

namespace {

std::vector<FsChange> read_changes(const engine::Engine& client, const std::string& id) {
  std::vector<FsChange> out;
  json changes = client.container_changes(id);
  if (!changes.is_array()) return out;  // the engine answers null for "no changes"
  for (const auto& ch : changes)
    if (ch.is_object() && ch.contains("Path") && ch["Path"].is_string())
      out.push_back({ch["Path"].get<std::string>(), ch.value("Kind", 0)});
  return out;
}

}  // namespace

std::string live_generation(const std::vector<plan::ObservedContainer>& containers) {
  int64_t best = 0;
  for (const auto& c : containers) {
    if (!c.running() || c.oneoff) continue;
    auto it = c.labels.find(label::kGeneration);
    if (it != c.labels.end()) best = std::max(best, parse_int(it->second, 0).value_or(0));
  }
  return best > 0 ? std::to_string(best) : "";
}

DriftFacts observe_drift(const engine::Engine& client, const compose::Project& project) {
  DriftFacts facts;
  compose::Model model(project);
  std::set<std::string> stack_images;  // image IDs a hand-started container could run
  for (const auto& s : model.services()) {
    std::string ref = s.image_reference(project.name);
    if (facts.images.count(ref)) continue;
    auto image = client.find_image(ref);
    facts.images[ref] = image ? image->value("Id", "") : "";
    if (image) stack_images.insert(facts.images[ref]);
  }

  std::set<std::string> own_ids;
  std::vector<plan::ObservedContainer> observed;
  for (const auto& s : client.list_containers(apply::project_containers_filter(project.name), true)) {
    observed.push_back(apply::from_summary(s));
    own_ids.insert(observed.back().id);
    if (!observed.back().oneoff) stack_images.insert(observed.back().image_id);
  }
  facts.generation = live_generation(observed);

  for (auto& c : observed) {
    ProjectContainer pc;
    pc.c = std::move(c);
    auto gen = pc.c.labels.find(label::kGeneration);
    bool live = gen == pc.c.labels.end() || gen->second == facts.generation;
    if (pc.c.running() && !pc.c.oneoff && live) {
      // The container may vanish between the list and these reads: then it is simply gone.
      if (auto inspect = client.find_container(pc.c.id)) {
        pc.mount_targets = mount_targets(*inspect);
        try {
          pc.changes = read_changes(client, pc.c.id);
        } catch (const engine::EngineError& e) {
          if (!e.not_found()) throw;
        }
      }
    }
    pc.image_present = pc.c.image_id.empty() || client.find_image(pc.c.image_id).has_value();
    facts.containers.push_back(std::move(pc));
  }

  // A container started by hand from a stack image inherits the image's labels (so it may
  // even carry the project label), but never the oneoff label slipway and Compose set.
  for (const auto& s : client.list_containers({}, true)) {
    std::string id = s.value("Id", "");
    if (own_ids.count(id) || !stack_images.count(s.value("ImageID", ""))) continue;
    plan::ObservedContainer oc = apply::from_summary(s);
    if (oc.labels.count(label::kOneoff)) continue;  // another project's (a test or drill copy)
    facts.others.push_back({id, oc.name, oc.image_id, oc.state, oc.labels});
  }

  for (const auto& n : client.list_networks(engine::label_filters({{label::kProject, project.name}})))
    if (has_project_label(labels_of(n), project.name))
      facts.networks.push_back({n.value("Id", ""), n.value("Name", ""), labels_of(n)});
  for (const auto& v : client.list_volumes(engine::label_filters({{label::kProject, project.name}})))
    if (has_project_label(labels_of(v), project.name)) facts.volumes.push_back({v.value("Name", ""), labels_of(v)});
  return facts;
}

DriftReport find_drift(const engine::Engine& client, const compose::Project& project, Converge converge) {
  DriftFacts facts = observe_drift(client, project);
  facts.converge = converge;
  return classify_drift(project, facts);
}

}  // namespace slipway::agent

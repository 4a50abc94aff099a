#include "plan/plan.h"

#include <algorithm>
#include <set>

#include "plan/naming.h"
#include "plan/plan_helpers.h"

namespace slipway::plan {

using json = nlohmann::json;

const ObservedNetwork* Observed::network(const std::string& name) const {
  for (const auto& n : networks)
    if (n.name == name) return &n;
  return nullptr;
}

const ObservedVolume* Observed::volume(const std::string& name) const {
  for (const auto& v : volumes)
    if (v.name == name) return &v;
  return nullptr;
}

std::string Action::describe() const {
  auto with_reason = [&](std::string s) { return reason.empty() ? s : s + " (" + reason + ")"; };
  switch (type) {
    case ActionType::build_image:
      return with_reason("build image " + name + " (service " + service + ")");
    case ActionType::pull_image:
      return with_reason("pull image " + name);
    case ActionType::remove_container:
      return with_reason("remove container " + name);
    case ActionType::create_network:
      return with_reason("create network " + name);
    case ActionType::create_volume:
      return with_reason("create volume " + name);
    case ActionType::create_container: {
      std::string img = !image_id.empty() ? image_id.substr(0, 19) + "…"
                        : image_built     ? image + ", built above"
                                          : image + ", pulled above";
      return with_reason("create container " + name + " (image " + img + ")");
    }
    case ActionType::recreate_container:
      return with_reason("recreate container " + name);
    case ActionType::rename_container:
      return with_reason("rename container " + from_name + " to " + name);
    case ActionType::start_container:
      return with_reason("start container " + name);
    case ActionType::wait_container: {
      std::string what = condition == "service_healthy"                  ? "healthy"
                         : condition == "service_completed_successfully" ? "completed successfully"
                                                                         : "started";
      return with_reason("wait for container " + name + " to be " + what);
    }
    case ActionType::remove_network:
      return with_reason("remove network " + name);
    case ActionType::remove_volume:
      return with_reason("remove volume " + name);
  }
  return name;
}

std::string Plan::render() const {
  std::string out;
  for (const auto& a : actions) out += a.describe() + "\n";
  return out;
}

Labels container_labels(const compose::Project& project, const std::string& service, int number,
                        const std::string& role, const std::string& generation) {
  Labels l = base_labels(project);
  l[label::kService] = service;
  l[label::kNumber] = std::to_string(number);
  l[label::kOneoff] = "False";
  l[label::kWorkingDir] = project.working_dir;
  l[label::kConfigFiles] = joined(project.config_files, ",");
  l[label::kRole] = role;
  l[label::kGeneration] = generation;
  compose::Model model(project);
  // The label is there exactly when the service has a depends_on mapping (possibly empty).
  if (model.has_service(service) && model.service(service).spec().value("depends_on", ojson()).is_object()) {
    std::vector<std::string> deps;
    for (const auto& d : model.service(service).depends_on())
      deps.push_back(d.service + ":" + d.condition + ":" + (d.restart ? "true" : "false"));
    l[label::kDependsOn] = joined(deps, ",");
  }
  return l;
}

Plan plan_down(const compose::Project& project, const Observed& observed, const DownOptions& options) {
  Plan plan;
  compose::Model model(project);

  // Dependents stop before what they depend on: the reverse of the start order.
  std::vector<std::string> order;
  try {
    order = model.dependency_order();
  } catch (const UserError&) {
    order = model.service_names();
  }
  std::reverse(order.begin(), order.end());
  std::vector<const ObservedContainer*> doomed;
  bool orphans_left = false;
  for (const auto& c : observed.containers) {
    // The edge is removed by the command before the plan runs (it joins the networks).
    if (c.oneoff || c.edge() || model.has_service(c.service)) continue;
    if (options.remove_orphans)
      doomed.push_back(&c);
    else {
      orphans_left = true;
      plan.warnings.push_back("found orphan container " + c.name + " of service \"" + c.service +
                              "\" (remove it with --remove-orphans)");
    }
  }
  for (const auto& s : order)
    for (const auto* c : containers_of(observed, s)) doomed.push_back(c);
  for (const auto* c : doomed) {
    Action a;
    a.type = ActionType::remove_container;
    a.name = c->name;
    a.id = c->id;
    a.service = c->service;
    a.number = c->number;
    a.remove_volumes = options.volumes;
    a.files_dir = c->files_dir;
    if (!model.has_service(c->service))
      a.reason = "orphan";
    else
      a.stop_timeout = stop_timeout_seconds(model.service(c->service).spec());
    plan.actions.push_back(std::move(a));
  }

  for (const auto& net : model.networks()) {
    if (net.external()) continue;
    std::string name = model.network_name(net.key());
    if (!observed.network(name)) continue;
    if (orphans_left) {
      plan.warnings.push_back("network " + name + " kept: orphan containers may still use it");
      continue;
    }
    Action a;
    a.type = ActionType::remove_network;
    a.name = name;
    plan.actions.push_back(std::move(a));
  }
  if (options.volumes) {
    for (const auto& vol : model.volumes()) {
      if (vol.external()) continue;
      std::string name = model.volume_name(vol.key());
      if (!observed.volume(name)) continue;
      Action a;
      a.type = ActionType::remove_volume;
      a.name = name;
      plan.actions.push_back(std::move(a));
    }
  }
  return plan;
}

}  // namespace slipway::plan

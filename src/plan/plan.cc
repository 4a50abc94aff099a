#include "plan/plan.h"

#include <algorithm>
#include <set>

#include "plan/config_hash.h"
#include "plan/file_digests.h"
#include "plan/naming.h"

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
    case ActionType::start_container:
      return with_reason("start container " + name);
    case ActionType::wait_container: {
      std::string what = condition == "service_healthy"                    ? "healthy"
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

namespace {

Location where(const compose::Project& project) {
  Location l;
  if (!project.config_files.empty()) l.file = project.config_files.front();
  return l;
}

std::string joined(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

bool is_true(const ojson& v, const char* key) {
  return v.is_object() && v.contains(key) && v[key].is_boolean() && v[key].get<bool>();
}

const ojson& services_of(const compose::Project& project) {
  static const ojson empty = ojson::object();
  if (project.model.contains("services") && project.model["services"].is_object()) return project.model["services"];
  return empty;
}

// Keys of the model's networks/volumes the given services use.
std::vector<std::string> used_networks(const ojson& services, const std::vector<std::string>& names) {
  std::set<std::string> keys;
  for (const auto& s : names) {
    const ojson& spec = services[s];
    if (spec.contains("network_mode") && spec["network_mode"].is_string()) continue;
    if (spec.contains("networks") && spec["networks"].is_object()) {
      for (const auto& [k, _] : spec["networks"].items()) keys.insert(k);
    } else {
      keys.insert("default");
    }
  }
  return {keys.begin(), keys.end()};
}

std::vector<std::string> used_volumes(const ojson& services, const std::vector<std::string>& names) {
  std::set<std::string> keys;
  for (const auto& s : names) {
    const ojson& spec = services[s];
    if (!spec.contains("volumes") || !spec["volumes"].is_array()) continue;
    for (const auto& m : spec["volumes"])
      if (m.is_object() && m.value("type", "") == "volume" && m.contains("source") && m["source"].is_string() &&
          !m["source"].get<std::string>().empty())
        keys.insert(m["source"].get<std::string>());
  }
  return {keys.begin(), keys.end()};
}

Labels base_labels(const compose::Project& project) {
  return {{label::kProject, project.name}, {label::kVersion, label::kComposeVersion}};
}

std::vector<const ObservedContainer*> containers_of(const Observed& observed, const std::string& service) {
  std::vector<const ObservedContainer*> out;
  for (const auto& c : observed.containers)
    if (!c.oneoff && c.service == service) out.push_back(&c);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) {
    if (a->number != b->number) return a->number < b->number;
    return a->name < b->name;
  });
  return out;
}

// The `service:X` references whose container identity is baked into a container at create
// time (namespaces, volumes_from, links): recreating X forces recreating the user.
std::vector<std::string> identity_dependencies(const ojson& spec) {
  std::set<std::string> out;
  for (const char* key : {"network_mode", "pid", "ipc"})
    if (spec.contains(key) && spec[key].is_string() && spec[key].get<std::string>().rfind("service:", 0) == 0)
      out.insert(spec[key].get<std::string>().substr(8));
  if (spec.contains("volumes_from") && spec["volumes_from"].is_array())
    for (const auto& v : spec["volumes_from"])
      if (v.is_string() && v.get<std::string>().rfind("container:", 0) != 0) {
        std::string s = v.get<std::string>();
        if (s.rfind("service:", 0) == 0) s = s.substr(8);
        out.insert(s.substr(0, s.find(':')));
      }
  return {out.begin(), out.end()};
}

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

}  // namespace

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
  const ojson& spec = services_of(project).contains(service) ? services_of(project)[service] : ojson::object();
  if (spec.contains("depends_on") && spec["depends_on"].is_object()) {
    std::vector<std::string> deps;
    for (const auto& [name, d] : spec["depends_on"].items())
      deps.push_back(name + ":" + d.value("condition", "service_started") + ":" +
                     (is_true(d, "restart") ? "true" : "false"));
    l[label::kDependsOn] = joined(deps, ",");
  }
  return l;
}

json network_body(const compose::Project& project, const std::string& key) {
  const ojson& def = project.model.contains("networks") && project.model["networks"].contains(key)
                         ? project.model["networks"][key]
                         : ojson::object();
  auto fail = [&](const std::string& what) -> void {
    throw UserError(where(project), "networks." + key + " " + what);
  };
  json body = {{"Name", network_name(project.model, key)}, {"CheckDuplicate", true}};
  json labels = resource_labels(project, label::kNetwork, key);
  if (def.is_object()) {
    for (const auto& [k, v] : def.items()) {
      if (k == "name" || k == "external" || k.rfind("x-", 0) == 0) continue;
      if (k == "driver") body["Driver"] = v.get<std::string>();
      else if (k == "driver_opts") {
        for (const auto& [ok, ov] : v.items()) body["Options"][ok] = option_text(ov);
      } else if (k == "internal") body["Internal"] = v.get<bool>();
      else if (k == "attachable") body["Attachable"] = v.get<bool>();
      else if (k == "enable_ipv6") body["EnableIPv6"] = v.get<bool>();
      else if (k == "labels") {
        add_user_labels(labels, v);
      } else if (k == "ipam") {
        json ipam = json::object();
        for (const auto& [ik, iv] : v.items()) {
          if (ik == "driver") ipam["Driver"] = iv.get<std::string>();
          else if (ik == "options") ipam["Options"] = json::parse(iv.dump());
          else if (ik == "config") {
            json configs = json::array();
            for (const auto& c : iv) {
              json one = json::object();
              for (const auto& [ck, cv] : c.items()) {
                if (ck == "subnet") one["Subnet"] = cv.get<std::string>();
                else if (ck == "gateway") one["Gateway"] = cv.get<std::string>();
                else if (ck == "ip_range") one["IPRange"] = cv.get<std::string>();
                else if (ck == "aux_addresses") one["AuxiliaryAddresses"] = json::parse(cv.dump());
                else fail("ipam.config." + ck + " is not supported by slipway (remove it)");
              }
              configs.push_back(one);
            }
            ipam["Config"] = configs;
          } else {
            fail("ipam." + ik + " is not supported by slipway (remove it)");
          }
        }
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
  const ojson& def = project.model["volumes"][key];
  json body = {{"Name", volume_name(project.model, key)}};
  json labels = resource_labels(project, label::kVolume, key);
  if (def.is_object()) {
    for (const auto& [k, v] : def.items()) {
      if (k == "name" || k == "external" || k.rfind("x-", 0) == 0) continue;
      if (k == "driver") body["Driver"] = v.get<std::string>();
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

Plan plan_up(const compose::Project& project, const Observed& observed, const UpOptions& options) {
  Plan plan;
  const ojson& services = services_of(project);
  const ojson& model = project.model;
  Location loc = where(project);

  std::vector<std::string> selected;
  if (options.services.empty()) {
    for (const auto& [name, _] : services.items()) selected.push_back(name);
  } else {
    selected = with_dependencies(services, options.services);
  }
  std::set<std::string> in_scope(selected.begin(), selected.end());
  std::vector<std::string> order;
  for (const auto& s : dependency_order(services))
    if (in_scope.count(s)) order.push_back(s);

  std::string generation = options.generation;
  if (generation.empty()) {
    long best = 0;
    for (const auto& c : observed.containers) {
      auto it = c.labels.find(label::kGeneration);
      if (it == c.labels.end()) continue;
      try {
        best = std::max(best, std::stol(it->second));
      } catch (...) {
      }
    }
    generation = std::to_string(best > 0 ? best : 1);
  }

  // Images first: a failing build should stop `up` before anything else changes.
  std::map<std::string, std::string> image_ids;  // reference -> ID ("" = made by this plan)
  std::set<std::string> built;                   // references a build in this plan makes
  std::set<std::string> planned_images;
  for (const auto& s : order) {
    const ojson& spec = services[s];
    std::string ref = service_image(project.name, s, spec);
    auto have = observed.images.find(ref);
    bool has_build = spec.contains("build") && !spec["build"].is_null();
    std::string policy = spec.value("pull_policy", "");
    bool rebuild = has_build && (options.build || policy == "build");
    if (have != observed.images.end() && !rebuild) {
      image_ids[ref] = have->second;
      continue;
    }
    image_ids[ref] = "";
    if (!planned_images.insert(ref).second) continue;
    Action a;
    a.service = s;
    a.name = ref;
    a.image = ref;
    if (has_build) {
      a.type = ActionType::build_image;
      a.build = spec["build"];
      built.insert(ref);
      a.reason = have == observed.images.end() ? "" : "rebuild";
    } else {
      if (policy == "never")
        throw UserError(loc, "services." + s + ": image " + ref +
                                 " is not present and pull_policy is never (build or load it first)");
      a.type = ActionType::pull_image;
    }
    plan.actions.push_back(std::move(a));
  }

  // Orphans: containers of services the model no longer has.
  for (const auto& c : observed.containers) {
    if (c.oneoff || services.contains(c.service)) continue;
    if (options.remove_orphans) {
      Action a;
      a.type = ActionType::remove_container;
      a.name = c.name;
      a.id = c.id;
      a.service = c.service;
      a.number = c.number;
      a.reason = "orphan";
      plan.actions.push_back(std::move(a));
    } else {
      plan.warnings.push_back("found orphan container " + c.name + " of service \"" + c.service +
                              "\" (remove it with --remove-orphans)");
    }
  }

  for (const auto& key : used_networks(services, order)) {
    const ojson def = model.contains("networks") && model["networks"].contains(key) ? model["networks"][key]
                                                                                     : ojson::object();
    std::string name = network_name(model, key);
    const ObservedNetwork* have = observed.network(name);
    if (is_true(def, "external")) {
      if (!have)
        throw UserError(loc, "network " + name + " is declared external but does not exist (create it with `docker network create " + name + "`)");
      continue;
    }
    if (have) {
      auto it = have->labels.find(label::kProject);
      if (it != have->labels.end() && it->second != project.name)
        plan.warnings.push_back("network " + name + " belongs to project \"" + it->second + "\"; using it anyway");
      continue;
    }
    Action a;
    a.type = ActionType::create_network;
    a.name = name;
    a.body = network_body(project, key);
    plan.actions.push_back(std::move(a));
  }

  for (const auto& key : used_volumes(services, order)) {
    if (!model.contains("volumes") || !model["volumes"].contains(key))
      throw UserError(loc, "volume \"" + key + "\" is used but not declared (add it under the top-level volumes:)");
    const ojson& def = model["volumes"][key];
    std::string name = volume_name(model, key);
    const ObservedVolume* have = observed.volume(name);
    if (is_true(def, "external")) {
      if (!have)
        throw UserError(loc, "volume " + name + " is declared external but does not exist (create it with `docker volume create " + name + "`)");
      continue;
    }
    if (have) continue;
    Action a;
    a.type = ActionType::create_volume;
    a.name = name;
    a.body = volume_body(project, key);
    plan.actions.push_back(std::move(a));
  }

  // Containers, in dependency order.
  std::set<std::string> recreated;     // services whose containers got a new identity
  std::set<std::string> waited;        // "service|condition" already waited for
  std::set<std::string> completed_needed;  // services others wait to complete
  for (const auto& [_, spec] : services.items())
    if (spec.contains("depends_on") && spec["depends_on"].is_object())
      for (const auto& [dep, d] : spec["depends_on"].items())
        if (d.value("condition", "") == "service_completed_successfully") completed_needed.insert(dep);

  for (const auto& s : order) {
    const ojson& spec = services[s];
    std::string ref = service_image(project.name, s, spec);
    std::string image_id = image_ids[ref];
    int want = replicas(s, spec);
    std::string hash = config_hash(spec, image_id);
    auto existing = containers_of(observed, s);

    bool dependency_recreated = false;
    for (const auto& d : identity_dependencies(spec))
      if (recreated.count(d)) dependency_recreated = true;
    bool restart_dependency = false;
    if (spec.contains("depends_on") && spec["depends_on"].is_object())
      for (const auto& [dep, d] : spec["depends_on"].items())
        if (is_true(d, "restart") && recreated.count(dep)) restart_dependency = true;

    std::vector<Action> service_actions;
    std::set<int> numbers_seen;
    for (const ObservedContainer* c : existing) {
      if (c->number < 1 || c->number > want || !numbers_seen.insert(c->number).second) {
        Action a;
        a.type = ActionType::remove_container;
        a.name = c->name;
        a.id = c->id;
        a.service = s;
        a.number = c->number;
        a.reason = c->number > want ? "scaled down" : "duplicate";
        a.stop_timeout = stop_timeout_seconds(spec);
        service_actions.push_back(std::move(a));
      }
    }
    for (int n = 1; n <= want; ++n) {
      const ObservedContainer* have = nullptr;
      for (const ObservedContainer* c : existing)
        if (c->number == n) {
          have = c;
          break;
        }
      CreateContext ctx;
      ctx.project = project.name;
      ctx.service = s;
      ctx.number = n;
      ctx.image = image_id.empty() ? ref : image_id;
      ctx.labels = container_labels(project, s, n, options.role, generation);
      ctx.labels[label::kConfigHash] = hash;
      if (!image_id.empty()) ctx.labels[label::kImage] = image_id;
      ctx.api_version = options.api_version;
      ctx.where = loc;
      ContainerSpec cs = container_spec(model, ctx);
      if (!options.file_digests.empty() && !cs.files.empty()) {
        std::map<std::string, std::string> by_target;
        for (const auto& f : cs.files) {
          auto it = options.file_digests.find(f.kind + ":" + f.name);
          if (it != options.file_digests.end()) by_target[f.target] = it->second;
        }
        cs.body["Labels"][label::kFileDigests] = encode_file_digests(by_target);
      }

      std::string reason;
      ActionType type = ActionType::create_container;
      if (have) {
        if (options.no_recreate) reason = "";
        else if (options.force_recreate) reason = "forced";
        else if (image_id.empty()) reason = "new image";
        else if (have->config_hash != hash) reason = "config changed";
        else if (dependency_recreated) reason = "dependency recreated";
        else if (!have->file_digests.empty()) {
          for (const auto& f : cs.files) {
            auto want_digest = options.file_digests.find(f.kind + ":" + f.name);
            auto got = have->file_digests.find(f.target);
            if (want_digest != options.file_digests.end() &&
                (got == have->file_digests.end() || got->second != want_digest->second)) {
              reason = f.kind + " " + f.name + " changed";
              break;
            }
          }
        }
        if (!reason.empty()) {
          type = ActionType::recreate_container;
        } else if (!have->running()) {
          bool finished = have->state == "exited" && have->exit_code == 0 && completed_needed.count(s);
          if (finished) continue;
          type = ActionType::start_container;
          reason = have->state == "created" ? "created, not started" : "stopped";
        } else if (restart_dependency) {
          type = ActionType::recreate_container;
          reason = "dependency recreated";
        } else {
          continue;  // up to date
        }
      }
      Action a;
      a.type = type;
      a.service = s;
      a.number = n;
      a.name = cs.name;
      a.reason = reason;
      a.image = ref;
      a.image_id = image_id;
      a.image_built = built.count(ref) > 0;
      a.stop_timeout = cs.stop_timeout;
      if (have) a.id = have->id;
      if (type != ActionType::start_container) {
        a.service_spec = spec;
        a.container = std::move(cs);
        recreated.insert(s);
      }
      service_actions.push_back(std::move(a));
    }
    if (service_actions.empty()) continue;

    // Dependencies' conditions hold before this service's containers start.
    bool starts = std::any_of(service_actions.begin(), service_actions.end(), [](const Action& a) {
      return a.type != ActionType::remove_container;
    });
    if (starts && spec.contains("depends_on") && spec["depends_on"].is_object()) {
      for (const auto& [dep, d] : spec["depends_on"].items()) {
        std::string condition = d.value("condition", "service_started");
        if (condition == "service_started") continue;
        if (!services.contains(dep)) continue;
        if (!waited.insert(dep + "|" + condition).second) continue;
        bool required = !(d.contains("required") && d["required"].is_boolean() && !d["required"].get<bool>());
        int count = replicas(dep, services[dep]);
        for (int n = 1; n <= count; ++n) {
          Action w;
          w.type = ActionType::wait_container;
          w.service = dep;
          w.number = n;
          w.name = container_name(project.name, dep, services[dep], n);
          w.condition = condition;
          w.required = required;
          plan.actions.push_back(std::move(w));
        }
      }
    }
    for (auto& a : service_actions) plan.actions.push_back(std::move(a));
  }
  return plan;
}

Plan plan_down(const compose::Project& project, const Observed& observed, const DownOptions& options) {
  Plan plan;
  const ojson& services = services_of(project);
  const ojson& model = project.model;

  // Dependents stop before what they depend on: the reverse of the start order.
  std::vector<std::string> order;
  try {
    order = dependency_order(services);
  } catch (const UserError&) {
    for (const auto& [name, _] : services.items()) order.push_back(name);
  }
  std::reverse(order.begin(), order.end());
  std::vector<const ObservedContainer*> doomed;
  bool orphans_left = false;
  for (const auto& c : observed.containers) {
    if (c.oneoff || services.contains(c.service)) continue;
    if (options.remove_orphans) doomed.push_back(&c);
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
    if (!services.contains(c->service)) a.reason = "orphan";
    else a.stop_timeout = stop_timeout_seconds(services[c->service]);
    plan.actions.push_back(std::move(a));
  }

  if (model.contains("networks") && model["networks"].is_object()) {
    for (const auto& [key, def] : model["networks"].items()) {
      if (is_true(def, "external")) continue;
      std::string name = network_name(model, key);
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
  }
  if (options.volumes && model.contains("volumes") && model["volumes"].is_object()) {
    for (const auto& [key, def] : model["volumes"].items()) {
      if (is_true(def, "external")) continue;
      std::string name = volume_name(model, key);
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

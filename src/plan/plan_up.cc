// plan_up (plan.h), phase by phase: the services in scope, images, orphans, networks,
// volumes, then each service's containers in dependency order with the waits their
// dependencies' conditions ask for.
#include <algorithm>
#include <set>

#include "compose/model.h"
#include "plan/build_request.h"
#include "plan/config_hash.h"
#include "plan/file_digests.h"
#include "plan/naming.h"
#include "plan/plan.h"
#include "plan/plan_helpers.h"
#include "plan/recovery.h"
#include "util/parse.h"

namespace slipway::plan {

namespace {

// Keys of the model's networks the given services use.
std::vector<std::string> used_networks(const compose::Model& model, const std::vector<std::string>& names) {
  std::set<std::string> keys;
  for (const auto& s : names)
    for (const auto& k : model.service(s).networks()) keys.insert(k);
  return {keys.begin(), keys.end()};
}

// Keys of the model's volumes the given services mount.
std::vector<std::string> used_volumes(const compose::Model& model, const std::vector<std::string>& names) {
  std::set<std::string> keys;
  for (const auto& s : names)
    for (const auto& m : model.service(s).mounts())
      if (m.type() == "volume" && !m.source().empty()) keys.insert(m.source());
  return {keys.begin(), keys.end()};
}

// One plan_up run: the inputs, and what earlier phases decided that later ones need.
class UpPlanner {
 public:
  UpPlanner(const compose::Project& project, const Observed& observed, const UpOptions& options)
      : project_(project), observed_(observed), options_(options), model_(project), loc_(where(project)) {}

  Plan run() {
    select_services();
    choose_generation();
    plan_images();  // first: a failing build stops `up` before anything else changes
    plan_orphans();
    plan_networks();
    plan_volumes();
    plan_containers();
    return std::move(plan_);
  }

 private:
  const compose::Project& project_;
  const Observed& observed_;
  const UpOptions& options_;
  compose::Model model_;
  Location loc_;
  Plan plan_;

  std::vector<std::string> order_;                // services in scope, dependencies first
  std::string generation_;                        // io.slipway.generation of new containers
  std::map<std::string, std::string> image_ids_;  // reference -> ID ("" = made by this plan)
  std::set<std::string> built_;                   // references a build in this plan makes
  std::set<std::string> recreated_;               // services whose containers get a new identity
  std::set<std::string> waited_;                  // "service|condition" already waited for
  std::set<std::string> completed_needed_;        // services others wait to complete

  void select_services() {
    std::vector<std::string> selected;
    if (options_.services.empty()) {
      selected = model_.service_names();
    } else {
      selected = model_.with_dependencies(options_.services);
    }
    std::set<std::string> in_scope(selected.begin(), selected.end());
    for (const auto& s : model_.dependency_order())
      if (in_scope.count(s)) order_.push_back(s);
  }

  // The generation asked for, else the highest one running, else 1.
  void choose_generation() {
    generation_ = options_.generation;
    if (!generation_.empty()) return;
    int64_t best = 0;
    for (const auto& c : observed_.containers) {
      auto it = c.labels.find(label::kGeneration);
      if (it == c.labels.end()) continue;
      best = std::max(best, parse_int(it->second, 0).value_or(0));
    }
    generation_ = std::to_string(best > 0 ? best : 1);
  }

  void plan_images() {
    std::set<std::string> planned;
    for (const auto& s : order_) {
      compose::Service svc = model_.service(s);
      std::string ref = svc.image_reference(project_.name);
      auto have = observed_.images.find(ref);
      std::optional<compose::Build> build = svc.build();
      bool has_build = build.has_value();
      std::string policy = svc.pull_policy();
      bool rebuild = has_build && (options_.build || policy == "build");
      if (have != observed_.images.end() && !rebuild) {
        image_ids_[ref] = have->second;
        continue;
      }
      image_ids_[ref] = "";
      if (!planned.insert(ref).second) continue;
      Action a;
      a.service = s;
      a.name = ref;
      a.image = ref;
      if (has_build) {
        a.type = ActionType::build_image;
        a.build_request = build_request(project_.name, s, *build->spec, ref);
        built_.insert(ref);
        a.reason = have == observed_.images.end() ? "" : "rebuild";
      } else {
        if (policy == "never")
          throw UserError(loc_, "services." + s + ": image " + ref +
                                    " is not present and pull_policy is never (build or load it first)");
        a.type = ActionType::pull_image;
      }
      plan_.actions.push_back(std::move(a));
    }
  }

  // Containers of services the model no longer has.
  void plan_orphans() {
    for (const auto& c : observed_.containers) {
      if (c.oneoff || c.edge() || model_.has_service(c.service)) continue;
      if (!options_.remove_orphans) {
        plan_.warnings.push_back("found orphan container " + c.name + " of service \"" + c.service +
                                 "\" (remove it with --remove-orphans)");
        continue;
      }
      Action a;
      a.type = ActionType::remove_container;
      a.name = c.name;
      a.id = c.id;
      a.service = c.service;
      a.number = c.number;
      a.reason = "orphan";
      plan_.actions.push_back(std::move(a));
    }
  }

  void plan_networks() {
    for (const auto& key : used_networks(model_, order_)) {
      std::optional<compose::Resource> def = model_.network(key);
      std::string name = model_.network_name(key);
      const ObservedNetwork* have = observed_.network(name);
      if (def && def->external()) {
        if (!have)
          throw UserError(loc_, "network " + name +
                                    " is declared external but does not exist (create it with `docker network "
                                    "create " +
                                    name + "`)");
        continue;
      }
      if (have) {
        auto it = have->labels.find(label::kProject);
        if (it != have->labels.end() && it->second != project_.name)
          plan_.warnings.push_back("network " + name + " belongs to project \"" + it->second + "\"; using it anyway");
        continue;
      }
      Action a;
      a.type = ActionType::create_network;
      a.name = name;
      a.body = network_body(project_, key);
      plan_.actions.push_back(std::move(a));
    }
  }

  void plan_volumes() {
    for (const auto& key : used_volumes(model_, order_)) {
      std::optional<compose::Resource> def = model_.volume(key);
      if (!def)
        throw UserError(loc_, "volume \"" + key + "\" is used but not declared (add it under the top-level volumes:)");
      std::string name = model_.volume_name(key);
      const ObservedVolume* have = observed_.volume(name);
      if (def->external()) {
        if (!have)
          throw UserError(loc_, "volume " + name +
                                    " is declared external but does not exist (create it with `docker volume create " +
                                    name + "`)");
        continue;
      }
      if (have) continue;
      Action a;
      a.type = ActionType::create_volume;
      a.name = name;
      a.body = volume_body(project_, key);
      plan_.actions.push_back(std::move(a));
    }
  }

  void plan_containers() {
    for (const auto& svc : model_.services())
      for (const auto& d : svc.depends_on())
        if (d.condition == "service_completed_successfully") completed_needed_.insert(d.service);
    for (const auto& s : order_) plan_service(s);
  }

  // One service: removals of containers beyond its scale, then per wanted container what an
  // interrupted run left (plan/recovery.h) and the container's own action, all after the
  // waits for its dependencies' conditions.
  void plan_service(const std::string& s) {
    compose::Service svc = model_.service(s);
    int want = svc.replicas();
    int stop_timeout = stop_timeout_seconds(svc.spec());
    std::vector<Action> actions;
    std::map<int, std::vector<const ObservedContainer*>> by_number;
    for (const ObservedContainer* c : containers_of(observed_, s)) {
      if (c->number >= 1 && c->number <= want) {
        by_number[c->number].push_back(c);
        continue;
      }
      Action a;
      a.type = ActionType::remove_container;
      a.name = c->name;
      a.id = c->id;
      a.service = s;
      a.number = c->number;
      a.reason = c->number > want ? "scaled down" : "duplicate";
      a.stop_timeout = stop_timeout;
      a.files_dir = c->files_dir;
      actions.push_back(std::move(a));
    }
    for (int n = 1; n <= want; ++n) {
      std::string name = svc.container_name(project_.name, n);
      Recovery r = recover_slot(slot_of(by_number[n], name), name, s, stop_timeout);
      for (auto& a : r.actions) actions.push_back(std::move(a));
      if (auto a = plan_slot(s, n, r.current ? &*r.current : nullptr)) actions.push_back(std::move(*a));
    }
    if (actions.empty()) return;
    bool starts = std::any_of(actions.begin(), actions.end(), [](const Action& a) {
      return a.type != ActionType::remove_container && a.type != ActionType::rename_container;
    });
    if (starts) plan_waits(s);
    for (auto& a : actions) plan_.actions.push_back(std::move(a));
  }

  // The request for container `n` of service `s`, with slipway's labels.
  ContainerSpec desired(const std::string& s, int n, const std::string& ref, const std::string& image_id) {
    const ojson& spec = model_.service(s).spec();
    CreateContext ctx;
    ctx.project = project_.name;
    ctx.service = s;
    ctx.number = n;
    ctx.image = image_id.empty() ? ref : image_id;
    ctx.labels = container_labels(project_, s, n, options_.role, generation_);
    ctx.labels[label::kConfigHash] = config_hash(spec, image_id);
    if (!image_id.empty()) ctx.labels[label::kImage] = image_id;
    ctx.api_version = options_.api_version;
    ctx.where = loc_;
    ContainerSpec cs = container_spec(model_, ctx);
    if (!options_.file_digests.empty() && !cs.files.empty()) {
      std::map<std::string, std::string> by_target;
      for (const auto& f : cs.files) {
        auto it = options_.file_digests.find(f.kind + ":" + f.name);
        if (it != options_.file_digests.end()) by_target[f.target] = it->second;
      }
      cs.body["Labels"][label::kFileDigests] = encode_file_digests(by_target);
    }
    return cs;
  }

  // Why the existing container `have` must be recreated ("" when it may stay).
  std::string recreate_reason(const std::string& s, const ObservedContainer& have, const ContainerSpec& cs,
                              const std::string& image_id) {
    compose::Service svc = model_.service(s);
    if (options_.no_recreate) return "";
    if (options_.force_recreate) return "forced";
    if (image_id.empty()) return "new image";
    if (have.config_hash != cs.body["Labels"].value(label::kConfigHash, "")) return "config changed";
    for (const auto& d : svc.identity_dependencies())
      if (recreated_.count(d)) return "dependency recreated";
    if (have.file_digests.empty()) return "";
    for (const auto& f : cs.files) {
      auto want_digest = options_.file_digests.find(f.kind + ":" + f.name);
      auto got = have.file_digests.find(f.target);
      if (want_digest != options_.file_digests.end() &&
          (got == have.file_digests.end() || got->second != want_digest->second))
        return f.kind + " " + f.name + " changed";
    }
    return "";
  }

  // A depends_on entry with restart: true whose service is recreated in this plan.
  bool restart_dependency(const compose::Service& svc) const {
    for (const auto& d : svc.depends_on())
      if (d.restart && recreated_.count(d.service)) return true;
    return false;
  }

  // The action for container `n` of `s` (nullopt when it is up to date).
  std::optional<Action> plan_slot(const std::string& s, int n, const ObservedContainer* have) {
    compose::Service svc = model_.service(s);
    std::string ref = svc.image_reference(project_.name);
    std::string image_id = image_ids_[ref];
    ContainerSpec cs = desired(s, n, ref, image_id);
    std::string reason;
    ActionType type = ActionType::create_container;
    if (have) {
      reason = recreate_reason(s, *have, cs, image_id);
      if (!reason.empty()) {
        type = ActionType::recreate_container;
      } else if (!have->running()) {
        bool finished = have->state == "exited" && have->exit_code == 0 && completed_needed_.count(s);
        if (finished) return std::nullopt;
        type = ActionType::start_container;
        reason = have->state == "created" ? "created, not started" : "stopped";
      } else if (restart_dependency(svc)) {
        type = ActionType::recreate_container;
        reason = "dependency recreated";
      } else {
        return std::nullopt;  // up to date
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
    a.image_built = built_.count(ref) > 0;
    a.stop_timeout = cs.stop_timeout;
    if (have) {
      a.id = have->id;
      a.files_dir = have->files_dir;
    }
    if (type == ActionType::start_container) a.files = cs.files;
    if (type != ActionType::start_container) {
      a.service_spec = svc.spec();
      a.container = std::move(cs);
      recreated_.insert(s);
    }
    return a;
  }

  // Waits for the conditions `s`'s dependencies must meet before its containers start.
  void plan_waits(const std::string& s) {
    for (const auto& d : model_.service(s).depends_on()) {
      const std::string& dep = d.service;
      const std::string& condition = d.condition;
      if (condition == "service_started") continue;
      if (!model_.has_service(dep)) continue;
      if (!waited_.insert(dep + "|" + condition).second) continue;
      compose::Service dependency = model_.service(dep);
      int count = dependency.replicas();
      for (int n = 1; n <= count; ++n) {
        Action w;
        w.type = ActionType::wait_container;
        w.service = dep;
        w.number = n;
        w.name = dependency.container_name(project_.name, n);
        w.condition = condition;
        w.required = d.required;
        plan_.actions.push_back(std::move(w));
      }
    }
  }
};

}  // namespace

Plan plan_up(const compose::Project& project, const Observed& observed, const UpOptions& options) {
  return UpPlanner(project, observed, options).run();
}

}  // namespace slipway::plan

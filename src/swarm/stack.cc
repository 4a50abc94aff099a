#include "swarm/stack.h"

#include <algorithm>
#include <set>
#include <thread>

#include "plan/labels.h"
#include "swarm/service_spec.h"

namespace slipway::swarm {
namespace {

namespace label = plan::label;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

engine::Filters stack_filter(const std::string& project) {
  return engine::label_filters({{label::kStackNamespace, project}});
}

std::string label_of(const json& object, const char* key) {
  const json& labels = object.value("Spec", json::object()).value("Labels", json::object());
  return labels.is_object() ? labels.value(key, "") : "";
}

// The image each service runs, by ID, from the manager (where slipway builds).
std::map<std::string, std::string> resolve_images(const engine::Engine& manager, const compose::Model& model,
                                                  const std::string& project, const Location& where) {
  std::map<std::string, std::string> out;
  for (const auto& s : model.services()) {
    std::string ref = s.image_reference(project);
    auto image = manager.find_image(ref);
    if (!image)
      throw UserError(where, "services." + s.name() + ": image " + ref + " is not on the swarm manager " +
                                 manager.address() + " (build it there first: slipway build)");
    out[s.name()] = image->value("Id", "");
  }
  return out;
}

}  // namespace

bool converged(const engine::Engine& manager, const std::string& project, std::string* why) {
  auto say = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  for (const auto& service : manager.list_services(stack_filter(project))) {
    const std::string name = service["Spec"].value("Name", "");
    if (service.contains("UpdateStatus")) {
      std::string state = service["UpdateStatus"].value("State", "");
      if (state == "updating" || state == "rollback_started" || state == "paused" || state == "rollback_paused")
        return say(name + ": update " + state + " (" + service["UpdateStatus"].value("Message", "") + ")");
    }
    int wanted = service["Spec"].value(json::json_pointer("/Mode/Replicated/Replicas"), 1);
    // A task counts once it runs the service's current spec (its containers carry the spec
    // hash): right after an update the old tasks still run and no UpdateStatus may be set yet
    // (the updater starts a moment later), and an update may change the environment only.
    const std::string want = label_of(service, label::kSpecHash);
    int running = 0;
    std::string last_error, states;
    for (const auto& task : manager.list_tasks({{"service", {service.value("ID", "")}}, {"desired-state", {"running"}}})) {
      std::string state = task["Status"].value("State", "");
      states += (states.empty() ? "" : ", ") + state;
      if (!task["Status"].value("Err", "").empty()) last_error = task["Status"].value("Err", "");
      const json& labels = task.value(json::json_pointer("/Spec/ContainerSpec/Labels"), json::object());
      bool current = labels.is_object() && labels.value(label::kSpecHash, "") == want;
      if (state == "running" && current) ++running;
    }
    if (running != wanted)
      return say(name + ": " + std::to_string(running) + " of " + std::to_string(wanted) + " tasks running (" +
                 (states.empty() ? "no tasks" : states) + ")" + (last_error.empty() ? "" : ": " + last_error));
  }
  return true;
}

DeployReport deploy_stack(const Target& target, const compose::Model& model, const std::string& project,
                          const Location& where, const DeployOptions& options) {
  const engine::Engine& manager = *target.manager;
  DeployReport report;
  SwarmContext ctx{project, resolve_images(manager, model, project, where), where};
  StackPlan plan = plan_stack(model, ctx);  // refuses what it cannot do before anything changes

  std::vector<std::string> ids;
  for (const auto& [service, id] : ctx.images)
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  report.images = distribute_images(manager, target.nodes, ids);

  for (const auto& body : plan.networks) {
    const std::string name = body.value("Name", "");
    if (auto existing = manager.find_network(name)) {
      if (existing->value("Driver", "") != "overlay")
        throw EnvError("network " + name + " exists on the swarm manager but is not an overlay network (" +
                       existing->value("Driver", "") + "); remove it or rename the Compose network");
      continue;
    }
    manager.create_network(body);
  }

  json existing = manager.list_services(stack_filter(project));
  std::set<std::string> planned;
  for (const auto& p : plan.services) {
    planned.insert(p.name);
    const json* found = nullptr;
    for (const auto& s : existing)
      if (s["Spec"].value("Name", "") == p.name) found = &s;
    if (!found) {
      manager.create_service(p.spec);
      report.created.push_back(p.name);
    } else if (label_of(*found, label::kSpecHash) != p.hash) {
      manager.update_service(found->value("ID", ""), (*found)["Version"].value("Index", std::uint64_t{0}), p.spec);
      report.updated.push_back(p.name);
    } else {
      report.unchanged.push_back(p.name);
    }
  }
  for (const auto& s : existing) {
    const std::string name = s["Spec"].value("Name", "");
    if (planned.count(name)) continue;
    manager.remove_service(s.value("ID", ""));
    report.removed.push_back(name);
  }

  auto deadline = Clock::now() + options.converge_timeout;
  std::string why;
  for (;;) {
    // Before the convergence test: a rolled-back service runs its old spec, which would pass it.
    for (const auto& s : manager.list_services(stack_filter(project)))
      if (s.contains("UpdateStatus") && s["UpdateStatus"].value("State", "") == "rollback_completed" &&
          std::find(report.updated.begin(), report.updated.end(), s["Spec"].value("Name", "")) != report.updated.end())
        throw EnvError("swarm rolled back the update of " + s["Spec"].value("Name", "") + ": " +
                       s["UpdateStatus"].value("Message", ""));
    if (converged(manager, project, &why)) break;
    if (Clock::now() > deadline)
      throw EnvError("the stack " + project + " did not converge on the swarm within " +
                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(options.converge_timeout).count()) +
                     " s: " + why);
    std::this_thread::sleep_for(options.poll);
  }
  return report;
}

std::vector<std::string> down_stack(const Target& target, const std::string& project, const DeployOptions& options) {
  const engine::Engine& manager = *target.manager;
  std::vector<std::string> removed;
  for (const auto& s : manager.list_services(stack_filter(project))) {
    try {
      manager.remove_service(s.value("ID", ""));
    } catch (const engine::EngineError& e) {
      if (!e.not_found()) throw;  // gone meanwhile: what down wants
    }
    removed.push_back(s["Spec"].value("Name", ""));
  }
  // Task containers go away on each node at their own pace; an overlay network cannot be
  // removed while one still uses it.
  auto deadline = Clock::now() + options.converge_timeout;
  const engine::Filters containers = stack_filter(project);
  for (;;) {
    std::string left;
    for (const auto& node : target.nodes) {
      json c = node->list_containers(containers, true);
      if (!c.empty()) left = node->address() + " still has " + std::to_string(c.size()) + " task containers";
    }
    if (left.empty()) break;
    if (Clock::now() > deadline) throw EnvError("down of " + project + " on the swarm: " + left);
    std::this_thread::sleep_for(options.poll);
  }
  for (;;) {
    std::string busy;
    for (const auto& n : manager.list_networks(stack_filter(project))) {
      try {
        manager.remove_network(n.value("Id", ""));
      } catch (const engine::EngineError& e) {
        if (e.not_found()) continue;
        busy = n.value("Name", "") + ": " + e.engine_message();
      }
    }
    if (busy.empty()) break;
    if (Clock::now() > deadline) throw EnvError("down of " + project + " on the swarm: network " + busy);
    std::this_thread::sleep_for(options.poll);
  }
  for (const auto& s : manager.list_secrets(stack_filter(project))) manager.remove_secret(s.value("ID", ""));
  return removed;
}

}  // namespace slipway::swarm

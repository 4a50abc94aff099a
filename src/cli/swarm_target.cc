#include "cli/swarm_target.h"

#include <iostream>

#include "cli/common.h"
#include "swarm/service_spec.h"
#include "swarm/stack.h"

namespace slipway::cli {
namespace {

swarm::Target connect_swarm(const GlobalOptions& global, const SwarmFlags& flags) {
  engine::ClientOptions o;
  o.host = global.host;
  auto manager = std::make_shared<engine::Client>(o);
  manager->ping();
  swarm::Target t{manager, {manager}};
  for (const auto& address : flags.nodes) {
    engine::ClientOptions n;
    n.host = address;
    auto node = std::make_shared<engine::Client>(n);
    node->ping();
    t.nodes.push_back(node);
  }
  // Not a manager (or no swarm): the engine's 503 says so; say what to do instead.
  try {
    manager->inspect_swarm();
  } catch (const engine::EngineError& e) {
    if (e.status() == 503)
      throw EnvError("the engine at " + manager->address() +
                     " is not a swarm manager (run slipway against a manager: -H or DOCKER_HOST)");
    throw;
  }
  return t;
}

Location first_file(const compose::Project& project) {
  Location where;
  if (!project.config_files.empty()) where.file = project.config_files.front();
  return where;
}

}  // namespace

void add_swarm_flags(CLI::App* sub, SwarmFlags& flags) {
  sub->add_option("--target", flags.target,
                  "Where the stack runs: host (this engine, by generations) or swarm (the Swarm this engine "
                  "manages; docs/swarm.md)")
      ->check(CLI::IsMember({"host", "swarm"}));
  sub->add_option("--swarm-node", flags.nodes,
                  "With --target swarm: the engine of another node (ssh://user@host, tcp://, unix://), to load "
                  "images into and to wait on; repeat for each node")
      ->type_size(1)
      ->expected(0, -1);
}

int run_swarm_deploy(const GlobalOptions& global, const SwarmFlags& flags, bool dry_run) {
  compose::Project project = compose::load(global.load_options());
  compose::Model model(project);
  swarm::Target target = connect_swarm(global, flags);
  if (dry_run) {
    swarm::SwarmContext ctx{project.name, {}, first_file(project)};
    for (const auto& s : model.services()) {
      auto image = target.manager->find_image(s.image_reference(project.name));
      ctx.images[s.name()] = image ? image->value("Id", "") : "<" + s.image_reference(project.name) + ">";
    }
    swarm::StackPlan plan = swarm::plan_stack(model, ctx);
    if (global.json) {
      nlohmann::json out = {{"networks", plan.networks}, {"services", nlohmann::json::array()}};
      for (const auto& s : plan.services) out["services"].push_back(s.spec);
      std::cout << out.dump(2) << "\n";
    } else {
      for (const auto& n : plan.networks) std::cout << "network " << n.value("Name", "") << " (overlay)\n";
      for (const auto& s : plan.services)
        std::cout << "service " << s.name << ": "
                  << s.spec["TaskTemplate"]["ContainerSpec"].value("Image", "") << " x"
                  << s.spec["Mode"]["Replicated"].value("Replicas", 1) << "\n";
    }
    return 0;
  }
  swarm::DeployReport r = swarm::deploy_stack(target, model, project.name, first_file(project));
  if (global.json) {
    std::cout << nlohmann::json{{"ok", true},
                                {"created", r.created},
                                {"updated", r.updated},
                                {"unchanged", r.unchanged},
                                {"removed", r.removed},
                                {"images_loaded", r.images.transfers}}
                     .dump(2)
              << "\n";
  } else {
    std::cerr << "stack " << project.name << " converged on the swarm: " << r.created.size() << " created, "
              << r.updated.size() << " updated, " << r.unchanged.size() << " unchanged, " << r.removed.size()
              << " removed; " << r.images.transfers << " image loads onto nodes\n";
  }
  return 0;
}

int run_swarm_down(const GlobalOptions& global, const SwarmFlags& flags) {
  compose::Project project = compose::load(global.load_options());
  swarm::Target target = connect_swarm(global, flags);
  auto removed = swarm::down_stack(target, project.name);
  if (global.json)
    std::cout << nlohmann::json{{"removed", removed}}.dump(2) << "\n";
  else
    std::cerr << (removed.empty() ? "nothing to do: the stack has no services on the swarm\n"
                                  : "stack " + project.name + " removed from the swarm (" +
                                        std::to_string(removed.size()) + " services)\n");
  return 0;
}

}  // namespace slipway::cli

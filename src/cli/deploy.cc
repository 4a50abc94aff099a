// `slipway deploy [SERVICE...]`: the production path. Generation N+1 starts beside N, passes
// its healthchecks and the stack's checks, takes over the edge's routes in one change per
// route, and is watched; N stays (stopped) until then and comes back by itself if N+1 turns
// unhealthy. `up` stays what Compose does (recreate in place). See src/deploy/deployer.h.
#include <iostream>
#include <memory>

#include "cli/common.h"
#include "cli/swarm_target.h"
#include "deploy/deployer.h"

namespace slipway::cli {
namespace {

struct DeployFlags {
  bool dry_run = false;
  bool build = false;
  bool force = false;
  bool no_checks = false;
  int watch = -1;  // < 0: x-slipway deploy.watch
  int health_timeout = 120;
  bool smoke_only = false;
  std::vector<std::string> services;
  SwarmFlags swarm;
};

nlohmann::json plan_json(const deploy::DeployPlan& p) {
  nlohmann::json services = nlohmann::json::array();
  for (const auto& s : p.steps) {
    nlohmann::json names = nlohmann::json::array();
    for (const auto& c : s.fresh) names.push_back(c.name);
    services.push_back({{"service", s.service},
                        {"order", deploy::order_name(s.order.order)},
                        {"reason", s.order.reason},
                        {"image", s.image_id},
                        {"containers", names}});
  }
  nlohmann::json routes = nlohmann::json::array();
  for (const auto& r : p.switches) routes.push_back({{"route", r.route_id}, {"to", r.to}, {"from", r.from}});
  return {{"generation", p.generation}, {"services", services}, {"unchanged", p.unchanged}, {"routes", routes}};
}

int run_deploy_command(GlobalOptions& global, const DeployFlags& f) {
  if (f.swarm.target == "swarm") {
    // Generations, gates, the edge and the watch window are one-machine features so far
    // (docs/swarm.md): refuse their flags rather than ignore them.
    if (!f.services.empty() || f.build || f.force || f.smoke_only || f.watch >= 0)
      throw UserError("deploy --target swarm: SERVICE arguments, --build, --force, --smoke-only and --watch are "
                      "not supported on a swarm yet (docs/swarm.md)");
    return run_swarm_deploy(global, f.swarm, f.dry_run);
  }
  if (!f.swarm.nodes.empty()) throw UserError("deploy: --swarm-node needs --target swarm");
  compose::Project project = compose::load(global.load_options());
  engine::Client client = connect_engine(global);
  deploy::GenerationStore store;
  deploy::DeployRunOptions o;
  o.services = f.services;
  o.force = f.force;
  o.build = f.build;
  o.checks = !f.no_checks;
  o.smoke_only = f.smoke_only;
  o.dry_run = f.dry_run;
  o.health_timeout = std::chrono::seconds(f.health_timeout);
  if (f.watch >= 0) o.watch = std::chrono::seconds(f.watch);
  o.say = [&global](const std::string& line) {
    if (!global.json) std::cerr << line << "\n";
  };
  if (global.verbose) o.edge.on_build_output = o.say;
  deploy::DeployOutcome r = deploy::run_deploy(client, project, store, o);
  if (global.json) {
    nlohmann::json out = {{"ok", r.ok},           {"generation", r.generation}, {"status", r.status},
                          {"nothing", r.nothing}, {"message", r.message},       {"plan", plan_json(r.plan)}};
    std::cout << out.dump(2) << "\n";
  } else if (f.dry_run) {
    std::cout << (r.plan.empty() ? "nothing to deploy\n" : r.plan.render());
  } else if (r.nothing) {
    std::cerr << r.message << "\n";
  } else if (r.ok) {
    std::cerr << "generation " << r.generation << " is live: " << r.message << "\n";
  } else {
    std::cerr << "deploy of generation " << r.generation << " failed: " << r.message << "\n";
  }
  return r.ok ? 0 : 1;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto f = std::make_shared<DeployFlags>();
  CLI::App* sub = app.add_subcommand(
      "deploy", "Deploy a new generation beside the running one: health and checks gates, edge switch, watch window");
  sub->footer(
      "Stateless services start beside the old generation (start-first); services that cannot run twice "
      "(a writable\nnamed volume, container_name, a published host port the edge does not own, network_mode: "
      "host) are stopped\nfirst and their unavailability is printed. Override per service with x-slipway: "
      "{deploy: {order: start-first}}.\nA failed gate leaves the running generation untouched (exit 1). "
      "`slipway history` lists generations,\n`slipway rollback [GEN]` goes back. Settings: x-slipway: {deploy: "
      "{keep: 3, watch: 60}}.");
  sub->add_flag("--dry-run", f->dry_run, "Print what the deploy would change, change nothing");
  sub->add_flag("--build", f->build, "Rebuild images that have a build section first");
  sub->add_flag("--force", f->force, "Deploy the services in scope even when unchanged");
  sub->add_flag("--no-checks", f->no_checks,
                "Skip the tests/*.yaml gate and the watch window's smoke checks (healthchecks still gate)");
  sub->add_flag("--smoke-only", f->smoke_only,
                "Before the switch, run only the check files marked x-slipway: {smoke: true} (default: every "
                "tests/*.yaml); the watch window runs the smoke checks either way")
      ->excludes("--no-checks");
  sub->add_option("--watch", f->watch,
                  "Seconds to watch the new generation after the switch (default: "
                  "x-slipway deploy.watch, else 60; 0: none)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--health-timeout", f->health_timeout, "Seconds to wait for the new containers to be healthy")
      ->check(CLI::PositiveNumber);
  add_swarm_flags(sub, f->swarm);
  sub->add_flag("--json", global.json, "Print the outcome as JSON, no progress");
  sub->add_option("services", f->services, "Only these services (default: every service that changed)");
  sub->callback([&global, &run, f] { run = [&global, f] { return run_deploy_command(global, *f); }; });
}

const bool registered = register_command({"deploy", 22, setup});

}  // namespace
}  // namespace slipway::cli

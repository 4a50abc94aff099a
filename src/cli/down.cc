// `slipway down [-v] [--remove-orphans]`: removes the project's containers and networks
// (and with -v its volumes) through a plan, like every other change.
#include <iostream>
#include <memory>

#include "apply/apply.h"
#include "apply/observe.h"
#include "apply/progress.h"
#include "cli/common.h"
#include "cli/swarm_target.h"
#include "edge/edge.h"
#include "plan/plan.h"

namespace slipway::cli {
namespace {

struct DownFlags {
  bool volumes = false;
  bool remove_orphans = false;
  bool dry_run = false;
  SwarmFlags swarm;
};

int run_down(GlobalOptions& global, const DownFlags& f) {
  if (f.swarm.target == "swarm") {
    // Services and overlay networks only: volumes and orphans have no swarm meaning yet.
    if (f.volumes || f.remove_orphans || f.dry_run)
      throw UserError("down --target swarm: -v, --remove-orphans and --dry-run are not supported on a swarm yet "
                      "(docs/swarm.md)");
    return run_swarm_down(global, f.swarm);
  }
  if (!f.swarm.nodes.empty()) throw UserError("down: --swarm-node needs --target swarm");
  // Signals are handled from the start: an interruption before apply has changed nothing.
  apply::SignalGuard signals;
  compose::Project project = compose::load(global.load_options());
  engine::Client client = connect_engine(global);
  // The edge joined the stack's networks: it goes first, so that they can go (with -v its
  // state volume too: certificates and its internal CA).
  auto edge_container = edge::find_edge(client, project.name);
  if (edge_container && f.dry_run) std::cout << "remove edge " << edge_container->container_name << "\n";
  if (edge_container && !f.dry_run) edge::remove_edge(client, project.name, f.volumes);
  plan::Plan p = plan::plan_down(project, apply::observe(client, project), {f.volumes, f.remove_orphans});
  if (!global.json)
    for (const auto& w : p.warnings) apply::print_warning(w);
  if (f.dry_run) {
    std::cout << (p.empty() && !edge_container ? "nothing to do\n" : p.render());
    return 0;
  }
  if (apply::interrupted())
    throw apply::Interrupted(apply::interrupting_signal(), "interrupted by " +
                                                               apply::signal_name(apply::interrupting_signal()) +
                                                               " before any change (nothing was changed)");
  apply::ApplyOptions ao;
  ao.progress = apply::terminal_progress(global.json);
  ao.warn = apply::print_warning;
  apply::ApplyResult r = apply::apply(client, project, p, ao);
  if (global.json)
    std::cout << nlohmann::json{{"done", r.done}, {"warnings", p.warnings}}.dump(2) << "\n";
  else if (p.empty())
    std::cerr << "nothing to do: the project has no containers or networks\n";
  return 0;
}

void setup_down(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto f = std::make_shared<DownFlags>();
  CLI::App* sub = app.add_subcommand("down", "Stop and remove the project's containers and networks");
  sub->add_flag("-v,--volumes", f->volumes, "Also remove the named volumes of the Compose file and anonymous volumes");
  sub->add_flag("--remove-orphans", f->remove_orphans, "Also remove containers of services not in the Compose file");
  sub->add_flag("--dry-run", f->dry_run, "Print the planned changes, change nothing");
  add_swarm_flags(sub, f->swarm);
  sub->add_flag("--json", global.json, "Print the outcome as JSON, no progress");
  sub->callback([&global, &run, f] { run = [&global, f] { return run_down(global, *f); }; });
}

const bool registered = register_command({"down", 25, setup_down});

}  // namespace
}  // namespace slipway::cli

// `slipway up [-d] [SERVICE...]`: load -> observe -> plan -> apply. The plan is the only way
// anything changes, so --dry-run prints exactly what would happen.
#include <algorithm>
#include <iostream>
#include <optional>
#include <memory>
#include <set>

#include "apply/apply.h"
#include "apply/container_logs.h"
#include "apply/observe.h"
#include "apply/progress.h"
#include "cli/common.h"
#include "compose/model.h"
#include "deploy/up_guard.h"
#include "edge/edge.h"
#include "plan/naming.h"
#include "plan/plan.h"

namespace slipway::cli {
namespace {

struct UpFlags {
  bool detach = false;
  bool dry_run = false;
  bool build = false;
  bool force_recreate = false;
  bool no_recreate = false;
  bool remove_orphans = false;
  int wait_timeout = 300;
  std::vector<std::string> services;
};

nlohmann::json plan_json(const plan::Plan& p) {
  nlohmann::json actions = nlohmann::json::array();
  for (const auto& a : p.actions)
    actions.push_back({{"action", a.describe()}, {"name", a.name}, {"service", a.service}, {"reason", a.reason}});
  return {{"actions", actions}, {"warnings", p.warnings}};
}

// Attached: show the services' output until Ctrl-C. The containers keep running; a server
// tool should not stop production services because a terminal closed.
void follow_logs(const engine::Engine& client, const compose::Project& project, const UpFlags& f) {
  std::vector<plan::ObservedContainer> shown;
  std::set<std::string> wanted(f.services.begin(), f.services.end());
  compose::Model model(project);
  for (const auto& c : apply::observe_containers(client, project.name))
    if (!c.oneoff && model.has_service(c.service) && (wanted.empty() || wanted.count(c.service))) shown.push_back(c);
  std::cerr << "following the logs (Ctrl-C stops following; the containers keep running, "
               "`slipway down` stops them)\n";
  engine::LogsOptions lo;
  lo.follow = true;
  lo.tail = "all";
  apply::print_logs(client, shown, lo);
}

// Why `up --build` builds nothing, when it does not: no service in scope has a build section.
std::string build_flag_note(const compose::Project& project, const UpFlags& f) {
  if (!f.build) return "";
  compose::Model model(project);
  std::vector<std::string> scope =
      f.services.empty() ? std::vector<std::string>{} : model.with_dependencies(f.services);
  for (const auto& svc : model.services())
    if ((scope.empty() || std::count(scope.begin(), scope.end(), svc.name())) && svc.build()) return "";
  return "--build: no service in scope has a build section, so there is nothing to build (images are used as they are)";
}

int run_up(GlobalOptions& global, const UpFlags& f) {
  // Signals are handled from the start: an interruption before apply has changed nothing.
  std::optional<apply::SignalGuard> signals(std::in_place);
  compose::Project project = compose::load(global.load_options());
  engine::Client client = connect_engine(global);
  if (auto why = deploy::up_conflict(project, f.services, edge::find_edge(client, project.name).has_value()))
    throw UserError(*why);

  plan::UpOptions options;
  options.services = f.services;
  options.remove_orphans = f.remove_orphans;
  options.force_recreate = f.force_recreate;
  options.no_recreate = f.no_recreate;
  options.build = f.build;
  options.api_version = client.api_version();
  options.file_digests = apply::file_digests(project);
  plan::Observed observed = apply::observe(client, project, {.file_digests = true});
  plan::Plan p = plan::plan_up(project, observed, options);

  if (!global.json) {
    for (const auto& w : p.warnings) apply::print_warning(w);
    if (std::string note = build_flag_note(project, f); !note.empty()) std::cerr << note << "\n";
  }
  if (f.dry_run) {
    if (global.json)
      std::cout << plan_json(p).dump(2) << "\n";
    else
      std::cout << (p.empty() ? "nothing to do\n" : p.render());
    return 0;
  }
  if (apply::interrupted())
    throw apply::Interrupted(apply::interrupting_signal(), "interrupted by " +
                                                               apply::signal_name(apply::interrupting_signal()) +
                                                               " before any change (nothing was changed)");
  apply::ApplyOptions ao;
  ao.wait_timeout = std::chrono::seconds(f.wait_timeout);
  ao.progress = apply::terminal_progress(global.json);
  ao.warn = apply::print_warning;
  if (!global.json) ao.info = [](const std::string& line) { std::cerr << line << "\n"; };
  if (global.verbose && !global.json) ao.build_output = [](const std::string& line) { std::cerr << line << "\n"; };
  apply::ApplyResult r = apply::apply(client, project, p, ao);
  if (global.json) {
    nlohmann::json out = plan_json(p);
    out["done"] = r.done;
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (p.empty()) std::cerr << "nothing to do: every service is up to date\n";
  if (f.detach) return 0;
  signals.reset();  // from here Ctrl-C ends the command, as it does `docker compose up`
  follow_logs(client, project, f);
  return 0;
}

void setup_up(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto f = std::make_shared<UpFlags>();
  CLI::App* sub = app.add_subcommand("up", "Create and start the project's containers (only what changed)");
  sub->add_flag("-d,--detach", f->detach, "Return when everything is started instead of following the logs");
  sub->add_flag("--dry-run", f->dry_run, "Print the planned changes, change nothing");
  sub->add_flag("--build", f->build, "Build images of services with a build section even if they exist");
  sub->add_flag("--force-recreate", f->force_recreate, "Recreate containers even if nothing changed");
  sub->add_flag("--no-recreate", f->no_recreate, "Never recreate existing containers");
  sub->add_flag("--remove-orphans", f->remove_orphans, "Remove containers of services not in the Compose file");
  sub->add_option("--wait-timeout", f->wait_timeout, "Seconds to wait for each depends_on condition")
      ->check(CLI::PositiveNumber);
  sub->add_flag("--json", global.json, "Print the plan and the outcome as JSON, no progress");
  sub->add_option("services", f->services, "Only these services (and what they depend on)");
  sub->callback([&global, &run, f] {
    if (f->force_recreate && f->no_recreate)
      throw CLI::ValidationError("--force-recreate and --no-recreate exclude each other");
    run = [&global, f] { return run_up(global, *f); };
  });
}

const bool registered = register_command({"up", 20, setup_up});

}  // namespace
}  // namespace slipway::cli

// `slipway drift [--json]`: where what runs differs from the repository (agent/drift.h) —
// files changed inside containers, containers started by hand from the stack's images, labelled
// objects the Compose file does not declare, configurations that differ, missing images. Reads
// only; each finding says what to do. Exit 0 when there is none, 1 when there is drift.
#include <iostream>
#include <memory>

#include "agent/drift.h"
#include "cli/common.h"
#include "deploy/store.h"

namespace slipway::cli {
namespace {

// A stack with generation records is deployed by generations: its findings advise `deploy`.
bool deployed_by_generations(const std::string& stack) {
  try {
    return deploy::GenerationStore().highest(stack) > 0;
  } catch (const EnvError&) {
    return false;  // no readable state: advise what works without it
  }
}

int run_drift(GlobalOptions& global) {
  compose::Project project = compose::load(global.load_options());
  engine::Client client = connect_engine(global);
  agent::DriftReport report = agent::find_drift(client, project, {deployed_by_generations(project.name)});
  if (global.json)
    std::cout << report.to_json().dump(2) << "\n";
  else
    std::cout << agent::render_drift(report);
  return report.clean() ? 0 : 1;
}

void setup_drift(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  CLI::App* sub = app.add_subcommand("drift", "Find where what runs differs from the repository, and say what to do");
  sub->footer(
      "Finds, without changing anything:\n"
      "  filesystem     files changed inside a running container outside its volumes and tmpfs\n"
      "                 (someone edited it by hand: the change is lost at the next recreate)\n"
      "  hand-started   containers started by hand from the stack's images\n"
      "  undeclared     containers, volumes, networks with the project's label the Compose file\n"
      "                 does not declare\n"
      "  config         containers whose configuration differs from the repository's\n"
      "  missing-image  images of the running stack that are gone from the engine\n"
      "Exit status: 0 no drift, 1 drift found (or the engine cannot be reached), 2 bad input.\n"
      "The agent (`slipway agent`) shows the same on its status page.");
  sub->add_flag("--json", global.json,
                "Print {project, generation, clean, findings: [{kind, object, detail, action}]}");
  sub->callback([&global, &run] { run = [&global] { return run_drift(global); }; });
}

const bool registered = register_command({"drift", 32, setup_drift});

}  // namespace
}  // namespace slipway::cli

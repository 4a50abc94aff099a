// `slipway doctor [--json]`: one screen saying whether this server is in a maintainable state.
// Read-only: it changes nothing, not even what other commands recover on start.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/command.h"
#include "compose/discovery.h"
#include "engine/client.h"
#include "server/doctor.h"

namespace slipway::cli {
namespace {

// The stack in scope: -f files, COMPOSE_FILE, or a Compose file found from the current
// directory upwards. None of these: no stack (the stack's lines are left out).
std::optional<compose::Project> find_stack(const GlobalOptions& global) {
  const char* env = std::getenv("COMPOSE_FILE");
  if (global.files.empty() && !(env && *env) && global.project_directory.empty() &&
      compose::discover_files(compose::current_directory()).empty())
    return std::nullopt;
  return compose::load(global.load_options());
}

int run_doctor(const GlobalOptions& global, bool json) {
  std::optional<compose::Project> project = find_stack(global);
  engine::ClientOptions options;
  options.host = global.host;
  engine::Client client(options);
  server::DoctorInputs in;
  in.engine = &client;
  in.project = project ? &*project : nullptr;
  auto findings = server::run_doctor(in);
  if (json) {
    nlohmann::json out = server::findings_json(findings);
    out["stack"] = project ? nlohmann::json(project->name) : nlohmann::json();
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << server::render_findings(findings);
    if (!project)
      std::cout << "(no stack here: run in the stack's directory or pass -f to see its backups, drills and "
                   "certificates)\n";
  }
  return server::any_failed(findings) ? 1 : 0;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto json = std::make_shared<bool>(false);
  CLI::App* sub =
      app.add_subcommand("doctor", "Say whether this server is in a maintainable state (ok/warn/fail per line)");
  sub->footer(
      "Checks the engine, free disk (engine data root and\n"
      "backup repository), clock synchronisation, unattended security upgrades, Debian suites' end\n"
      "of life (host and base images, from distro-info-data), and for the stack in scope the age of\n"
      "its last backup and last passing drill and the expiry of the edge's certificates (read from\n"
      "the edge's volume). Each line is ok, warn or fail with what to do; exit 1 when any fails.");
  sub->add_flag("--json", *json, "Print one JSON document: {ok, stack, checks: [{check, status, detail, advice}]}");
  sub->callback([&global, &run, json] { run = [&global, json] { return run_doctor(global, *json || global.json); }; });
}

const bool registered = register_command({"doctor", 80, setup});

}  // namespace
}  // namespace slipway::cli

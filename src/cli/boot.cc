// `slipway boot`: what the stack's systemd unit runs after the engine started (slipway install).
// Brings back the recorded deployed generation (its containers by ID, the edge and its routes)
// without building or pulling, waits for health, runs the smoke checks. Exit 1 when something
// recorded is missing or a check fails. See src/server/boot.h.
#include <cstdio>
#include <iostream>
#include <memory>

#include "apply/signals.h"
#include "checks/report.h"
#include "cli/common.h"
#include "server/boot.h"

namespace slipway::cli {
namespace {

int run_boot(GlobalOptions& global, bool json, int wait_timeout) {
  apply::SignalGuard signals;
  compose::Project project = compose::load(global.load_options());
  engine::Client client = connect_engine(global);
  server::BootOptions o;
  o.wait_timeout = std::chrono::seconds(wait_timeout);
  if (!json) {
    o.say = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
    o.on_check = [](const checks::CheckResult& r) {
      std::fprintf(stderr, "%s\n", checks::human_progress(r, false).c_str());
    };
  }
  server::BootResult r = server::boot(client, project, o);
  if (json) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : r.checks)
      checks.push_back({{"check", c.check.key()}, {"status", checks::status_name(c.status())}});
    std::cout << nlohmann::json{{"stack", project.name},
                                {"generation", r.generation},
                                {"from", r.generation > 0 ? "generation" : "up"},
                                {"changes", r.actions_done},
                                {"undone", r.undone},
                                {"health", r.health_problem},
                                {"smoke", r.smoke},
                                {"checks", checks},
                                {"ok", r.ok()}}
                     .dump(2)
              << "\n";
  } else {
    std::string what = r.generation > 0 ? "generation " + std::to_string(r.generation) : "as `up` made it";
    std::string verdict = !r.health_problem.empty() ? "UP BUT UNHEALTHY (" + r.health_problem + ")"
                          : r.ok()                  ? "up"
                                                    : "UP BUT A SMOKE CHECK FAILED";
    std::fprintf(stderr, "%s: %s, %s (%zu change(s), %zu smoke check(s))\n", project.name.c_str(), verdict.c_str(),
                 what.c_str(), r.actions_done, r.checks.size());
  }
  return r.ok() ? 0 : 1;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto json = std::make_shared<bool>(false);
  auto wait = std::make_shared<int>(300);
  CLI::App* sub = app.add_subcommand(
      "boot", "Bring back the recorded deployed generation after the engine started, then run the smoke checks");
  sub->footer(
      "Run by the unit `slipway install` writes. Brings back the last generation `slipway deploy` recorded\n"
      "(state.db): an interrupted deploy is undone first, the generation's own containers are started by ID\n"
      "(never rebuilt, pulled or recreated; other running containers of the stack are stopped), the edge is\n"
      "started and its routes point at that generation. Then the smoke checks: the gossfiles in tests/ marked\n"
      "`x-slipway: {smoke: true}`, or every check when none is marked. A stack never deployed comes back as\n"
      "`up -d` would make it (a missing image is an error, not a build). Idempotent.");
  sub->add_flag("--json", *json,
                "Print {stack, generation, from, changes, undone, health, smoke, checks, ok} as JSON, no progress");
  sub->add_option("--wait-timeout", *wait, "Seconds to wait for dependencies and healthchecks")
      ->check(CLI::PositiveNumber);
  sub->callback([&global, &run, json, wait] {
    run = [&global, json, wait] { return run_boot(global, *json || global.json, *wait); };
  });
}

const bool registered = register_command({"boot", 25, setup});

}  // namespace
}  // namespace slipway::cli

// `slipway boot`: after the engine (re)started, bring the stack back as it was recorded and
// prove it works — without building or pulling anything.
//
// "As recorded" is the last deployed generation of the stack (deploy/store.h, state.db):
//   1. an unfinished deploy (slipway or the machine died mid-deploy) is undone first, as the
//      next deploy would undo it (deploy/recover.h), so the generation before it comes back;
//   2. the generation's containers (boot_generation.h: by service and recorded image ID) are
//      started in dependency order — by ID, never rebuilt or recreated — and each service must
//      be healthy before the next, also when its containers were running already (an earlier,
//      killed boot or the undo in 1 started them: their healthcheck may still be starting); their secret files are
//      written again when the reboot emptied the tmpfs; any other running container of the stack
//      is stopped (kept), so exactly the generation runs;
//   3. the edge container is started if it is not running, and every route whose service the
//      generation runs points at that generation's containers (one admin change, only when
//      something differs: Caddy resumes its autosaved routes by itself, usually right);
//   4. healthchecks, then the smoke checks (checks/smoke.h) against those containers.
// A recorded container that is gone is an error naming it (`slipway rollback N` makes it again
// from the kept image); boot never makes one.
//
// When the stack was never deployed (only `slipway up`), boot does what it did before deploy
// existed and says so: the plan `up -d` would run (plan::plan_up), refused when it would build
// or pull an image (a missing image at boot means the server lost data, which a rebuild must
// not hide), then the same health wait and smoke checks.
//
// Idempotent: a second boot finds nothing to start and no route to change, and runs the smoke
// checks again.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "apply/replace.h"
#include "checks/result.h"
#include "compose/loader.h"
#include "engine/engine.h"
#include "plan/plan.h"

namespace slipway::server {

struct BootOptions {
  std::chrono::seconds wait_timeout{300};       // depends_on and healthchecks
  std::string state_dir;                        // state.db's directory; "" = the state directory
  apply::FilesPlace files;                      // secret files; root "" = the default tmpfs
  std::function<void(const std::string&)> say;  // progress lines (may be empty)
  std::function<void(const checks::CheckResult&)> on_check;
};

struct BootResult {
  int generation = 0;        // the generation brought back; 0: none recorded (the `up` path)
  plan::Plan plan;           // the `up` path's plan
  size_t actions_done = 0;   // containers started or stopped, routes changed, plan actions
  int undone = 0;            // interrupted deploys undone first
  std::string smoke;         // "marked" (x-slipway smoke files), "all", or "" (no tests/)
  std::vector<checks::CheckResult> checks;  // the smoke checks' results
  std::string health_problem;               // "" when every container became healthy
  bool ok() const;                          // healthy and every smoke check passed
};

// The images a plan would build or pull, as "IMAGE (service SERVICE, build|pull)". Boot refuses
// to apply a plan for which this is not empty.
std::vector<std::string> images_to_fetch(const plan::Plan& plan);

// Runs boot. EnvError (exit 1) naming what is missing (an image, a recorded container, the
// edge container); the engine's errors as they come. Idempotent.
BootResult boot(const engine::Engine& engine, const compose::Project& project, const BootOptions& options);

}  // namespace slipway::server

// `slipway deploy`: generation N+1 of the stack beside N, proven, switched to, watched.
//
//   1. recover: undo what an interrupted deploy left (recover.h)
//   2. prepare: build/pull images, create networks and volumes (plan_up's own actions)
//   3. plan (plan_deploy.h) and record generation N+1 as "deploying" (store.h)
//   4. start: per service in dependency order. start-first: the new containers beside the
//      old ones. stop-first: stop the old ones (a container_name one is also set aside under
//      NAME_slipway-old), then start the new ones; the gap is measured and printed.
//   5. gates: every new container healthy (or running for a second without a healthcheck),
//      then the stack's tests/*.yaml against the new containers (all of them, or with
//      smoke_only only the files marked x-slipway: {smoke: true}).
//      A failure: the new containers are removed, the old ones started again where they were
//      stopped, N serves as before; the record says "failed" with the gate's reason.
//   6. switch: the edge's routes to the new containers, one admin change per route; wait for
//      the old upstreams to drain (bounded by stop_grace_period); stop the old containers
//      (kept, not removed).
//   7. watch: for the watch window, every new container must stay running and healthy and the
//      smoke checks must pass (run every smoke_every); if not, switch back to N (start,
//      switch, drain, remove N+1): "rolled-back".
//   8. finish: remove the old containers, record "deployed", drop the keep-tags of generations
//      beyond `keep`.
//
// The record is written before the first engine change and updated at each stage, so a killed
// run is recognised (an unfinished record) and undone by the next deploy before anything else.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "apply/replace.h"
#include "compose/loader.h"
#include "deploy/edge_switch.h"
#include "deploy/gates.h"
#include "deploy/plan_deploy.h"
#include "deploy/store.h"
#include "engine/engine.h"

namespace slipway::deploy {

struct DeployRunOptions {
  std::vector<std::string> services;  // empty: every service
  bool force = false;                 // also the unchanged services
  bool build = false;                 // rebuild images with a build section
  bool checks = true;                 // run tests/*.yaml as a gate, and the smoke checks while watching
  bool smoke_only = false;            // the gate runs only the smoke files (x-slipway: {smoke: true})
  bool dry_run = false;               // plan only (after recovery, which is never skipped)
  std::chrono::seconds health_timeout{120};
  // How long a container without a healthcheck must keep running to count as healthy.
  std::chrono::milliseconds settle{1000};
  std::optional<std::chrono::seconds> watch;             // overrides x-slipway deploy.watch
  std::optional<std::chrono::milliseconds> check_retry;  // overrides the suite's retry timeout
  // How often the watch window runs the smoke checks (first right after the switch).
  std::chrono::milliseconds smoke_every{10000};
  std::map<std::string, std::string> images;             // service -> image ID (rollback)
  // rollback: the target generation's recorded Compose files, recorded again as they are (the
  // project was loaded from temporary copies of them). null: the project's own files.
  nlohmann::json compose_files;
  std::string kind = "deploy";
  // Gates the images passed before this run, recorded first (update: its tests on a throwaway
  // copy), so the generation's history shows the whole way to it.
  std::vector<GateOutcome> prior_gates;
  EdgePlace edge;
  apply::FilesPlace files;  // root "" = the default tmpfs
  Say say;                  // progress lines
  // Backs up a stop-first service's data before its containers stop: the snapshot's run id, or
  // nullopt when there is nothing to back up; throws EnvError when the backup fails (the
  // deploy then fails before the service is touched). nullptr: backup_before_stop
  // (deploy/pre_backup.h), which needs restic and the engine.
  std::function<std::optional<std::string>(const std::string& service)> pre_backup;
  // Called before each stage with its name (tests stop here to look; nullptr: nothing).
  std::function<void(const std::string& stage)> on_stage;
};

struct DeployOutcome {
  bool ok = true;
  bool nothing = false;  // every service already as desired: no generation made
  int generation = 0;
  std::string status;
  std::string message;  // the reason of a failure, with failing checks and log tails
  DeployPlan plan;
};

// Runs a deploy of `project`. Throws UserError for bad input (before any change) and EnvError
// when the engine fails in a way the run could not undo (the next deploy recovers).
DeployOutcome run_deploy(const engine::Engine& engine, const compose::Project& project, GenerationStore& store,
                         const DeployRunOptions& options);

}  // namespace slipway::deploy

// The applier: executes a plan through the engine, one action at a time, in plan order.
//
// Guarantees (the engine's labels and names stay the truth, so `ps` and the next `up` can
// rely on them):
//   - containers are created and replaced through apply/replace.h: a new container becomes
//     current (takes its name) only once complete and started, the old one is set aside under
//     a recognisable name until then, so a run killed at any request converges on the next
//     `up` (plan/recovery.h); on an error the failing step is undone;
//   - secrets and configs are files on a root-only tmpfs, bind-mounted read-only
//     (apply/secret_files.h), never copied into a container's layer; a container started
//     again (e.g. after a reboot emptied the tmpfs) gets its files back first;
//   - SIGINT/SIGTERM (while apply runs) stop it before the next action; the current one
//     finishes or is undone, and apply throws Interrupted (exit 130/143) saying how far it
//     got. A second signal kills at once;
//   - waits for depends_on conditions poll the engine with a timeout;
//   - files directories that no container of the project references are removed at the end.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "apply/replace.h"
#include "apply/secret_files.h"
#include "apply/signals.h"
#include "compose/loader.h"
#include "engine/engine.h"
#include "plan/plan.h"

namespace slipway::apply {

struct ApplyOptions {
  std::chrono::seconds wait_timeout{300};  // per depends_on wait
  std::chrono::milliseconds poll_interval{250};
  // Progress: called when an action starts (done=false) and ends (done=true, seconds taken;
  // negative when it failed).
  std::function<void(const plan::Action&, size_t index, size_t total, bool done, double seconds)> progress;
  // Warnings (an optional dependency that failed, an object that vanished meanwhile).
  std::function<void(const std::string&)> warn;
  // Builder output lines.
  std::function<void(const std::string&)> build_output;
  // Notes worth a line without being warnings (an image left as it was: context unchanged).
  std::function<void(const std::string&)> info;
  bool handle_signals = true;  // install SIGINT/SIGTERM handlers for the duration
  // Where secret/config files go: root "" means default_files_root(); unit tests point it at a
  // temporary directory and set mount_tmpfs = false.
  FilesPlace files;
};

struct ApplyResult {
  size_t done = 0;  // actions completed
};

// Executes `plan` for `project` (whose environment supplies `environment:` secrets). Throws
// the engine's error (EnvError) after rolling back the action that failed; earlier actions
// stay done, so the next `up` continues from there.
ApplyResult apply(const engine::Engine& client, const compose::Project& project, const plan::Plan& plan,
                  const ApplyOptions& options = {});

}  // namespace slipway::apply

// The applier: executes a plan through the engine, one action at a time, in plan order.
//
// Guarantees (the engine's labels stay the truth, so `ps` and the next `up` can rely on them):
//   - a container is created, joined to its networks, given its secrets and started as one
//     step; if any part fails, the new container is removed and, for a recreate, the old one is
//     renamed back and restarted;
//   - SIGINT/SIGTERM (while apply runs) stop it from starting the next action; the current one
//     finishes or is rolled back, and apply throws Interrupted. A second signal kills at once;
//   - waits for depends_on conditions poll the engine with a timeout.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "compose/loader.h"
#include "engine/client.h"
#include "plan/plan.h"

namespace slipway::apply {

// apply stopped because of a signal (exit 130). what() says how far it got.
class Interrupted : public Error {
 public:
  explicit Interrupted(const std::string& message) : Error(130, message) {}
};

struct ApplyOptions {
  std::chrono::seconds wait_timeout{300};     // per depends_on wait
  std::chrono::milliseconds poll_interval{250};
  // Progress: called when an action starts (done=false) and ends (done=true, seconds taken;
  // negative when it failed).
  std::function<void(const plan::Action&, size_t index, size_t total, bool done, double seconds)> progress;
  // Warnings (an optional dependency that failed, an object that vanished meanwhile).
  std::function<void(const std::string&)> warn;
  // Builder output lines.
  std::function<void(const std::string&)> build_output;
  bool handle_signals = true;  // install SIGINT/SIGTERM handlers for the duration
};

struct ApplyResult {
  size_t done = 0;  // actions completed
};

// Executes `plan` for `project` (whose environment supplies `environment:` secrets). Throws
// the engine's error (EnvError) after rolling back the action that failed; earlier actions
// stay done, so the next `up` continues from there.
ApplyResult apply(const engine::Client& client, const compose::Project& project, const plan::Plan& plan,
                  const ApplyOptions& options = {});

// The content of a secret/config file as it will be copied in (reads the file / variable).
// Throws UserError when the file is missing.
std::string file_content(const compose::Project& project, const plan::FileInjection& file);

// The keyed fingerprint (HMAC-SHA256 under host_key()) of every secret/config content the
// services use, by "secret:NAME" / "config:NAME", for UpOptions::file_digests. Unreadable ones
// are left out (apply reports them). Throws EnvError when the host key cannot be had.
std::map<std::string, std::string> file_digests(const compose::Project& project);

// True once SIGINT/SIGTERM arrived during apply (or a wait that shares the handlers).
bool interrupted();

// Installs the SIGINT/SIGTERM handlers while alive (nesting is fine).
class SignalGuard {
 public:
  SignalGuard();
  ~SignalGuard();
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;
};

}  // namespace slipway::apply

// The agent's jobs for one stack, from the Compose file's `x-slipway.schedule` (pure):
//
//   x-slipway:
//     schedule:
//       backup: "0 3 * * *"        # cron-like (agent/cron.h), UTC; "off" disables a job
//       drill: "0 4 * * 0"
//       update-check: "0 5 * * *"  # `slipway update --check`
//       drift: "@hourly"           # `slipway drift`
//       forget: after-backup       # after each successful backup, or a cron expression, or off
//       jitter: 30m                # each job starts up to this much later (stable per job)
//
// Without the section every job runs on these defaults. Each job is slipway's own command run
// as a subprocess, so a job does exactly what the command does by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/cron.h"
#include "compose/loader.h"

namespace slipway::agent {

struct JobSpec {
  std::string name;               // backup, drill, update-check, drift, forget
  std::optional<CronExpr> cron;   // when it runs on its own (none: only after a backup, or off)
  bool after_backup = false;      // forget: queued after each successful backup
  std::vector<std::string> args;  // the slipway command and its flags, e.g. {"update", "--check"}
};

struct StackSpec {
  std::string stack;                   // the project name
  std::vector<std::string> load_args;  // global flags that load this project: -p NAME -f FILE...
  std::vector<JobSpec> jobs;
  int64_t jitter = 1800;  // seconds
};

// The defaults, as written in the header above.
inline constexpr const char* kDefaultBackup = "0 3 * * *";
inline constexpr const char* kDefaultDrill = "0 4 * * 0";
inline constexpr const char* kDefaultUpdateCheck = "0 5 * * *";
inline constexpr const char* kDefaultDrift = "@hourly";

// Reads x-slipway.schedule. Throws UserError naming the compose file and the key
// (`compose.yaml: x-slipway.schedule.drill: ...`) for a bad expression, an unknown job or a bad
// jitter.
StackSpec read_schedule(const compose::Project& project);

// The argv of a job: {slipway, <load_args>, <job args>}.
std::vector<std::string> job_argv(const std::string& slipway, const StackSpec& stack, const JobSpec& job);

}  // namespace slipway::agent

// The stack's tests against a throwaway copy (backup::throwaway_copy): what `slipway test` runs
// and what `slipway update` gates on. Both load tests/*.yaml the same way, start the copy the
// same way (role "test", fresh volumes, no host ports), wait for its healthchecks and point
// each service's checks at its first running container. The caller names the copy and removes
// it (remove_throwaway), because each owns its cleanup differently (`test`: Ctrl-C and --keep;
// `update`: a fixed name the next run collects after a kill).
#pragma once

#include <functional>
#include <map>
#include <string>

#include "checks/report.h"
#include "checks/runner.h"
#include "checks/spec.h"
#include "compose/loader.h"
#include "engine/engine.h"

namespace slipway::backup {

// tests/*.yaml of the stack, validated against its services. UserError (at tests/) when the
// directory is missing, or when no check is in it (or none matches `filter`); `hint` is added
// to the missing-directory message (what the command needs the tests for).
checks::Suite load_stack_tests(const compose::Project& project, const std::string& filter = "",
                               const std::string& hint = "");

struct ThrowawayTestOptions {
  std::string role = "test";  // io.slipway.role of the copy's objects
  int wait_timeout = 300;     // seconds for healthchecks before the checks run anyway
  std::function<void(const std::string&)> say;
  std::function<void(const std::string&)> build_output;  // builds of the copy's images
};

// Starts `copy` (signals are the caller's) and waits until no container is still starting its
// healthcheck; an unhealthy one or the timeout is a warning (the checks then say what fails).
void start_throwaway(const engine::Engine& engine, const compose::Project& copy, const ThrowawayTestOptions& options);

// service -> its first running container in project `name`, for checks::RunOptions::targets.
std::map<std::string, checks::Target> running_targets(const engine::Engine& engine, const std::string& name);

// Runs `suite` against the running containers of the copy `copy_name` (run.targets are filled
// here). The report's suite is `suite_name`.
checks::Report run_throwaway_checks(const engine::Engine& engine, const std::string& copy_name,
                                    const std::string& suite_name, const checks::Suite& suite, checks::RunOptions run);

}  // namespace slipway::backup

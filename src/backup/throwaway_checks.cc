#include "backup/throwaway_checks.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include "apply/apply.h"
#include "apply/observe.h"
#include "checks/report.h"
#include "compose/model.h"
#include "plan/plan.h"
#include "util/error.h"

namespace slipway::backup {
namespace {

// Until no container of `project` is still starting its healthcheck. An unhealthy one or the
// timeout only warns: the checks run anyway and name what is wrong.
void wait_started(const engine::Engine& engine, const std::string& project, int timeout_seconds,
                  const std::function<void(const std::string&)>& say) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  bool told = false;
  while (true) {
    std::vector<std::string> starting, unhealthy;
    for (const auto& c : apply::observe_containers(engine, project)) {
      if (c.health == "starting") starting.push_back(c.service);
      if (c.health == "unhealthy") unhealthy.push_back(c.service);
    }
    if (!unhealthy.empty()) {
      std::string s;
      for (const auto& u : unhealthy) s += (s.empty() ? "" : ", ") + u;
      if (say) say("warning: unhealthy: " + s + " (running the checks anyway)");
      return;
    }
    if (starting.empty()) return;
    if (std::chrono::steady_clock::now() > deadline) {
      if (say) say("warning: still starting after " + std::to_string(timeout_seconds) + "s; running the checks anyway");
      return;
    }
    if (!told && say) say("waiting for healthchecks");
    told = true;
    // Healthchecks pass on their own interval; a finer poll only shortens the wait after one.
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace

checks::Suite load_stack_tests(const compose::Project& project, const std::string& filter, const std::string& hint) {
  std::string dir = project.working_dir + "/tests";
  if (!std::filesystem::is_directory(dir))
    throw UserError(Location{dir, 0, 0}, "the stack has no tests/ directory" + (hint.empty() ? "" : ": " + hint) +
                                             " (add goss-compatible checks as tests/*.yaml)");
  checks::LoadOptions lo;
  lo.services = compose::Model(project).service_names();
  checks::Suite suite = checks::load_tests_dir(dir, lo);
  size_t selected = 0;
  for (const auto& c : suite.checks) selected += checks::matches_filter(c, filter);
  if (selected == 0)
    throw UserError(Location{dir, 0, 0},
                    filter.empty() ? "no checks in tests/*.yaml" : "no check matches --filter " + filter);
  return suite;
}

void start_throwaway(const engine::Engine& engine, const compose::Project& copy, const ThrowawayTestOptions& o) {
  plan::UpOptions up;
  up.role = o.role;
  up.api_version = engine.api_version();
  auto plan = plan::plan_up(copy, apply::observe(engine, copy), up);
  apply::ApplyOptions ao;
  ao.handle_signals = false;  // the caller owns the signals and the copy's removal
  ao.warn = o.say;
  ao.build_output = o.build_output;
  apply::apply(engine, copy, plan, ao);
  wait_started(engine, copy.name, o.wait_timeout, o.say);
}

std::map<std::string, checks::Target> running_targets(const engine::Engine& engine, const std::string& name) {
  std::map<std::string, checks::Target> targets;
  for (const auto& c : apply::observe_containers(engine, name)) {
    if (!c.running() || targets.count(c.service)) continue;
    targets[c.service] = checks::Target{c.service, c.id, 0};
  }
  return targets;
}

checks::Report run_throwaway_checks(const engine::Engine& engine, const std::string& copy_name,
                                    const std::string& suite_name, const checks::Suite& suite, checks::RunOptions run) {
  run.targets = running_targets(engine, copy_name);
  checks::Report report;
  report.suite = suite_name;
  report.results = checks::run_suite(engine, suite, run);
  return report;
}

}  // namespace slipway::backup

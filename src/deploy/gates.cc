#include "deploy/gates.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "checks/report.h"
#include "checks/runner.h"
#include "checks/spec.h"
#include "compose/model.h"

namespace slipway::deploy {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Health {
  bool running = false;
  std::string health;  // "" when the container has no healthcheck
  std::string name;
  int exit_code = 0;
};

Health health_of(const engine::Engine& engine, const std::string& id) {
  engine::json c = engine.inspect_container(id);
  Health h;
  const auto& state = c.value("State", engine::json::object());
  h.running = state.value("Running", false);
  h.exit_code = state.value("ExitCode", 0);
  if (state.contains("Health") && state["Health"].is_object()) h.health = state["Health"].value("Status", "");
  h.name = c.value("Name", id);
  if (!h.name.empty() && h.name[0] == '/') h.name.erase(0, 1);
  return h;
}

bool has_tests(const std::string& dir) {
  if (!fs::is_directory(dir)) return false;
  for (const auto& e : fs::directory_iterator(dir)) {
    auto ext = e.path().extension();
    if (ext == ".yaml" || ext == ".yml") return true;
  }
  return false;
}

checks::LoadOptions load_options(const compose::Project& project) {
  checks::LoadOptions lo;
  lo.services = compose::Model(project).service_names();
  return lo;
}

}  // namespace

GateOutcome wait_healthy(const engine::Engine& engine, const std::vector<std::string>& ids,
                         std::chrono::seconds timeout, std::chrono::milliseconds settle) {
  auto start = Clock::now();
  auto deadline = start + timeout;
  while (true) {
    bool all = true;
    for (const auto& id : ids) {
      Health h = health_of(engine, id);
      if (!h.running) return {"health", false, h.name + " exited with code " + std::to_string(h.exit_code)};
      if (h.health == "unhealthy") return {"health", false, h.name + " is unhealthy (its healthcheck fails)"};
      bool ready = h.health.empty() ? Clock::now() - start >= settle : h.health == "healthy";
      all = all && ready;
    }
    if (all) {
      double s = std::chrono::duration<double>(Clock::now() - start).count();
      char buf[64];
      std::snprintf(buf, sizeof buf, "healthy after %.1fs", s);
      return {"health", true, buf};
    }
    if (Clock::now() > deadline)
      return {"health", false, "not healthy after " + std::to_string(timeout.count()) + "s (still starting)"};
    // Healthchecks pass on their own interval; a finer poll only shortens the wait after one.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

bool still_healthy(const engine::Engine& engine, const std::string& id, std::string* why) {
  Health h = health_of(engine, id);
  if (!h.running) {
    if (why) *why = h.name + " exited with code " + std::to_string(h.exit_code);
    return false;
  }
  if (h.health == "unhealthy") {
    if (why) *why = h.name + " turned unhealthy";
    return false;
  }
  return true;
}

void validate_checks(const compose::Project& project) {
  std::string dir = project.working_dir + "/tests";
  if (has_tests(dir)) checks::load_tests_dir(dir, load_options(project));
}

GateOutcome run_checks_gate(const engine::Engine& engine, const compose::Project& project,
                            const ChecksGateOptions& options) {
  std::string dir = project.working_dir + "/tests";
  std::string gate = options.smoke_only ? "smoke" : "checks";
  if (!has_tests(dir)) return {gate, true, kNoTestsDir};
  checks::Suite suite = checks::load_tests_dir(dir, load_options(project));
  if (options.smoke_only) {
    auto not_smoke = [](const checks::Check& c) { return !c.smoke; };
    suite.checks.erase(std::remove_if(suite.checks.begin(), suite.checks.end(), not_smoke), suite.checks.end());
    if (suite.checks.empty()) return {gate, true, kNoSmokeChecks};
  }
  checks::RunOptions ro;
  ro.retry_timeout = options.retry_timeout;
  for (const auto& [service, id] : options.targets) ro.targets[service] = checks::Target{service, id, 0};
  if (options.progress)
    ro.on_result = [&](const checks::CheckResult& r) { options.progress(checks::human_progress(r, false)); };
  checks::Report report;
  report.suite = project.name;
  report.results = checks::run_suite(engine, suite, ro);
  checks::Summary sum = checks::summarize(report);
  if (sum.ok()) return {gate, true, std::to_string(sum.tests) + " check(s) passed"};
  std::string failing;
  for (const auto& r : report.results)
    if (r.status() == checks::Status::Fail) failing += "\n  " + checks::human_progress(r, false);
  return {gate, false, std::to_string(sum.failed) + " of " + std::to_string(sum.tests) + " check(s) failed:" + failing};
}

std::string log_tail(const engine::Engine& engine, const std::string& id, int lines) {
  engine::LogsOptions lo;
  lo.tail = std::to_string(lines);
  std::string out;
  try {
    engine.logs(id, lo, [&](engine::StreamKind, const std::string& data) {
      out += data;
      return out.size() < 64 * 1024;
    });
  } catch (const std::exception& e) {
    return std::string("(no logs: ") + e.what() + ")";
  }
  return out;
}

}  // namespace slipway::deploy

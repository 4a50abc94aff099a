#include "update/gate.h"

#include "apply/observe.h"
#include "backup/drill.h"
#include "backup/throwaway_checks.h"
#include "checks/report.h"
#include "checks/runner.h"
#include "plan/labels.h"
#include "util/error.h"

namespace slipway::update {

compose::Project with_images(const compose::Project& project, const std::map<std::string, std::string>& images) {
  compose::Project out = project;
  for (const auto& [service, image] : images) {
    auto& spec = out.model["services"][service];
    spec["image"] = image;
    spec.erase("build");
  }
  return out;
}

std::string gate_name(const std::string& stack) { return stack + "-slipway-update"; }

namespace {

// Removes the copy a killed run left, after making sure every container of that project is one
// (io.slipway.role=update-test): a running stack of the user's that happens to bear the name is
// never touched. (Networks and volumes carry no role: a project of that name without containers
// is taken for a leftover; the name is update's.)
void remove_leftover(const engine::Engine& engine, const std::string& name) {
  for (const auto& c : engine.list_containers(apply::project_containers_filter(name), true))
    if (!c.contains("Labels") || c["Labels"].value(plan::label::kRole, "") != kGateRole)
      throw UserError("a project named " + name + " exists and is not a copy made by `slipway update`: "
                      "rename it, since update tests its images under that name");
  backup::remove_throwaway(engine, name);
}

}  // namespace

GateResult run_gate(const engine::Engine& engine, const compose::Project& candidate, const GateOptions& options) {
  checks::Suite suite = backup::load_stack_tests(
      candidate, "", "an update is deployed only when the stack's tests pass (--no-deploy still needs them)");
  std::string name = options.name.empty() ? gate_name(candidate.name) : options.name;
  remove_leftover(engine, name);
  compose::Project copy = backup::throwaway_copy(candidate, name);
  struct Cleanup {
    const engine::Engine& engine;
    std::string name;
    ~Cleanup() {
      try {
        backup::remove_throwaway(engine, name);
      } catch (...) {
        // the next run removes it before its own test
      }
    }
  } cleanup{engine, name};
  if (options.say) options.say("testing the new images in the throwaway stack " + name);
  backup::ThrowawayTestOptions to;
  to.role = kGateRole;
  to.wait_timeout = options.wait_timeout;
  to.say = options.say;
  backup::start_throwaway(engine, copy, to);
  checks::Report report = backup::run_throwaway_checks(engine, name, candidate.name, suite, {});
  auto summary = checks::summarize(report);
  GateResult r;
  r.checks = summary.tests;
  r.failed = summary.failed;
  r.passed = summary.tests > 0 && summary.ok();
  for (const auto& res : report.results)
    if (res.status() == checks::Status::Fail) r.failures.push_back(checks::human_progress(res, false));
  r.report = checks::report_human(report, false);
  return r;
}

}  // namespace slipway::update

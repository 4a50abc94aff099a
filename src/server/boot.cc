#include "server/boot.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "apply/apply.h"
#include "apply/observe.h"
#include "apply/secret_files.h"
#include "checks/runner.h"
#include "checks/smoke.h"
#include "checks/spec.h"
#include "compose/model.h"
#include "deploy/gates.h"
#include "deploy/plan_deploy.h"
#include "deploy/recover.h"
#include "deploy/store.h"
#include "edge/edge.h"
#include "plan/create_body.h"
#include "server/boot_generation.h"
#include "util/error.h"

namespace slipway::server {
namespace {

void say(const BootOptions& o, const std::string& line) {
  if (o.say) o.say(line);
}

apply::FilesPlace files_place(const BootOptions& o) {
  apply::FilesPlace f = o.files;
  if (f.root.empty()) f.root = apply::default_files_root();
  return f;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// Until no container of the project is still starting its healthcheck (or the timeout).
void wait_starting(const engine::Engine& engine, const std::string& project, const BootOptions& o) {
  auto deadline = std::chrono::steady_clock::now() + o.wait_timeout;
  while (true) {
    std::vector<std::string> starting;
    for (const auto& c : apply::observe_containers(engine, project))
      if (c.health == "starting") starting.push_back(c.service);
    if (starting.empty()) return;
    if (std::chrono::steady_clock::now() > deadline) {
      say(o, "warning: still starting after " + std::to_string(o.wait_timeout.count()) + "s: " + starting.front());
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

// The smoke checks (checks/smoke.h) of tests/*.yaml against `targets` (service -> container).
void run_smoke(const engine::Engine& engine, const compose::Project& project,
               const std::map<std::string, std::string>& targets, const BootOptions& o, BootResult& r) {
  std::string dir = project.working_dir + "/tests";
  if (!std::filesystem::is_directory(dir)) {
    say(o, "no smoke checks (mark read-only gossfiles in tests/ with `x-slipway: {smoke: true}`)");
    return;
  }
  checks::LoadOptions lo;
  lo.services = compose::Model(project).service_names();
  checks::Suite all = checks::load_tests_dir(dir, lo);
  r.smoke = checks::has_smoke_marks(all) ? "marked" : "all";
  checks::Suite suite = checks::select_smoke(std::move(all));
  checks::RunOptions ro;
  for (const auto& [service, id] : targets) ro.targets[service] = checks::Target{service, id, 0};
  ro.on_result = o.on_check;
  say(o, "running " + std::to_string(suite.checks.size()) + " smoke check(s) (" +
             (r.smoke == "marked" ? "the files marked smoke" : "no file is marked smoke: every check") + ")");
  r.checks = checks::run_suite(engine, suite, ro);
}

// The stack as `up -d` makes it: what boot did before deploy existed.
void boot_up(const engine::Engine& engine, const compose::Project& project, const BootOptions& o, BootResult& r) {
  plan::UpOptions up;
  up.api_version = engine.api_version();
  up.file_digests = apply::file_digests(project);
  r.plan = plan::plan_up(project, apply::observe(engine, project, {.file_digests = true}), up);
  if (auto missing = images_to_fetch(r.plan); !missing.empty())
    throw EnvError("missing image(s): " + joined(missing) +
                   "; boot never builds or pulls (the server lost them): run `slipway up -d --build` "
                   "or restore the images, then boot again");
  say(o, r.plan.empty() ? "every container of " + project.name + " is up"
                        : std::to_string(r.plan.actions.size()) + " change(s) to bring " + project.name + " back");
  apply::ApplyOptions ao;
  ao.wait_timeout = o.wait_timeout;
  ao.files = o.files;
  ao.warn = o.say;
  ao.info = o.say;
  r.actions_done += apply::apply(engine, project, r.plan, ao).done;
  wait_starting(engine, project.name, o);
  std::map<std::string, std::string> targets;
  for (const auto& c : apply::observe_containers(engine, project.name))
    if (c.running() && !c.oneoff && !c.edge() && !targets.count(c.service)) targets[c.service] = c.id;
  run_smoke(engine, project, targets, o, r);
}

// Starts the stack's edge when it is stopped and waits for its admin API. nullopt when the
// stack has no routes.
std::optional<edge::Admin> edge_up(const engine::Engine& engine, const compose::Project& project,
                                   const edge::Routing& routing, const BootOptions& o, BootResult& r) {
  if (routing.empty()) return std::nullopt;
  auto inst = edge::find_edge(engine, project.name);
  if (!inst)
    throw EnvError("the edge container of " + project.name +
                   " is gone; boot never makes one (`slipway deploy --force` makes the edge and its routes again)");
  engine::json c = engine.inspect_container(inst->container_id);
  if (!c.value("State", engine::json::object()).value("Running", false)) {
    engine.start_container(inst->container_id);
    ++r.actions_done;
    say(o, "started the edge " + inst->container_name);
  }
  edge::Admin admin = inst->admin();
  admin.wait_ready(std::chrono::duration_cast<std::chrono::milliseconds>(o.wait_timeout));
  return admin;
}

// Secret/config files of a container whose tmpfs directory the reboot emptied.
void restore_files(const engine::Engine& engine, const compose::Project& project, apply::Replacer& replacer,
                   const plan::ObservedContainer& c) {
  if (c.files_dir.empty() || std::filesystem::exists(c.files_dir)) return;
  compose::Model model(project);
  auto names = model.service_names();
  if (std::find(names.begin(), names.end(), c.service) == names.end()) return;  // the engine will say
  plan::CreateContext ctx;
  ctx.project = project.name;
  ctx.service = c.service;
  ctx.number = c.number;
  ctx.image = c.image_id;
  ctx.api_version = engine.api_version();
  replacer.rewrite_files(c.files_dir, plan::container_spec(model, ctx).files);
}

// Starts the generation's stopped containers, service by service in dependency order, each
// service healthy before the next; stops any other running container of the stack.
void start_generation(const engine::Engine& engine, const compose::Project& project,
                      const GenerationContainers& g, const BootOptions& o, BootResult& r) {
  for (const auto& c : g.strays) {
    say(o, "stopping " + c.name + ": not part of generation " + std::to_string(g.number));
    engine.stop_container(c.id, 10);
    ++r.actions_done;
  }
  std::vector<std::string> order = compose::Model(project).dependency_order();
  for (const auto& [service, _] : g.by_service)
    if (std::find(order.begin(), order.end(), service) == order.end()) order.push_back(service);
  apply::Replacer replacer(engine, project, files_place(o), o.say);
  for (const auto& service : order) {
    auto it = g.by_service.find(service);
    if (it == g.by_service.end()) continue;
    std::vector<std::string> started, running;
    for (const auto& c : it->second) {
      if (c.running()) {
        running.push_back(c.id);
        continue;
      }
      restore_files(engine, project, replacer, c);
      engine.start_container(c.id);
      started.push_back(c.id);
      ++r.actions_done;
    }
    deploy::GateOutcome h{"health", true, ""};
    if (!started.empty()) {
      say(o, service + ": started " + std::to_string(started.size()) + " container(s) of generation " +
                 std::to_string(g.number));
      h = deploy::wait_healthy(engine, started, o.wait_timeout, std::chrono::milliseconds(500));
    }
    // Running already — started by an earlier boot that was killed, or by the recovery of an
    // interrupted deploy just now — is not healthy yet: its healthcheck may still be starting.
    if (h.ok && !running.empty()) h = deploy::wait_healthy(engine, running, o.wait_timeout, std::chrono::milliseconds(0));
    if (!h.ok && r.health_problem.empty()) r.health_problem = service + ": " + h.detail;
  }
}

// Points every route whose service the generation runs at its containers, in one admin change,
// when the edge serves anything else (or lacks a route).
void restore_routes(const edge::Admin& admin, const edge::Routing& routing, const GenerationContainers& g,
                    const BootOptions& o, BootResult& r) {
  edge::UpstreamMap want = generation_upstreams(routing, g);
  edge::UpstreamMap live = edge::live_upstreams(admin.current_config());
  bool same = std::all_of(routing.routes.begin(), routing.routes.end(),
                          [&](const edge::Route& route) { return live.count(route.id) > 0; });
  for (const auto& [id, ups] : want)
    if (live[id] != ups) same = false;
  if (same) return;
  for (const auto& [id, ups] : want) live[id] = ups;
  admin.apply_routes(routing, live, false);
  ++r.actions_done;
  say(o, "pointed " + std::to_string(want.size()) + " route(s) of the edge at generation " + std::to_string(g.number));
}

void boot_generation(const engine::Engine& engine, const compose::Project& project,
                     const deploy::GenerationRecord& record, const std::optional<edge::Admin>& admin,
                     const edge::Routing& routing, const BootOptions& o, BootResult& r) {
  r.generation = record.number;
  say(o, "bringing back generation " + std::to_string(record.number) + " of " + project.name + " (" + record.kind +
             ", " + record.started + (record.git_commit.empty() ? "" : ", commit " + record.git_commit.substr(0, 12)) +
             ")");
  GenerationContainers g = generation_containers(record, apply::observe_containers(engine, project.name));
  if (!g.missing.empty())
    throw EnvError("generation " + std::to_string(record.number) + " has no container for " + joined(g.missing) +
                   "; boot never makes containers (`slipway rollback " + std::to_string(record.number) +
                   "` makes them again from the kept images)");
  start_generation(engine, project, g, o, r);
  if (admin) restore_routes(*admin, routing, g, o, r);
  if (r.actions_done == 0) say(o, "generation " + std::to_string(record.number) + " already runs as recorded");
  std::map<std::string, std::string> targets;
  for (const auto& [service, cs] : g.by_service) targets[service] = cs.front().id;
  run_smoke(engine, project, targets, o, r);
}

}  // namespace

bool BootResult::ok() const {
  if (!health_problem.empty()) return false;
  for (const auto& c : checks)
    if (c.status() == checks::Status::Fail) return false;
  return true;
}

std::vector<std::string> images_to_fetch(const plan::Plan& plan) {
  std::vector<std::string> out;
  for (const auto& a : plan.actions) {
    if (a.type == plan::ActionType::build_image)
      out.push_back(a.name + " (service " + a.service + ", build)");
    else if (a.type == plan::ActionType::pull_image)
      out.push_back(a.name + " (service " + a.service + ", pull)");
  }
  return out;
}

BootResult boot(const engine::Engine& engine, const compose::Project& project, const BootOptions& o) {
  BootResult r;
  deploy::GenerationStore store(o.state_dir);
  std::vector<deploy::GenerationRecord> records = store.list(project.name, 1000);
  std::optional<deploy::GenerationRecord> record = last_deployed(records);
  edge::Routing routing = deploy::routing_of(project);
  // The edge first: undoing an interrupted deploy points routes back through it.
  std::optional<edge::Admin> admin = record ? edge_up(engine, project, routing, o, r) : std::nullopt;
  if (!records.empty() && records.front().unfinished()) {
    deploy::Say note = [&o](const std::string& m) { say(o, m); };
    r.undone = deploy::recover(engine, project, routing, store, files_place(o), note);
  }
  if (record) {
    boot_generation(engine, project, *record, admin, routing, o, r);
  } else {
    say(o, "no deployed generation recorded for " + project.name + ": bringing back what `slipway up` made");
    boot_up(engine, project, o, r);
  }
  return r;
}

}  // namespace slipway::server

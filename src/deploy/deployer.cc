#include "deploy/deployer.h"

#include <algorithm>
#include <thread>

#include "apply/apply.h"
#include "apply/observe.h"
#include "apply/secret_files.h"
#include "compose/model.h"
#include "deploy/config_record.h"
#include "deploy/generation.h"
#include "deploy/pre_backup.h"
#include "deploy/recover.h"
#include "deploy/source.h"
#include "plan/naming.h"
#include "plan/plan.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/sha256.h"

namespace slipway::deploy {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string one_decimal(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s);
  return buf;
}

// What the run did to one service, so that a failure can be undone exactly.
struct Progress {
  const ServiceStep* step = nullptr;
  std::vector<std::string> fresh;               // IDs of the new containers made so far
  std::vector<std::string> stopped;             // IDs of old containers this run stopped
  std::vector<std::string> aside;               // IDs of old containers renamed to NAME_slipway-old
  std::optional<Clock::time_point> down_since;  // stop-first: when the old one stopped
  double unavailable = -1;                      // stop-first: seconds without the service
};

// A deploy failed at a gate: carries the record's gate and the user-facing message.
struct GateFailure {
  GateOutcome gate;
  std::string message;
};

// Only what the new generation needs before its containers: images, networks, volumes. plan_up
// makes them (build translation, pulls, labels) exactly as `up` would.
void prepare(const engine::Engine& engine, const compose::Project& project, const DeployRunOptions& o) {
  plan::UpOptions up;
  up.services = o.services;
  up.build = o.build;
  up.api_version = engine.api_version();
  plan::Plan all = plan::plan_up(project, apply::observe(engine, project), up);
  plan::Plan p;
  for (auto& a : all.actions)
    if (a.type == plan::ActionType::build_image || a.type == plan::ActionType::pull_image ||
        a.type == plan::ActionType::create_network || a.type == plan::ActionType::create_volume)
      p.actions.push_back(a);
  if (p.empty()) return;
  apply::ApplyOptions ao;
  ao.handle_signals = false;
  ao.warn = o.say;
  ao.files = o.files;
  ao.info = o.say;
  apply::apply(engine, project, p, ao);
}

class Deployer {
 public:
  Deployer(const engine::Engine& engine, const compose::Project& project, GenerationStore& store,
           const DeployRunOptions& options)
      : engine_(engine),
        project_(project),
        store_(store),
        o_(options),
        settings_(deploy_settings(project)),
        routing_(routing_of(project)),
        replacer_(engine, project, files_place(options.files), options.say) {}

  DeployOutcome run();

 private:
  const engine::Engine& engine_;
  const compose::Project& project_;
  GenerationStore& store_;
  const DeployRunOptions& o_;
  DeploySettings settings_;
  edge::Routing routing_;
  apply::Replacer replacer_;
  DeployPlan plan_;
  GenerationRecord record_;
  std::vector<Progress> progress_;
  std::optional<edge::Admin> admin_;
  bool switched_ = false;

  static apply::FilesPlace files_place(apply::FilesPlace f) {
    if (f.root.empty()) f.root = apply::default_files_root();
    return f;
  }
  void stage(const std::string& name) {
    record_.detail = "stage: " + name;
    store_.save(record_);
    if (o_.on_stage) o_.on_stage(name);
  }
  void make_plan();
  void begin_record();
  void start_service(const ServiceStep& step);
  ChecksGateOptions checks_options(bool smoke_only) const;
  void run_checks();
  void switch_over();
  std::optional<std::string> watch();
  void undo(const GateFailure& f);
  void switch_back(const std::string& why);
  void finish();
  void keep_images();
  void stop_old_start_first();
  std::string log_tails() const;
  DeployOutcome outcome(bool ok, const std::string& message) const;
};

void Deployer::make_plan() {
  plan::Observed observed = apply::observe(engine_, project_);
  DeployOptions d;
  d.services = o_.services;
  d.force = o_.force;
  d.api_version = engine_.api_version();
  d.images = o_.images;
  d.generation = next_generation(observed, store_.highest(project_.name));
  plan_ = plan_deploy(project_, routing_, observed, d);
  // Every service's image, for the record and the keep-tags: a rollback needs all of them.
  for (const std::string& name : compose::Model(project_).service_names()) {
    if (const ServiceStep* s = plan_.step(name)) {
      record_.images[name] = s->image_id;
      continue;
    }
    for (const auto& c : observed.containers)
      if (c.service == name && c.running() && !c.image_id.empty()) record_.images[name] = c.image_id;
  }
}

void Deployer::begin_record() {
  SourceInfo src = source_info(project_.working_dir);
  record_.stack = project_.name;
  record_.number = plan_.generation;
  record_.kind = o_.kind;
  record_.started = utc_now();
  record_.user = src.user;
  record_.git_commit = src.commit;
  record_.git_dirty = src.dirty;
  record_.config_hash = sha256_hex(project_.model.dump());
  if (!o_.compose_files.is_null()) {
    record_.compose_files = o_.compose_files;
  } else {
    try {
      record_.compose_files = record_compose_files(project_);
    } catch (const EnvError& e) {
      o_.say(std::string("warning: the Compose files are not kept for a rollback: ") + e.what());
    }
  }
  for (const auto& s : plan_.steps) record_.services.push_back(s.service);
  record_.gates = o_.prior_gates;
  stage("start");
}

void Deployer::keep_images() {
  for (const auto& [service, id] : record_.images.items()) {
    KeepTag t = keep_tag(project_.name, service, record_.number);
    engine_.tag_image(id.get<std::string>(), t.repo, t.tag);
  }
}

void Deployer::start_service(const ServiceStep& step) {
  progress_.emplace_back();
  Progress& p = progress_.back();
  p.step = &step;
  if (step.order.order == Order::stop_first) {
    // The backup guards the data against what the stop and the new version may do to it: only
    // when an old container is about to stop (not on a first deploy, nor after a `down`).
    bool stops = std::any_of(step.previous.begin(), step.previous.end(), [](const auto& c) { return c.running(); });
    std::optional<std::string> run;
    if (stops)
      run = o_.pre_backup ? o_.pre_backup(step.service) : backup_before_stop(engine_, project_, step.service, o_.say);
    if (run) record_.gates.push_back({"backup", true, step.service + ": snapshot " + *run});
    p.down_since = Clock::now();
    for (const auto& c : step.previous) {
      if (!c.running()) continue;
      engine_.stop_container(c.id, step.stop_timeout);
      p.stopped.push_back(c.id);
    }
    if (step.fixed_name)
      for (const auto& c : step.previous) {
        engine_.rename_container(c.id, plan::aside_name(c.name));
        p.aside.push_back(c.id);
      }
  }
  for (const auto& cs : step.fresh)
    p.fresh.push_back(replacer_.create(apply::NewContainer{cs.name, cs.body, cs.extra_networks, cs.files}));
  o_.say(step.service + ": started " + std::to_string(step.fresh.size()) + " container(s) of generation " +
         std::to_string(plan_.generation) + " (" + order_name(step.order.order) + ", " + step.order.reason +
         "), waiting for health");
  GateOutcome g = wait_healthy(engine_, p.fresh, o_.health_timeout, o_.settle);
  record_.gates.push_back(g);
  if (!g.ok) throw GateFailure{g, step.service + ": " + g.detail};
  if (p.down_since) {
    p.unavailable = seconds_since(*p.down_since);
    o_.say(step.service + ": unavailable for " + one_decimal(p.unavailable) + " s (stop-first)");
  }
}

// Where the checks run: each deployed service's first new container, the running one of the
// other services.
ChecksGateOptions Deployer::checks_options(bool smoke_only) const {
  ChecksGateOptions c;
  for (const auto& c2 : apply::observe_containers(engine_, project_.name))
    if (c2.running() && !c2.oneoff && !c.targets.count(c2.service)) c.targets[c2.service] = c2.id;
  for (const auto& p : progress_)
    if (!p.fresh.empty()) c.targets[p.step->service] = p.fresh.front();
  c.retry_timeout = o_.check_retry;
  c.progress = [this](const std::string& line) { o_.say("  " + line); };
  c.smoke_only = smoke_only;
  return c;
}

void Deployer::run_checks() {
  if (!o_.checks) return;
  o_.say(std::string("running the stack's ") + (o_.smoke_only ? "smoke checks" : "checks") +
         " against generation " + std::to_string(plan_.generation));
  GateOutcome g = run_checks_gate(engine_, project_, checks_options(o_.smoke_only));
  record_.gates.push_back(g);
  if (!g.ok) throw GateFailure{g, g.detail};
}

void Deployer::stop_old_start_first() {
  for (auto& p : progress_) {
    if (p.step->order.order != Order::start_first) continue;
    for (const auto& c : p.step->previous) {
      if (!c.running() || std::count(p.stopped.begin(), p.stopped.end(), c.id)) continue;
      engine_.stop_container(c.id, p.step->stop_timeout);
      p.stopped.push_back(c.id);
    }
  }
}

void Deployer::switch_over() {
  if (!routing_.empty()) {
    std::optional<edge::Admin> running = running_edge(engine_, project_.name);
    // The first time, containers made by `up` may still publish the edge's ports: stop them first.
    if (!running) stop_old_start_first();
    edge::UpstreamMap initial;
    for (const auto& s : plan_.switches) initial[s.route_id] = s.to;
    admin_ = ensure_edge(engine_, project_.name, plan_, o_.edge, initial);
    switch_routes(*admin_, plan_.routing, plan_.switches, false);
    switched_ = true;
    int limit = 10;
    for (const auto& p : progress_) limit = std::max(limit, p.step->stop_timeout);
    auto stuck = drain(*admin_, plan_.switches, false, std::chrono::seconds(limit));
    for (const auto& u : stuck) o_.say("warning: " + u + " still had requests after " + std::to_string(limit) + " s");
  }
  switched_ = true;
  stop_old_start_first();
  record_.gates.push_back({"switch", true, std::to_string(plan_.switches.size()) + " route(s) switched"});
}

std::optional<std::string> Deployer::watch() {
  auto window = o_.watch.value_or(settings_.watch);
  if (window.count() == 0) return std::nullopt;
  o_.say("watching generation " + std::to_string(plan_.generation) + " for " + std::to_string(window.count()) +
         " s (the previous one is kept, stopped, until then)");
  auto deadline = Clock::now() + window;
  auto next_smoke = Clock::now();  // the first run right after the switch
  int smoke_runs = 0;
  while (Clock::now() < deadline) {
    for (const auto& p : progress_)
      for (const auto& id : p.fresh) {
        std::string why;
        if (!still_healthy(engine_, id, &why)) return why;
      }
    if (o_.checks && Clock::now() >= next_smoke) {
      GateOutcome g = run_checks_gate(engine_, project_, checks_options(true));
      if (!g.ok) return "failed its smoke checks: " + g.detail;
      bool none = g.detail == kNoTestsDir || g.detail == kNoSmokeChecks;
      if (!none) ++smoke_runs;
      next_smoke = none ? deadline : Clock::now() + o_.smoke_every;  // none now: none later
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  record_.gates.push_back({"watch", true,
                           std::to_string(window.count()) + " s healthy" +
                               (smoke_runs ? ", smoke checks passed " + std::to_string(smoke_runs) + " time(s)" : "")});
  return std::nullopt;
}

std::string Deployer::log_tails() const {
  std::string out;
  for (const auto& p : progress_)
    for (const auto& id : p.fresh) {
      std::string tail = log_tail(engine_, id, 20);
      if (tail.empty()) continue;
      out += "\n--- last lines of " + p.step->service + " (" + id.substr(0, 12) + ") ---\n" + tail;
      if (out.back() != '\n') out += "\n";
    }
  return out;
}

// Puts generation N back the way it was: the new containers go, the old ones get their names
// back and run again where this run stopped them.
void Deployer::undo(const GateFailure& f) {
  for (auto it = progress_.rbegin(); it != progress_.rend(); ++it) {
    for (const auto& id : it->fresh) remove_with_files(engine_, replacer_, id, 1);
    for (const auto& id : it->aside) {
      for (const auto& c : it->step->previous)
        if (c.id == id) engine_.rename_container(id, c.name);
    }
    for (const auto& id : it->stopped) engine_.start_container(id);
  }
}

void Deployer::switch_back(const std::string& why) {
  o_.say("generation " + std::to_string(plan_.generation) + ": " + why + "; switching back to the previous generation");
  std::vector<std::string> restarted;
  for (const auto& p : progress_)
    if (p.step->order.order == Order::start_first)
      for (const auto& id : p.stopped) {
        engine_.start_container(id);
        restarted.push_back(id);
      }
  if (!restarted.empty()) wait_healthy(engine_, restarted, o_.health_timeout, o_.settle);
  if (admin_) {
    switch_routes(*admin_, plan_.routing, plan_.switches, true);
    drain(*admin_, plan_.switches, true, std::chrono::seconds(10));
  }
  // Stop-first services and the new containers: the same as an undo before the switch.
  for (auto& p : progress_)
    if (p.step->order.order == Order::start_first) p.stopped.clear();
  undo(GateFailure{});
  record_.gates.push_back({"watch", false, why});
}

void Deployer::finish() {
  for (const auto& p : progress_)
    for (const auto& c : p.step->previous) remove_with_files(engine_, replacer_, c.id, p.step->stop_timeout);
  // Keep-tags of generations beyond `keep` deployed ones go (the image itself only when no
  // other tag or container holds it).
  int kept = 0;
  for (const auto& r : store_.list(project_.name, 1000)) {
    if (r.number == record_.number) continue;
    if (r.status == status::kDeployed && ++kept < settings_.keep) continue;
    for (const auto& [service, _] : r.images.items()) {
      try {
        engine_.remove_image(keep_tag(project_.name, service, r.number).reference(), false, false);
      } catch (const engine::EngineError&) {
        // not there any more, or still used by a container: nothing to drop
      }
    }
  }
}

DeployOutcome Deployer::outcome(bool ok, const std::string& message) const {
  DeployOutcome out;
  out.ok = ok;
  out.generation = plan_.generation;
  out.status = record_.status;
  out.message = message;
  out.plan = plan_;
  return out;
}

DeployOutcome Deployer::run() {
  recover(engine_, project_, routing_, store_, files_place(o_.files), o_.say);
  if (o_.dry_run) {
    make_plan();
    return outcome(true, "");
  }
  prepare(engine_, project_, o_);
  make_plan();
  if (plan_.empty()) {
    DeployOutcome out = outcome(true, "nothing to deploy: every service is as the Compose file says");
    out.nothing = true;
    return out;
  }
  if (o_.checks) validate_checks(project_);  // a bad spec is the user's error, before any change
  begin_record();
  keep_images();
  auto t0 = Clock::now();
  try {
    try {
      for (const auto& step : plan_.steps) start_service(step);
      stage("checks");
      run_checks();
    } catch (const EnvError& e) {
      // The engine refused a step (a taken port, a missing network): undone like a gate.
      throw GateFailure{{"start", false, e.what()}, e.what()};
    }
  } catch (const GateFailure& f) {
    if (f.gate.gate == "start") record_.gates.push_back(f.gate);
    std::string tails = log_tails();
    undo(f);
    record_.status = status::kFailed;
    record_.finished = utc_now();
    record_.detail = f.gate.gate + " gate failed: " + f.message.substr(0, f.message.find('\n'));
    store_.save(record_);
    return outcome(false, f.gate.gate + " gate failed: " + f.message + tails);
  }
  stage("switch");
  switch_over();
  record_.status = status::kWatching;
  stage("watch");
  if (auto why = watch()) {
    std::string tails = log_tails();
    switch_back(*why);
    record_.status = status::kRolledBack;
    record_.finished = utc_now();
    record_.detail = "rolled back in the watch window: " + why->substr(0, why->find('\n'));
    store_.save(record_);
    return outcome(false, "generation " + std::to_string(plan_.generation) + " " + *why +
                              " in the watch window; switched back to the previous generation" + tails);
  }
  record_.status = status::kDeployed;
  record_.finished = utc_now();
  std::string gaps;
  for (const auto& p : progress_)
    if (p.unavailable >= 0)
      gaps += (gaps.empty() ? "" : ", ") + p.step->service + " " + one_decimal(p.unavailable) + " s";
  record_.detail = "deployed in " + one_decimal(seconds_since(t0)) + " s" +
                   (gaps.empty() ? "" : "; unavailable (stop-first): " + gaps);
  store_.save(record_);
  finish();
  return outcome(true, record_.detail);
}

}  // namespace

DeployOutcome run_deploy(const engine::Engine& engine, const compose::Project& project, GenerationStore& store,
                         const DeployRunOptions& options) {
  return Deployer(engine, project, store, options).run();
}

}  // namespace slipway::deploy

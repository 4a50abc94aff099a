#include "agent/status.h"

#include <algorithm>

#include "apply/observe.h"
#include "compose/model.h"
#include "plan/labels.h"

namespace slipway::agent {

using json = nlohmann::json;

namespace {

// A backup or drill older than this is a problem worth the owner's attention.
constexpr int64_t kBackupTooOld = 2 * 86400;
constexpr int64_t kDrillTooOld = 9 * 86400;

json run_json(const RunRecord& r, int64_t now) {
  return {{"outcome", r.outcome},           {"started", r.started},
          {"finished", r.finished},         {"seconds", r.finished ? r.finished - r.started : 0},
          {"age_seconds", now - r.started}, {"catch_up", r.catch_up},
          {"exit_code", r.exit_code},       {"detail", r.detail}};
}

json containers_json(const std::vector<plan::ObservedContainer>& containers) {
  json out = json::array();
  for (const auto& c : containers) {
    auto gen = c.labels.find(plan::label::kGeneration);
    out.push_back({{"name", c.name},
                   {"service", c.service},
                   {"state", c.state},
                   {"health", c.health},
                   {"generation", gen == c.labels.end() ? "" : gen->second}});
  }
  std::sort(out.begin(), out.end(), [](const json& a, const json& b) { return a["name"] < b["name"]; });
  return out;
}

json jobs_json(const StatusContext& ctx, const StackSpec& spec, json& problems) {
  json out = json::array();
  for (const auto& job : spec.jobs) {
    json j = {{"job", job.name}, {"schedule", job.cron ? job.cron->text() : "after each backup"}};
    if (auto last = ctx.log->last(spec.stack, job.name)) {
      j["last"] = run_json(*last, ctx.now);
      if (last->outcome == "failed" || last->outcome == "aborted")
        problems.push_back(job.name + " " + last->outcome + (last->detail.empty() ? "" : ": " + last->detail));
    }
    auto ok = ctx.log->last_with(spec.stack, job.name, "ok");
    if (ok) j["last_ok"] = run_json(*ok, ctx.now);
    int64_t too_old = job.name == "backup" ? kBackupTooOld : job.name == "drill" ? kDrillTooOld : 0;
    if (too_old && ok && ctx.now - ok->finished > too_old)
      problems.push_back("last successful " + job.name + " was " + human_age(ctx.now - ok->finished) + " ago");
    for (const auto& u : ctx.snapshot.upcoming)
      if (u.stack == spec.stack && u.job == job.name) j["next"] = u.at;
    bool running = false;
    for (const auto& r : ctx.snapshot.running) running |= r.stack == spec.stack && r.job == job.name;
    j["running"] = running;
    out.push_back(std::move(j));
  }
  return out;
}

// The last drift check's findings (the drift job's --json output).
json drift_json(const StatusContext& ctx, const std::string& stack, json& problems) {
  auto last = ctx.log->last(stack, "drift");
  if (!last || last->outcome == "running") return {{"available", false}, {"reason", "no drift check has run yet"}};
  json doc = json::parse(last->output, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("findings"))
    return {{"available", false}, {"reason", "the last drift check " + last->outcome + ": " + last->detail}};
  for (const auto& f : doc["findings"])
    problems.push_back("drift: " + f.value("kind", "") + " " + f.value("object", "") + " (" + f.value("action", "") +
                       ")");
  return {{"available", true},
          {"checked", last->finished},
          {"clean", doc.value("clean", false)},
          {"findings", doc["findings"]}};
}

json disk_json(const StatusContext& ctx, const compose::Project& project) {
  json all = ctx.disk->volumes(*ctx.engine, ctx.now);
  if (all.contains("error")) return {{"error", all["error"]}};
  json out = json::array();
  for (const auto& v : compose::Model(project).volumes())
    if (all["volumes"].contains(v.name())) out.push_back({{"name", v.name()}, {"bytes", all["volumes"][v.name()]}});
  return {{"volumes", out}};
}

json stack_json(const StatusContext& ctx, const compose::Project& project, const StackSpec& spec) {
  json s = {{"name", project.name}};
  json problems = json::array();
  std::vector<plan::ObservedContainer> containers;
  try {
    containers = apply::observe_containers(*ctx.engine, project.name);
    s["containers"] = containers_json(containers);
    for (const auto& c : containers) {
      if (c.health == "unhealthy") problems.push_back(c.name + " is unhealthy");
      if (!c.running() && c.exit_code != 0) problems.push_back(c.name + " exited with " + std::to_string(c.exit_code));
    }
    s["disk"] = disk_json(ctx, project);
  } catch (const std::exception& e) {
    s["engine_error"] = e.what();
    problems.push_back(std::string("engine: ") + e.what());
  }
  Availability gen = ctx.sources->generations(project.name, containers);
  s["generation"] = {{"available", gen.available}, {"reason", gen.reason}, {"value", gen.value}};
  Availability upd = ctx.sources->pending_updates(project.name, *ctx.log);
  s["updates"] = {{"available", upd.available}, {"reason", upd.reason}, {"value", upd.value}};
  s["jobs"] = jobs_json(ctx, spec, problems);
  s["drift"] = drift_json(ctx, project.name, problems);
  if (ctx.repository) {
    json repo = ctx.repository->of(project, ctx.now);
    if (!repo.is_null()) s["repository"] = repo;
  }
  if (ctx.notify) {
    json n = ctx.notify->status(project.name);
    if (!n.is_null()) {
      for (const auto& c : n["channels"])
        if (c.contains("last_error")) problems.push_back("notification failed: " + c["last_error"].get<std::string>());
      s["notify"] = std::move(n);
    }
  }
  s["problems"] = problems;
  s["ok"] = problems.empty();
  return s;
}

}  // namespace

json DiskUsage::volumes(const engine::Engine& engine, int64_t now) {
  std::lock_guard lock(mutex_);
  if (taken_ >= 0 && now - taken_ < max_age_) return cached_;
  try {
    json df = engine.call("GET", "/system/df?type=volume", nullptr, "disk use");
    json volumes = json::object();
    if (df.contains("Volumes") && df["Volumes"].is_array())
      for (const auto& v : df["Volumes"])
        if (v.contains("UsageData") && v["UsageData"].is_object())
          volumes[v.value("Name", "")] = v["UsageData"].value("Size", int64_t{-1});
    cached_ = {{"volumes", volumes}, {"measured", now}};
  } catch (const std::exception& e) {
    cached_ = {{"error", e.what()}};
  }
  taken_ = now;
  return cached_;
}

std::string human_age(int64_t s) {
  if (s < 0) s = -s;
  if (s < 90) return std::to_string(s) + " s";
  if (s < 90 * 60) return std::to_string(s / 60) + " min";
  if (s < 36 * 3600) return std::to_string(s / 3600) + " h";
  return std::to_string(s / 86400) + " d";
}

json collect_status(const StatusContext& ctx) {
  json out = {{"generated", ctx.now},
              {"agent", {{"started", ctx.started}, {"uptime_seconds", ctx.now - ctx.started}}},
              {"stacks", json::array()}};
  bool ok = ctx.snapshot.state_error.empty();
  if (!ok) out["agent"]["state_error"] = "runs are not being recorded: " + ctx.snapshot.state_error;
  for (const auto& broken : ctx.broken) {
    ok = false;
    out["stacks"].push_back({{"name", broken.first},
                             {"ok", false},
                             {"config_error", broken.second},
                             {"problems", json::array({"cannot load the stack: " + broken.second})}});
  }
  for (size_t i = 0; i < ctx.projects->size(); ++i) {
    json s = stack_json(ctx, (*ctx.projects)[i], (*ctx.schedules)[i]);
    ok = ok && s["ok"].get<bool>();
    out["stacks"].push_back(std::move(s));
  }
  out["ok"] = ok;
  return out;
}

}  // namespace slipway::agent

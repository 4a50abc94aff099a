#include "backup/drill.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "apply/apply.h"
#include "apply/observe.h"
#include "backup/backup.h"
#include "backup/catalog.h"
#include "backup/data.h"
#include "backup/live.h"
#include "backup/quiesce.h"
#include "backup/restore.h"
#include "backup/settings.h"
#include "backup/sparse.h"
#include "checks/report.h"
#include "checks/runner.h"
#include "checks/spec.h"
#include "plan/naming.h"
#include "plan/plan.h"
#include "util/error.h"

namespace slipway::backup {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

}  // namespace

void remove_throwaway(const engine::Client& client, const std::string& name) {
  auto f = engine::Filters{{"label", {"com.docker.compose.project=" + name}}};
  for (const auto& c : client.list_containers(apply::project_containers_filter(name), true)) {
    try {
      client.remove_container(c["Id"], true, true);
    } catch (const std::exception&) {
    }
  }
  for (const auto& n : client.list_networks(f)) {
    try {
      client.remove_network(n["Id"]);
    } catch (const std::exception&) {
    }
  }
  for (const auto& v : client.list_volumes(f)) {
    try {
      client.remove_volume(v["Name"], true);
    } catch (const std::exception&) {
    }
  }
}

compose::Project throwaway_copy(const compose::Project& project, const std::string& name) {
  compose::Project copy = project;
  copy.name = name;
  ojson& m = copy.model;
  m["name"] = name;
  if (m.contains("volumes") && m["volumes"].is_object()) {
    for (auto it = m["volumes"].begin(); it != m["volumes"].end(); ++it) {
      if (!it.value().is_object()) it.value() = ojson::object();
      // Even an external volume gets a copy of its own: a drill never touches live data.
      it.value().erase("external");
      it.value()["name"] = name + "_" + it.key();
    }
  }
  if (m.contains("networks") && m["networks"].is_object()) {
    for (auto it = m["networks"].begin(); it != m["networks"].end(); ++it) {
      if (!it.value().is_object()) it.value() = ojson::object();
      if (it.value().value("external", false)) continue;
      it.value()["name"] = name + "_" + it.key();
    }
  }
  if (m.contains("services") && m["services"].is_object()) {
    for (auto it = m["services"].begin(); it != m["services"].end(); ++it) {
      ojson& s = it.value();
      if (!s.is_object()) continue;
      // The live stack's images, not a rebuild under the copy's name.
      if (!s.contains("image")) s["image"] = plan::service_image(project.name, it.key(), s);
      s.erase("container_name");
      if (s.contains("ports") && s["ports"].is_array()) {
        for (auto& p : s["ports"]) {
          if (!p.is_object()) continue;
          p.erase("published");
          p.erase("host_ip");
        }
      }
    }
  }
  return copy;
}

DrillResult run_drill(const compose::Project& project, const engine::Client& client, Restic& restic,
                      const std::string& snapshot, const DrillOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  auto say = [&](const std::string& m) {
    if (options.say) options.say(m);
  };
  Location where{project.config_files.empty() ? std::string() : project.config_files.front()};
  DrillResult result;
  auto list = group_snapshots(restic.snapshots(project.name, {"slipway"}));
  const StackSnapshot& snap = find_snapshot(list, snapshot);
  result.run = snap.run;

  // The checks are loaded first: a bad spec is the user's error, before anything is created.
  std::string tests_dir = project.working_dir + "/tests";
  std::vector<std::string> services;
  if (project.model.contains("services") && project.model["services"].is_object())
    for (auto it = project.model["services"].begin(); it != project.model["services"].end(); ++it)
      services.push_back(it.key());
  if (!fs::is_directory(tests_dir))
    throw UserError(where, "the stack has no tests/ directory; a drill runs the stack's tests against the restored "
                           "data (add tests/*.yaml, see `slipway test`)");
  checks::LoadOptions lo;
  lo.services = services;
  if (services.size() == 1) lo.default_service = services.front();
  checks::Suite suite = checks::load_tests_dir(tests_dir, lo);
  // tests/drill/*.yaml: checks that pass only on restored data, which a fresh `slipway test`
  // copy cannot have (load_tests_dir does not descend, so `slipway test` skips them).
  if (fs::is_directory(tests_dir + "/drill")) {
    checks::Suite restored = checks::load_tests_dir(tests_dir + "/drill", lo);
    suite.files.insert(suite.files.end(), restored.files.begin(), restored.files.end());
    for (auto& c : restored.checks) suite.checks.push_back(std::move(c));
    suite.retry_timeout = std::max(suite.retry_timeout, restored.retry_timeout);
  }

  result.project = project.name + "-drill-" + snap.run;
  compose::Project copy = throwaway_copy(project, result.project);
  int cleanup_id = Interrupts::install().add([&client, name = result.project] { remove_throwaway(client, name); });
  struct Cleanup {
    std::function<void()> fn;
    ~Cleanup() { fn(); }
  } cleanup{[&] {
    Interrupts::install().remove(cleanup_id);
    if (options.keep) return;
    say("removing the throwaway stack " + result.project);
    try {
      remove_throwaway(client, result.project);
    } catch (const std::exception&) {
    }
  }};
  remove_throwaway(client, result.project);  // leftovers of an earlier, killed drill

  // Data: a fresh volume per data item of the snapshot, filled by restic.
  auto items = select_data(copy, where);
  for (const auto& item : items) {
    const Part* p = snap.part(item.kind == DataItem::volume ? "volume" : "bind", item.kind == DataItem::volume ? item.key : item.name);
    if (!p || item.kind != DataItem::volume) continue;
    client.create_volume({{"Name", item.name},
                          {"Labels",
                           {{"com.docker.compose.project", result.project},
                            {"com.docker.compose.volume", item.key},
                            {"io.slipway.role", "drill"}}}});
    std::string dir = data_directory(client, item);
    std::string staged = dir + ".slipway-drill";
    fs::remove_all(staged);
    say("restoring " + item.key + " from snapshot " + p->snapshot.short_id);
    restic.restore(p->snapshot.id, staged, p->snapshot.paths.front());
    make_sparse(staged);
    exchange_paths(dir, staged);
    fs::remove_all(staged);
  }
  result.steps.push_back("restored snapshot " + snap.run + " into the volumes of " + result.project);

  // Start the copy.
  say("starting " + result.project);
  plan::UpOptions up;
  up.role = "drill";
  up.api_version = client.api_version();
  auto plan = plan::plan_up(copy, apply::observe(client, copy), up);
  apply::ApplyOptions ao;
  ao.handle_signals = false;  // Interrupts owns the signals; its cleanup removes the copy
  ao.warn = options.say;
  apply::apply(client, copy, plan, ao);
  wait_healthy(client, copy.name);
  result.steps.push_back("started " + result.project);

  // Dumps are loaded into the running copy.
  for (const auto& sb : parse_service_backups(copy.model, where)) {
    const Part* p = snap.part("dump", sb.service);
    if (sb.restore.empty() || !p) continue;
    auto data = restic.dump(p->snapshot.id, "/" + (sb.dump ? sb.dump->filename : sb.service + ".dump"));
    std::string expected = p->snapshot.tag("bytes");
    if (!expected.empty() && expected != std::to_string(data.size()))
      throw EnvError("the dump of " + sb.service + " in snapshot " + snap.run + " is truncated (" +
                     std::to_string(data.size()) + " of " + expected + " bytes)");
    say("loading the dump of " + sb.service);
    auto r = exec_in_service(client, copy.name, sb.service, sb.restore, sb.dump ? sb.dump->user : "", data);
    if (r.exit_code != 0)
      throw EnvError("loading the dump of " + sb.service + " failed (exit " + std::to_string(r.exit_code) +
                     "): " + r.err.substr(0, 300));
    result.steps.push_back("loaded the dump of " + sb.service);
  }

  // The stack's tests against the copy.
  checks::RunOptions ro;
  for (const auto& c : apply::observe_containers(client, copy.name)) {
    if (!c.running() || ro.targets.count(c.service)) continue;
    ro.targets[c.service] = checks::Target{c.service, c.id, 0};
  }
  say("running " + std::to_string(suite.checks.size()) + " check(s)");
  checks::Report report;
  report.suite = result.project;
  report.results = checks::run_suite(client, suite, ro);
  auto summary = checks::summarize(report);
  result.checks = summary.tests;
  result.failed = summary.failed;
  result.skipped = summary.skipped;
  for (const auto& r : report.results)
    if (r.status() == checks::Status::Fail) result.failures.push_back(checks::human_progress(r, false));
  result.report = checks::report_human(report, false);
  result.steps.push_back("ran the stack's tests: " + std::to_string(summary.tests) + " test(s), " +
                         std::to_string(summary.failed) + " failed");
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace slipway::backup

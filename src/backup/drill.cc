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
#include "backup/throwaway_checks.h"
#include "checks/report.h"
#include "checks/runner.h"
#include "checks/spec.h"
#include "compose/model.h"
#include "plan/naming.h"
#include "plan/plan.h"
#include "util/error.h"

namespace slipway::backup {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

// driver_opts of the local driver that mount a host directory as the volume.
bool binds_host_directory(const compose::Resource& volume) {
  bool device = false, bind = false;
  for (const auto& [k, v] : volume.driver_opts()) {
    if (k == "device") device = true;
    if (k == "o" && v.find("bind") != std::string::npos) bind = true;
  }
  return device && bind;
}

}  // namespace

void remove_throwaway(const engine::Engine& client, const std::string& name) {
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
  // The live model is read through its view; the copy's JSON is rewritten in place (a Model is
  // read-only), entry by entry of what the view lists.
  compose::Model live(project);
  compose::Project copy = project;
  copy.name = name;
  ojson& m = copy.model;
  m["name"] = name;
  for (const auto& v : live.volumes()) {
    ojson& def = m["volumes"][v.key()];
    if (!def.is_object()) def = ojson::object();
    // Even an external volume gets a copy of its own: a drill never touches live data.
    def.erase("external");
    def["name"] = name + "_" + v.key();
    if (binds_host_directory(v)) def.erase("driver_opts");
  }
  for (const auto& n : live.networks()) {
    ojson& def = m["networks"][n.key()];
    if (!def.is_object()) def = ojson::object();
    if (n.external()) continue;
    def["name"] = name + "_" + n.key();
  }
  for (const auto& svc : live.services()) {
    ojson& s = m["services"][svc.name()];
    if (!s.is_object()) continue;
    // The live stack's images, not a rebuild under the copy's name.
    if (svc.image().empty()) s["image"] = svc.image_reference(project.name);
    s.erase("container_name");
    if (s.contains("ports") && s["ports"].is_array()) {
      for (auto& p : s["ports"]) {
        if (!p.is_object()) continue;
        p.erase("published");
        p.erase("host_ip");
      }
    }
  }
  return copy;
}

namespace {

// The checks are loaded first: a bad spec is the user's error, before anything is created.
checks::Suite load_drill_checks(const compose::Project& project, const Location& where) {
  std::string tests_dir = project.working_dir + "/tests";
  std::vector<std::string> services = compose::Model(project).service_names();
  if (!fs::is_directory(tests_dir))
    throw UserError(where,
                    "the stack has no tests/ directory; a drill runs the stack's tests against the restored "
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
  return suite;
}

// A fresh volume per data item of the snapshot, created as `up` creates the copy's volumes
// (plan::volume_body) and filled by restic.
void restore_into_copy(const compose::Project& copy, const engine::Engine& client, Restic& restic,
                       const StackSnapshot& snap, Journal& journal, const DrillOptions& options) {
  Location where{copy.config_files.empty() ? std::string() : copy.config_files.front()};
  for (const auto& item : select_data(copy, where)) {
    const Part* p = snap.part(item.kind == DataItem::volume ? "volume" : "bind", item.key);
    if (!p || item.kind != DataItem::volume) continue;
    create_volume_as_up(client, copy, item.key, {{"io.slipway.role", "drill"}});
    std::string dir = data_directory(client, item);
    std::string staged = dir + ".slipway-drill";
    journal.update([&](JournalRecord& r) {
      r.targets.push_back({item.key, dir, staged, 0, 0});
      r.restic_paths.push_back(staged);
    });
    fs::remove_all(staged);
    if (options.say) options.say("restoring " + item.key + " from snapshot " + p->snapshot.short_id);
    restic.restore(p->snapshot.id, staged, p->snapshot.paths.front());
    make_sparse(staged);
    exchange_paths(dir, staged);
    fs::remove_all(staged);
  }
}

void start_copy(const compose::Project& copy, const engine::Engine& client, const DrillOptions& options) {
  if (options.say) options.say("starting " + copy.name);
  plan::UpOptions up;
  up.role = "drill";
  up.api_version = client.api_version();
  auto plan = plan::plan_up(copy, apply::observe(client, copy), up);
  apply::ApplyOptions ao;
  ao.handle_signals = false;  // Interrupts owns the signals; its cleanup removes the copy
  ao.warn = options.say;
  apply::apply(client, copy, plan, ao);
  wait_healthy(client, copy.name);
}

// Dumps are loaded into the running copy.
void load_copy_dumps(const compose::Project& copy, const engine::Engine& client, Restic& restic,
                     const StackSnapshot& snap, DrillResult& result, const DrillOptions& options) {
  Location where{copy.config_files.empty() ? std::string() : copy.config_files.front()};
  for (const auto& sb : parse_service_backups(compose::Model(copy), where)) {
    const Part* p = snap.part("dump", sb.service);
    if (sb.restore.empty() || !p) continue;
    if (options.say) options.say("loading the dump of " + sb.service);
    load_dump(client, copy.name, restic,
              {sb.service, p->snapshot.id, "/" + (sb.dump ? sb.dump->filename : sb.service + ".dump"),
               p->snapshot.tag("bytes"), sb.restore, sb.dump ? sb.dump->user : "", false});
    result.steps.push_back("loaded the dump of " + sb.service);
  }
}

// The stack's tests against the copy.
void run_copy_checks(const compose::Project& copy, const engine::Engine& client, const checks::Suite& suite,
                     DrillResult& result, const DrillOptions& options) {
  if (options.say) options.say("running " + std::to_string(suite.checks.size()) + " check(s)");
  checks::Report report = run_throwaway_checks(client, copy.name, result.project, suite, {});
  auto summary = checks::summarize(report);
  result.checks = summary.tests;
  result.failed = summary.failed;
  result.skipped = summary.skipped;
  for (const auto& r : report.results)
    if (r.status() == checks::Status::Fail) result.failures.push_back(checks::human_progress(r, false));
  result.report = checks::report_human(report, false);
  result.steps.push_back("ran the stack's tests: " + std::to_string(summary.tests) + " test(s), " +
                         std::to_string(summary.failed) + " failed");
}

}  // namespace

DrillResult run_drill(const compose::Project& project, const engine::Engine& client, Restic& restic,
                      const std::string& snapshot, const DrillOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  Location where{project.config_files.empty() ? std::string() : project.config_files.front()};
  restic.open();  // preflight
  DrillResult result;
  auto list = group_snapshots(restic.snapshots(project.name, {"slipway"}));
  const StackSnapshot& snap = find_snapshot(list, snapshot);
  result.run = snap.run;
  checks::Suite suite = load_drill_checks(project, where);

  result.project = project.name + "-drill-" + snap.run;
  compose::Project copy = throwaway_copy(project, result.project);
  JournalRecord rec;
  rec.kind = "drill";
  rec.stack = project.name;
  rec.run = snap.run;
  rec.restic = restic_record(restic.config());
  rec.throwaway = result.project;
  Journal journal(options.journal_dir, rec);
  int cleanup_id = Interrupts::install().add([&client, name = result.project] { remove_throwaway(client, name); });
  struct Cleanup {
    std::function<void()> fn;
    ~Cleanup() { fn(); }
  } cleanup{[&] {
    Interrupts::install().remove(cleanup_id);
    if (options.keep) return;
    if (options.say) options.say("removing the throwaway stack " + result.project);
    try {
      remove_throwaway(client, result.project);
    } catch (const std::exception&) {
      journal.keep();  // the next command's recovery removes it
    }
  }};
  remove_throwaway(client, result.project);  // leftovers of an earlier, killed drill

  restore_into_copy(copy, client, restic, snap, journal, options);
  result.steps.push_back("restored snapshot " + snap.run + " into the volumes of " + result.project);
  start_copy(copy, client, options);
  result.steps.push_back("started " + result.project);
  load_copy_dumps(copy, client, restic, snap, result, options);
  run_copy_checks(copy, client, suite, result, options);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace slipway::backup

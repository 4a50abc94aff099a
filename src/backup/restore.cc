#include "backup/restore.h"

#include <fcntl.h>
#include <stdio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "backup/backup.h"
#include "backup/catalog.h"
#include "backup/data.h"
#include "backup/live.h"
#include "backup/quiesce.h"
#include "backup/settings.h"
#include "backup/sparse.h"
#include "util/error.h"

namespace slipway::backup {
namespace {

namespace fs = std::filesystem;

struct Target {
  DataItem item;
  const Part* part = nullptr;
  std::string live_dir;
  std::string staged_dir;
  bool swapped = false;
};

}  // namespace

void exchange_paths(const std::string& a, const std::string& b) {
  if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) != 0)
    throw EnvError("cannot swap " + a + " with " + b + ": " + std::strerror(errno));
}

RestoreResult restore_live(const compose::Project& project, const engine::Client& client, Restic& restic,
                           const std::string& snapshot, const RestoreOptions& options) {
  auto say = [&](const std::string& m) {
    if (options.say) options.say(m);
  };
  RestoreResult result;
  Location where{project.config_files.empty() ? std::string() : project.config_files.front()};
  auto list = group_snapshots(restic.snapshots(project.name, {"slipway"}));
  const StackSnapshot& snap = find_snapshot(list, snapshot);
  result.run = snap.run;

  // What to restore: the stack's data items the snapshot holds (or those asked for).
  auto items = select_data(project, where);
  std::vector<Target> targets;
  for (const auto& key : options.volumes) {
    if (std::none_of(items.begin(), items.end(), [&](const DataItem& d) { return d.key == key; }))
      throw UserError("no data volume " + key + " in this stack");
    if (!snap.part("volume", key) && !snap.part("bind", key))
      throw UserError("snapshot " + snap.run + " holds no volume " + key);
  }
  for (const auto& item : items) {
    if (!options.volumes.empty() && std::find(options.volumes.begin(), options.volumes.end(), item.key) == options.volumes.end())
      continue;
    const Part* p = snap.part(item.kind == DataItem::volume ? "volume" : "bind", item.key);
    if (!p) continue;
    if (p->snapshot.paths.size() != 1)
      throw EnvError("restic snapshot " + p->snapshot.short_id + " does not look like slipway's (one path expected)");
    targets.push_back(Target{item, p, "", "", false});
  }
  std::vector<const ServiceBackup*> dump_loads;
  auto services = parse_service_backups(project.model, where);
  if (options.load_dumps && options.volumes.empty())
    for (const auto& sb : services)
      if (!sb.restore.empty() && snap.part("dump", sb.service)) dump_loads.push_back(&sb);
  if (targets.empty() && dump_loads.empty())
    throw UserError("snapshot " + snap.run + " holds nothing this stack can restore");

  // Live directories; a volume that does not exist yet (a rebuilt server) is created empty.
  for (auto& t : targets) {
    if (t.item.kind == DataItem::volume && !client.find_volume(t.item.name)) {
      client.create_volume({{"Name", t.item.name},
                            {"Labels",
                             {{"com.docker.compose.project", project.name},
                              {"com.docker.compose.volume", t.item.key},
                              {"com.docker.compose.version", "2.29.0"}}}});
      result.steps.push_back("created volume " + t.item.name);
    }
    if (t.item.kind == DataItem::bind) fs::create_directories(t.item.name);
    t.live_dir = data_directory(client, t.item);
    t.staged_dir = t.live_dir + ".slipway-restore-" + snap.run;
  }

  auto cleanup_staged = [&] {
    std::error_code ec;
    for (const auto& t : targets)
      if (!t.swapped) fs::remove_all(t.staged_dir, ec);
  };
  try {
    // 1. Stage while the stack runs.
    for (auto& t : targets) {
      std::error_code ec;
      fs::remove_all(t.staged_dir, ec);
      say("restoring " + t.item.key + " from snapshot " + t.part->snapshot.short_id);
      restic.restore(t.part->snapshot.id, t.staged_dir, t.part->snapshot.paths.front());
      make_sparse(t.staged_dir);
    }
    result.steps.push_back("restored " + std::to_string(targets.size()) + " item(s) of snapshot " + snap.run +
                           " beside the live data");

    std::string safety_error;
    {
      // 2. Stop everything that mounts the data.
      QuiesceGuard guard(client, options.journal_dir, options.say);
      auto live = observe_stack(client, project.name);
      std::set<std::string> users;
      for (const auto& t : targets) users.insert(t.item.services.begin(), t.item.services.end());
      for (const auto& service : users) {
        auto it = live.services.find(service);
        if (it == live.services.end()) continue;
        for (const auto& id : it->second.running) guard.stop(id, service);
      }
      if (!guard.empty()) result.steps.push_back("stopped the services using the data");

      // 3. Safety snapshot of exactly what is about to be replaced.
      if (!targets.empty()) {
        BackupOptions bo;
        bo.reason = "safety";
        bo.hooks = false;
        bo.journal_dir = options.journal_dir;
        bo.say = options.say;
        for (const auto& t : targets) bo.only.push_back(t.item.key);
        auto safety = run_backup(project, client, restic, bo);
        result.safety_run = safety.run;
        result.steps.push_back("safety snapshot " + safety.run + " of the current data");
      }

      // 4. Swap, all or nothing.
      try {
        for (auto& t : targets) {
          exchange_paths(t.live_dir, t.staged_dir);
          t.swapped = true;
        }
      } catch (...) {
        for (auto& t : targets) {
          if (!t.swapped) continue;
          try {
            exchange_paths(t.live_dir, t.staged_dir);
            t.swapped = false;
          } catch (const std::exception& e) {
            result.steps.push_back(std::string("could not swap back: ") + e.what());
          }
        }
        throw;
      }
      for (const auto& t : targets) result.restored.push_back(t.item.key);
      if (!targets.empty()) result.steps.push_back("replaced the data of " + std::to_string(targets.size()) + " item(s)");

      // 5. Start again.
      auto problems = guard.resume_all();
      if (!guard.empty() || !problems.empty()) {
        for (const auto& p : problems) safety_error += (safety_error.empty() ? "" : "; ") + p;
      } else {
        result.steps.push_back("started the services again");
      }
    }
    // The old data now sits where the staged copy was; the safety snapshot holds it.
    std::error_code ec;
    for (const auto& t : targets) fs::remove_all(t.staged_dir, ec);
    if (!safety_error.empty())
      throw EnvError("the restored data is in place, but " + safety_error + " (start them with `slipway up`)");
  } catch (const UserError&) {
    cleanup_staged();
    throw;
  } catch (const std::exception& e) {
    cleanup_staged();
    bool swapped = std::any_of(targets.begin(), targets.end(), [](const Target& t) { return t.swapped; });
    std::string steps;
    for (const auto& s : result.steps) steps += (steps.empty() ? "" : "; ") + s;
    throw EnvError(std::string("restore failed: ") + e.what() +
                   (swapped ? "" : " -- the old data is still in place") + (steps.empty() ? "" : " (done: " + steps + ")"));
  }

  // Dumps are loaded into the running services, once they are ready.
  if (!dump_loads.empty()) wait_healthy(client, project.name);
  for (const auto* sb : dump_loads) {
    const Part* p = snap.part("dump", sb->service);
    auto data = restic.dump(p->snapshot.id, "/" + (sb->dump ? sb->dump->filename : sb->service + ".dump"));
    std::string expected = p->snapshot.tag("bytes");
    if (!expected.empty() && expected != std::to_string(data.size()))
      throw EnvError("the dump of " + sb->service + " in snapshot " + snap.run + " is " + std::to_string(data.size()) +
                     " bytes, but " + expected + " were taken (a truncated dump; choose another snapshot)");
    say("loading the dump of " + sb->service);
    auto r = exec_in_service(client, project.name, sb->service, sb->restore, sb->dump ? sb->dump->user : "", data);
    if (r.exit_code != 0)
      throw EnvError("loading the dump of " + sb->service + " failed: the restore command exited with " +
                     std::to_string(r.exit_code) + ": " + r.err.substr(0, 300));
    result.dumps_loaded.push_back(sb->service);
    result.steps.push_back("loaded the dump of " + sb->service);
  }
  return result;
}

}  // namespace slipway::backup

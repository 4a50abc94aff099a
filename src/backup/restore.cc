#include "backup/restore.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

#include "backup/backup.h"
#include "backup/catalog.h"
#include "backup/data.h"
#include "backup/live.h"
#include "backup/quiesce.h"
#include "backup/settings.h"
#include "backup/sparse.h"
#include "plan/plan.h"
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

uint64_t inode_of(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : "; ") + x;
  return s;
}

class RestoreRun {
 public:
  RestoreRun(const compose::Project& project, const engine::Engine& client, Restic& restic,
             const RestoreOptions& options)
      : project_(project), client_(client), restic_(restic), options_(options) {}

  RestoreResult run(const std::string& snapshot);

 private:
  void say(const std::string& m) const {
    if (options_.say) options_.say(m);
  }
  void choose(const std::string& snapshot);
  void check_dump_services() const;
  void create_missing();
  void start_journal();
  void stage();
  void take_safety(QuiesceGuard& guard);
  void stop_users(QuiesceGuard& guard);
  void swap_all();
  void swap_back();
  void replace_data();
  void remove_staged(bool only_unswapped);
  void undo_staging();
  [[noreturn]] void fail(const std::exception& e);
  void load_dumps();

  const compose::Project& project_;
  const engine::Engine& client_;
  Restic& restic_;
  const RestoreOptions& options_;
  Location where_;
  std::vector<StackSnapshot> list_;
  const StackSnapshot* snap_ = nullptr;
  std::vector<Target> targets_;
  std::vector<DumpLoadRecord> dumps_;
  std::unique_ptr<Journal> journal_;
  RestoreResult result_;
};

// What to restore: the stack's data items the snapshot holds (or those asked for), and the
// dumps to load.
void RestoreRun::choose(const std::string& snapshot) {
  where_ = Location{project_.config_files.empty() ? std::string() : project_.config_files.front()};
  list_ = group_snapshots(restic_.snapshots(project_.name, {"slipway"}));
  snap_ = &find_snapshot(list_, snapshot);
  result_.run = snap_->run;
  auto items = select_data(project_, where_);
  for (const auto& key : options_.volumes) {
    if (std::none_of(items.begin(), items.end(), [&](const DataItem& d) { return d.key == key; }))
      throw UserError("no data volume " + key + " in this stack");
    if (!snap_->part("volume", key) && !snap_->part("bind", key))
      throw UserError("snapshot " + snap_->run + " holds no volume " + key);
  }
  for (const auto& item : items) {
    if (!options_.volumes.empty() &&
        std::find(options_.volumes.begin(), options_.volumes.end(), item.key) == options_.volumes.end())
      continue;
    const Part* p = snap_->part(item.kind == DataItem::volume ? "volume" : "bind", item.key);
    if (!p) continue;
    if (p->snapshot.paths.size() != 1)
      throw EnvError("restic snapshot " + p->snapshot.short_id + " does not look like slipway's (one path expected)");
    targets_.push_back(Target{item, p, "", "", false});
  }
  if (options_.load_dumps && options_.volumes.empty()) {
    for (const auto& sb : parse_service_backups(compose::Model(project_), where_)) {
      const Part* p = snap_->part("dump", sb.service);
      if (sb.restore.empty() || !p) continue;
      dumps_.push_back({sb.service, p->snapshot.id, "/" + (sb.dump ? sb.dump->filename : sb.service + ".dump"),
                        p->snapshot.tag("bytes"), sb.restore, sb.dump ? sb.dump->user : "", false});
    }
  }
  if (targets_.empty() && dumps_.empty())
    throw UserError("snapshot " + snap_->run + " holds nothing this stack can restore");
}

// A dump is taken from (for the safety snapshot) and loaded into the running service.
void RestoreRun::check_dump_services() const {
  if (dumps_.empty()) return;
  auto live = observe_stack(client_, project_.name);
  for (const auto& d : dumps_) {
    auto it = live.services.find(d.service);
    if (it == live.services.end() || it->second.running.empty())
      throw EnvError("service " + d.service + " is not running, and its dump is loaded into the running service " +
                     "(start the stack with `slipway up`, then restore; nothing was changed)");
  }
}

// Live directories; a volume that does not exist yet (a rebuilt server) is created as `up`
// would create it.
void RestoreRun::create_missing() {
  for (auto& t : targets_) {
    if (t.item.kind == DataItem::volume && create_volume_as_up(client_, project_, t.item.key))
      result_.steps.push_back("created volume " + t.item.name);
    if (t.item.kind == DataItem::bind) fs::create_directories(t.item.name);
    t.live_dir = data_directory(client_, t.item);
    t.staged_dir = t.live_dir + ".slipway-restore-" + snap_->run;
  }
}

void RestoreRun::start_journal() {
  JournalRecord rec;
  rec.kind = "restore";
  rec.stack = project_.name;
  rec.run = snap_->run;
  rec.restic = restic_record(restic_.config());
  for (const auto& t : targets_) {
    rec.targets.push_back({t.item.key, t.live_dir, t.staged_dir, 0, 0});
    rec.restic_paths.push_back(t.staged_dir);
  }
  rec.dumps = dumps_;
  journal_ = std::make_unique<Journal>(options_.journal_dir, rec);
}

// Restored copies beside the live data, while the stack runs.
void RestoreRun::stage() {
  for (size_t i = 0; i < targets_.size(); ++i) {
    auto& t = targets_[i];
    std::error_code ec;
    fs::remove_all(t.staged_dir, ec);
    say("restoring " + t.item.key + " from snapshot " + t.part->snapshot.short_id);
    restic_.restore(t.part->snapshot.id, t.staged_dir, t.part->snapshot.paths.front());
    make_sparse(t.staged_dir);
    journal_->update([&](JournalRecord& r) {
      r.targets[i].live_inode = inode_of(t.live_dir);
      r.targets[i].staged_inode = inode_of(t.staged_dir);
    });
  }
  if (!targets_.empty())
    result_.steps.push_back("restored " + std::to_string(targets_.size()) + " item(s) of snapshot " + snap_->run +
                            " beside the live data");
}

void RestoreRun::stop_users(QuiesceGuard& guard) {
  auto live = observe_stack(client_, project_.name);
  std::set<std::string> users;
  for (const auto& t : targets_) users.insert(t.item.services.begin(), t.item.services.end());
  for (const auto& service : users) {
    auto it = live.services.find(service);
    if (it == live.services.end()) continue;
    for (const auto& id : it->second.running) guard.stop(id, service);
  }
  if (!guard.empty()) result_.steps.push_back("stopped the services using the data");
}

// The safety snapshot: fresh dumps of the services whose dumps will be loaded, then (with the
// data's users stopped) the volumes about to be replaced — one run.
void RestoreRun::take_safety(QuiesceGuard& guard) {
  BackupOptions bo;
  bo.reason = "safety";
  bo.hooks = false;
  bo.only = std::vector<std::string>{};
  for (const auto& t : targets_) bo.only->push_back(t.item.key);
  for (const auto& d : dumps_) bo.dumps.push_back(d.service);
  bo.after_dumps = [&] { stop_users(guard); };
  bo.journal = journal_.get();
  bo.say = options_.say;
  auto safety = run_backup(project_, client_, restic_, bo);
  result_.safety_run = safety.run;
  std::string what = std::to_string(safety.parts.size()) + " part(s)";
  result_.steps.push_back("safety snapshot " + safety.run + " of the current data (" + what + ")");
}

void RestoreRun::swap_back() {
  for (auto& t : targets_) {
    if (!t.swapped) continue;
    try {
      exchange_paths(t.live_dir, t.staged_dir);
      t.swapped = false;
    } catch (const std::exception& e) {
      result_.steps.push_back(std::string("could not swap back: ") + e.what());
      journal_->keep();  // the next command's recovery tries again
    }
  }
}

// All or nothing; a signal waits until the swaps and their journal entry are done.
void RestoreRun::swap_all() {
  journal_->update([&](JournalRecord& r) {
    r.safety_run = result_.safety_run;
    r.phase = RestorePhase::swapping;
  });
  Interrupts::Critical critical;
  try {
    for (auto& t : targets_) {
      exchange_paths(t.live_dir, t.staged_dir);
      t.swapped = true;
    }
    journal_->update([](JournalRecord& r) { r.phase = RestorePhase::swapped; });
  } catch (...) {
    swap_back();
    throw;
  }
  for (const auto& t : targets_) result_.restored.push_back(t.item.key);
  if (!targets_.empty())
    result_.steps.push_back("replaced the data of " + std::to_string(targets_.size()) + " item(s)");
}

void RestoreRun::replace_data() {
  std::string resume_error;
  {
    QuiesceGuard guard(client_, journal_.get(), options_.say);
    take_safety(guard);
    swap_all();
    auto problems = guard.resume_all();
    bool stopped = !guard.empty() || !problems.empty();
    resume_error = joined(problems);
    if (!stopped) result_.steps.push_back("started the services again");
  }
  remove_staged(false);  // the old data, which the safety snapshot holds
  if (!resume_error.empty())
    throw EnvError("the restored data is in place, but " + resume_error + " (start them with `slipway up`)");
}

void RestoreRun::remove_staged(bool only_unswapped) {
  std::error_code ec;
  for (const auto& t : targets_)
    if (!only_unswapped || !t.swapped) fs::remove_all(t.staged_dir, ec);
}

// After an error before or during the swaps: staged copies go; unless a swap could not be
// undone, recovery has nothing left to do (but start containers it could not start).
void RestoreRun::undo_staging() {
  remove_staged(true);
  bool swapped = std::any_of(targets_.begin(), targets_.end(), [](const Target& t) { return t.swapped; });
  if (!swapped && journal_) {
    // Undone here: nothing for recovery to do (but containers it could not start).
    journal_->update([](JournalRecord& r) {
      r.targets.clear();
      r.dumps.clear();
      r.writing_runs.clear();
      r.phase = RestorePhase::preparing;
    });
  }
}

void RestoreRun::fail(const std::exception& e) {
  undo_staging();
  bool swapped = std::any_of(targets_.begin(), targets_.end(), [](const Target& t) { return t.swapped; });
  std::string steps = joined(result_.steps);
  throw EnvError(std::string("restore failed: ") + e.what() + (swapped ? "" : " -- the old data is still in place") +
                 (steps.empty() ? "" : " (done: " + steps + ")"));
}

// Dumps are loaded into the running services, once they are ready.
void RestoreRun::load_dumps() {
  if (dumps_.empty()) return;
  journal_->update([](JournalRecord& r) { r.phase = RestorePhase::loading; });
  try {
    wait_healthy(client_, project_.name);
    for (size_t i = 0; i < dumps_.size(); ++i) {
      say("loading the dump of " + dumps_[i].service);
      load_dump(client_, project_.name, restic_, dumps_[i]);
      journal_->update([&](JournalRecord& r) { r.dumps[i].loaded = true; });
      result_.dumps_loaded.push_back(dumps_[i].service);
      result_.steps.push_back("loaded the dump of " + dumps_[i].service);
    }
  } catch (const std::exception& e) {
    journal_->update([](JournalRecord& r) { r.dumps.clear(); });  // reported here, not retried
    throw EnvError(std::string(e.what()) + " -- " +
                   (result_.restored.empty() ? std::string("") : "the restored volumes are in place; ") +
                   "`slipway restore " + result_.safety_run + "` returns to the data before this restore");
  }
}

RestoreResult RestoreRun::run(const std::string& snapshot) {
  restic_.open();  // preflight before anything else
  choose(snapshot);
  check_dump_services();
  try {
    create_missing();
    start_journal();
    stage();
    replace_data();
  } catch (const UserError&) {
    undo_staging();
    throw;
  } catch (const std::exception& e) {
    fail(e);
  }
  load_dumps();
  return result_;
}

}  // namespace

bool create_volume_as_up(const engine::Engine& client, const compose::Project& project, const std::string& key,
                         const std::map<std::string, std::string>& extra_labels) {
  auto body = plan::volume_body(project, key);
  if (client.find_volume(body["Name"].get<std::string>())) return false;
  for (const auto& [k, v] : extra_labels) body["Labels"][k] = v;
  client.create_volume(body);
  return true;
}

void exchange_paths(const std::string& a, const std::string& b) {
  if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) != 0)
    throw EnvError("cannot swap " + a + " with " + b + ": " + std::strerror(errno));
}

void load_dump(const engine::Engine& client, const std::string& stack, Restic& restic, const DumpLoadRecord& dump) {
  auto data = restic.dump(dump.snapshot_id, dump.path);
  if (!dump.bytes.empty() && dump.bytes != std::to_string(data.size()))
    throw EnvError("the dump of " + dump.service + " is " + std::to_string(data.size()) + " bytes, but " + dump.bytes +
                   " were taken (a truncated dump; choose another snapshot)");
  auto r = exec_in_service(client, stack, dump.service, dump.command, dump.user, data);
  if (r.exit_code != 0)
    throw EnvError("loading the dump of " + dump.service + " failed: the restore command exited with " +
                   std::to_string(r.exit_code) + ": " + r.err.substr(0, 300));
}

RestoreResult restore_live(const compose::Project& project, const engine::Engine& client, Restic& restic,
                           const std::string& snapshot, const RestoreOptions& options) {
  return RestoreRun(project, client, restic, options).run(snapshot);
}

}  // namespace slipway::backup

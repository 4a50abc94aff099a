#include "backup/backup.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>

#include "backup/catalog.h"
#include "backup/data.h"
#include "backup/live.h"
#include "backup/quiesce.h"
#include "backup/settings.h"
#include "util/error.h"

namespace slipway::backup {
namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  auto nl = t.rfind('\n');
  std::string l = nl == std::string::npos ? t : t.substr(nl + 1);
  return l.size() > 300 ? l.substr(0, 300) + "..." : l;
}

std::string joined(const std::vector<std::string>& cmd) {
  std::string s;
  for (const auto& a : cmd) s += (s.empty() ? "" : " ") + a;
  return s.size() > 80 ? s.substr(0, 80) + "..." : s;
}

}  // namespace

engine::ExecResult exec_in_service(const engine::Engine& client, const std::string& project, const std::string& service,
                                   const std::vector<std::string>& cmd, const std::string& user,
                                   const std::optional<std::string>& stdin_data) {
  auto live = observe_stack(client, project);
  auto it = live.services.find(service);
  if (it == live.services.end() || it->second.running.empty())
    throw EnvError("service " + service + " is not running (start the stack with `slipway up`)");
  engine::ExecOptions o;
  o.cmd = cmd;
  o.user = user;
  o.stdin_data = stdin_data;
  return client.exec(it->second.running.front(), o);
}

namespace {

// One backup, step by step (the order is explained in backup.h).
class BackupRun {
 public:
  BackupRun(const compose::Project& project, const engine::Engine& client, Restic& restic, const BackupOptions& options)
      : project_(project), client_(client), restic_(restic), options_(options) {}

  BackupResult run();

 private:
  void say(const std::string& m) const {
    if (options_.say) options_.say(m);
  }
  void select();
  void start_journal();
  void run_pres();
  void take_dumps();
  void commit_dumps();
  void backup_item(size_t i);
  void backup_items();
  void backup_quiesced_items();
  void run_posts();
  void owe_posts(bool add);

  const compose::Project& project_;
  const engine::Engine& client_;
  Restic& restic_;
  const BackupOptions& options_;
  Location where_;
  std::vector<DataItem> items_;
  std::vector<std::string> dirs_;
  std::vector<ServiceBackup> services_;
  LiveStack live_;
  std::vector<std::string> tags_;
  std::unique_ptr<Journal> own_journal_;
  Journal* journal_ = nullptr;
  std::vector<const ServiceBackup*> pre_done_;  // services owed their post
  std::vector<std::pair<const ServiceBackup*, std::string>> dumps_;
  std::vector<std::string> committed_;
  std::vector<std::string> resume_problems_;
  BackupResult result_;
};

bool dumped(const ServiceBackup& sb, const BackupOptions& o) {
  if (!sb.dump) return false;
  return o.hooks || std::find(o.dumps.begin(), o.dumps.end(), sb.service) != o.dumps.end();
}

// What and where, before any side effect.
void BackupRun::select() {
  where_ = Location{project_.config_files.empty() ? std::string() : project_.config_files.front()};
  items_ = select_data(project_, where_);
  if (options_.only) {
    std::vector<DataItem> chosen;
    for (const auto& key : *options_.only) {
      auto it = std::find_if(items_.begin(), items_.end(), [&](const DataItem& d) { return d.key == key; });
      if (it == items_.end()) throw UserError("no data volume " + key + " in this stack (see `slipway snapshots`)");
      chosen.push_back(*it);
    }
    items_ = chosen;
  }
  for (auto& sb : parse_service_backups(compose::Model(project_), where_)) {
    if (!options_.hooks) {
      if (!dumped(sb, options_)) continue;
      sb.pre.clear();  // a safety snapshot only reads: no hooks, no quiesce
      sb.post.clear();
      sb.quiesce = Quiesce::none;
    }
    services_.push_back(std::move(sb));
  }
  size_t dump_count =
      std::count_if(services_.begin(), services_.end(), [&](const auto& s) { return dumped(s, options_); });
  int parts = static_cast<int>(items_.size() + dump_count);
  if (parts == 0)
    throw UserError(where_,
                    "the stack has no data to back up (no named volumes, no bind mount with "
                    "x-slipway: {backup: true}, no dump)");
  if (options_.init)
    restic_.open(true);
  else
    restic_.open();  // preflight: restic, password file, repository — before anything runs
  for (const auto& item : items_) dirs_.push_back(data_directory(client_, item));
  live_ = observe_stack(client_, project_.name);
  result_.run = new_run_id();
  result_.stack = project_.name;
  result_.generation = live_.generation;
  tags_ = run_tags(result_.run, parts, project_.name, options_.reason, live_.generation, live_.images);
}

void BackupRun::start_journal() {
  journal_ = options_.journal;
  if (!journal_) {
    JournalRecord rec;
    rec.kind = "backup";
    rec.stack = project_.name;
    rec.run = result_.run;
    rec.restic = restic_record(restic_.config());
    own_journal_ = std::make_unique<Journal>(options_.journal_dir, rec);
    journal_ = own_journal_.get();
  }
  journal_->update([&](JournalRecord& r) { r.writing_runs.push_back(result_.run); });
}

// Records (or clears) the posts owed, so that a killed run still gets them run.
void BackupRun::owe_posts(bool add) {
  journal_->update([&](JournalRecord& r) {
    r.posts.clear();
    if (add)
      for (const auto* sb : pre_done_)
        if (!sb->post.empty()) r.posts.push_back({sb->service, sb->post});
  });
}

void BackupRun::run_pres() {
  for (const auto& sb : services_)
    if (!sb.post.empty()) pre_done_.push_back(&sb);  // post runs even when pre is missing or fails
  owe_posts(true);
  for (const auto& sb : services_) {
    if (sb.pre.empty()) continue;
    say("running pre command of " + sb.service);
    auto r = exec_in_service(client_, project_.name, sb.service, sb.pre);
    if (r.exit_code != 0)
      throw EnvError("pre command of " + sb.service + " (" + joined(sb.pre) + ") exited with " +
                     std::to_string(r.exit_code) + ": " + last_line(r.err) + " (nothing was backed up)");
  }
}

// Every dump in memory and validated before anything is committed.
void BackupRun::take_dumps() {
  for (const auto& sb : services_) {
    if (!dumped(sb, options_)) continue;
    say("dumping " + sb.service + " (" + joined(sb.dump->command) + ")");
    auto r = exec_in_service(client_, project_.name, sb.service, sb.dump->command, sb.dump->user);
    if (r.exit_code != 0)
      throw EnvError("dump of " + sb.service + " failed: `" + joined(sb.dump->command) + "` exited with " +
                     std::to_string(r.exit_code) + (r.err.empty() ? "" : ": " + last_line(r.err)) +
                     " (nothing was backed up)");
    if (r.out.empty())
      throw EnvError("dump of " + sb.service + " printed nothing: `" + joined(sb.dump->command) +
                     "` (nothing was backed up; a dump must write the data to stdout)");
    dumps_.emplace_back(&sb, std::move(r.out));
  }
}

// Dumps first, so an interrupted run always lacks a part rather than looking complete with a
// truncated dump.
void BackupRun::commit_dumps() {
  for (auto& [sb, data] : dumps_) {
    auto t = std::chrono::steady_clock::now();
    auto ptags = tags_;
    ptags.push_back("dump=" + sb->service);
    ptags.push_back("bytes=" + std::to_string(data.size()));
    auto s = restic_.backup_stdin(data, sb->dump->filename, project_.name, ptags);
    committed_.push_back(s.snapshot_id);
    result_.parts.push_back({"dump", sb->service, s.snapshot_id, data.size(), s.data_added, since(t)});
    say("dump " + sb->service + ": " + std::to_string(data.size()) + " bytes -> snapshot " + s.snapshot_id);
    data.clear();
    data.shrink_to_fit();
  }
}

void BackupRun::backup_item(size_t i) {
  const auto& item = items_[i];
  auto t = std::chrono::steady_clock::now();
  auto ptags = tags_;
  ptags.push_back(std::string(item.kind == DataItem::volume ? "volume=" : "bind=") + item.key);
  say("backing up " + std::string(item.kind == DataItem::volume ? "volume " : "") + item.key);
  auto s = restic_.backup_directory(dirs_[i], project_.name, ptags, options_.progress);
  committed_.push_back(s.snapshot_id);
  result_.parts.push_back({item.kind == DataItem::volume ? "volume" : "bind", item.key, s.snapshot_id,
                           s.total_bytes_processed, s.data_added, since(t)});
}

bool writes(const DataItem& d, const std::string& service) {
  return std::find(d.writers.begin(), d.writers.end(), service) != d.writers.end();
}

bool quiesced_writer(const DataItem& d, const std::vector<ServiceBackup>& services) {
  return std::any_of(services.begin(), services.end(),
                     [&](const ServiceBackup& sb) { return sb.quiesce != Quiesce::none && writes(d, sb.service); });
}

void BackupRun::backup_items() {
  for (size_t i = 0; i < items_.size(); ++i)
    if (!quiesced_writer(items_[i], services_)) backup_item(i);
}

// The items a quiesced service writes: pause/stop it, read them, resume it (also on errors).
void BackupRun::backup_quiesced_items() {
  if (std::none_of(items_.begin(), items_.end(), [&](const DataItem& d) { return quiesced_writer(d, services_); }))
    return;
  QuiesceGuard guard(client_, journal_, options_.say);
  for (const auto& sb : services_) {
    if (sb.quiesce == Quiesce::none) continue;
    if (std::none_of(items_.begin(), items_.end(), [&](const DataItem& d) { return writes(d, sb.service); })) continue;
    auto it = live_.services.find(sb.service);
    if (it == live_.services.end()) continue;
    for (const auto& id : it->second.running) {
      if (sb.quiesce == Quiesce::pause)
        guard.pause(id, sb.service);
      else
        guard.stop(id, sb.service);
    }
  }
  for (size_t i = 0; i < items_.size(); ++i)
    if (quiesced_writer(items_[i], services_)) backup_item(i);
  resume_problems_ = guard.resume_all();
}

void BackupRun::run_posts() {
  for (auto it = pre_done_.rbegin(); it != pre_done_.rend(); ++it) {
    const auto& sb = **it;
    try {
      auto r = exec_in_service(client_, project_.name, sb.service, sb.post);
      if (r.exit_code != 0)
        result_.warnings.push_back("post command of " + sb.service + " (" + joined(sb.post) + ") exited with " +
                                   std::to_string(r.exit_code) + ": " + last_line(r.err));
    } catch (const std::exception& e) {
      result_.warnings.push_back("post command of " + sb.service + " failed: " + e.what());
    }
  }
  pre_done_.clear();
  try {
    owe_posts(false);
  } catch (const std::exception&) {
    // They ran; at worst recovery runs them once more.
  }
}

BackupResult BackupRun::run() {
  auto t0 = std::chrono::steady_clock::now();
  select();
  start_journal();
  try {
    run_pres();
    take_dumps();
    if (options_.after_dumps) options_.after_dumps();
    commit_dumps();
    backup_items();
    backup_quiesced_items();
  } catch (...) {
    run_posts();
    try {  // an incomplete run is ignored by restore anyway; removing it keeps the list clean
      restic_.forget_ids(committed_);
    } catch (const std::exception&) {
    }
    throw;
  }
  run_posts();
  if (!resume_problems_.empty()) {
    std::string all;
    for (const auto& p : resume_problems_) all += (all.empty() ? "" : "; ") + p;
    throw EnvError("snapshot " + result_.run + " was stored, but " + all);
  }
  result_.seconds = since(t0);
  return result_;
}

}  // namespace

BackupResult run_backup(const compose::Project& project, const engine::Engine& client, Restic& restic,
                        const BackupOptions& options) {
  return BackupRun(project, client, restic, options).run();
}

}  // namespace slipway::backup

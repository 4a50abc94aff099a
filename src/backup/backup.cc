#include "backup/backup.h"

#include <algorithm>
#include <chrono>
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

engine::ExecResult exec_in_service(const engine::Client& client, const std::string& project,
                                   const std::string& service, const std::vector<std::string>& cmd,
                                   const std::string& user, const std::optional<std::string>& stdin_data) {
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

BackupResult run_backup(const compose::Project& project, const engine::Client& client, Restic& restic,
                        const BackupOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  auto say = [&](const std::string& m) {
    if (options.say) options.say(m);
  };
  Location where{project.config_files.empty() ? std::string() : project.config_files.front()};

  // 1. What and where, before any side effect.
  auto items = select_data(project, where);
  if (!options.only.empty()) {
    std::vector<DataItem> chosen;
    for (const auto& key : options.only) {
      auto it = std::find_if(items.begin(), items.end(), [&](const DataItem& d) { return d.key == key; });
      if (it == items.end()) throw UserError("no data volume " + key + " in this stack (see `slipway snapshots`)");
      chosen.push_back(*it);
    }
    items = chosen;
  }
  std::vector<ServiceBackup> services = options.hooks ? parse_service_backups(project.model, where)
                                                      : std::vector<ServiceBackup>{};
  size_t dump_count = std::count_if(services.begin(), services.end(), [](const auto& s) { return s.dump.has_value(); });
  int parts = static_cast<int>(items.size() + dump_count);
  if (parts == 0)
    throw UserError(where, "the stack has no data to back up (no named volumes, no bind mount with "
                           "x-slipway: {backup: true}, no dump)");
  std::vector<std::string> dirs;
  for (const auto& item : items) dirs.push_back(data_directory(client, item));

  auto live = observe_stack(client, project.name);
  BackupResult result;
  result.run = new_run_id();
  result.stack = project.name;
  result.generation = live.generation;
  auto tags = run_tags(result.run, parts, project.name, options.reason, live.generation, live.images);

  // Services whose pre ran get their post, whatever happens next.
  std::vector<const ServiceBackup*> pre_done;
  auto run_posts = [&](bool failed) {
    for (auto it = pre_done.rbegin(); it != pre_done.rend(); ++it) {
      const auto& sb = **it;
      if (sb.post.empty()) continue;
      try {
        auto r = exec_in_service(client, project.name, sb.service, sb.post);
        if (r.exit_code != 0)
          result.warnings.push_back("post command of " + sb.service + " (" + joined(sb.post) + ") exited with " +
                                    std::to_string(r.exit_code) + ": " + last_line(r.err));
      } catch (const std::exception& e) {
        result.warnings.push_back("post command of " + sb.service + " failed: " + e.what());
      }
    }
    pre_done.clear();
    (void)failed;
  };
  std::vector<std::string> committed;
  std::vector<std::string> resume_problems;
  auto rollback = [&] {
    // Best effort: an incomplete run is already ignored by restore; removing it keeps the list clean.
    try {
      restic.forget_ids(committed);
    } catch (const std::exception&) {
    }
  };

  try {
    // 2. pre commands and dumps (validated in memory; nothing committed yet).
    for (const auto& sb : services) {
      if (sb.pre.empty()) continue;
      say("running pre command of " + sb.service);
      auto r = exec_in_service(client, project.name, sb.service, sb.pre);
      pre_done.push_back(&sb);
      if (r.exit_code != 0)
        throw EnvError("pre command of " + sb.service + " (" + joined(sb.pre) + ") exited with " +
                       std::to_string(r.exit_code) + ": " + last_line(r.err) + " (nothing was backed up)");
    }
    for (const auto& sb : services)
      if (std::find(pre_done.begin(), pre_done.end(), &sb) == pre_done.end() && !sb.post.empty()) pre_done.push_back(&sb);
    std::vector<std::pair<const ServiceBackup*, std::string>> dumps;
    for (const auto& sb : services) {
      if (!sb.dump) continue;
      say("dumping " + sb.service + " (" + joined(sb.dump->command) + ")");
      auto r = exec_in_service(client, project.name, sb.service, sb.dump->command, sb.dump->user);
      if (r.exit_code != 0)
        throw EnvError("dump of " + sb.service + " failed: `" + joined(sb.dump->command) + "` exited with " +
                       std::to_string(r.exit_code) + (r.err.empty() ? "" : ": " + last_line(r.err)) +
                       " (nothing was backed up)");
      if (r.out.empty())
        throw EnvError("dump of " + sb.service + " printed nothing: `" + joined(sb.dump->command) +
                       "` (nothing was backed up; a dump must write the data to stdout)");
      dumps.emplace_back(&sb, std::move(r.out));
    }

    // 3. Commit: dumps first, so an interrupted run always lacks a part rather than looking
    // complete with a truncated dump.
    for (auto& [sb, data] : dumps) {
      auto t = std::chrono::steady_clock::now();
      auto ptags = tags;
      ptags.push_back("dump=" + sb->service);
      ptags.push_back("bytes=" + std::to_string(data.size()));
      auto s = restic.backup_stdin(data, sb->dump->filename, project.name, ptags);
      committed.push_back(s.snapshot_id);
      result.parts.push_back({"dump", sb->service, s.snapshot_id, data.size(), s.data_added, since(t)});
      say("dump " + sb->service + ": " + std::to_string(data.size()) + " bytes -> snapshot " + s.snapshot_id);
      data.clear();
      data.shrink_to_fit();
    }

    std::set<std::string> quiesced_services;
    for (const auto& sb : services)
      if (sb.quiesce != Quiesce::none) quiesced_services.insert(sb.service);
    auto needs_quiesce = [&](const DataItem& d) {
      for (const auto& w : d.writers)
        if (quiesced_services.count(w)) return true;
      return false;
    };
    auto backup_item = [&](size_t i) {
      const auto& item = items[i];
      auto t = std::chrono::steady_clock::now();
      auto ptags = tags;
      ptags.push_back(std::string(item.kind == DataItem::volume ? "volume=" : "bind=") + item.key);
      say("backing up " + std::string(item.kind == DataItem::volume ? "volume " : "") + item.key);
      auto s = restic.backup_directory(dirs[i], project.name, ptags, options.progress);
      committed.push_back(s.snapshot_id);
      result.parts.push_back({item.kind == DataItem::volume ? "volume" : "bind", item.key, s.snapshot_id,
                              s.total_bytes_processed, s.data_added, since(t)});
    };
    for (size_t i = 0; i < items.size(); ++i)
      if (!needs_quiesce(items[i])) backup_item(i);

    bool any_quiesced = std::any_of(items.begin(), items.end(), needs_quiesce);
    if (any_quiesced) {
      QuiesceGuard guard(client, options.journal_dir, options.say);
      for (const auto& sb : services) {
        if (sb.quiesce == Quiesce::none) continue;
        bool writes = std::any_of(items.begin(), items.end(), [&](const DataItem& d) {
          return std::find(d.writers.begin(), d.writers.end(), sb.service) != d.writers.end();
        });
        if (!writes) continue;
        auto it = live.services.find(sb.service);
        if (it == live.services.end()) continue;
        for (const auto& id : it->second.running) {
          if (sb.quiesce == Quiesce::pause) guard.pause(id, sb.service);
          else guard.stop(id, sb.service);
        }
      }
      for (size_t i = 0; i < items.size(); ++i)
        if (needs_quiesce(items[i])) backup_item(i);
      resume_problems = guard.resume_all();
    }
  } catch (...) {
    run_posts(true);
    rollback();
    throw;
  }
  run_posts(false);
  if (!resume_problems.empty()) {
    std::string all;
    for (const auto& p : resume_problems) all += (all.empty() ? "" : "; ") + p;
    throw EnvError("snapshot " + result.run + " was stored, but " + all);
  }
  result.seconds = since(t0);
  return result;
}

}  // namespace slipway::backup

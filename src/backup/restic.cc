#include "backup/restic.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "util/error.h"
#include "util/subprocess.h"

namespace slipway::backup {
namespace {

using json = nlohmann::json;

uint64_t u64(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return 0;
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  if (it->is_number_integer()) return it->get<int64_t>() < 0 ? 0 : static_cast<uint64_t>(it->get<int64_t>());
  if (it->is_number_float()) return it->get<double>() < 0 ? 0 : static_cast<uint64_t>(it->get<double>());
  return 0;
}

double f64(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// restic's --json emits one object per line; anything else (warnings) is skipped.
std::optional<json> parse_line(const std::string& line) {
  auto start = line.find_first_not_of(" \t\r");
  if (start == std::string::npos || line[start] != '{') return std::nullopt;
  json j = json::parse(line.begin() + start, line.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

void handle_line(const std::string& line, const ProgressFn& progress, BackupSummary* summary, bool* found) {
  auto j = parse_line(line);
  if (!j) return;
  std::string type = str(*j, "message_type");
  if (type == "status" && progress) {
    BackupProgress p;
    p.percent_done = f64(*j, "percent_done");
    p.bytes_done = u64(*j, "bytes_done");
    p.total_bytes = u64(*j, "total_bytes");
    p.files_done = u64(*j, "files_done");
    p.total_files = u64(*j, "total_files");
    progress(p);
  } else if (type == "summary" && summary) {
    summary->snapshot_id = str(*j, "snapshot_id");
    summary->files_new = u64(*j, "files_new");
    summary->files_changed = u64(*j, "files_changed");
    summary->files_unmodified = u64(*j, "files_unmodified");
    summary->data_added = u64(*j, "data_added");
    summary->total_files_processed = u64(*j, "total_files_processed");
    summary->total_bytes_processed = u64(*j, "total_bytes_processed");
    summary->total_duration = f64(*j, "total_duration");
    *found = true;
  }
}

// The last few lines of restic's stderr: its "Fatal: ..." explanation, without progress noise.
std::string tail_lines(const std::string& text, size_t max_lines = 4) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  if (lines.size() > max_lines) lines.erase(lines.begin(), lines.end() - max_lines);
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "; ") + l;
  return out;
}

std::string clean_tag(std::string tag) {
  // restic splits --tag values at commas; a comma inside a value would silently make two tags.
  std::replace(tag.begin(), tag.end(), ',', ';');
  return tag;
}

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v && *v;
}

}  // namespace

std::string Snapshot::tag(const std::string& key) const {
  std::string prefix = key + "=";
  for (const auto& t : tags)
    if (t.compare(0, prefix.size(), prefix) == 0) return t.substr(prefix.size());
  return "";
}

bool Snapshot::has_tag(const std::string& t) const { return std::find(tags.begin(), tags.end(), t) != tags.end(); }

void feed_progress(std::string& pending, const std::string& chunk, const ProgressFn& progress) {
  pending += chunk;
  size_t start = 0, nl;
  while ((nl = pending.find('\n', start)) != std::string::npos) {
    handle_line(pending.substr(start, nl - start), progress, nullptr, nullptr);
    start = nl + 1;
  }
  pending.erase(0, start);
}

BackupSummary parse_backup_output(const std::string& out, const ProgressFn& progress) {
  BackupSummary summary;
  bool found = false;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) handle_line(line, progress, &summary, &found);
  if (!found) throw EnvError("restic backup printed no summary (is restic older than 0.12?)");
  return summary;
}

std::vector<Snapshot> parse_snapshots(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    // Some restic versions print warnings before the document; find the array.
    auto pos = text.find('[');
    if (pos != std::string::npos) j = json::parse(text.substr(pos), nullptr, false);
  }
  if (j.is_discarded() || !j.is_array()) throw EnvError("restic snapshots --json printed something that is not a list");
  std::vector<Snapshot> out;
  for (const auto& s : j) {
    if (!s.is_object()) continue;
    Snapshot snap;
    snap.id = str(s, "id");
    snap.short_id = str(s, "short_id");
    if (snap.short_id.empty()) snap.short_id = snap.id.substr(0, 8);
    snap.time = str(s, "time");
    snap.hostname = str(s, "hostname");
    snap.parent = str(s, "parent");
    snap.paths = strings(s, "paths");
    snap.tags = strings(s, "tags");
    if (!snap.id.empty()) out.push_back(std::move(snap));
  }
  return out;
}

ForgetResult parse_forget_output(const std::string& text) {
  ForgetResult r;
  // `forget --prune --json` prints the forget document, then prune's human text.
  auto pos = text.find('[');
  if (pos == std::string::npos) return r;
  // Only the first JSON value counts: the stream extractor stops after it.
  json j;
  std::istringstream in(text.substr(pos));
  try {
    in >> j;
  } catch (const std::exception&) {
    return r;
  }
  if (!j.is_array()) return r;
  for (const auto& group : j) {
    if (!group.is_object()) continue;
    for (const char* key : {"keep", "remove"}) {
      auto it = group.find(key);
      if (it == group.end() || !it->is_array()) continue;
      for (const auto& s : *it) {
        std::string id = s.is_object() ? str(s, "id") : "";
        if (id.empty()) continue;
        (std::string(key) == "keep" ? r.kept : r.removed).push_back(id);
      }
    }
  }
  return r;
}

bool looks_uninitialized(const std::string& err) {
  return err.find("Is there a repository at the following location?") != std::string::npos ||
         err.find("unable to open config file") != std::string::npos;
}

Restic::Restic(ResticConfig config) : config_(std::move(config)) {
  if (config_.repository.empty() && !env_set("RESTIC_REPOSITORY") && !env_set("RESTIC_REPOSITORY_FILE"))
    throw UserError(
        "no backup repository is configured (set x-slipway.backup.repository in the compose file, or "
        "RESTIC_REPOSITORY)");
  if (config_.password_file.empty() && !env_set("RESTIC_PASSWORD_FILE") && !env_set("RESTIC_PASSWORD") &&
      !env_set("RESTIC_PASSWORD_COMMAND"))
    throw UserError(
        "no backup password is configured (set x-slipway.backup.password_file in the compose file, or "
        "RESTIC_PASSWORD_FILE)");
}

std::string Restic::display_repository() const {
  std::string r = config_.repository.empty()
                      ? std::string(std::getenv("RESTIC_REPOSITORY") ? std::getenv("RESTIC_REPOSITORY")
                                                                     : "(RESTIC_REPOSITORY_FILE)")
                      : config_.repository;
  auto scheme = r.find("://");
  auto at = r.find('@', scheme == std::string::npos ? 0 : scheme);
  if (scheme != std::string::npos && at != std::string::npos) r = r.substr(0, scheme + 3) + "***" + r.substr(at);
  return r;
}

std::vector<std::string> Restic::base_argv() const {
  std::vector<std::string> argv{config_.program};
  if (!config_.repository.empty()) {
    argv.push_back("--repo");
    argv.push_back(config_.repository);
  }
  return argv;
}

std::map<std::string, std::string> Restic::env() const {
  auto e = config_.extra_env;
  if (!config_.password_file.empty()) e["RESTIC_PASSWORD_FILE"] = config_.password_file;
  return e;
}

std::optional<std::string> Restic::local_path(const std::string& repository) {
  std::string r = repository;
  if (r.empty()) {
    const char* v = std::getenv("RESTIC_REPOSITORY");
    if (!v) return std::nullopt;
    r = v;
  }
  if (r.rfind("local:", 0) == 0) r = r.substr(6);
  if (r.empty() || r[0] != '/') {
    // Relative paths are local too, but anything with a backend prefix ("s3:", "sftp:") is not.
    if (r.find(':') != std::string::npos) return std::nullopt;
  }
  return r;
}

bool Restic::local_repository(std::string* path) const {
  auto p = local_path(config_.repository);
  if (p) *path = *p;
  return p.has_value();
}

std::string Restic::run(const std::vector<std::string>& args, const std::optional<std::string>& stdin_data,
                        const std::function<void(const std::string&)>& on_stdout) {
  auto argv = base_argv();
  argv.insert(argv.end(), args.begin(), args.end());
  SubprocessOptions opt;
  opt.extra_env = env();
  // Never let restic prompt for a password on the terminal: an empty stdin makes it fail instead.
  opt.stdin_data = stdin_data ? *stdin_data : std::string();
  opt.on_stdout = on_stdout;
  opt.stop_signal = SIGINT;  // restic 0.14 removes its lock on SIGINT only
  auto r = run_process(argv, opt);
  if (r.exit_code != 0) {
    std::string why = tail_lines(r.err);
    if (looks_uninitialized(r.err))
      why = "no restic repository at " + display_repository() + " (" + missing_repository_hint() + ")";
    throw EnvError("restic " + (args.empty() ? std::string() : args[0]) + " failed (exit " +
                   std::to_string(r.exit_code) + "): " + (why.empty() ? "no message" : why));
  }
  return r.out;
}

std::string Restic::missing_repository_hint() const {
  return "create one there with `slipway backup --init`, or point x-slipway.backup.repository at the "
         "existing one";
}

void Restic::preflight() const {
  if (!program_exists(config_.program)) throw EnvError(config_.program + " not found (apt-get install restic)");
  std::string pw = config_.password_file;
  if (pw.empty() && env_set("RESTIC_PASSWORD_FILE") && !env_set("RESTIC_PASSWORD"))
    pw = std::getenv("RESTIC_PASSWORD_FILE");
  if (!pw.empty()) {
    int fd = ::open(pw.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw EnvError("cannot read the backup password file " + pw + ": " + std::strerror(errno) +
                     " (x-slipway.backup.password_file or RESTIC_PASSWORD_FILE names it)");
    ::close(fd);
  }
}

void Restic::open(bool create) {
  if (opened_) return;
  preflight();
  std::string path;
  if (local_repository(&path)) {
    struct stat st;
    bool exists = ::stat(path.c_str(), &st) == 0;
    bool is_repo = exists && ::stat((path + "/config").c_str(), &st) == 0;
    if (!is_repo && create) {
      run({"init"});
    } else if (!exists) {
      throw EnvError("no backup repository at " + path +
                     ": the directory does not exist (is the backup disk mounted? " + missing_repository_hint() + ")");
    } else if (!is_repo) {
      throw EnvError("no backup repository at " + path + ": the directory exists but is not a restic repository (" +
                     missing_repository_hint() + ")");
    }
  } else if (create) {
    try {
      run({"cat", "config"});
    } catch (const EnvError& e) {
      if (std::string(e.what()).find("no restic repository") == std::string::npos) throw;
      run({"init"});
    }
  }
  opened_ = true;
  try {
    unlock_stale();
  } catch (const EnvError&) {
    // Best effort: if a stale lock remains, the restic run that needs the lock says so.
  }
}

namespace {

// A lock file restic created but never wrote (it was killed in between) is ignored by restic,
// also by `restic unlock`, and would keep locks/ non-empty for good. An empty one older than a
// minute is such a file.
void remove_unwritten_locks(const std::string& locks) {
  std::error_code ec;
  auto now = std::filesystem::file_time_type::clock::now();
  for (const auto& e : std::filesystem::directory_iterator(locks, ec)) {
    std::error_code fec;
    if (e.is_regular_file(fec) && e.file_size(fec) == 0 && now - e.last_write_time(fec) > std::chrono::minutes(1))
      std::filesystem::remove(e.path(), fec);
  }
}

}  // namespace

void Restic::unlock_stale(bool always) {
  std::string path;
  if (local_repository(&path)) {
    std::error_code ec;
    if (std::filesystem::is_empty(path + "/locks", ec) || ec) return;
    remove_unwritten_locks(path + "/locks");
    if (std::filesystem::is_empty(path + "/locks", ec) || ec) return;
  } else if (!always) {
    return;
  }
  unlock();
}

BackupSummary Restic::backup_directory(const std::string& directory, const std::string& host,
                                       const std::vector<std::string>& tags, const ProgressFn& progress) {
  open();
  std::vector<std::string> args{"backup", "--json", "--host", host};
  for (const auto& t : tags) {
    args.push_back("--tag");
    args.push_back(clean_tag(t));
  }
  args.push_back(directory);
  std::string pending;
  auto out = run(args, std::nullopt,
                 progress ? std::function<void(const std::string&)>(
                                [&](const std::string& chunk) { feed_progress(pending, chunk, progress); })
                          : nullptr);
  return parse_backup_output(out);
}

BackupSummary Restic::backup_stdin(const std::string& data, const std::string& filename, const std::string& host,
                                   const std::vector<std::string>& tags) {
  open();
  std::vector<std::string> args{"backup", "--json", "--host", host, "--stdin", "--stdin-filename", filename};
  for (const auto& t : tags) {
    args.push_back("--tag");
    args.push_back(clean_tag(t));
  }
  return parse_backup_output(run(args, data));
}

std::vector<Snapshot> Restic::snapshots(const std::string& host, const std::vector<std::string>& tags) {
  open();
  std::vector<std::string> args{"snapshots", "--json"};
  if (!host.empty()) {
    args.push_back("--host");
    args.push_back(host);
  }
  if (!tags.empty()) {
    std::string joined;
    for (const auto& t : tags) joined += (joined.empty() ? "" : ",") + clean_tag(t);
    args.push_back("--tag");
    args.push_back(joined);
  }
  auto list = parse_snapshots(run(args));
  std::stable_sort(list.begin(), list.end(), [](const Snapshot& a, const Snapshot& b) { return a.time < b.time; });
  return list;
}

uint64_t Restic::raw_data_size() {
  open();
  nlohmann::json doc = nlohmann::json::parse(run({"stats", "--mode", "raw-data", "--json"}), nullptr, false);
  if (!doc.is_object() || !doc.contains("total_size") || !doc["total_size"].is_number_unsigned())
    throw EnvError("restic stats: unexpected output (no total_size)");
  return doc["total_size"].get<uint64_t>();
}

void Restic::restore(const std::string& id, const std::string& target, const std::string& subfolder) {
  if (subfolder.empty()) {
    run({"restore", id, "--target", target});
    return;
  }
  // restic 0.14 has no "ID:subfolder" syntax: restore the subtree under its full path into a
  // staging directory beside the target (same filesystem), then move it into place.
  if (subfolder[0] != '/') throw EnvError("restore: the path inside the snapshot must be absolute: " + subfolder);
  std::error_code ec;
  if (std::filesystem::exists(target, ec)) throw EnvError("restore target already exists: " + target);
  std::string staging = target + ".restic-staging";
  std::filesystem::remove_all(staging, ec);
  try {
    run({"restore", id, "--target", staging, "--include", subfolder});
    std::string restored = staging + subfolder;
    if (!std::filesystem::is_directory(restored, ec))
      throw EnvError("snapshot " + id.substr(0, 8) + " holds no directory " + subfolder);
    std::filesystem::rename(restored, target);
  } catch (...) {
    std::filesystem::remove_all(staging, ec);
    throw;
  }
  std::filesystem::remove_all(staging, ec);
}

std::string Restic::dump(const std::string& id, const std::string& path) { return run({"dump", id, path}); }

ForgetResult Restic::forget(const std::string& host, const KeepPolicy& policy, bool prune) {
  if (policy.empty())
    throw UserError("forget needs a keep policy (--keep-last, --keep-daily, --keep-weekly or --keep-monthly)");
  open();
  try {
    unlock_stale(true);  // forget takes an exclusive lock: a stale one would make it fail
  } catch (const EnvError&) {
  }
  std::vector<std::string> args{"forget", "--json", "--group-by", "host,paths"};
  if (!host.empty()) {
    args.push_back("--host");
    args.push_back(host);
  }
  auto add = [&](const char* flag, int n) {
    if (n > 0) {
      args.push_back(flag);
      args.push_back(std::to_string(n));
    }
  };
  add("--keep-last", policy.last);
  add("--keep-daily", policy.daily);
  add("--keep-weekly", policy.weekly);
  add("--keep-monthly", policy.monthly);
  if (prune) args.push_back("--prune");
  return parse_forget_output(run(args));
}

void Restic::forget_ids(const std::vector<std::string>& ids) {
  if (ids.empty()) return;
  std::vector<std::string> args{"forget"};
  args.insert(args.end(), ids.begin(), ids.end());
  run(args);
}

void Restic::unlock() { run({"unlock"}); }

CheckResult Restic::check(const std::string& read_data_subset) {
  open();
  try {
    unlock_stale(true);  // check takes an exclusive lock: a stale one would make it fail
  } catch (const EnvError&) {
  }
  auto argv = base_argv();
  argv.push_back("check");
  if (!read_data_subset.empty()) {
    argv.push_back("--read-data-subset");
    argv.push_back(read_data_subset);
  }
  SubprocessOptions opt;
  opt.extra_env = env();
  opt.stdin_data = std::string();
  opt.stop_signal = SIGINT;
  auto r = run_process(argv, opt);
  CheckResult c;
  c.ok = r.exit_code == 0;
  c.output = r.out + r.err;
  if (!c.ok && looks_uninitialized(r.err))
    throw EnvError("no restic repository at " + display_repository() + " (" + missing_repository_hint() + ")");
  return c;
}

}  // namespace slipway::backup

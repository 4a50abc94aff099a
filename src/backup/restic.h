// The restic wrapper: every restic invocation slipway makes goes through here, as an argv vector
// (util/subprocess.h). The password only ever travels as a file name in RESTIC_PASSWORD_FILE (or
// whatever RESTIC_PASSWORD* the user's environment already holds); it is never on argv, in a
// message or in a log, and this code never reads it.
//
// Each restic run costs ~0.7 s here just to open the repository (scrypt), which is most of an
// incremental backup's time, so the hot path (backup_directory) runs restic exactly once:
// no "is it initialized" probe for local repositories and no parent lookup (restic finds the
// parent itself by host + paths, which is why the host is fixed to the stack name).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slipway::backup {

struct ResticConfig {
  std::string repository;     // path or URL (restic -r); empty: RESTIC_REPOSITORY from the environment
  std::string password_file;  // empty: the environment's RESTIC_PASSWORD_FILE / RESTIC_PASSWORD / ..
  std::string program = "restic";
  std::map<std::string, std::string> extra_env;  // e.g. RESTIC_CACHE_DIR for tests
};

// One restic snapshot as `restic snapshots --json` describes it. Unknown fields are ignored and
// missing ones stay empty, so newer or older restic versions still parse.
struct Snapshot {
  std::string id;
  std::string short_id;
  std::string time;  // RFC 3339 as restic prints it; sorts chronologically within one zone
  std::string hostname;
  std::string parent;
  std::vector<std::string> paths;
  std::vector<std::string> tags;

  // The value of a "key=value" tag, or "" when absent.
  std::string tag(const std::string& key) const;
  bool has_tag(const std::string& tag) const;
};

struct BackupSummary {
  std::string snapshot_id;  // as restic reports it (0.14: the short id)
  uint64_t files_new = 0, files_changed = 0, files_unmodified = 0;
  uint64_t data_added = 0;
  uint64_t total_files_processed = 0, total_bytes_processed = 0;
  double total_duration = 0;
};

struct BackupProgress {
  double percent_done = 0;  // 0..1
  uint64_t bytes_done = 0, total_bytes = 0;
  uint64_t files_done = 0, total_files = 0;
};
using ProgressFn = std::function<void(const BackupProgress&)>;

struct KeepPolicy {
  int last = 0, daily = 0, weekly = 0, monthly = 0;
  bool empty() const { return last <= 0 && daily <= 0 && weekly <= 0 && monthly <= 0; }
};

struct ForgetResult {
  std::vector<std::string> kept;     // snapshot ids
  std::vector<std::string> removed;  // snapshot ids
};

struct CheckResult {
  bool ok = false;
  std::string output;  // restic's human text (0.14 has no JSON for check)
};

// Pure parsers, exposed for tests. They skip lines and fields they do not understand.
// parse_backup_output throws EnvError when no summary line is found.
BackupSummary parse_backup_output(const std::string& out, const ProgressFn& progress = nullptr);
// Feeds one chunk of --json output; complete lines are parsed, the rest is kept in `pending`.
void feed_progress(std::string& pending, const std::string& chunk, const ProgressFn& progress);
std::vector<Snapshot> parse_snapshots(const std::string& json);
ForgetResult parse_forget_output(const std::string& json);
// True when restic's error text says there is no repository at the location.
bool looks_uninitialized(const std::string& restic_stderr);

class Restic {
 public:
  explicit Restic(ResticConfig config);

  const ResticConfig& config() const { return config_; }
  // The repository as given, for messages (a URL's credentials are masked).
  std::string display_repository() const;

  // What every operation checks before it does anything else (preflight), once per object:
  // restic is on PATH (EnvError "restic not found (apt-get install restic)"), the password file
  // is readable, and the repository exists. A missing repository is an EnvError that says where
  // slipway looked and how to create one: it is never created implicitly (an unmounted backup
  // disk must not become a new repository on the root filesystem). With `create`, a missing
  // repository is initialized instead (`slipway backup --init`).
  // Then stale locks of dead restic runs on this host are removed (`restic unlock`, which keeps
  // live locks) — for a local repository only when its locks/ directory is not empty, so the
  // hot path costs no extra restic run. For a URL the check is left to restic's first run
  // (its "no repository" error is reworded the same way).
  void open(bool create = false);

  // Removes stale locks (of restic processes that died); live ones stay. `always`: also for a
  // repository whose locks slipway cannot see (a URL); otherwise only when a local locks/
  // directory has entries.
  void unlock_stale(bool always = false);

  // Backs up `directory` (absolute) as one snapshot.
  BackupSummary backup_directory(const std::string& directory, const std::string& host,
                                 const std::vector<std::string>& tags, const ProgressFn& progress = nullptr);
  // Backs up `data` as the single file `filename` (restic --stdin). The caller has validated it.
  BackupSummary backup_stdin(const std::string& data, const std::string& filename, const std::string& host,
                             const std::vector<std::string>& tags);

  // All snapshots, optionally only those of `host` and carrying every tag in `tags`.
  std::vector<Snapshot> snapshots(const std::string& host = "", const std::vector<std::string>& tags = {});

  // Restores snapshot `id` into `target` (restic puts it under target/<original absolute path>).
  // With `subfolder` (an absolute directory inside the snapshot), that directory itself becomes
  // `target`, which must not exist yet; its parent must be on the filesystem `target` is on.
  void restore(const std::string& id, const std::string& target, const std::string& subfolder = "");
  // The content of one file in a snapshot (restic dump).
  std::string dump(const std::string& id, const std::string& path);

  // Applies the keep policy to the snapshots of `host` grouped by host and paths, then prunes.
  ForgetResult forget(const std::string& host, const KeepPolicy& policy, bool prune = true);
  // Removes the given snapshots (no prune).
  void forget_ids(const std::vector<std::string>& ids);

  // `restic unlock`: removes stale locks (of restic processes that died); live ones stay.
  void unlock();

  // restic check; read_data_subset like "10%", "1/5" or "" for structure only.
  CheckResult check(const std::string& read_data_subset = "");

  // The repository's size as stored (`restic stats --mode raw-data --json`: total_size).
  uint64_t raw_data_size();
  // The directory of a local repository given as `repository` (restic -r; "" = the environment's
  // RESTIC_REPOSITORY); nullopt for a URL (s3:, sftp:, rest:, ...) or when none is set.
  static std::optional<std::string> local_path(const std::string& repository);

 private:
  std::vector<std::string> base_argv() const;
  std::map<std::string, std::string> env() const;
  // Runs restic and returns stdout; throws EnvError with restic's message on failure.
  std::string run(const std::vector<std::string>& args, const std::optional<std::string>& stdin_data = std::nullopt,
                  const std::function<void(const std::string&)>& on_stdout = nullptr);
  bool local_repository(std::string* path) const;
  void preflight() const;
  // How to create a repository, for error messages.
  std::string missing_repository_hint() const;

  ResticConfig config_;
  bool opened_ = false;
};

}  // namespace slipway::backup

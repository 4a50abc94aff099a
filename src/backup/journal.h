// The operation journal: what a backup, restore or drill is about to do, on disk, so that a
// slipway killed at any point (SIGKILL, power loss) leaves enough behind for the next slipway
// command to finish or undo the step it was in (backup/recover.h).
//
// One operation = two files in <state dir>/journal/ (mode 0700):
//   <stack>.<kind>.<nonce>.lock  held with flock(LOCK_EX) by the running process for its whole
//                                life: the kernel releases it when the process dies, however it
//                                dies, so "lock can be taken" means "its owner is gone" (no pid
//                                reuse to get wrong);
//   <stack>.<kind>.<nonce>.json  the record, replaced atomically (write, fsync, rename) on every
//                                update, so it is always either the old or the new record.
// The owner removes both when it ends normally or has undone its work after an error; only a
// process that died leaves them. The record holds no secret: restic's repository and password
// file are stored as the paths the compose file names, never the password.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "backup/restic.h"

namespace slipway::backup {

struct QuiescedRecord {
  std::string id;        // container ID
  std::string what;      // service name, for messages
  bool stopped = false;  // else paused
};

struct PostRecord {  // a service whose `pre` ran and whose `post` is still owed
  std::string service;
  std::vector<std::string> command;
};

struct TargetRecord {  // restore/drill: one data directory being replaced
  std::string key;
  std::string live;                           // the live directory
  std::string staged;                         // the restored copy beside it
  uint64_t live_inode = 0, staged_inode = 0;  // set once staged; tell whether a swap happened
};

struct DumpLoadRecord {  // restore: a dump to load into a running service
  std::string service;
  std::string snapshot_id;  // restic id of the dump part
  std::string path;         // file inside it
  std::string bytes;        // expected size ("" = unknown)
  std::vector<std::string> command;
  std::string user;
  bool loaded = false;
};

struct ResticRecord {  // enough to reopen the repository; no secret
  std::string repository;
  std::string password_file;
  std::string program = "restic";
  std::map<std::string, std::string> extra_env;  // e.g. RESTIC_CACHE_DIR (never a password)
};

// Restore phases, in order. Before `swapping` nothing live has changed; from `swapped` on, all
// restored directories are in place.
enum class RestorePhase { preparing, swapping, swapped, loading };

struct JournalRecord {
  std::string kind;  // backup, restore, drill
  std::string stack;
  std::string run;  // backup: its run id; restore/drill: the snapshot used
  ResticRecord restic;
  std::vector<QuiescedRecord> quiesced;
  std::vector<PostRecord> posts;
  // Run ids of slipway snapshots being written (backup, safety): their restic processes are
  // stopped and their parts forgotten when the run did not finish.
  std::vector<std::string> writing_runs;
  // Paths restic may be writing into (staged copies): a restic still running for a dead
  // slipway is recognised by one of them in its arguments.
  std::vector<std::string> restic_paths;
  // restore
  RestorePhase phase = RestorePhase::preparing;
  std::string safety_run;
  std::vector<TargetRecord> targets;
  std::vector<DumpLoadRecord> dumps;
  // drill
  std::string throwaway;  // the throwaway project to remove
};

std::string restore_phase_name(RestorePhase p);

// The journal's view of a restic configuration: everything but secrets (no RESTIC_PASSWORD*).
ResticRecord restic_record(const ResticConfig& config);

// JSON text of a record and back (exposed for tests). parse returns nullopt for text that is not
// a record (a file cut short cannot happen with rename, but a foreign file might be there).
std::string record_to_json(const JournalRecord& r);
std::optional<JournalRecord> record_from_json(const std::string& text);

// The journal directory inside a state directory.
std::string journal_directory(const std::string& state_dir);

class Journal {
 public:
  // Starts journaling `record` in `dir` (created 0700). dir "" keeps the record in memory only
  // (callers that need no crash recovery, e.g. some tests). Throws EnvError when the directory
  // cannot be written: an operation that cannot be journaled does not start.
  Journal(const std::string& dir, JournalRecord record);
  // Removes the files (the operation ended, or was undone in process).
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Changes the record and persists it before returning. Thread-safe (the signal watcher's
  // cleanups update it too).
  void update(const std::function<void(JournalRecord&)>& change);
  JournalRecord record() const;
  // Leaves the files for the next command's recovery instead of removing them.
  void keep() { keep_ = true; }
  const std::string& path() const { return json_path_; }

 private:
  void write_locked();
  mutable std::mutex mu_;
  JournalRecord record_;
  std::string json_path_, lock_path_;
  int lock_fd_ = -1;
  bool keep_ = false;
};

// A journal whose owner is gone, held locked by this process until it is destroyed: recovery
// works on it undisturbed by a second slipway recovering at the same moment.
class OrphanedJournal {
 public:
  OrphanedJournal(std::string json_path, std::string lock_path, int lock_fd, std::optional<JournalRecord> record);
  ~OrphanedJournal();  // releases the lock (the files stay unless done())
  OrphanedJournal(OrphanedJournal&&) noexcept;
  OrphanedJournal(const OrphanedJournal&) = delete;

  const std::optional<JournalRecord>& record() const { return record_; }
  // Persists a changed record (recovery progress), or removes both files when recovery is done.
  void save(const JournalRecord& r);
  void done();

 private:
  std::string json_path_, lock_path_;
  int lock_fd_ = -1;
  std::optional<JournalRecord> record_;
};

// Journals in `dir` whose owners are gone, for `stack` ("" = every stack). Cheap when there are
// none: one directory read.
std::vector<OrphanedJournal> orphaned_journals(const std::string& dir, const std::string& stack);

}  // namespace slipway::backup

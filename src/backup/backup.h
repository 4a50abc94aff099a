// `slipway backup`: the stack's data into restic, consistent per service.
//
// Order, chosen so that a failure stores nothing and nothing stays frozen:
//   1. preflight (restic, password file, repository: Restic::open) and resolve every data
//      directory — fail before touching anything;
//   2. run `pre` commands; take every dump in memory and validate it (exit status 0 and
//      non-empty output) before anything is committed;
//   3. commit the dumps, then the data items no quiesced service writes, then pause/stop the
//      quiesced services, commit their data and resume them (QuiesceGuard: also on errors and
//      signals);
//   4. run `post` commands (also after a failure, for the services whose `pre` ran).
// A failure after some parts were committed forgets those parts again, so the repository only
// holds complete snapshots. A killed process leaves its journal (backup/journal.h): the next
// slipway command resumes the services, runs the owed `post` commands and forgets the
// incomplete snapshot (backup/recover.h); until then it is listed as partial and never restored.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backup/journal.h"
#include "backup/restic.h"
#include "compose/loader.h"
#include "engine/engine.h"

namespace slipway::backup {

struct BackupOptions {
  std::string reason = "backup";  // or "safety" (taken by restore)
  // Data item keys (volume keys / bind paths) to back up; nullopt = all (an empty list = none,
  // for a safety snapshot that holds only dumps).
  std::optional<std::vector<std::string>> only;
  bool hooks = true;  // dumps, pre/post and quiesce; off for safety snapshots
  // With hooks off: the services whose dump is taken anyway (a safety snapshot holds a fresh
  // dump of every service whose dump a restore will load).
  std::vector<std::string> dumps;
  // Called once the dumps are taken and validated, before anything is committed (a restore
  // stops the services that use the data here, after their dumps were read).
  std::function<void()> after_dumps;
  bool init = false;                            // create the repository when it does not exist (`--init`)
  std::string journal_dir;                      // where the operation journal goes; "" = none
  Journal* journal = nullptr;                   // or an enclosing operation's journal (restore's safety run)
  std::function<void(const std::string&)> say;  // progress messages (none when null)
  ProgressFn progress;                          // restic's byte progress for the current part
};

struct PartResult {
  std::string kind;  // volume, bind, dump
  std::string name;
  std::string snapshot_id;
  uint64_t bytes = 0;  // processed
  uint64_t added = 0;  // new data in the repository
  double seconds = 0;
};

struct BackupResult {
  std::string run;
  std::string stack;
  std::string generation;
  std::vector<PartResult> parts;
  std::vector<std::string> warnings;  // post-command failures and the like
  double seconds = 0;
};

BackupResult run_backup(const compose::Project& project, const engine::Engine& client, Restic& restic,
                        const BackupOptions& options);

// Runs a command in the first running container of `service`; throws EnvError when none runs.
engine::ExecResult exec_in_service(const engine::Engine& client, const std::string& project, const std::string& service,
                                   const std::vector<std::string>& cmd, const std::string& user = "",
                                   const std::optional<std::string>& stdin_data = {});

}  // namespace slipway::backup

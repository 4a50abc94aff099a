// `slipway backup`: the stack's data into restic, consistent per service.
//
// Order, chosen so that a failure stores nothing and nothing stays frozen:
//   1. resolve every data directory (fail before touching anything);
//   2. run `pre` commands; take every dump in memory and validate it (exit status 0 and
//      non-empty output) before anything is committed;
//   3. commit the dumps, then the data items no quiesced service writes, then pause/stop the
//      quiesced services, commit their data and resume them (QuiesceGuard: also on errors and
//      signals);
//   4. run `post` commands (also after a failure, for the services whose `pre` ran).
// A failure after some parts were committed forgets those parts again, so the repository only
// holds complete snapshots (an interrupted process may leave an incomplete one; it is marked by
// its parts count and never restored).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "backup/restic.h"
#include "compose/loader.h"
#include "engine/client.h"

namespace slipway::backup {

struct BackupOptions {
  std::string reason = "backup";  // or "safety" (taken by restore)
  std::vector<std::string> only;  // data item keys (volume keys / bind paths); empty = all
  bool hooks = true;              // dumps, pre/post and quiesce; off for safety snapshots
  std::string journal_dir;        // quiesce journal (QuiesceGuard); "" = none
  std::function<void(const std::string&)> say;  // progress messages (none when null)
  ProgressFn progress;            // restic's byte progress for the current part
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

BackupResult run_backup(const compose::Project& project, const engine::Client& client, Restic& restic,
                        const BackupOptions& options);

// Runs a command in the first running container of `service`; throws EnvError when none runs.
engine::ExecResult exec_in_service(const engine::Client& client, const std::string& project,
                                   const std::string& service, const std::vector<std::string>& cmd,
                                   const std::string& user = "", const std::optional<std::string>& stdin_data = {});

}  // namespace slipway::backup

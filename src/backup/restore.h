// `slipway restore`: a snapshot back into the live stack, all or nothing, undoable.
//
//   0. preflight (restic, password, repository), and every service whose dump will be loaded
//      must be running — before anything changes;
//   1. restore every chosen item into a fresh sibling directory of its live directory
//      (same filesystem), while the stack still runs; a missing volume is created first, with
//      the body `up` would give it (plan::volume_body: driver, driver_opts, labels);
//   2. take the safety snapshot (reason=safety) of everything the restore will overwrite: a
//      fresh dump of each service whose dump will be loaded, then — once every service that
//      mounts the data is stopped (QuiesceGuard: started again whatever happens) — the volumes.
//      One complete snapshot run, so `slipway restore <safety>` really undoes the restore;
//   3. swap each live directory with its restored sibling in one atomic rename
//      (renameat2 RENAME_EXCHANGE); a failed swap swaps the earlier ones back;
//   4. start the services, then load dumps through the services' `restore` commands.
// Until step 3 the old data is in place; after it, all of the restored data is. Every step is
// journaled first (backup/journal.h): a restore killed anywhere is rolled back (before every
// swap was done) or completed (after) by the next slipway command (backup/recover.h).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "backup/journal.h"
#include "backup/restic.h"
#include "compose/loader.h"
#include "engine/engine.h"

namespace slipway::backup {

struct RestoreOptions {
  std::vector<std::string> volumes;  // volume keys / bind paths; empty = everything in the snapshot
  bool load_dumps = true;
  std::string journal_dir;  // the operation journal; "" = none
  std::function<void(const std::string&)> say;
};

struct RestoreResult {
  std::string run;                    // the snapshot restored
  std::string safety_run;             // the safety snapshot taken first
  std::vector<std::string> restored;  // item keys now holding the snapshot's data
  std::vector<std::string> dumps_loaded;
  std::vector<std::string> steps;  // what happened, in order (for the report)
};

RestoreResult restore_live(const compose::Project& project, const engine::Engine& client, Restic& restic,
                           const std::string& snapshot, const RestoreOptions& options);

// Creates the project's volume `key` with the body `up` gives it (plan::volume_body: engine name,
// driver, driver_opts, the user's and Compose's labels), plus `extra_labels`, when the engine has
// no volume of that name. Restore (a missing live volume) and drill (the copy's volumes) both
// create volumes through this, so a volume they create is the one `up` would have made. Returns
// whether it created one.
bool create_volume_as_up(const engine::Engine& client, const compose::Project& project, const std::string& key,
                         const std::map<std::string, std::string>& extra_labels = {});

// Atomically exchanges two paths on one filesystem (both must exist). Throws EnvError.
void exchange_paths(const std::string& a, const std::string& b);

// Loads one dump part into the running `dump.service` of `stack` through its restore command,
// after checking its size against the one recorded at backup time. Throws EnvError.
void load_dump(const engine::Engine& client, const std::string& stack, Restic& restic, const DumpLoadRecord& dump);

}  // namespace slipway::backup

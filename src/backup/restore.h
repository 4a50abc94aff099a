// `slipway restore`: a snapshot back into the live stack, all or nothing.
//
//   1. restore every chosen item into a fresh sibling directory of its live directory
//      (same filesystem), while the stack still runs;
//   2. stop every container that mounts one of them (QuiesceGuard: they are started again
//      whatever happens);
//   3. take a safety snapshot of the current data (reason=safety), so the restore can be undone;
//   4. swap each live directory with its restored sibling in one atomic rename
//      (renameat2 RENAME_EXCHANGE); a failed swap swaps the earlier ones back;
//   5. start the containers, then load dumps through the services' `restore` commands.
// Until step 4 the old data is in place; after it, all of the restored data is.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "backup/restic.h"
#include "compose/loader.h"
#include "engine/client.h"

namespace slipway::backup {

struct RestoreOptions {
  std::vector<std::string> volumes;  // volume keys / bind paths; empty = everything in the snapshot
  bool load_dumps = true;
  std::string journal_dir;
  std::function<void(const std::string&)> say;
};

struct RestoreResult {
  std::string run;          // the snapshot restored
  std::string safety_run;   // the safety snapshot taken first ("" when none was needed)
  std::vector<std::string> restored;  // item keys now holding the snapshot's data
  std::vector<std::string> dumps_loaded;
  std::vector<std::string> steps;     // what happened, in order (for the report)
};

RestoreResult restore_live(const compose::Project& project, const engine::Client& client, Restic& restic,
                           const std::string& snapshot, const RestoreOptions& options);

// Atomically exchanges two paths on one filesystem (both must exist). Throws EnvError.
void exchange_paths(const std::string& a, const std::string& b);

}  // namespace slipway::backup

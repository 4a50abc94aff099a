// slipway's local state: an SQLite file recording backups, restores and drills (history the
// engine's labels cannot hold). Location: $SLIPWAY_STATE_DIR/state.db, else
// $XDG_STATE_HOME/slipway/state.db, else ~/.local/state/slipway/state.db.
// The restic repository remains the truth about snapshots; this is the log of what was done.
#pragma once

#include "backup/state_file.h"
#include "util/clock.h"

#include <sqlite3.h>

#include <string>
#include <vector>

namespace slipway::backup {

using slipway::utc_now;  // util/clock.h

// The state directory (not created).
std::string state_directory();

struct HistoryEntry {
  std::string kind;  // backup, restore, drill
  std::string stack;
  std::string run;      // the snapshot concerned
  std::string started;  // UTC, ISO 8601
  double seconds = 0;
  bool ok = false;
  std::string detail;  // one line: parts, failing checks, error message
};

class StateDb : public StateFile {
 public:
  // Opens (and creates) the database in `dir`; "" = state_directory(). Throws EnvError.
  explicit StateDb(const std::string& dir = "");

  void record(const HistoryEntry& e);
  // Newest first; kind "" = all kinds.
  std::vector<HistoryEntry> history(const std::string& stack, const std::string& kind = "", int limit = 50);
};

}  // namespace slipway::backup

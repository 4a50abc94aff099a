// `slipway drill`: proves a snapshot restores. The snapshot's data goes into fresh volumes of a
// throwaway copy of the stack (its own project name, networks and volumes; no host ports, no
// fixed container names), the copy is started, dumps are loaded, and the stack's tests
// (tests/*.yaml, the `slipway test` checks) run against it. The live stack is never touched:
// every object the drill makes belongs to project "<stack>-drill-<run>" and is removed at
// the end, also on failure or interrupt.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "backup/restic.h"
#include "compose/loader.h"
#include "engine/engine.h"

namespace slipway::backup {

struct DrillOptions {
  std::function<void(const std::string&)> say;
  bool keep = false;        // leave the throwaway stack running (for debugging); default removes it
  std::string journal_dir;  // the operation journal ("" = none): a killed drill's copy is removed
                            // by the next slipway command
};

struct DrillResult {
  std::string run;      // the snapshot drilled
  std::string project;  // the throwaway project's name
  int checks = 0, failed = 0, skipped = 0;
  std::vector<std::string> failures;  // one line per failing check
  std::string report;                 // the checks' human report (failures with details)
  std::vector<std::string> steps;
  double seconds = 0;
  bool passed() const { return checks > 0 && failed == 0; }
};

// The throwaway copy of `project` (pure; exposed for tests): renamed project, volumes and
// networks; external volumes become the copy's own; no container_name, no published ports.
// A volume keeps its driver, driver_opts and labels, except driver_opts that bind a host
// directory (`o: bind`, `device:`): the copy's volume must not be the live data.
compose::Project throwaway_copy(const compose::Project& project, const std::string& name);

// Removes everything labelled with the throwaway project `name`: containers, then networks and
// volumes. Best effort: what is already gone or still busy is skipped.
void remove_throwaway(const engine::Engine& client, const std::string& name);

DrillResult run_drill(const compose::Project& project, const engine::Engine& client, Restic& restic,
                      const std::string& snapshot, const DrillOptions& options);

}  // namespace slipway::backup

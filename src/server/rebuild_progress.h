// What an unfinished `slipway rebuild` has done, kept in the state directory so that the next
// rebuild resumes it instead of refusing the engine it half filled.
//
// A rebuild is for an engine that does not run the stack, and refuses one that has containers
// of it. A rebuild killed mid-way (the machine lost power again, the operator pressed ^C twice)
// leaves exactly such an engine: restored volumes, generation 1's containers, maybe running.
// The progress record says "this is a rebuild's own work": it is written before the first
// change, names the phases done, and is removed when the rebuild ends with its checks passing.
// With it, the next rebuild goes on where the last one stopped:
//   - base and build run again (each is a no-op for what is there);
//   - the restore is skipped once it is recorded done (its snapshot named): restoring again
//     would overwrite what the stack may have written since it started; a restore killed
//     before it was recorded was rolled back or completed by the journal recovery
//     (backup/recover.h), and is simply run again;
//   - the deploy is skipped once recorded done; otherwise deploy's own recovery undoes the
//     interrupted generation and deploys again;
//   - the checks run again.
// A rebuild that failed a phase keeps its record too, so the same command can be run again
// after the cause is fixed. A record is only trusted for the engine it was made on (its ID),
// and only while every generation of the stack is the rebuild's own (kind "rebuild"): once
// the stack was deployed by other means, rebuild refuses the engine again.
//
// File: <state_dir>/rebuild/<stack>.json, written durably (fsync, rename).
#pragma once

#include <optional>
#include <string>

namespace slipway::server {

struct RebuildProgress {
  std::string started;   // UTC, ISO 8601: when the first attempt began
  std::string restored;  // the snapshot restored ("" = the restore is not done)
  int deployed = 0;      // the generation deployed (0 = the deploy is not done)
  std::string engine;    // the engine's ID (GET /info): a record of another engine is stale
};

class RebuildProgressFile {
 public:
  // `state_dir` "" keeps nothing (every call is a no-op, load() is nullopt).
  RebuildProgressFile(std::string state_dir, const std::string& stack);

  std::optional<RebuildProgress> load() const;  // EnvError when the file is unreadable JSON
  void save(const RebuildProgress& p) const;    // EnvError when it cannot be written
  void remove() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;  // "" = keep nothing
};

}  // namespace slipway::server

// `slipway rebuild`: a server that lost everything comes back from the stack directory and the
// backup repository alone, on an engine that does not run the stack (a new machine).
//
//   base     `slipway base` for every debian:<suite> the stack's Dockerfiles build FROM (and the
//            edge's debian:bookworm when the stack has routes) that the engine lacks;
//   build    every image with a build section (and the edge's image);
//   restore  the latest complete snapshot (or a named one) into fresh volumes, created as `up`
//            creates them, before anything runs (backup/restore.h);
//   deploy   generation 1 through deploy's own path (deploy/deployer.h), no watch window:
//            there is no earlier generation to go back to;
//   checks   the stack's tests/*.yaml against it (deploy/gates.h).
// A stack with dumps to load (a service's x-slipway.backup restore command) is restored after
// the deploy instead: dumps are loaded into running services.
//
// A rebuild killed mid-way is resumed by the next one (server/rebuild_progress.h): it keeps
// its progress in the state directory, and an engine holding its own half-made work is not
// refused.
//
// Each phase is timed; what the command does beyond them (loading, observing, recording) is its
// overhead, reported beside them.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "apply/replace.h"
#include "backup/restic.h"
#include "compose/loader.h"
#include "deploy/edge_switch.h"
#include "deploy/store.h"
#include "engine/engine.h"

namespace slipway::server {

struct RebuildOptions {
  std::string snapshot;       // "" = the latest complete backup
  std::string journal_dir;    // the restore's operation journal ("" = none)
  std::string state_dir;      // where an unfinished rebuild's progress is kept ("" = nowhere)
  deploy::EdgePlace edge;     // where the edge publishes and keeps its admin socket
  apply::FilesPlace files;    // secret files; root "" = the default tmpfs
  std::chrono::seconds health_timeout{120};
  std::function<void(const std::string&)> say;  // progress lines (may be empty)
  std::function<void(const std::string&, const std::string&)> build_output;  // service, line
  // When the command started (loading the stack counts as overhead); default: rebuild's start.
  std::optional<std::chrono::steady_clock::time_point> started;
};

struct PhaseTime {
  std::string phase;  // base, build, restore, deploy, checks
  double seconds = 0;
  std::string detail;  // one line: what it did
};

struct RebuildResult {
  bool ok = false;
  std::string message;  // the failure (a failed phase and why), "" when ok
  int generation = 0;
  std::string snapshot;  // the snapshot restored
  std::vector<PhaseTime> phases;
  double total_seconds = 0;

  double phases_seconds() const;
  double overhead_seconds() const { return total_seconds - phases_seconds(); }
  // "base 0.0 s, build 1.2 s, ..., overhead 0.1 s (0.4 %)".
  std::string timing_line() const;
};

// The debian:<suite> images the stack needs (its Dockerfiles' FROM lines, the edge's base when
// it has routes), in order, unique.
std::vector<std::string> debian_bases_needed(const compose::Project& project);

// Runs the phases in order; stops at the first that fails (ok = false, message says which and
// why: a failed deploy leaves nothing running, a failed check leaves the generation running).
// UserError when the engine already has containers of the stack and no unfinished rebuild
// made them (rebuild is for an empty engine: use deploy and restore there) or for a bad
// snapshot id; EnvError as the phases throw.
RebuildResult rebuild(const engine::Engine& engine, const compose::Project& project, backup::Restic& restic,
                      deploy::GenerationStore& store, const RebuildOptions& options);

}  // namespace slipway::server

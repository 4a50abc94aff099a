// Recovery of interrupted backups, restores and drills: the one entry point that every slipway
// command on a stack calls before it does its own work (backup-family commands through
// open_session, for their stack; the others through cli/common.cc's connect_engine, which does
// not know the project and so recovers the interrupted operations of every stack).
//
// For each journal (backup/journal.h) whose owner died, it converges to a state the user can
// name, and says which:
//   - restic processes still working for the dead slipway are stopped (SIGINT, so restic
//     removes its lock; stale locks of runs that died are removed by Restic::open later);
//   - backup: paused/stopped services are resumed, owed `post` commands run, and the
//     incomplete snapshot is forgotten — the data was never changed;
//   - restore: if every restored directory had been swapped in, the restore is completed
//     (staged copies removed, services started, dumps not yet loaded are loaded) and the
//     message names the safety snapshot that undoes it; otherwise each swapped directory is
//     swapped back, the staged copies are removed and the services started — the old data is
//     in place, nothing was restored. Never half of each;
//   - drill: the throwaway stack and its staged copies are removed.
// What cannot be done now (the engine is down, a dump does not load) is reported and left in
// the journal for the next command.
#pragma once

#include <functional>
#include <string>

#include "engine/engine.h"

namespace slipway::backup {

using Warn = std::function<void(const std::string&)>;

// Recovers the interrupted operations of `stack` ("" = of every stack) recorded in
// <state_dir>/journal. `engine` is called only when there is something to recover (so a
// command with nothing to recover pays one directory read). Never throws: problems go to
// `warn`, one line each, like the outcomes.
void recover_interrupted(const std::function<const engine::Engine&()>& engine, const std::string& stack,
                         const std::string& state_dir, const Warn& warn);
void recover_interrupted(const engine::Engine& engine, const std::string& stack, const std::string& state_dir,
                         const Warn& warn);

}  // namespace slipway::backup

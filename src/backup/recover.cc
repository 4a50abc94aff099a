#include "backup/recover.h"

#include <sys/stat.h>

#include <filesystem>
#include <memory>

#include "backup/backup.h"
#include "backup/catalog.h"
#include "backup/drill.h"
#include "backup/journal.h"
#include "backup/live.h"
#include "backup/quiesce.h"
#include "backup/restore.h"
#include "util/error.h"

namespace slipway::backup {
namespace {

namespace fs = std::filesystem;

// What one recovery did and what it could not do.
struct Outcome {
  std::vector<std::string> done;
  std::vector<std::string> problems;
  void fail(const std::string& what, const std::exception& e) { problems.push_back(what + ": " + e.what()); }
};

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : "; ") + x;
  return s;
}

std::unique_ptr<Restic> reopen_restic(const ResticRecord& r) {
  ResticConfig c;
  c.repository = r.repository;
  c.password_file = r.password_file;
  c.program = r.program;
  c.extra_env = r.extra_env;
  auto restic = std::make_unique<Restic>(c);
  restic->open();  // also removes the stale lock the dead run left
  return restic;
}

void stop_orphans(const JournalRecord& rec, Outcome& out) {
  std::vector<std::string> markers = rec.restic_paths;
  for (const auto& run : rec.writing_runs) markers.push_back("run=" + run);
  for (const auto& d : rec.dumps) markers.push_back(d.snapshot_id);
  int n = stop_orphaned_programs(markers);
  if (n > 0) out.done.push_back("stopped " + std::to_string(n) + " restic process(es) left running");
}

void resume_services(const engine::Engine& engine, JournalRecord& rec, Outcome& out) {
  std::vector<QuiescedRecord> left;
  for (auto it = rec.quiesced.rbegin(); it != rec.quiesced.rend(); ++it) {
    try {
      std::string line = resume_quiesced(engine, *it);
      if (!line.empty()) out.done.push_back(line);
    } catch (const std::exception& e) {
      out.fail("could not resume " + it->what, e);
      left.push_back(*it);
    }
  }
  rec.quiesced = left;
}

void run_posts(const engine::Engine& engine, JournalRecord& rec, Outcome& out) {
  for (const auto& p : rec.posts) {
    try {
      auto r = exec_in_service(engine, rec.stack, p.service, p.command);
      out.done.push_back("ran the post command of " + p.service +
                         (r.exit_code == 0 ? "" : " (it exited with " + std::to_string(r.exit_code) + ")"));
    } catch (const std::exception& e) {
      out.fail("could not run the post command of " + p.service, e);
    }
  }
  rec.posts.clear();
}

// Forgets the parts of `run` when it is an incomplete snapshot (a complete one stays).
void forget_if_incomplete(Restic& restic, const std::string& stack, const std::string& run, Outcome& out) {
  auto list = group_snapshots(restic.snapshots(stack, {"slipway", "run=" + run}));
  for (const auto& s : list) {
    if (s.run != run || s.complete()) continue;
    std::vector<std::string> ids;
    for (const auto& p : s.parts) ids.push_back(p.snapshot.id);
    restic.forget_ids(ids);
    out.done.push_back("removed the incomplete snapshot " + run);
  }
}

// Returns false when an incomplete snapshot had to be left in the repository.
bool forget_incomplete_runs(JournalRecord& rec, Outcome& out) {
  if (rec.writing_runs.empty()) return true;
  try {
    auto restic = reopen_restic(rec.restic);
    for (const auto& run : rec.writing_runs) forget_if_incomplete(*restic, rec.stack, run, out);
    rec.writing_runs.clear();
    return true;
  } catch (const std::exception& e) {
    // Harmless to leave: an incomplete snapshot is listed as partial and never restored.
    out.done.push_back(std::string("left the incomplete snapshot listed as partial (") + e.what() + ")");
    rec.writing_runs.clear();
    return false;
  }
}

uint64_t inode_of(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

void remove_staged(const JournalRecord& rec, Outcome& out, const char* what) {
  std::error_code ec;
  int removed = 0;
  for (const auto& t : rec.targets) {
    removed += fs::remove_all(t.staged, ec) > 0 ? 1 : 0;
    removed += fs::remove_all(t.staged + ".restic-staging", ec) > 0 ? 1 : 0;
  }
  if (removed > 0) out.done.push_back(what);
}

// Puts every swapped directory back. Returns false when one could not be swapped back.
bool swap_back(JournalRecord& rec, Outcome& out) {
  for (const auto& t : rec.targets) {
    if (t.staged_inode == 0 || inode_of(t.live) != t.staged_inode) continue;
    try {
      exchange_paths(t.live, t.staged);
      out.done.push_back("swapped " + t.key + " back to its old data");
    } catch (const std::exception& e) {
      out.fail("could not swap " + t.key + " back", e);
      return false;
    }
  }
  return true;
}

void load_missing_dumps(const engine::Engine& engine, JournalRecord& rec, OrphanedJournal& j, Outcome& out) {
  if (std::all_of(rec.dumps.begin(), rec.dumps.end(), [](const DumpLoadRecord& d) { return d.loaded; })) return;
  auto restic = reopen_restic(rec.restic);
  wait_healthy(engine, rec.stack);
  for (auto& d : rec.dumps) {
    if (d.loaded) continue;
    load_dump(engine, rec.stack, *restic, d);
    d.loaded = true;
    j.save(rec);
    out.done.push_back("loaded the dump of " + d.service);
  }
}

// Returns the sentence that says where the data is.
std::string recover_restore(const engine::Engine& engine, JournalRecord& rec, OrphanedJournal& j, Outcome& out) {
  bool all_swapped = rec.phase >= RestorePhase::swapped;
  if (rec.phase == RestorePhase::swapping) {
    all_swapped = true;
    for (const auto& t : rec.targets) all_swapped = all_swapped && inode_of(t.live) == t.staged_inode;
  }
  if (!all_swapped) {
    if (!swap_back(rec, out)) {
      resume_services(engine, rec, out);
      return "the data of some volumes could not be swapped back; the restored copies stay beside them";
    }
    remove_staged(rec, out, "removed the restored copies staged beside the live data");
    resume_services(engine, rec, out);
    if (rec.phase == RestorePhase::preparing) forget_incomplete_runs(rec, out);
    return "the old data is in place, nothing was restored (run `slipway restore " + rec.run + "` again)";
  }
  remove_staged(rec, out, "removed the replaced data (the safety snapshot holds it)");
  rec.phase = RestorePhase::loading;
  j.save(rec);
  resume_services(engine, rec, out);
  try {
    load_missing_dumps(engine, rec, j, out);
  } catch (const std::exception& e) {
    out.fail("the volumes hold snapshot " + rec.run + " but a dump is not loaded yet", e);
    return "the restore is not complete yet (the next slipway command tries again; `slipway restore " + rec.safety_run +
           "` undoes it)";
  }
  return "the data of snapshot " + rec.run + " is in place (`slipway restore " + rec.safety_run + "` undoes it)";
}

void recover_one(const engine::Engine& engine, OrphanedJournal& j, const Warn& warn) {
  JournalRecord rec = *j.record();
  Outcome out;
  stop_orphans(rec, out);
  std::string state;
  if (rec.kind == "restore") {
    state = recover_restore(engine, rec, j, out);
  } else {
    if (rec.kind == "drill" && !rec.throwaway.empty()) {
      remove_throwaway(engine, rec.throwaway);
      remove_staged(rec, out, "removed the copies staged for it");
      out.done.push_back("removed the throwaway stack " + rec.throwaway);
    }
    resume_services(engine, rec, out);
    run_posts(engine, rec, out);
    bool clean = forget_incomplete_runs(rec, out);
    if (rec.kind == "backup")
      state = clean ? "the data was not changed and the repository holds only complete snapshots"
                    : "the data was not changed; the interrupted snapshot is never restored";
  }
  std::string what =
      "an interrupted " + rec.kind + " of " + rec.stack + (rec.run.empty() ? "" : " (snapshot " + rec.run + ")");
  if (warn)
    warn("recovered " + what + ": " + (out.done.empty() ? "nothing was left to undo" : joined(out.done)) +
         (state.empty() ? "" : " -- " + state));
  if (out.problems.empty()) {
    j.done();
    return;
  }
  j.save(rec);
  if (warn) warn("could not finish recovering " + what + ": " + joined(out.problems));
}

}  // namespace

void recover_interrupted(const std::function<const engine::Engine&()>& engine, const std::string& stack,
                         const std::string& state_dir, const Warn& warn) {
  auto journals = orphaned_journals(journal_directory(state_dir), stack);
  for (auto& j : journals) {
    if (!j.record()) {  // a lock without a record: its owner died before writing anything
      j.done();
      continue;
    }
    try {
      recover_one(engine(), j, warn);
    } catch (const std::exception& e) {
      if (warn)
        warn("could not recover an interrupted " + j.record()->kind + " of " + j.record()->stack + ": " + e.what() +
             " (the next slipway command tries again)");
    }
  }
}

void recover_interrupted(const engine::Engine& engine, const std::string& stack, const std::string& state_dir,
                         const Warn& warn) {
  recover_interrupted([&]() -> const engine::Engine& { return engine; }, stack, state_dir, warn);
}

}  // namespace slipway::backup

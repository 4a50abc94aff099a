// Pausing or stopping services while their data is read or replaced, with a guaranteed resume.
//
// Three layers make "always resumed" hold:
//   1. QuiesceGuard's destructor resumes whatever it paused or stopped (errors and exceptions).
//   2. Interrupts turns SIGINT/SIGTERM/SIGHUP into an orderly exit: a watcher thread runs the
//      registered resumes first, then lets the signal end the process as it would have.
//   3. The operation's journal (backup/journal.h) records each pause/stop before it is done.
//      If slipway is killed outright (SIGKILL, power loss), the next slipway command on the
//      stack finds the journal of the dead process and resumes those containers
//      (backup/recover.h).
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "backup/journal.h"
#include "engine/engine.h"

namespace slipway::backup {

class Interrupts {
 public:
  // Blocks the signals in this thread (call before starting other threads; children get a
  // clean mask from run_process) and starts the watcher once. Idempotent.
  static Interrupts& install();
  int add(std::function<void()> cleanup);
  void remove(int id);
  // Runs and clears every cleanup (the watcher's work; exposed for tests).
  void run_all();

  // While one is alive, the watcher waits before it runs the cleanups: for steps that must not
  // be cut in half by a signal (a restore's directory swaps take milliseconds).
  class Critical {
   public:
    Critical() : lock_(Interrupts::install().critical_) {}

   private:
    std::lock_guard<std::mutex> lock_;
  };

 private:
  Interrupts() = default;
  std::mutex mu_;
  std::mutex critical_;
  int next_ = 1;
  std::vector<std::pair<int, std::function<void()>>> cleanups_;
};

class QuiesceGuard {
 public:
  // journal: the operation's journal, which records every pause/stop before it happens (null =
  // none). say: progress messages.
  QuiesceGuard(const engine::Engine& client, Journal* journal, std::function<void(const std::string&)> say = nullptr);
  ~QuiesceGuard();
  QuiesceGuard(const QuiesceGuard&) = delete;
  QuiesceGuard& operator=(const QuiesceGuard&) = delete;

  // Pauses / stops a running container (by ID), remembering to undo it. `what` names it in messages.
  void pause(const std::string& id, const std::string& what);
  void stop(const std::string& id, const std::string& what, int timeout_seconds = 30);
  // Undoes everything in reverse order; idempotent. Returns the problems (empty when all resumed).
  std::vector<std::string> resume_all();
  bool empty() const { return actions_.empty(); }

 private:
  using Action = QuiescedRecord;
  void journal_add(const Action& a);
  void journal_remove(const Action& a);

  std::shared_ptr<const engine::Engine> client_;
  Journal* journal_;
  std::function<void(const std::string&)> say_;
  std::mutex mu_;
  std::vector<Action> actions_;
  int interrupt_id_ = 0;
};

// Resumes one container a dead slipway left paused or stopped (recovery). Returns a line saying
// what it did, "" when the container was already running or is gone. Throws on engine errors.
std::string resume_quiesced(const engine::Engine& client, const QuiescedRecord& q);

// Stops programs (restic) still running on behalf of a dead slipway: every process whose
// arguments contain one of `markers` (or start with one), SIGINT first so restic removes its
// lock, SIGKILL after `grace_ms`. Returns how many it stopped.
int stop_orphaned_programs(const std::vector<std::string>& markers, int grace_ms = 10000);

}  // namespace slipway::backup

// Pausing or stopping services while their data is read or replaced, with a guaranteed resume.
//
// Three layers make "always resumed" hold:
//   1. QuiesceGuard's destructor resumes whatever it paused or stopped (errors and exceptions).
//   2. Interrupts turns SIGINT/SIGTERM/SIGHUP into an orderly exit: a watcher thread runs the
//      registered resumes first, then lets the signal end the process as it would have.
//   3. A journal file per quiesced container (in the state directory) records what was done
//      and by which process. If slipway is killed outright (SIGKILL, power loss), the next
//      backup-family command finds the entries of dead processes and resumes those containers.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "engine/client.h"

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

 private:
  Interrupts() = default;
  std::mutex mu_;
  int next_ = 1;
  std::vector<std::pair<int, std::function<void()>>> cleanups_;
};

class QuiesceGuard {
 public:
  // journal_dir: where quiesce journal entries go ("" = no journal). say: progress messages.
  QuiesceGuard(engine::Client client, std::string journal_dir, std::function<void(const std::string&)> say = nullptr);
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
  struct Action {
    std::string id, what;
    bool stopped;  // else paused
  };
  void journal_add(const Action& a);
  void journal_remove(const Action& a);

  engine::Client client_;
  std::string journal_dir_;
  std::function<void(const std::string&)> say_;
  std::mutex mu_;
  std::vector<Action> actions_;
  int interrupt_id_ = 0;
};

// Resumes containers left paused or stopped by slipway processes that no longer exist.
// Returns a line per container it resumed (or failed to).
std::vector<std::string> recover_quiesced(const engine::Client& client, const std::string& journal_dir);

}  // namespace slipway::backup

// The agent's loop: asks the scheduler (agent/scheduler.h) what is due, runs each job as
// slipway's own command in a subprocess (argv, never a shell), records every run in the
// RunLog, and sleeps until the next job — no polling in between, so it costs nothing when idle.
//
// Stopping (SIGTERM/SIGINT, turned into request_stop() by the CLI): no new job starts; each
// running job's command gets SIGTERM, which slipway's commands treat as "finish the current
// step or undo it, then exit" (apply/signals.h), and SIGKILL only if it has not ended after
// a grace period; each such run is recorded as aborted. A run left "running" by an agent that
// was killed outright is marked aborted at the next start.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/run_log.h"
#include "agent/scheduler.h"

namespace slipway::agent {

struct JobResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs one job's argv; should_stop turns true when the agent stops.
using JobRunner =
    std::function<JobResult(const std::vector<std::string>& argv, const std::function<bool()>& should_stop)>;

struct AgentOptions {
  std::string slipway;                          // the slipway binary the jobs run (normally this one)
  std::function<int64_t()> now;                 // seconds since the epoch; default: the system clock
  JobRunner runner;                             // default: util/subprocess run_process
  std::set<std::string> commands;               // commands this build has; empty: assume all
  std::vector<std::string> run_now;             // jobs queued for every stack at start (--run-now)
  std::function<void(const std::string&)> log;  // one line per event; default: stderr
  int stop_grace_seconds = 120;                 // SIGTERM -> SIGKILL for a job when stopping
  // After each run is recorded, with its outcome (ok, failed, aborted, unavailable) and detail:
  // notifications (agent/notify.h). Runs on the loop's thread; it may block (bounded).
  std::function<void(const Due&, const std::string& outcome, const std::string& detail, int64_t now)> on_finished;
  // On each turn of the loop; returns when it next needs a turn (nullopt: no need), e.g. a
  // digest of held notifications.
  std::function<std::optional<int64_t>(int64_t now)> on_wake;
};

class Agent {
 public:
  Agent(std::vector<StackSpec> stacks, RunLog& log, AgentOptions options);
  ~Agent();

  // Runs until request_stop(); returns once every running job has ended and is recorded.
  void run();
  void request_stop();  // any thread; safe to call more than once
  bool stopping() const { return stop_; }

  // Queues a stack's job to start as soon as the stack is free (any thread); false when there is
  // no such stack or job.
  bool run_now(const std::string& stack, const std::string& job);

  // What the status page shows about the schedule (any thread).
  struct Snapshot {
    std::vector<Upcoming> upcoming;
    std::vector<Due> running;
    std::string state_error;  // the last failed write to the state database, "" once one succeeds
  };
  Snapshot snapshot() const;
  const std::vector<StackSpec>& stacks() const { return scheduler_.stacks(); }

 private:
  struct Finished {
    Due due;
    int64_t run_id;
    JobResult result;
  };

  void start(const Due& due);
  // Runs a write to the RunLog; on failure logs it, keeps it for the page and returns 0.
  int64_t recorded(const std::function<int64_t()>& write);
  void record(const Finished& f);
  const JobSpec* job(const std::string& stack, const std::string& name) const;

  RunLog& log_;
  AgentOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stop_{false};
  Scheduler scheduler_;
  std::vector<Finished> finished_;  // guarded by mutex_
  bool poked_ = false;  // run_now queued something; guarded by mutex_
  std::string state_error_;  // guarded by mutex_
  std::map<std::string, Due> running_;      // by stack; guarded by mutex_
  std::map<int64_t, std::thread> threads_;  // by run id; joined when recorded
};

// The default JobRunner: run_process with the output captured and should_stop wired to the
// SIGTERM-then-SIGKILL escalation.
JobRunner subprocess_runner(int stop_grace_seconds);

// The last non-empty line of a command's stderr (its error message), at most 300 bytes.
std::string last_line(const std::string& text);

}  // namespace slipway::agent

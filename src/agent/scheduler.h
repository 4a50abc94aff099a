// The agent's scheduler (pure: time is passed in, nothing runs here). It decides which job of
// which stack starts when:
//   - each job's cron occurrences, each delayed by the job's stable jitter;
//   - never two jobs of one stack at once: a job that falls due while its stack is busy waits
//     in that stack's queue (once: a job is never queued twice);
//   - missed runs: when the last recorded occurrence of a job is older than its latest
//     occurrence (the agent was down, the machine asleep), the job runs once at start, however
//     many occurrences were missed; likewise when the clock jumps forward while it runs;
//   - forget (after-backup) is queued when a backup succeeds.
// The caller (agent/agent.h) records each run and feeds finished() back.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/schedule.h"

namespace slipway::agent {

struct Due {
  std::string stack;
  std::string job;
  int64_t scheduled = 0;  // the cron occurrence this run stands for (what is recorded)
  bool catch_up = false;  // a missed occurrence, run late
};

struct Upcoming {
  std::string stack, job;
  int64_t at = 0;  // when it will start (occurrence + jitter), absent for after-backup jobs
};

class Scheduler {
 public:
  // `last` maps "stack/job" to the newest occurrence recorded for it (RunLog::last_scheduled).
  Scheduler(std::vector<StackSpec> stacks, const std::map<std::string, int64_t>& last, int64_t now);
  Scheduler(const Scheduler&) = delete;  // job states point into stacks_
  Scheduler& operator=(const Scheduler&) = delete;

  // Jobs to start now: at most one per stack, none for a busy stack. Each returned job makes
  // its stack busy until finished().
  std::vector<Due> take_due(int64_t now);
  // Queues `job` of every stack that has it, to start as soon as its stack is free.
  void run_now(const std::string& job, int64_t now);
  // Queues one stack's job; false when the stack has no such job.
  bool run_now(const std::string& stack, const std::string& job, int64_t now);
  // The job ended; `ok` says whether it succeeded.
  void finished(const Due& run, bool ok);

  // When take_due next has something to hand out (nullopt: nothing scheduled; a time in the
  // past: now). Stacks that are busy count from when they free up, i.e. are not considered.
  std::optional<int64_t> next_wakeup() const;
  std::vector<Upcoming> upcoming() const;  // every cron job's next start, soonest first
  bool busy(const std::string& stack) const;
  const std::vector<StackSpec>& stacks() const { return stacks_; }

 private:
  struct JobState {
    const JobSpec* spec = nullptr;
    int64_t occurrence = 0;  // next cron occurrence (0: none)
    int64_t jitter = 0;
  };
  struct StackState {
    std::vector<JobState> jobs;
    std::deque<Due> queue;
    bool busy = false;
  };

  void enqueue(StackState& s, Due due);
  int64_t start_time(const JobState& j) const { return j.occurrence + j.jitter; }

  std::vector<StackSpec> stacks_;
  std::map<std::string, StackState> state_;
};

}  // namespace slipway::agent

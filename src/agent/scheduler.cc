#include "agent/scheduler.h"

#include <algorithm>

namespace slipway::agent {

Scheduler::Scheduler(std::vector<StackSpec> stacks, const std::map<std::string, int64_t>& last, int64_t now)
    : stacks_(std::move(stacks)) {
  for (const auto& stack : stacks_) {
    StackState& s = state_[stack.stack];
    for (const auto& job : stack.jobs) {
      JobState j;
      j.spec = &job;
      j.jitter = jitter_for(stack.stack + "/" + job.name, stack.jitter);
      if (job.cron) {
        auto recorded = last.find(stack.stack + "/" + job.name);
        // A job never recorded starts at its next occurrence; one whose next occurrence after
        // the last recorded run has passed (with its jitter) was missed: run it once now.
        if (recorded != last.end()) {
          auto missed = job.cron->next_after(recorded->second);
          if (missed && *missed + j.jitter <= now) {
            // The latest missed occurrence is what this run stands for, so a restart right
            // after it does not catch up again.
            int64_t latest = *missed;
            for (int i = 0; i < 100000; ++i) {
              auto n = job.cron->next_after(latest);
              if (!n || *n > now) break;
              latest = *n;
            }
            enqueue(s, {stack.stack, job.name, latest, true});
          }
        }
        j.occurrence = job.cron->next_after(now).value_or(0);
      }
      s.jobs.push_back(j);
    }
  }
}

void Scheduler::enqueue(StackState& s, Due due) {
  for (const auto& q : s.queue)
    if (q.job == due.job) return;  // already waiting: one run covers both
  s.queue.push_back(std::move(due));
}

std::vector<Due> Scheduler::take_due(int64_t now) {
  std::vector<Due> out;
  for (auto& [name, s] : state_) {
    for (auto& j : s.jobs) {
      if (!j.occurrence || start_time(j) > now) continue;
      enqueue(s, {name, j.spec->name, j.occurrence, false});
      // Skip every occurrence that passed meanwhile (a clock jump, a long job): run once.
      int64_t from = std::max(j.occurrence, now - j.jitter);
      j.occurrence = j.spec->cron->next_after(from).value_or(0);
    }
    if (!s.busy && !s.queue.empty()) {
      out.push_back(s.queue.front());
      s.queue.pop_front();
      s.busy = true;
    }
  }
  return out;
}

void Scheduler::run_now(const std::string& job, int64_t now) {
  for (auto& [name, s] : state_)
    for (const auto& j : s.jobs)
      if (j.spec->name == job) enqueue(s, {name, job, now, false});
}

bool Scheduler::run_now(const std::string& stack, const std::string& job, int64_t now) {
  auto it = state_.find(stack);
  if (it == state_.end()) return false;
  for (const auto& j : it->second.jobs)
    if (j.spec->name == job) {
      enqueue(it->second, {stack, job, now, false});
      return true;
    }
  return false;
}

void Scheduler::finished(const Due& run, bool ok) {
  auto it = state_.find(run.stack);
  if (it == state_.end()) return;
  StackState& s = it->second;
  s.busy = false;
  if (run.job == "backup" && ok)
    for (const auto& j : s.jobs)
      if (j.spec->after_backup) enqueue(s, {run.stack, j.spec->name, run.scheduled, false});
}

std::optional<int64_t> Scheduler::next_wakeup() const {
  std::optional<int64_t> best;
  for (const auto& [name, s] : state_) {
    if (s.busy) continue;
    if (!s.queue.empty()) return int64_t{0};  // something waits: now
    for (const auto& j : s.jobs)
      if (j.occurrence && (!best || start_time(j) < *best)) best = start_time(j);
  }
  return best;
}

std::vector<Upcoming> Scheduler::upcoming() const {
  std::vector<Upcoming> out;
  for (const auto& [name, s] : state_)
    for (const auto& j : s.jobs)
      if (j.occurrence) out.push_back({name, j.spec->name, start_time(j)});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  return out;
}

bool Scheduler::busy(const std::string& stack) const {
  auto it = state_.find(stack);
  return it != state_.end() && it->second.busy;
}

}  // namespace slipway::agent

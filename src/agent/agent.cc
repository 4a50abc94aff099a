#include "agent/agent.h"

#include <chrono>
#include <cstdio>

#include "util/subprocess.h"

namespace slipway::agent {

namespace {

int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A stopped job exits 128+SIGTERM (or 130/143 from slipway's own handler).
bool was_stopped(int code) { return code == 143 || code == 130 || code == 137; }

}  // namespace

std::string last_line(const std::string& text) {
  size_t end = text.find_last_not_of(" \n\r\t");
  if (end == std::string::npos) return "";
  size_t start = text.rfind('\n', end);
  std::string line =
      text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
  return line.size() > 300 ? line.substr(0, 300) : line;
}

JobRunner subprocess_runner(int stop_grace_seconds) {
  return [stop_grace_seconds](const std::vector<std::string>& argv, const std::function<bool()>& should_stop) {
    SubprocessOptions o;
    o.should_stop = should_stop;
    o.stop_grace_seconds = stop_grace_seconds;
    JobResult r;
    try {
      auto p = run_process(argv, o);
      r = {p.exit_code, std::move(p.out), std::move(p.err)};
    } catch (const std::exception& e) {
      r = {127, "", e.what()};
    }
    return r;
  };
}

Agent::Agent(std::vector<StackSpec> stacks, RunLog& log, AgentOptions options)
    : log_(log),
      options_(std::move(options)),
      scheduler_(std::move(stacks), log.last_scheduled(), options_.now ? options_.now() : system_now()) {
  if (!options_.now) options_.now = system_now;
  if (!options_.runner) options_.runner = subprocess_runner(options_.stop_grace_seconds);
  if (!options_.log)
    options_.log = [](const std::string& line) { std::fprintf(stderr, "slipway agent: %s\n", line.c_str()); };
  int abandoned = log_.close_abandoned(options_.now());
  if (abandoned)
    options_.log(std::to_string(abandoned) + " run(s) left running by a previous agent recorded as aborted");
  for (const auto& job : options_.run_now) scheduler_.run_now(job, options_.now());
}

Agent::~Agent() {
  request_stop();
  for (auto& [_, t] : threads_)
    if (t.joinable()) t.join();
}

void Agent::request_stop() {
  stop_ = true;
  std::lock_guard lock(mutex_);
  wake_.notify_all();
}

const JobSpec* Agent::job(const std::string& stack, const std::string& name) const {
  for (const auto& s : scheduler_.stacks())
    if (s.stack == stack)
      for (const auto& j : s.jobs)
        if (j.name == name) return &j;
  return nullptr;
}

int64_t Agent::recorded(const std::function<int64_t()>& write) {
  try {
    int64_t r = write();
    std::lock_guard lock(mutex_);
    state_error_.clear();
    return r;
  } catch (const std::exception& e) {
    // A full disk or a locked database must not stop the schedule: the run goes unrecorded,
    // and the page and the log say so until a write succeeds again.
    options_.log(std::string("cannot record the run: ") + e.what());
    std::lock_guard lock(mutex_);
    state_error_ = e.what();
    return 0;
  }
}

void Agent::start(const Due& due) {
  const JobSpec* spec = job(due.stack, due.job);
  int64_t id = recorded([&] { return log_.start(due.stack, due.job, due.scheduled, due.catch_up, options_.now()); });
  std::string command = spec && !spec->args.empty() ? spec->args.front() : "";
  if (!spec || (!options_.commands.empty() && !options_.commands.count(command))) {
    // The job's command is not part of this build (e.g. `update` before it lands): say so
    // instead of failing every day.
    std::lock_guard lock(mutex_);
    finished_.push_back({due, id, {-2, "", "`slipway " + command + "` is not available in this build"}});
    return;
  }
  options_.log("starting " + due.job + " of " + due.stack + (due.catch_up ? " (catching up a missed run)" : ""));
  {
    std::lock_guard lock(mutex_);
    running_[due.stack] = due;
  }
  const StackSpec* stack = nullptr;
  for (const auto& s : scheduler_.stacks())
    if (s.stack == due.stack) stack = &s;
  std::vector<std::string> argv = job_argv(options_.slipway, *stack, *spec);
  threads_[id] = std::thread([this, due, id, argv] {
    JobResult r = options_.runner(argv, [this] { return stop_.load(); });
    std::lock_guard lock(mutex_);
    running_.erase(due.stack);
    finished_.push_back({due, id, std::move(r)});
    wake_.notify_all();
  });
}

void Agent::record(const Finished& f) {
  const JobResult& r = f.result;
  // `update --check` exits 3 when updates exist: the check itself succeeded.
  const bool ok = r.exit_code == 0 || (f.due.job == "update-check" && r.exit_code == 3);
  std::string outcome = ok                                  ? "ok"
                        : r.exit_code == -2                 ? "unavailable"
                        : stop_ && was_stopped(r.exit_code) ? "aborted"
                                                            : "failed";
  std::string detail = outcome == "aborted" ? "stopped with the agent: " + last_line(r.err) : last_line(r.err);
  if (auto t = threads_.find(f.run_id); t != threads_.end()) {
    t->second.join();  // it has handed over its result: this returns at once
    threads_.erase(t);
  }
  if (f.run_id > 0)
    recorded([&] {
      log_.finish(f.run_id, outcome, r.exit_code, detail, r.out, options_.now());
      return int64_t{0};
    });
  options_.log(f.due.job + " of " + f.due.stack + ": " + outcome + (detail.empty() ? "" : " (" + detail + ")"));
  {
    std::lock_guard lock(mutex_);
    scheduler_.finished(f.due, outcome == "ok");
  }
  if (options_.on_finished) options_.on_finished(f.due, outcome, detail, options_.now());
}

void Agent::run() {
  while (true) {
    std::vector<Finished> done;
    {
      std::lock_guard lock(mutex_);
      done.swap(finished_);
    }
    for (const auto& f : done) record(f);
    if (!done.empty())
      recorded([&] {
        log_.prune(options_.now());
        return int64_t{0};
      });
    std::vector<Due> due;
    {
      std::lock_guard lock(mutex_);
      if (!stop_) due = scheduler_.take_due(options_.now());
    }
    for (const auto& d : due) start(d);
    std::optional<int64_t> hook_wakeup = options_.on_wake ? options_.on_wake(options_.now()) : std::nullopt;

    std::unique_lock lock(mutex_);
    if (!finished_.empty()) continue;
    if (stop_) {
      if (running_.empty()) break;
      wake_.wait_for(lock, std::chrono::seconds(1));
      continue;
    }
    // Sleep until the next job, a finished job or a stop; at most a minute, so a wall clock
    // that jumps (suspend, NTP) is noticed.
    auto next = scheduler_.next_wakeup();
    if (hook_wakeup && (!next || *hook_wakeup < *next)) next = hook_wakeup;
    int64_t wait = std::min<int64_t>(60, next ? std::max<int64_t>(0, *next - options_.now()) : 60);
    if (wait > 0)
      wake_.wait_for(lock, std::chrono::seconds(wait), [this] { return stop_ || poked_ || !finished_.empty(); });
    poked_ = false;
  }
  for (auto& [_, t] : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

bool Agent::run_now(const std::string& stack, const std::string& job) {
  std::lock_guard lock(mutex_);
  if (!scheduler_.run_now(stack, job, options_.now())) return false;
  poked_ = true;
  wake_.notify_all();
  return true;
}

Agent::Snapshot Agent::snapshot() const {
  std::lock_guard lock(mutex_);
  Snapshot s;
  s.upcoming = scheduler_.upcoming();
  s.state_error = state_error_;
  for (const auto& [_, d] : running_) s.running.push_back(d);
  return s;
}

}  // namespace slipway::agent

#include "checks/runner.h"

#include <fnmatch.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace slipway::checks {

bool matches_filter(const Check& c, const std::string& filter) {
  if (filter.empty()) return true;
  if (filter.find_first_of("*?[") != std::string::npos)
    return ::fnmatch(filter.c_str(), c.key().c_str(), 0) == 0 || ::fnmatch(filter.c_str(), c.title.c_str(), 0) == 0;
  return c.key().find(filter) != std::string::npos || c.title.find(filter) != std::string::npos;
}

namespace {

std::string tail_lines(const std::string& s, int n) {
  size_t pos = s.size();
  if (pos && s[pos - 1] == '\n') --pos;
  int seen = 0;
  while (pos > 0) {
    if (s[pos - 1] == '\n' && ++seen == n) break;
    --pos;
  }
  return s.substr(pos);
}

// One run of a suite: the selected checks spread over `parallel` worker threads, each check
// retried as its retry_count and the suite's retry-timeout say.
class SuiteRun {
 public:
  SuiteRun(const engine::Engine& client, const Suite& suite, const RunOptions& o) : client_(client), o_(o) {
    for (const auto& c : suite.checks)
      if (matches_filter(c, o.filter)) selected_.push_back(&c);
    for (const auto& [service, target] : o.targets) views_[service] = std::make_unique<ContainerView>(client, target);
    sleep_ = o.sleep.value_or(suite.sleep);
    deadline_ = std::chrono::steady_clock::now() + o.retry_timeout.value_or(suite.retry_timeout);
  }

  std::vector<CheckResult> run() {
    results_.resize(selected_.size());
    int n = std::max(1, std::min<int>(o_.parallel, static_cast<int>(selected_.size())));
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) threads.emplace_back([this] { work(); });
    for (auto& t : threads) t.join();
    return std::move(results_);
  }

 private:
  void work() {
    for (size_t i = next_++; i < selected_.size(); i = next_++) {
      const Check& c = *selected_[i];
      if (o_.on_start) {
        std::lock_guard<std::mutex> lock(mu_);
        o_.on_start(c);
      }
      results_[i] = run_with_retries(c);
      if (o_.on_result) {
        std::lock_guard<std::mutex> lock(mu_);
        o_.on_result(results_[i]);
      }
    }
  }

  CheckResult run_with_retries(const Check& c) {
    auto start = std::chrono::steady_clock::now();
    int attempts = 0;
    int retries_left = c.retry_count;
    CheckResult r;
    while (true) {
      r = run_once(c);
      ++attempts;
      if (r.status() != Status::Fail) break;
      if (retries_left > 0) {
        --retries_left;
        std::this_thread::sleep_for(c.retry_delay.count() > 0 ? c.retry_delay : std::chrono::milliseconds(1000));
      } else if (std::chrono::steady_clock::now() + sleep_ < deadline_) {
        std::this_thread::sleep_for(sleep_);
      } else {
        break;
      }
    }
    r.attempts = attempts;
    r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (r.status() == Status::Fail && !c.service.empty()) r.logs_tail = logs_of(c.service);
    return r;
  }

  CheckResult run_once(const Check& c) {
    const ResourceType& rt = c.resource();
    if (rt.method == Method::Pure) return run_matching(c);
    if (rt.method == Method::Include || rt.method == Method::Unsupported || c.skip)
      return evaluate(c, [](const std::string&) { return Fetched::failed("not evaluated"); });
    auto v = views_.find(c.service);
    if (v == views_.end())
      return failed(
          c, c.service.empty() ? "the check names no service" : "service " + c.service + " has no running container");
    try {
      return run_in_container(c, *v->second);
    } catch (const std::exception& e) {
      return failed(c, e.what());
    }
  }

  // The last lines of a service's log, fetched once per run, for failure reports.
  std::string logs_of(const std::string& service) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = logs_cache_.find(service);
      if (it != logs_cache_.end()) return it->second;
    }
    std::string text;
    auto v = o_.targets.find(service);
    if (v != o_.targets.end()) {
      try {
        engine::LogsOptions lo;
        lo.tail = std::to_string(o_.log_lines);
        engine::Output out = client_.logs(v->second.container, lo);
        text = tail_lines(out.out + out.err, o_.log_lines);
      } catch (const std::exception& e) {
        text = std::string("(logs unavailable: ") + e.what() + ")";
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    logs_cache_[service] = text;
    return text;
  }

  const engine::Engine& client_;
  const RunOptions& o_;
  std::vector<const Check*> selected_;
  std::map<std::string, std::unique_ptr<ContainerView>> views_;
  std::chrono::milliseconds sleep_{0};
  std::chrono::steady_clock::time_point deadline_;
  std::mutex mu_;  // serializes callbacks and the logs cache
  std::map<std::string, std::string> logs_cache_;
  std::vector<CheckResult> results_;
  std::atomic<size_t> next_{0};
};

}  // namespace

std::vector<CheckResult> run_suite(const engine::Engine& client, const Suite& suite, const RunOptions& o) {
  return SuiteRun(client, suite, o).run();
}

}  // namespace slipway::checks

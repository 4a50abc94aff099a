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

}  // namespace

std::vector<CheckResult> run_suite(const engine::Client& client, const Suite& suite, const RunOptions& o) {
  std::vector<const Check*> selected;
  for (const auto& c : suite.checks)
    if (matches_filter(c, o.filter)) selected.push_back(&c);

  std::map<std::string, std::unique_ptr<ContainerView>> views;
  for (const auto& [service, target] : o.targets) views[service] = std::make_unique<ContainerView>(client, target);

  auto retry_timeout = o.retry_timeout.value_or(suite.retry_timeout);
  auto sleep = o.sleep.value_or(suite.sleep);
  auto deadline = std::chrono::steady_clock::now() + retry_timeout;

  std::mutex mu;             // serializes callbacks and the logs cache
  std::map<std::string, std::string> logs_cache;
  auto logs_of = [&](const std::string& service) -> std::string {
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = logs_cache.find(service);
      if (it != logs_cache.end()) return it->second;
    }
    std::string text;
    auto v = o.targets.find(service);
    if (v != o.targets.end()) {
      try {
        engine::LogsOptions lo;
        lo.tail = std::to_string(o.log_lines);
        engine::Output out = client.logs(v->second.container, lo);
        text = tail_lines(out.out + out.err, o.log_lines);
      } catch (const std::exception& e) {
        text = std::string("(logs unavailable: ") + e.what() + ")";
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    logs_cache[service] = text;
    return text;
  };

  auto run_once = [&](const Check& c) -> CheckResult {
    const ResourceType& rt = c.resource();
    if (rt.method == Method::Pure) return run_matching(c);
    if (rt.method == Method::Include || rt.method == Method::Unsupported || c.skip)
      return evaluate(c, [](const std::string&) { return Fetched::failed("not evaluated"); });
    auto v = views.find(c.service);
    if (v == views.end())
      return failed(c, c.service.empty() ? "the check names no service"
                                         : "service " + c.service + " has no running container");
    try {
      return run_in_container(c, *v->second);
    } catch (const std::exception& e) {
      return failed(c, e.what());
    }
  };

  std::vector<CheckResult> results(selected.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    while (true) {
      size_t i = next++;
      if (i >= selected.size()) return;
      const Check& c = *selected[i];
      if (o.on_start) {
        std::lock_guard<std::mutex> lock(mu);
        o.on_start(c);
      }
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
          continue;
        }
        if (std::chrono::steady_clock::now() + sleep < deadline) {
          std::this_thread::sleep_for(sleep);
          continue;
        }
        break;
      }
      r.attempts = attempts;
      r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      if (r.status() == Status::Fail && !c.service.empty()) r.logs_tail = logs_of(c.service);
      results[i] = r;
      if (o.on_result) {
        std::lock_guard<std::mutex> lock(mu);
        o.on_result(results[i]);
      }
    }
  };
  int n = std::max(1, std::min<int>(o.parallel, static_cast<int>(selected.size())));
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  return results;
}

}  // namespace slipway::checks

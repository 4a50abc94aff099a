#include "agent/notify_policy.h"

#include <algorithm>
#include <ctime>
#include <set>

namespace slipway::agent {

namespace {

std::string utc(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string what(const NotifyEvent& e) {
  return e.job + " of " + e.stack + (e.kind == NotifyEventKind::failure ? " failed" : " recovered");
}

}  // namespace

bool NotifyMessage::any_failure() const {
  return std::any_of(events.begin(), events.end(),
                     [](const NotifyEvent& e) { return e.kind == NotifyEventKind::failure; });
}

std::string NotifyMessage::title() const {
  if (events.empty()) return "slipway";
  if (!digest()) return "slipway: " + what(events.front());
  std::set<std::string> stacks;
  for (const auto& e : events) stacks.insert(e.stack);
  std::string names;
  for (const auto& s : stacks) names += (names.empty() ? "" : ", ") + s;
  return "slipway: " + std::to_string(events.size()) + " changes on " + names;
}

std::string NotifyMessage::body(const std::string& page_url) const {
  std::string out;
  if (digest())
    out += "These changes were held back by the rate limit (at most one message per job in its window):\n\n";
  for (const auto& e : events) {
    out += utc(e.at) + ": " + what(e) + "\n";
    if (!e.detail.empty()) out += "  " + e.detail + "\n";
  }
  if (!page_url.empty()) out += "\nStatus page: " + page_url + "\n";
  return out;
}

void NotifyPolicy::seed(const std::string& stack, const std::string& job, bool failing) {
  jobs_[key(stack, job)].failing = failing;
}

std::optional<NotifyMessage> NotifyPolicy::on_outcome(const std::string& stack, const std::string& job,
                                                      const std::string& outcome, const std::string& detail,
                                                      int64_t now) {
  if (outcome != "ok" && outcome != "failed") return std::nullopt;
  JobState& s = jobs_[key(stack, job)];
  bool failing = outcome == "failed";
  if (failing == s.failing) return std::nullopt;  // no change: no news
  s.failing = failing;
  NotifyEvent event{stack, job, failing ? NotifyEventKind::failure : NotifyEventKind::recovery,
                    failing ? detail : "", now};
  if (window_open(s, now)) {
    held_.push_back(std::move(event));
    return std::nullopt;
  }
  s.last_sent = now;
  return NotifyMessage{{std::move(event)}};
}

std::optional<NotifyMessage> NotifyPolicy::take_due(int64_t now) {
  NotifyMessage digest;
  std::vector<NotifyEvent> still;
  std::set<std::string> sent;
  for (auto& e : held_) {
    JobState& s = jobs_[key(e.stack, e.job)];
    if (window_open(s, now) && !sent.count(key(e.stack, e.job))) {
      still.push_back(std::move(e));
      continue;
    }
    sent.insert(key(e.stack, e.job));
    digest.events.push_back(std::move(e));
  }
  held_ = std::move(still);
  for (const auto& k : sent) jobs_[k].last_sent = now;
  if (digest.events.empty()) return std::nullopt;
  return digest;
}

std::optional<int64_t> NotifyPolicy::next_due() const {
  std::optional<int64_t> next;
  for (const auto& e : held_) {
    auto it = jobs_.find(key(e.stack, e.job));
    int64_t at = it == jobs_.end() || it->second.last_sent < 0 ? 0 : it->second.last_sent + rate_limit_;
    if (!next || at < *next) next = at;
  }
  return next;
}

std::string ping_target(const std::string& url, bool fail, const std::string& outcome) {
  if (outcome == "ok") return url;
  if (outcome == "failed" && fail) return (!url.empty() && url.back() == '/' ? url.substr(0, url.size() - 1) : url) + "/fail";
  return "";
}

}  // namespace slipway::agent

#include "agent/notify.h"

namespace slipway::agent {

using json = nlohmann::json;

Notifications::Notifications(NotifySenders senders, std::function<void(const std::string&)> log)
    : senders_(std::move(senders)), log_(std::move(log)) {}

void Notifications::add_stack(const std::string& stack, NotifyConfig config, RunLog& runs,
                              const std::vector<std::string>& jobs) {
  if (config.empty()) return;
  Stack s;
  s.policy = std::make_unique<NotifyPolicy>(config.rate_limit);
  for (const auto& job : jobs) {
    // The newest run that succeeded or failed (aborted and unavailable runs say nothing).
    for (const auto& r : runs.recent(stack, job, 20))
      if (r.outcome == "ok" || r.outcome == "failed") {
        s.policy->seed(stack, job, r.outcome == "failed");
        break;
      }
  }
  auto channel = [&](const char* name, const std::string& url) {
    Channel c;
    c.name = name;
    c.target = redact_url(url);
    s.channels.push_back(std::move(c));
  };
  if (config.email) channel("email", config.email->url);
  if (config.webhook) channel("webhook", config.webhook->url);
  if (config.ping) channel("ping", config.ping->url);
  s.config = std::move(config);
  std::lock_guard lock(mutex_);
  stacks_[stack] = std::move(s);
}

void Notifications::record(const std::string& stack, const std::string& channel, const std::string& error,
                           int64_t now) {
  if (!error.empty()) log_("cannot notify (" + stack + "): " + error);
  std::lock_guard lock(mutex_);
  for (auto& c : stacks_[stack].channels)
    if (c.name == channel) {
      if (error.empty()) {
        c.last_ok = now;
        c.last_error.clear();
      } else {
        c.last_error = error;
        c.error_at = now;
      }
    }
}

void Notifications::deliver(const std::string& stack, const NotifyMessage& message, int64_t now) {
  const NotifyConfig& config = stacks_.at(stack).config;  // fixed after add_stack: no lock needed
  log_("notifying (" + stack + "): " + message.title());
  if (config.email) record(stack, "email", senders_.email(*config.email, message, page_url_, now), now);
  if (config.webhook) record(stack, "webhook", senders_.webhook(*config.webhook, message, page_url_), now);
}

void Notifications::on_finished(const std::string& stack, const std::string& job, const std::string& outcome,
                                const std::string& detail, int64_t now) {
  std::optional<NotifyMessage> message;
  const PingConfig* ping = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto it = stacks_.find(stack);
    if (it == stacks_.end()) return;
    message = it->second.policy->on_outcome(stack, job, outcome, detail, now);
    const auto& p = it->second.config.ping;
    if (p && (p->jobs.empty() || p->jobs.count(job))) ping = &*p;
  }
  if (message) deliver(stack, *message, now);
  if (ping) {
    std::string target = ping_target(ping->url, ping->fail, outcome);
    if (!target.empty()) record(stack, "ping", senders_.ping(target, ping->timeout), now);
  }
}

std::optional<int64_t> Notifications::on_wake(int64_t now) {
  std::vector<std::pair<std::string, NotifyMessage>> due;
  std::optional<int64_t> next;
  {
    std::lock_guard lock(mutex_);
    for (auto& [name, s] : stacks_) {
      if (auto m = s.policy->take_due(now)) due.push_back({name, std::move(*m)});
      auto n = s.policy->next_due();
      if (n && (!next || *n < *next)) next = n;
    }
  }
  for (const auto& [stack, message] : due) deliver(stack, message, now);
  return next;
}

json Notifications::status(const std::string& stack) const {
  std::lock_guard lock(mutex_);
  auto it = stacks_.find(stack);
  if (it == stacks_.end()) return nullptr;
  json channels = json::array();
  for (const auto& c : it->second.channels) {
    json j = {{"channel", c.name}, {"target", c.target}, {"last_ok", c.last_ok}};
    if (!c.last_error.empty()) {
      j["last_error"] = c.last_error;
      j["error_at"] = c.error_at;
    }
    channels.push_back(std::move(j));
  }
  return {{"channels", channels},
          {"held", it->second.policy->held()},
          {"rate_limit", it->second.config.rate_limit}};
}

}  // namespace slipway::agent

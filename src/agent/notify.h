// The agent's notifications: each stack's x-slipway.notify (agent/notify_config.h), the policy
// of when (agent/notify_policy.h) and delivery (agent/notify_send.h), with what happened to
// each delivery kept for the status page. A channel that fails (an SMTP server that cannot be
// reached, a webhook that times out) is reported in the log and on the page; nothing is thrown
// and the agent keeps running. A failed message is not retried: the next change, or the
// status page, still tells the owner.
//
// Called from the agent's loop (on_finished, on_wake) and read from the HTTP thread (status):
// sending happens outside the lock, so a slow server never blocks the page.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/notify_config.h"
#include "agent/notify_policy.h"
#include "agent/run_log.h"

namespace slipway::agent {

// How messages leave (real: notify_send.h; tests: fakes). Each returns "" or an error line.
struct NotifySenders {
  std::function<std::string(const EmailConfig&, const NotifyMessage&, const std::string& page_url, int64_t now)> email;
  std::function<std::string(const WebhookConfig&, const NotifyMessage&, const std::string& page_url)> webhook;
  std::function<std::string(const std::string& url, int timeout)> ping;
};
NotifySenders curl_senders();

class Notifications {
 public:
  // `log` gets one line per delivery failure (and per success, briefly).
  Notifications(NotifySenders senders, std::function<void(const std::string&)> log);

  // A stack's settings; its jobs' last outcomes (from `runs`) seed the policy so a restart
  // does not repeat an old failure.
  void add_stack(const std::string& stack, NotifyConfig config, RunLog& runs, const std::vector<std::string>& jobs);
  void set_page_url(const std::string& url) { page_url_ = url; }

  // A run ended: sends what the policy says now, and the dead-man ping.
  void on_finished(const std::string& stack, const std::string& job, const std::string& outcome,
                   const std::string& detail, int64_t now);
  // Sends digests that are due; returns when it next needs to be called (nullopt: nothing held).
  std::optional<int64_t> on_wake(int64_t now);

  // For the page: {"channels": [{"channel", "target", "last_ok", "last_error", "error_at"}],
  // "held": N, "rate_limit": S}; null when the stack has no notify settings.
  nlohmann::json status(const std::string& stack) const;

 private:
  struct Channel {
    std::string name, target;  // target: redact_url of the server
    int64_t last_ok = 0, error_at = 0;
    std::string last_error;
  };
  struct Stack {
    NotifyConfig config;
    std::unique_ptr<NotifyPolicy> policy;
    std::vector<Channel> channels;
  };
  void deliver(const std::string& stack, const NotifyMessage& message, int64_t now);
  void record(const std::string& stack, const std::string& channel, const std::string& error, int64_t now);

  NotifySenders senders_;
  std::function<void(const std::string&)> log_;
  std::string page_url_;
  mutable std::mutex mutex_;
  std::map<std::string, Stack> stacks_;  // the policies are guarded by mutex_, the configs fixed after add_stack
};

}  // namespace slipway::agent

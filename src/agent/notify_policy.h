// When the agent tells the owner something (pure: time is passed in, nothing is sent here).
//
//   - Only transitions are news: a job that fails after succeeding (or on its first run) is a
//     *failure*, one that succeeds after failing is a *recovery*; a job that keeps failing or
//     keeps succeeding says nothing more. Runs that were aborted (the agent stopped) or could
//     not start (the command is not in this build) change nothing.
//   - Rate limit: at most one message per job within `rate_limit` seconds. An event inside that
//     window is held; when the window of its job ends, every held event whose window has ended
//     goes out in one digest (a job that flapped shows each change, in order).
//   - Dead-man pings are not rate-limited: every successful run pings, and a failed one pings
//     URL/fail when asked to (the ping service does its own alerting on silence).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace slipway::agent {

enum class NotifyEventKind { failure, recovery };

struct NotifyEvent {
  std::string stack, job;
  NotifyEventKind kind = NotifyEventKind::failure;
  std::string detail;  // the failure's last line of stderr ("" for a recovery)
  int64_t at = 0;
};

// One message for every channel (email, webhook): one event, or a digest of several.
struct NotifyMessage {
  std::vector<NotifyEvent> events;
  bool digest() const { return events.size() > 1; }
  std::string title() const;  // "slipway: backup of shop failed", "slipway: 3 changes on shop, mail"
  std::string body(const std::string& page_url) const;  // plain text, one paragraph per event
  bool any_failure() const;
};

class NotifyPolicy {
 public:
  explicit NotifyPolicy(int64_t rate_limit) : rate_limit_(rate_limit) {}

  // The state a job was in before the agent started (from the run log), so a restart does not
  // announce an old failure again.
  void seed(const std::string& stack, const std::string& job, bool failing);
  // A run ended with `outcome` (ok, failed, aborted, unavailable). Returns what to send now:
  // nothing, or one message for this event.
  std::optional<NotifyMessage> on_outcome(const std::string& stack, const std::string& job, const std::string& outcome,
                                          const std::string& detail, int64_t now);
  // Held events whose window has ended, as one digest (nullopt: nothing due).
  std::optional<NotifyMessage> take_due(int64_t now);
  // When take_due next has something (nullopt: nothing held).
  std::optional<int64_t> next_due() const;
  size_t held() const { return held_.size(); }

 private:
  struct JobState {
    bool failing = false;
    int64_t last_sent = -1;  // -1: never
  };
  static std::string key(const std::string& stack, const std::string& job) { return stack + "/" + job; }
  bool window_open(const JobState& s, int64_t now) const {
    return s.last_sent >= 0 && now - s.last_sent < rate_limit_;
  }

  int64_t rate_limit_;
  std::map<std::string, JobState> jobs_;
  std::vector<NotifyEvent> held_;  // in the order they happened
};

// The URL a dead-man ping goes to for a run's outcome, or "" for none: `url` after a success,
// `url` + "/fail" after a failure when `fail` is set (Healthchecks' convention).
std::string ping_target(const std::string& url, bool fail, const std::string& outcome);

}  // namespace slipway::agent

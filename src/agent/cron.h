// Cron-like schedule expressions for the agent's jobs, in UTC.
//
// Five fields, "minute hour day-of-month month day-of-week", each `*`, a number, a range
// `a-b`, a step `*/n`, `a-b/n` or `a/n`, or a comma-separated list of those; months and days
// accept names (jan..dec, sun..sat; 0 and 7 are both Sunday). Shorthands: @hourly, @daily
// (@midnight), @weekly, @monthly, @yearly (@annually). As in Vixie cron, when both day fields
// are restricted a day matches either of them.
//
// Times are seconds since the epoch (UTC), so the scheduler and its tests need no clock.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

namespace slipway::agent {

class CronExpr {
 public:
  // Throws UserError "`TEXT`: what is wrong (the format, an example)" prefixed by `where`
  // (e.g. "compose.yaml: x-slipway.schedule.backup"). An expression no date can satisfy
  // ("0 0 30 2 *") is an error too.
  static CronExpr parse(const std::string& text, const std::string& where = "");

  // The first matching minute strictly after `t` (seconds, UTC). nullopt only when none comes
  // within five years (which parse already refuses).
  std::optional<int64_t> next_after(int64_t t) const;
  bool matches(int64_t t) const;  // t's minute matches (seconds ignored)

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::bitset<60> minute_;
  std::bitset<24> hour_;
  std::bitset<32> dom_;    // 1..31
  std::bitset<13> month_;  // 1..12
  std::bitset<7> dow_;     // 0..6, Sunday = 0
  bool dom_any_ = true, dow_any_ = true;

  bool day_matches(int mday, int wday) const;
};

// "90", "90s", "30m", "2h", "1d", "1h30m" -> seconds; nullopt for anything else.
std::optional<int64_t> parse_duration(const std::string& text);

// A stable pseudo-random offset in [0, jitter) for `key` (e.g. "stack/backup"), so stacks
// sharing a schedule do not all start at once, and a restart keeps each job's time.
int64_t jitter_for(const std::string& key, int64_t jitter_seconds);

}  // namespace slipway::agent

#include "agent/cron.h"

#include <ctime>
#include <vector>

#include "util/error.h"
#include "util/parse.h"
#include "util/split.h"

namespace slipway::agent {

namespace {

constexpr const char* kFormat =
    " (format: minute hour day-of-month month day-of-week, e.g. \"30 3 * * *\" for 03:30 UTC daily, or @daily)";

const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldRange {
  const char* name;
  int min, max;
  const char* const* names;  // names[i] is the value name_base + i, or nullptr
  int name_base;
  int name_count;
};

// One value of a field: a number or a name.
std::optional<int> value_of(const std::string& s, const FieldRange& f) {
  if (auto n = parse_int(s, f.min, f.max)) return static_cast<int>(*n);
  if (f.names) {
    std::string lower;
    for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int i = 0; i < f.name_count; ++i)
      if (lower == f.names[i]) return f.name_base + i;
  }
  return std::nullopt;
}

// Parses one field into the set of values it allows; returns whether it was `*`.
bool parse_field(const std::string& text, const FieldRange& f, std::vector<bool>& out, const std::string& fail) {
  out.assign(f.max + 1, false);
  bool any = !text.empty() && text[0] == '*';  // as Vixie cron: "*/2" counts as unrestricted
  for (const auto& part : split(text, ',')) {
    auto error = [&](const std::string& why) {
      throw UserError(fail + ": " + f.name + " `" + part + "` " + why + kFormat);
    };
    std::string range = part;
    int step = 1;
    if (auto slash = part.find('/'); slash != std::string::npos) {
      auto s = parse_int(part.substr(slash + 1), 1, f.max);
      if (!s) error("has a bad step (a number from 1 to " + std::to_string(f.max) + ")");
      step = static_cast<int>(*s);
      range = part.substr(0, slash);
    }
    int lo = f.min, hi = f.max;
    if (range != "*") {
      auto dash = range.find('-');
      auto a = value_of(range.substr(0, dash), f);
      if (!a) error("is not a value from " + std::to_string(f.min) + " to " + std::to_string(f.max));
      lo = *a;
      hi = part.find('/') != std::string::npos ? f.max : lo;
      if (dash != std::string::npos) {
        auto b = value_of(range.substr(dash + 1), f);
        if (!b) error("is not a range of values from " + std::to_string(f.min) + " to " + std::to_string(f.max));
        hi = *b;
      }
      if (hi < lo) error("is a range that ends before it starts");
    }
    for (int v = lo; v <= hi; v += step) out[v] = true;
  }
  return any;
}

int64_t start_of_minute(int64_t t) { return t - ((t % 60) + 60) % 60; }

std::tm utc(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return tm;
}

int64_t from_utc(std::tm tm) { return static_cast<int64_t>(timegm(&tm)); }

}  // namespace

CronExpr CronExpr::parse(const std::string& text, const std::string& where) {
  std::string fail = (where.empty() ? "" : where + ": ") + "schedule `" + text + "`";
  std::string expanded = text;
  if (text == "@hourly") expanded = "0 * * * *";
  if (text == "@daily" || text == "@midnight") expanded = "0 0 * * *";
  if (text == "@weekly") expanded = "0 0 * * 0";
  if (text == "@monthly") expanded = "0 0 1 * *";
  if (text == "@yearly" || text == "@annually") expanded = "0 0 1 1 *";
  std::vector<std::string> fields;
  for (const auto& f : split(expanded, ' '))
    if (!f.empty()) fields.push_back(f);
  if (fields.size() != 5) throw UserError(fail + " has " + std::to_string(fields.size()) + " fields, not 5" + kFormat);

  CronExpr e;
  e.text_ = text;
  std::vector<bool> v;
  parse_field(fields[0], {"minute", 0, 59, nullptr, 0, 0}, v, fail);
  for (int i = 0; i < 60; ++i) e.minute_[i] = v[i];
  parse_field(fields[1], {"hour", 0, 23, nullptr, 0, 0}, v, fail);
  for (int i = 0; i < 24; ++i) e.hour_[i] = v[i];
  e.dom_any_ = parse_field(fields[2], {"day-of-month", 1, 31, nullptr, 0, 0}, v, fail);
  for (int i = 1; i < 32; ++i) e.dom_[i] = v[i];
  parse_field(fields[3], {"month", 1, 12, kMonths, 1, 12}, v, fail);
  for (int i = 1; i < 13; ++i) e.month_[i] = v[i];
  e.dow_any_ = parse_field(fields[4], {"day-of-week", 0, 7, kDays, 0, 7}, v, fail);
  for (int i = 0; i < 8; ++i)
    if (v[i]) e.dow_[i % 7] = true;
  if (!e.next_after(0)) throw UserError(fail + " matches no date (check the day and month)" + kFormat);
  return e;
}

bool CronExpr::day_matches(int mday, int wday) const {
  bool dom = dom_[mday], dow = dow_[wday];
  if (!dom_any_ && !dow_any_) return dom || dow;
  return dom && dow;
}

bool CronExpr::matches(int64_t t) const {
  std::tm tm = utc(t);
  return minute_[tm.tm_min] && hour_[tm.tm_hour] && month_[tm.tm_mon + 1] && day_matches(tm.tm_mday, tm.tm_wday);
}

std::optional<int64_t> CronExpr::next_after(int64_t after) const {
  int64_t t = start_of_minute(after) + 60;
  const int64_t limit = t + int64_t{5} * 366 * 24 * 3600;
  // Skips whole months, days and hours that cannot match, so the loop runs at most a few
  // thousand times even for rare dates.
  while (t < limit) {
    std::tm tm = utc(t);
    if (!month_[tm.tm_mon + 1]) {
      tm.tm_mon += 1, tm.tm_mday = 1, tm.tm_hour = 0, tm.tm_min = 0, tm.tm_sec = 0;
      t = from_utc(tm);
    } else if (!day_matches(tm.tm_mday, tm.tm_wday)) {
      tm.tm_mday += 1, tm.tm_hour = 0, tm.tm_min = 0, tm.tm_sec = 0;
      t = from_utc(tm);
    } else if (!hour_[tm.tm_hour]) {
      t = t - tm.tm_min * 60 + 3600;
    } else if (!minute_[tm.tm_min]) {
      t += 60;
    } else {
      return t;
    }
  }
  return std::nullopt;
}

std::optional<int64_t> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (auto n = parse_int(text, 0, int64_t{1} << 40)) return *n;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    if (j == i || j == text.size()) return std::nullopt;
    auto n = parse_int(text.substr(i, j - i), 0, int64_t{1} << 32);
    if (!n) return std::nullopt;
    int64_t unit = text[j] == 's' ? 1 : text[j] == 'm' ? 60 : text[j] == 'h' ? 3600 : text[j] == 'd' ? 86400 : 0;
    if (!unit) return std::nullopt;
    total += *n * unit;
    i = j + 1;
  }
  return total;
}

int64_t jitter_for(const std::string& key, int64_t jitter_seconds) {
  if (jitter_seconds <= 0) return 0;
  uint64_t h = 14695981039346656037ull;  // FNV-1a: stable across runs and builds
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  return static_cast<int64_t>(h % static_cast<uint64_t>(jitter_seconds));
}

}  // namespace slipway::agent

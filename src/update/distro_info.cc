#include "update/distro_info.h"

#include <cctype>
#include <sstream>

#include "util/split.h"

namespace slipway::update {
namespace {

// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
std::optional<long> day_number(const std::string& date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(date[i]))) return std::nullopt;
  long y = std::stol(date.substr(0, 4)), m = std::stol(date.substr(5, 2)), d = std::stol(date.substr(8, 2));
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

std::optional<long> days_between(const std::string& a, const std::string& b) {
  auto da = day_number(a), db = day_number(b);
  if (!da || !db) return std::nullopt;
  return *db - *da;
}

std::vector<DebianRelease> parse_distro_info(const std::string& csv) {
  std::vector<DebianRelease> out;
  std::istringstream in(csv);
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto f = split(line, ',');
    if (header.empty()) {
      header = f;
      continue;
    }
    DebianRelease r;
    for (size_t i = 0; i < header.size() && i < f.size(); ++i) {
      const std::string& k = header[i];
      if (k == "version")
        r.version = f[i];
      else if (k == "codename")
        r.codename = f[i];
      else if (k == "series")
        r.series = f[i];
      else if (k == "created")
        r.created = f[i];
      else if (k == "release")
        r.release = f[i];
      else if (k == "eol")
        r.eol = f[i];
      else if (k == "eol-lts")
        r.eol_lts = f[i];
      else if (k == "eol-elts")
        r.eol_elts = f[i];
    }
    if (!r.series.empty()) out.push_back(std::move(r));
  }
  return out;
}

std::optional<DebianRelease> find_release(const std::vector<DebianRelease>& releases, const std::string& suite) {
  std::string series = suite.substr(0, suite.find('-'));
  for (const auto& r : releases)
    if (r.series == series) return r;
  return std::nullopt;
}

SupportStatus support_status(const DebianRelease& r, const std::string& today, int warn_days) {
  SupportStatus s;
  std::string name = "Debian " + (r.version.empty() ? "" : r.version + " ") + "(" + r.series + ")";
  if (r.eol.empty()) {
    s.message = name + ": no end-of-life date announced";
    return s;
  }
  auto to_eol = days_between(today, r.eol);
  auto to_lts = r.eol_lts.empty() ? std::nullopt : days_between(today, r.eol_lts);
  if (!to_eol) {
    s.level = "unknown";
    s.message = name + ": unreadable end-of-life date " + r.eol;
    return s;
  }
  if (*to_eol > 0) {  // regular security support
    s.days_left = *to_eol;
    s.support_end = r.eol;
    s.message = name + ": security support until " + r.eol + " (" + std::to_string(*to_eol) + " days)" +
                (r.eol_lts.empty() ? "" : ", LTS until " + r.eol_lts);
    if (*to_eol < warn_days) s.level = "warning";
    return s;
  }
  if (to_lts && *to_lts > 0) {  // only LTS left: fewer packages covered, by another team
    s.days_left = *to_lts;
    s.support_end = r.eol_lts;
    s.level = "warning";
    s.message = name + ": regular security support ended " + r.eol + "; LTS until " + r.eol_lts + " (" +
                std::to_string(*to_lts) + " days; plan the upgrade to the next release)";
    return s;
  }
  s.days_left = 0;
  s.support_end = r.eol_lts.empty() ? r.eol : r.eol_lts;
  s.level = "error";
  s.message = name + ": no longer supported since " + s.support_end + " (upgrade: slipway update --suite NEXT)";
  return s;
}

}  // namespace slipway::update

// Debian's release calendar from distro-info-data (/usr/share/distro-info/debian.csv): when a
// suite's regular security support ends (eol) and when its LTS ends (eol-lts), so `update
// --check` can warn before an image's release runs out of security updates. Pure parsing and
// date arithmetic; reading the file is the caller's.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace slipway::update {

inline constexpr const char* kDebianDistroInfo = "/usr/share/distro-info/debian.csv";

struct DebianRelease {
  std::string version;                                   // "12"
  std::string codename;                                  // "Bookworm"
  std::string series;                                    // "bookworm"
  std::string created, release, eol, eol_lts, eol_elts;  // "YYYY-MM-DD" or ""
};

// The CSV's rows, by its header (columns may be added at the end). Rows with fewer columns
// than the header leave the missing dates "".
std::vector<DebianRelease> parse_distro_info(const std::string& csv);

// The release of a suite name: "bookworm", "bookworm-security", "bookworm-backports" ->
// bookworm's row. nullopt when unknown.
std::optional<DebianRelease> find_release(const std::vector<DebianRelease>& releases, const std::string& suite);

struct SupportStatus {
  // "ok"; "warning": fewer than `warn_days` of regular support left, or regular support over
  // and only LTS left; "error": LTS (or, without LTS, regular support) is over.
  std::string level = "ok";
  std::string message;      // one line for humans
  long days_left = -1;      // until the last support date that applies; -1 when unknown
  std::string support_end;  // that date
};

// The support status of `release` on `today` ("YYYY-MM-DD").
SupportStatus support_status(const DebianRelease& release, const std::string& today, int warn_days = 90);

// Days between two "YYYY-MM-DD" dates (b - a); nullopt when one is not a date.
std::optional<long> days_between(const std::string& a, const std::string& b);

}  // namespace slipway::update

// Debian release support dates from distro-info-data (/usr/share/distro-info/debian.csv), and
// the doctor's verdict on a suite: is it still getting security updates?
#pragma once

#include <string>
#include <vector>

#include "server/finding.h"

namespace slipway::server {

inline constexpr const char* kDebianCsv = "/usr/share/distro-info/debian.csv";

struct DebianRelease {
  std::string version;  // "12"
  std::string series;   // "bookworm"
  std::string release;  // YYYY-MM-DD, "" when not released yet
  std::string eol;      // end of regular security support, "" when not announced
  std::string eol_lts;  // end of Debian LTS, "" when not announced
};

// Parses debian.csv (header "version,codename,series,created,release,eol,eol-lts[,eol-elts]").
// Lines that do not have the columns are skipped; a missing header gives an empty list.
std::vector<DebianRelease> parse_debian_csv(const std::string& text);

// `what` names whose suite it is ("host", "base image debian:bookworm"); `today` is YYYY-MM-DD.
// Past the end of LTS (or of regular support when there is no LTS date) fails; in the LTS
// period, or within 180 days of the end of regular support, warns; else ok.
// ("sid"/"unstable"/"testing" are rolling: ok.)
Finding judge_suite(const std::vector<DebianRelease>& releases, const std::string& series, const std::string& what,
                    const std::string& today);

}  // namespace slipway::server

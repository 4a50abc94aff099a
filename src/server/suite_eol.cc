#include "server/suite_eol.h"

#include <sstream>

namespace slipway::server {
namespace {

long long days(const std::string& date) {
  auto t = parse_utc(date);
  return t ? *t / 86400 : 0;
}

std::string name_of(const DebianRelease& r) { return "Debian " + r.version + " (" + r.series + ")"; }

// The first release after `index` that is out by `today`: what to upgrade to.
std::string successor(const std::vector<DebianRelease>& all, size_t index, const std::string& today) {
  for (size_t i = index + 1; i < all.size(); ++i)
    if (!all[i].release.empty() && all[i].release <= today) return name_of(all[i]);
  return "the next stable release";
}

}  // namespace

std::vector<DebianRelease> parse_debian_csv(const std::string& text) {
  std::vector<DebianRelease> out;
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line.rfind("version,codename,series,created,release,eol", 0) != 0) return out;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cols;
    std::stringstream ls(line);
    std::string col;
    while (std::getline(ls, col, ',')) cols.push_back(col);
    if (cols.size() < 3 || cols[2].empty()) continue;
    cols.resize(8);
    out.push_back({cols[0], cols[2], cols[4], cols[5], cols[6]});
  }
  return out;
}

Finding judge_suite(const std::vector<DebianRelease>& releases, const std::string& series, const std::string& what,
                    const std::string& today) {
  std::string check = "suite " + what;
  if (series == "sid" || series == "unstable" || series == "testing")
    return {check, Verdict::ok, series + " is rolling: it has no end of life", ""};
  size_t i = 0;
  while (i < releases.size() && releases[i].series != series) ++i;
  if (i == releases.size())
    return {check, Verdict::warn, "suite '" + series + "' is not in " + std::string(kDebianCsv),
            "apt-get install distro-info-data (or update it) so its support dates are known"};
  const DebianRelease& r = releases[i];
  std::string next = successor(releases, i, today);
  std::string end = r.eol_lts.empty() ? r.eol : r.eol_lts;
  if (!end.empty() && today >= end)
    return {check, Verdict::fail, name_of(r) + ": security support ended on " + end, "upgrade to " + next};
  if (!r.eol.empty() && today >= r.eol)
    return {check, Verdict::warn,
            name_of(r) + ": regular security support ended on " + r.eol + "; Debian LTS until " + end,
            "upgrade to " + next + " before " + end};
  if (!r.eol.empty() && days(r.eol) - days(today) <= 180)
    return {check, Verdict::warn,
            name_of(r) + ": security support ends on " + r.eol + " (in " + std::to_string(days(r.eol) - days(today)) +
                " days)",
            "plan the upgrade to " + next};
  return {
      check, Verdict::ok,
      name_of(r) + (r.eol.empty() ? ": supported (end of life not announced)" : ": security support until " + r.eol),
      ""};
}

}  // namespace slipway::server

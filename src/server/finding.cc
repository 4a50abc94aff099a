#include "server/finding.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace slipway::server {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::ok:
      return "ok";
    case Verdict::warn:
      return "warn";
    case Verdict::fail:
      return "fail";
  }
  return "?";
}

bool any_failed(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.verdict == Verdict::fail; });
}

std::string render_findings(const std::vector<Finding>& findings) {
  size_t width = 0;
  for (const auto& f : findings) width = std::max(width, f.check.size());
  std::ostringstream out;
  for (const auto& f : findings) {
    std::string name = f.check + std::string(width - f.check.size(), ' ');
    out << verdict_name(f.verdict) << std::string(6 - std::string(verdict_name(f.verdict)).size(), ' ') << name << "  "
        << f.detail;
    if (!f.advice.empty()) out << " -- " << f.advice;
    out << "\n";
  }
  return out.str();
}

nlohmann::json findings_json(const std::vector<Finding>& findings) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& f : findings)
    checks.push_back(
        {{"check", f.check}, {"status", verdict_name(f.verdict)}, {"detail", f.detail}, {"advice", f.advice}});
  return {{"ok", !any_failed(findings)}, {"checks", checks}};
}

std::optional<std::time_t> parse_utc(const std::string& iso) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int n = std::sscanf(iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s);
  if (n != 3 && n != 6) return std::nullopt;
  if (n == 3 && iso.size() != 10) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return timegm(&tm);
}

std::string human_age(long long seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 120) return std::to_string(seconds) + " s";
  if (seconds < 2 * 3600) return std::to_string(seconds / 60) + " min";
  if (seconds < 2 * 86400) return std::to_string(seconds / 3600) + " h";
  return std::to_string(seconds / 86400) + " days";
}

}  // namespace slipway::server

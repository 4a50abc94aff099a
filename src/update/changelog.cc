#include "update/changelog.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "update/debian_version.h"

namespace slipway::update {
namespace {

bool blank(const std::string& line) {
  return std::all_of(line.begin(), line.end(), [](unsigned char c) { return std::isspace(c); });
}

// "package (version) dist1 dist2; urgency=medium" -> entry header fields; false if not one.
bool parse_header(const std::string& line, ChangelogEntry& e) {
  if (line.empty() || std::isspace(static_cast<unsigned char>(line[0]))) return false;
  size_t open = line.find(" (");
  size_t close = line.find(')', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return false;
  e.package = line.substr(0, open);
  if (e.package.find_first_of(" \t") != std::string::npos) return false;
  e.version = line.substr(open + 2, close - open - 2);
  if (!parse_debian_version(e.version)) return false;
  std::string rest = line.substr(close + 1);
  size_t semi = rest.find(';');
  std::string dists = rest.substr(0, semi);
  std::istringstream in(dists);
  std::string d;
  while (in >> d) e.distribution += (e.distribution.empty() ? "" : " ") + d;
  if (semi != std::string::npos) {
    size_t u = rest.find("urgency=", semi);
    if (u != std::string::npos) {
      size_t end = rest.find_first_of(" ,", u + 8);
      e.urgency = rest.substr(u + 8, end == std::string::npos ? std::string::npos : end - u - 8);
    }
  }
  return true;
}

void finish(ChangelogEntry& e) {
  while (!e.body.empty() && (e.body.back() == '\n' || e.body.back() == ' ')) e.body.pop_back();
  while (!e.body.empty() && e.body.front() == '\n') e.body.erase(0, 1);
  e.cves = find_cves(e.body);
}

}  // namespace

std::vector<std::string> find_cves(const std::string& text) {
  std::vector<std::string> out;
  for (size_t i = 0; i + 9 <= text.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != 'C' ||
        std::toupper(static_cast<unsigned char>(text[i + 1])) != 'V' ||
        std::toupper(static_cast<unsigned char>(text[i + 2])) != 'E' || text[i + 3] != '-')
      continue;
    if (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]))) continue;
    size_t j = i + 4, year = 0;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j, ++year;
    if (year != 4 || j >= text.size() || text[j] != '-') continue;
    size_t k = j + 1, digits = 0;
    while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) ++k, ++digits;
    if (digits < 4) continue;
    std::string id = "CVE-" + text.substr(i + 4, k - i - 4);
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    i = k - 1;
  }
  return out;
}

std::vector<ChangelogEntry> parse_changelog(const std::string& text) {
  std::vector<ChangelogEntry> out;
  std::istringstream in(text);
  std::string line;
  bool in_entry = false;
  ChangelogEntry cur;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!in_entry) {
      if (blank(line)) continue;
      ChangelogEntry e;
      if (!parse_header(line, e)) break;  // free-form history or local variables: stop here
      cur = std::move(e);
      in_entry = true;
      continue;
    }
    if (line.rfind(" -- ", 0) == 0) {
      cur.trailer = line.substr(4);
      finish(cur);
      out.push_back(std::move(cur));
      cur = {};
      in_entry = false;
      continue;
    }
    cur.body += line + "\n";
  }
  if (in_entry && !cur.body.empty()) {  // a truncated last entry still tells what changed
    finish(cur);
    out.push_back(std::move(cur));
  }
  return out;
}

std::vector<ChangelogEntry> entries_between(const std::vector<ChangelogEntry>& entries, const std::string& from,
                                            const std::string& to) {
  std::vector<ChangelogEntry> out;
  for (const auto& e : entries) {
    if (!to.empty() && compare_debian_versions(e.version, to) > 0) continue;
    if (!from.empty() && compare_debian_versions(e.version, from) <= 0) continue;
    out.push_back(e);
  }
  return out;
}

}  // namespace slipway::update

#include "update/apt_output.h"

#include <algorithm>
#include <sstream>

#include "util/split.h"

namespace slipway::update {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

template <typename T>
void sort_by_name(std::vector<T>& v) {
  std::sort(v.begin(), v.end(), [](const T& a, const T& b) { return a.name < b.name; });
}

}  // namespace

bool is_security_suite(const std::string& suite) {
  std::string s = suite;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s.find("-security") != std::string::npos || s.find("security:") != std::string::npos ||
         (s.size() > 8 && s.compare(s.size() - 8, 8, "/updates") == 0);
}

std::vector<InstalledPackage> parse_dpkg_query(const std::string& output) {
  std::vector<InstalledPackage> out;
  for (const auto& line : lines_of(output)) {
    auto f = split(line, '\t');
    if (f.size() < 4 || f[0].empty() || f[1].empty() || f[3] != "installed") continue;
    InstalledPackage p;
    p.name = f[0];
    p.version = f[1];
    p.architecture = f[2];
    // dpkg-query prints "name:arch" for foreign architectures only; keep the plain name for
    // the native one in case an older dpkg qualifies it.
    size_t colon = p.name.find(':');
    if (colon != std::string::npos && p.name.substr(colon + 1) == p.architecture) p.name.resize(colon);
    p.source = f.size() > 4 && !f[4].empty() ? f[4] : p.name;
    p.source_version = f.size() > 5 && !f[5].empty() ? f[5] : p.version;
    out.push_back(std::move(p));
  }
  sort_by_name(out);
  return out;
}

std::vector<Upgradable> parse_apt_list_upgradable(const std::string& output) {
  std::vector<Upgradable> out;
  for (const auto& line : lines_of(output)) {
    auto w = words(line);
    size_t slash = w.empty() ? std::string::npos : w[0].find('/');
    if (w.size() < 3 || slash == std::string::npos || slash == 0) continue;  // "Listing...", warnings
    Upgradable u;
    u.name = w[0].substr(0, slash);
    u.suites = split(w[0].substr(slash + 1), ',');
    u.candidate = w[1];
    u.architecture = w[2];
    size_t from = line.find("[upgradable from: ");
    if (from != std::string::npos) {
      size_t start = from + 18, end = line.find(']', start);
      u.current = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
    }
    u.security = std::any_of(u.suites.begin(), u.suites.end(), is_security_suite);
    out.push_back(std::move(u));
  }
  sort_by_name(out);
  return out;
}

std::vector<Upgradable> parse_apt_get_simulate(const std::string& output) {
  std::vector<Upgradable> out;
  for (const auto& line : lines_of(output)) {
    if (line.rfind("Inst ", 0) != 0) continue;
    Upgradable u;
    std::string rest = line.substr(5);
    size_t sp = rest.find(' ');
    u.name = rest.substr(0, sp);
    rest = sp == std::string::npos ? "" : rest.substr(sp + 1);
    if (rest.rfind("[", 0) == 0) {
      size_t close = rest.find(']');
      if (close == std::string::npos) continue;
      u.current = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
    }
    size_t open = rest.find('('), close = rest.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) continue;
    std::string inside = rest.substr(open + 1, close - open - 1);  // "NEW Origin/suite, ... [arch]"
    size_t arch = inside.rfind('[');
    if (arch != std::string::npos) {
      size_t end = inside.find(']', arch);
      u.architecture = inside.substr(arch + 1, end == std::string::npos ? std::string::npos : end - arch - 1);
      inside.resize(arch);
    }
    auto w = words(inside);
    if (w.empty()) continue;
    u.candidate = w[0];
    std::string origins = inside.substr(inside.find(w[0]) + w[0].size());
    for (auto o : split(origins, ',')) {
      auto ow = words(o);
      if (ow.empty()) continue;
      size_t slash = ow[0].rfind('/');
      u.suites.push_back(slash == std::string::npos ? ow[0] : ow[0].substr(slash + 1));
      if (is_security_suite(ow[0])) u.security = true;
    }
    out.push_back(std::move(u));
  }
  sort_by_name(out);
  return out;
}

}  // namespace slipway::update

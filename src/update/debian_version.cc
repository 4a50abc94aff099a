#include "update/debian_version.h"

#include <cctype>

namespace slipway::update {
namespace {

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// dpkg's order of a single non-digit character: '~' lowest (below the end of the string, 0),
// letters by ASCII, everything else after letters.
int order(int c) {
  if (std::isdigit(c)) return 0;
  if (std::isalpha(c)) return c;
  if (c == '~') return -1;
  if (c) return c + 256;
  return 0;
}

// dpkg's verrevcmp: alternate non-digit runs (compared by `order`) and digit runs (compared as
// numbers, leading zeros ignored, no overflow since we compare by length first).
int verrevcmp(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  auto at = [](const std::string& s, size_t k) -> int { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0; };
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !std::isdigit(at(a, i))) || (j < b.size() && !std::isdigit(at(b, j)))) {
      int ac = order(at(a, i)), bc = order(at(b, j));
      if (ac != bc) return ac - bc;
      ++i;
      ++j;
    }
    while (at(a, i) == '0') ++i;
    while (at(b, j) == '0') ++j;
    while (std::isdigit(at(a, i)) && std::isdigit(at(b, j))) {
      if (!first_diff) first_diff = at(a, i) - at(b, j);
      ++i;
      ++j;
    }
    if (std::isdigit(at(a, i))) return 1;
    if (std::isdigit(at(b, j))) return -1;
    if (first_diff) return first_diff;
  }
  return 0;
}

}  // namespace

std::optional<DebianVersion> parse_debian_version(const std::string& text) {
  std::string s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (std::isspace(static_cast<unsigned char>(c))) return std::nullopt;
  DebianVersion v;
  size_t colon = s.find(':');
  if (colon != std::string::npos) {
    std::string e = s.substr(0, colon);
    if (!all_digits(e) || e.size() > 9) return std::nullopt;
    v.epoch = std::stoul(e);
    s = s.substr(colon + 1);
  }
  size_t dash = s.rfind('-');
  if (dash != std::string::npos) {
    v.revision = s.substr(dash + 1);
    s = s.substr(0, dash);
    if (v.revision.empty()) return std::nullopt;
  }
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string(".+-~:").find(c) == std::string::npos)
      return std::nullopt;
  v.upstream = s;
  return v;
}

int compare_debian_versions(const std::string& a, const std::string& b) {
  auto va = parse_debian_version(a), vb = parse_debian_version(b);
  if (!va || !vb) {
    if (va) return -1;
    if (vb) return 1;
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
  }
  if (va->epoch != vb->epoch) return va->epoch < vb->epoch ? -1 : 1;
  int r = verrevcmp(va->upstream, vb->upstream);
  if (r == 0) r = verrevcmp(va->revision, vb->revision);
  return r < 0 ? -1 : (r > 0 ? 1 : 0);
}

std::string upstream_major(const std::string& version) {
  auto v = parse_debian_version(version);
  if (!v) return "";
  size_t end = 0;
  while (end < v->upstream.size() && std::isdigit(static_cast<unsigned char>(v->upstream[end]))) ++end;
  return v->upstream.substr(0, end);
}

}  // namespace slipway::update

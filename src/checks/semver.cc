#include "checks/semver.h"

#include <sstream>

#include "util/split.h"
#include "util/parse.h"

namespace slipway::checks {
namespace {

bool parse_number(const std::string& s, unsigned long long* out) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  if (s.size() > 1 && s[0] == '0') return false;  // semver forbids leading zeros
  auto n = parse_uint(s);
  if (!n) return false;
  *out = *n;
  return true;
}

bool numeric(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

}  // namespace

std::optional<SemVersion> SemVersion::parse(const std::string& text) {
  std::string s = text;
  auto plus = s.find('+');
  if (plus != std::string::npos) {
    std::string build = s.substr(plus + 1);
    if (build.empty()) return std::nullopt;
    s = s.substr(0, plus);
  }
  SemVersion v;
  auto dash = s.find('-');
  if (dash != std::string::npos) {
    std::string pre = s.substr(dash + 1);
    s = s.substr(0, dash);
    for (auto& id : split(pre, '.')) {
      if (id.empty()) return std::nullopt;
      if (numeric(id) && id.size() > 1 && id[0] == '0') return std::nullopt;
      v.pre.push_back(id);
    }
  }
  auto parts = split(s, '.');
  if (parts.size() != 3) return std::nullopt;
  if (!parse_number(parts[0], &v.major) || !parse_number(parts[1], &v.minor) || !parse_number(parts[2], &v.patch))
    return std::nullopt;
  return v;
}

int SemVersion::compare(const SemVersion& o) const {
  if (major != o.major) return major < o.major ? -1 : 1;
  if (minor != o.minor) return minor < o.minor ? -1 : 1;
  if (patch != o.patch) return patch < o.patch ? -1 : 1;
  if (pre.empty() && o.pre.empty()) return 0;
  if (pre.empty()) return 1;  // a release outranks its prereleases
  if (o.pre.empty()) return -1;
  for (size_t i = 0; i < pre.size() && i < o.pre.size(); ++i) {
    const auto &a = pre[i], &b = o.pre[i];
    bool an = numeric(a), bn = numeric(b);
    if (an && bn) {
      if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
      if (a != b) return a < b ? -1 : 1;
    } else if (an != bn) {
      return an ? -1 : 1;
    } else if (a != b) {
      return a < b ? -1 : 1;
    }
  }
  if (pre.size() == o.pre.size()) return 0;
  return pre.size() < o.pre.size() ? -1 : 1;
}

std::optional<SemRange> SemRange::parse(const std::string& text) {
  SemRange r;
  // "||" separates alternatives; split on the literal token.
  size_t start = 0;
  while (true) {
    auto p = text.find("||", start);
    std::vector<Cmp> all;
    if (!parse_alternative(text.substr(start, p == std::string::npos ? std::string::npos : p - start), &all))
      return std::nullopt;
    r.any_of_.push_back(std::move(all));
    if (p == std::string::npos) break;
    start = p + 2;
  }
  return r;
}

bool SemRange::parse_alternative(const std::string& alt, std::vector<Cmp>* all) {
  std::istringstream in(alt);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  // blang allows "> 1.0.0" (an operator separated from its version by spaces).
  std::vector<std::string> terms;
  for (size_t i = 0; i < words.size(); ++i) {
    const auto& w = words[i];
    if (w.find_first_not_of("<>=!") == std::string::npos && i + 1 < words.size()) {
      terms.push_back(w + words[i + 1]);
      ++i;
    } else {
      terms.push_back(w);
    }
  }
  if (terms.empty()) return false;
  for (const auto& t : terms)
    if (!add_comparison(t, all)) return false;
  return true;
}

bool SemRange::add_comparison(const std::string& t, std::vector<Cmp>* all) {
  size_t n = t.find_first_not_of("<>=!");
  if (n == std::string::npos) return false;
  std::string op = t.substr(0, n), ver = t.substr(n);
  Cmp::Op o;
  if (op.empty() || op == "=" || op == "==")
    o = Cmp::EQ;
  else if (op == "!=" || op == "!")
    o = Cmp::NE;
  else if (op == ">")
    o = Cmp::GT;
  else if (op == ">=")
    o = Cmp::GE;
  else if (op == "<")
    o = Cmp::LT;
  else if (op == "<=")
    o = Cmp::LE;
  else
    return false;
  // Wildcards: "1.x", "1.2.x", "1.*".
  auto parts = split(ver, '.');
  for (size_t i = 0; i < parts.size(); ++i)
    if (parts[i] == "x" || parts[i] == "X" || parts[i] == "*") return add_wildcard(o, parts, static_cast<int>(i), all);
  auto v = SemVersion::parse(ver);
  if (!v) return false;
  all->push_back({o, *v});
  return true;
}

bool SemRange::add_wildcard(Cmp::Op o, const std::vector<std::string>& parts, int wild, std::vector<Cmp>* all) {
  if (wild == 0 || parts.size() > 3) return false;
  SemVersion lo;
  unsigned long long a = 0, b = 0;
  if (!parse_number(parts[0], &a)) return false;
  if (wild == 2 && !parse_number(parts[1], &b)) return false;
  lo.major = a;
  lo.minor = wild == 2 ? b : 0;
  SemVersion hi = lo;
  if (wild == 1) {
    hi.major++;
    hi.minor = 0;
  } else {
    hi.minor++;
  }
  switch (o) {
    case Cmp::EQ:
      all->push_back({Cmp::GE, lo});
      all->push_back({Cmp::LT, hi});
      break;
    case Cmp::NE:
      return false;  // blang rejects "!=1.x"
    case Cmp::GT:
      all->push_back({Cmp::GE, hi});
      break;
    case Cmp::GE:
      all->push_back({Cmp::GE, lo});
      break;
    case Cmp::LT:
      all->push_back({Cmp::LT, lo});
      break;
    case Cmp::LE:
      all->push_back({Cmp::LT, hi});
      break;
  }
  return true;
}

bool SemRange::contains(const SemVersion& v) const {
  for (const auto& all : any_of_) {
    bool ok = true;
    for (const auto& c : all) {
      int k = v.compare(c.v);
      bool hold = false;
      switch (c.op) {
        case Cmp::EQ:
          hold = k == 0;
          break;
        case Cmp::NE:
          hold = k != 0;
          break;
        case Cmp::GT:
          hold = k > 0;
          break;
        case Cmp::GE:
          hold = k >= 0;
          break;
        case Cmp::LT:
          hold = k < 0;
          break;
        case Cmp::LE:
          hold = k <= 0;
          break;
      }
      if (!hold) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

}  // namespace slipway::checks

// Semantic versions and ranges as goss's semver-constraint matcher reads them
// (github.com/blang/semver): versions are strict MAJOR.MINOR.PATCH[-PRE][+BUILD]; a range is
// comparisons (">1.0.0", "<=2.1.0", "!=1.5.0", "=1.2.3", "1.2.3") joined by spaces (all must
// hold) and "||" (either side). A "1.x"/"1.2.x" wildcard widens a comparison as blang does.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace slipway::checks {

struct SemVersion {
  unsigned long long major = 0, minor = 0, patch = 0;
  std::vector<std::string> pre;  // dot-separated prerelease identifiers

  static std::optional<SemVersion> parse(const std::string& text);
  // <0, 0, >0 by semver precedence (build metadata ignored).
  int compare(const SemVersion& other) const;
};

class SemRange {
 public:
  // nullopt when `text` is not a valid range.
  static std::optional<SemRange> parse(const std::string& text);
  bool contains(const SemVersion& v) const;

 private:
  struct Cmp {
    enum Op { EQ, NE, GT, GE, LT, LE } op;
    SemVersion v;
  };
  // One "||" alternative: comparisons that must all hold; false when it is not valid.
  static bool parse_alternative(const std::string& alt, std::vector<Cmp>* all);
  // One comparison ("<=1.2.3", "1.x"): adds what it means to `all`; false when not valid.
  static bool add_comparison(const std::string& term, std::vector<Cmp>* all);
  // A wildcard comparison ("1.x", ">=1.2.x") as the plain comparisons blang makes of it.
  static bool add_wildcard(Cmp::Op op, const std::vector<std::string>& parts, int wild, std::vector<Cmp>* all);

  std::vector<std::vector<Cmp>> any_of_;  // OR of ANDs
};

}  // namespace slipway::checks

// Matchers of single values: equal, the string matchers, have-len, numeric comparisons,
// semver-constraint.
#include "checks/go_regex.h"
#include "checks/matcher_kinds.h"
#include "checks/semver.h"

namespace slipway::checks {
namespace {

class EqualMatcher : public Matcher {
 public:
  explicit EqualMatcher(json expected) : expected_(std::move(expected)) {}
  Outcome match(const Value& actual) override {
    if (actual.v.is_null() && expected_.is_null())
      return {false, "Refusing to compare <nil> to <nil>.\nBe explicit and use BeNil() instead."};
    if (actual.strings) return {false, std::nullopt};  // []string never DeepEquals YAML data
    return {deep_equal(actual.v, expected_), std::nullopt};
  }
  MatchResult failure(const Value& a) const override { return simple_result(a, "to equal", expected_); }
  MatchResult negated_failure(const Value& a) const override { return simple_result(a, "not to equal", expected_); }
  json to_json() const override { return expected_; }

 private:
  json expected_;
};

class StringMatcher : public Matcher {
 public:
  StringMatcher(StringTest test, std::string arg) : test_(test), arg_(std::move(arg)) {}
  Outcome match(const Value& actual) override {
    if (!actual.v.is_string())
      return {false, std::string(verb()) + " matcher requires a string.  Got:\n" + describe(actual)};
    const std::string& s = actual.v.get_ref<const std::string&>();
    switch (test_) {
      case StringTest::prefix:
        return {s.compare(0, arg_.size(), arg_) == 0 && s.size() >= arg_.size(), std::nullopt};
      case StringTest::suffix:
        return {s.size() >= arg_.size() && s.compare(s.size() - arg_.size(), arg_.size(), arg_) == 0, std::nullopt};
      case StringTest::substring:
        return {s.find(arg_) != std::string::npos, std::nullopt};
      case StringTest::regexp:
        return match_regexp(s);
    }
    return {};
  }
  MatchResult failure(const Value& a) const override { return simple_result(a, std::string("to ") + message(), arg_); }
  MatchResult negated_failure(const Value& a) const override {
    return simple_result(a, std::string("not to ") + message(), arg_);
  }
  json to_json() const override { return {{verb(), arg_}}; }

 private:
  Outcome match_regexp(const std::string& s) const {
    std::regex re;
    try {
      re = go_regex(arg_);
    } catch (const std::regex_error& e) {
      return {false, "RegExp match failed to compile with error:\n\t" + std::string(e.what())};
    }
    Outcome o;
    o.ok = regex_search_safe(s, re, &o.error);
    return o;
  }
  const char* verb() const {
    switch (test_) {
      case StringTest::prefix:
        return "have-prefix";
      case StringTest::suffix:
        return "have-suffix";
      case StringTest::regexp:
        return "match-regexp";
      case StringTest::substring:
        return "contain-substring";
    }
    return "";
  }
  const char* message() const {
    switch (test_) {
      case StringTest::prefix:
        return "have prefix";
      case StringTest::suffix:
        return "have suffix";
      case StringTest::regexp:
        return "match regular expression";
      case StringTest::substring:
        return "contain substring";
    }
    return "";
  }
  StringTest test_;
  std::string arg_;
};

class HaveLenMatcher : public Matcher {
 public:
  explicit HaveLenMatcher(long long n) : n_(n) {}
  Outcome match(const Value& a) override {
    long long len;
    if (a.v.is_string())
      len = static_cast<long long>(a.v.get_ref<const std::string&>().size());
    else if (a.v.is_array() || a.v.is_object())
      len = static_cast<long long>(a.v.size());
    else
      return {false, "HaveLen matcher expects a string/array/map/channel/slice.  Got:\n" + describe(a)};
    return {len == n_, std::nullopt};
  }
  MatchResult failure(const Value& a) const override { return simple_result(a, "to have length", n_); }
  MatchResult negated_failure(const Value& a) const override { return simple_result(a, "not to have length", n_); }
  json to_json() const override { return {{"have-len", n_}}; }

 private:
  long long n_;
};

std::optional<double> number_of(const json& j) {
  if (j.is_number()) return j.get<double>();
  return std::nullopt;
}

class NumericMatcher : public Matcher {
 public:
  NumericMatcher(std::string cmp, json to) : cmp_(std::move(cmp)), to_(std::move(to)) {}
  Outcome match(const Value& a) override {
    auto x = number_of(a.v);
    if (!x) return {false, "Expected a number.  Got:\n" + describe(a)};
    auto y = number_of(to_);
    if (!y) return {false, "Expected a number.  Got:\n" + describe(Value(to_))};
    bool ok = false;
    if (cmp_ == "eq")
      ok = *x == *y;
    else if (cmp_ == "gt")
      ok = *x > *y;
    else if (cmp_ == "ge")
      ok = *x >= *y;
    else if (cmp_ == "lt")
      ok = *x < *y;
    else if (cmp_ == "le")
      ok = *x <= *y;
    return {ok, std::nullopt};
  }
  MatchResult failure(const Value& a) const override { return simple_result(a, "to be numerically " + cmp_, to_); }
  MatchResult negated_failure(const Value& a) const override {
    return simple_result(a, "not to be numerically " + cmp_, to_);
  }
  json to_json() const override { return cmp_ == "eq" ? to_ : json{{cmp_, to_}}; }

 private:
  std::string cmp_;
  json to_;
};

class SemverMatcher : public Matcher {
 public:
  explicit SemverMatcher(std::string c) : c_(std::move(c)) {}
  Outcome match(const Value& a) override {
    auto range = SemRange::parse(c_);
    if (!range) return {false, "Expected a valid semver constraint.  Got:\n" + json_text(c_)};
    auto versions = versions_of(a);
    if (!versions) return {false, "Expected a single or list of semver valid version(s).  Got:\n" + describe(a)};
    for (const auto& v : *versions)
      if (!range->contains(v)) return {false, std::nullopt};
    return {true, std::nullopt};
  }
  MatchResult failure(const Value& a) const override { return simple_result(a, "to satisfy semver constraint", c_); }
  MatchResult negated_failure(const Value& a) const override {
    return simple_result(a, "not to satisfy semver constraint", c_);
  }
  json to_json() const override { return {{"semver-constraint", c_}}; }

 private:
  // A version string or a non-empty list of them; nullopt when anything is not a version.
  static std::optional<std::vector<SemVersion>> versions_of(const Value& a) {
    std::vector<SemVersion> out;
    if (!a.v.is_string() && !a.v.is_array()) return std::nullopt;
    for (const auto& e : a.v.is_string() ? json::array({a.v}) : a.v) {
      if (!e.is_string()) return std::nullopt;
      auto v = SemVersion::parse(e.get<std::string>());
      if (!v) return std::nullopt;
      out.push_back(*v);
    }
    if (out.empty()) return std::nullopt;
    return out;
  }
  std::string c_;
};

}  // namespace

MatcherPtr equal_matcher(json expected) { return std::make_unique<EqualMatcher>(std::move(expected)); }
MatcherPtr string_matcher(StringTest test, std::string arg) {
  return std::make_unique<StringMatcher>(test, std::move(arg));
}
MatcherPtr have_len_matcher(long long length) { return std::make_unique<HaveLenMatcher>(length); }
MatcherPtr numeric_matcher(std::string comparison, json to) {
  return std::make_unique<NumericMatcher>(std::move(comparison), std::move(to));
}
MatcherPtr semver_matcher(std::string constraint) { return std::make_unique<SemverMatcher>(std::move(constraint)); }

}  // namespace slipway::checks

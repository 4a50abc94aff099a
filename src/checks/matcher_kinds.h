// The matchers behind compile() (matcher.h), one factory per goss matcher, each with goss's
// (gomega's) semantics and messages. Internal to the matcher files of src/checks.
#pragma once

#include <string>
#include <vector>

#include "checks/matcher.h"

namespace slipway::checks {

// The MatchResult most matchers report: the actual value, a message, the expectation.
MatchResult simple_result(const Value& actual, std::string message, json expected);

// ---- scalars (matchers_scalar.cc)

// equal: reflect.DeepEqual with the expectation (never true for a goss []string).
MatcherPtr equal_matcher(json expected);

enum class StringTest { prefix, suffix, regexp, substring };
// have-prefix, have-suffix, match-regexp, contain-substring; the actual must be a string.
MatcherPtr string_matcher(StringTest test, std::string arg);

// have-len: the length of a string, list or map.
MatcherPtr have_len_matcher(long long length);

// Numeric comparison "eq", "gt", "ge", "lt" or "le" with `to`; both sides must be numbers.
MatcherPtr numeric_matcher(std::string comparison, json to);

// semver-constraint: one version or a list, every one within the constraint.
MatcherPtr semver_matcher(std::string constraint);

// ---- transforms (matcher_transform.cc)

// goss's WithSafeTransform: converts the actual value before the inner matcher sees it, and
// reports the chain of conversions on failure.
enum class Transform { to_string, to_numeric, to_array, gjson };
MatcherPtr transform(Transform t, MatcherPtr inner, std::string gjson_path = {});

// ---- collections and logic (matchers_collection.cc)

MatcherPtr have_key_matcher(MatcherPtr key);
MatcherPtr contain_element_matcher(MatcherPtr element);
// contain-elements (`consist_of` false) and consist-of: a largest matching between the
// matchers and the elements, as gomega computes it.
MatcherPtr elements_matcher(std::vector<MatcherPtr> matchers, bool consist_of);
MatcherPtr not_matcher(MatcherPtr inner);
MatcherPtr and_matcher(std::vector<MatcherPtr> matchers);
MatcherPtr or_matcher(std::vector<MatcherPtr> matchers);

// have-patterns: matcher.h's have_patterns() (have_patterns.cc).

}  // namespace slipway::checks

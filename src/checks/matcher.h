// goss's matcher language (https://goss.rocks, "matchers"), with goss's exact semantics.
//
// A gossfile expectation is a YAML value; compile() turns it into a Matcher tree the same way
// goss does:
//   "text"            -> to-string, equal              (string)
//   42, 4.2           -> to-numeric, numerically eq    (number)
//   true              -> equal                         (bool)
//   [a, b, ...]       -> contain-elements (each item compiled as a matcher; no to-array)
//   {MATCHER: arg}    -> exactly one named matcher: equal, have-prefix, have-suffix,
//                        match-regexp, contain-substring, have-len, have-patterns, have-key,
//                        contain-element, contain-elements, not, consist-of, and, or,
//                        gt/ge/lt/le, semver-constraint, gjson.
// String matchers convert the actual value with to-string first (Go's %v); gt/ge/lt/le with
// to-numeric; contain-element(s) with to-array (a string becomes its lines).
//
// Values and Go's view of them (go_format, deep_equal...): go_value.h.
//
// A match either succeeds, fails, or errors (goss: "Err"): an error is a failed check whose
// message says why the expectation could not be evaluated (e.g. "Expected numeric, Got: ...").
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/go_value.h"

namespace slipway::checks {

// goss's MatcherResult: what a failure report shows.
struct MatchResult {
  json actual;          // the value the failing matcher saw
  std::string message;  // "to equal", "not to contain elements matching"...
  json expected;        // the failing matcher's expectation
  json missing;         // contain-elements / consist-of / have-patterns
  json found;
  std::vector<std::string> transforms;  // e.g. {"to-numeric"}: how `actual` was derived
  json untransformed;                   // the value before the transforms (when any)

  // goss's text: "Expected\n    <actual>\n<message>\n    <expected>" (+ missing elements).
  std::string human() const;
  json to_json() const;
};

struct Outcome {
  bool ok = false;
  std::optional<std::string> error;  // evaluation error: the check fails with this message
};

class Matcher {
 public:
  virtual ~Matcher() = default;
  // Matchers keep state from their last match (goss does the same) so that failure() can
  // say which part failed; compile a fresh tree per evaluation when running concurrently.
  virtual Outcome match(const Value& actual) = 0;
  virtual MatchResult failure(const Value& actual) const = 0;
  virtual MatchResult negated_failure(const Value& actual) const = 0;
  // The expectation as goss prints it (its MarshalJSON).
  virtual json to_json() const = 0;
};

using MatcherPtr = std::unique_ptr<Matcher>;

// Compiles an expectation. Throws MatcherSyntaxError for what goss calls a "Syntax Error"
// (unknown matcher, several matchers at one level, wrong argument type).
MatcherPtr compile(const json& expectation);

class MatcherSyntaxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// goss's have-patterns: line patterns over text. "foo" = some line contains foo, "!foo" = no
// line contains it, "/re/" = some line matches, "!/re/" = none does.
MatcherPtr have_patterns(const json& patterns);

// The result of checking one property: goss's ValidateValue.
struct PropertyResult {
  bool ok = false;
  std::optional<std::string> error;
  MatchResult detail;  // on failure (and actual/expected on success)
};

// Evaluates `expectation` against `actual` as goss's ValidateValue does. When `actual` is
// text read from a stream (file contents, command output, http body: `is_reader`) and the
// expectation is a list, the list is a set of line patterns (have-patterns); otherwise the
// text is matched as one string.
PropertyResult validate(const json& expectation, const Value& actual, bool is_reader = false);

}  // namespace slipway::checks

// The outcome of running checks, and the one place goss's per-resource validation rules live:
// properties are checked in goss's order; when the first ("gate") property of a resource
// fails, errors, or finds the resource absent (exists/installed/running/... is false), the
// remaining properties are skipped, as goss does; `skip: true` skips everything.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checks/matcher.h"
#include "checks/spec.h"

namespace slipway::checks {

enum class Status { Pass, Fail, Skip };
const char* status_name(Status s);  // "pass", "fail", "skip"

struct PropertyOutcome {
  std::string property;
  Status status = Status::Skip;
  std::optional<std::string> error;  // evaluation error (the property failed because of it)
  std::string skip_reason;
  MatchResult detail;
};

struct CheckResult {
  Check check;
  std::vector<PropertyOutcome> properties;
  std::chrono::milliseconds duration{0};
  int attempts = 1;
  std::string logs_tail;  // last lines of the service's logs, filled for failures

  Status status() const;  // fail if any property failed, pass if any passed, else skip
  // "file: /etc/passwd: mode" style name of one property.
  std::string name(const PropertyOutcome& p) const;
};

// What a runner found for one property: the value, whether it is streamed text (file
// contents, command output, http body), or why it could not be found.
struct Fetched {
  Value value;
  bool reader = false;
  std::optional<std::string> error;
  std::optional<std::string> skip;  // property cannot be evaluated here (reason)

  static Fetched of(Value v) { return Fetched{std::move(v), false, std::nullopt, std::nullopt}; }
  static Fetched text(std::string s) { return Fetched{Value(json(std::move(s))), true, std::nullopt, std::nullopt}; }
  static Fetched failed(std::string why) { return Fetched{Value(), false, std::move(why), std::nullopt}; }
  static Fetched skipped(std::string why) { return Fetched{Value(), false, std::nullopt, std::move(why)}; }
};

// Evaluates every property of `check` against what `fetch(property)` returns, applying goss's
// gate and skip rules. `fetch` is called only for properties that are evaluated.
CheckResult evaluate(const Check& check, const std::function<Fetched(const std::string& property)>& fetch);

// A result in which every property is skipped with `reason`.
CheckResult skipped(const Check& check, const std::string& reason);
// A result in which every property fails with `error` (e.g. the container is not running).
CheckResult failed(const Check& check, const std::string& error);

// Runs a `matching` check (no container involved).
CheckResult run_matching(const Check& check);

}  // namespace slipway::checks

#include "checks/result.h"

namespace slipway::checks {

const char* status_name(Status s) {
  switch (s) {
    case Status::Pass:
      return "pass";
    case Status::Fail:
      return "fail";
    case Status::Skip:
      return "skip";
  }
  return "?";
}

Status CheckResult::status() const {
  bool any_pass = false;
  for (const auto& p : properties) {
    if (p.status == Status::Fail) return Status::Fail;
    if (p.status == Status::Pass) any_pass = true;
  }
  return any_pass ? Status::Pass : Status::Skip;
}

std::string CheckResult::name(const PropertyOutcome& p) const {
  std::string s = check.type + ": " + check.id;
  if (!p.property.empty()) s += ": " + p.property;
  return s;
}

namespace {

// goss skips the rest of a resource when its first property says the resource is absent.
bool closes_gate(const PropertyOutcome& first, const Fetched& f) {
  if (first.status != Status::Pass) return true;
  if (f.value.v.is_boolean() && !f.value.v.get<bool>()) return true;
  return false;
}

}  // namespace

CheckResult evaluate(const Check& check, const std::function<Fetched(const std::string&)>& fetch) {
  CheckResult r;
  r.check = check;
  auto start = std::chrono::steady_clock::now();
  if (auto err = check.param("x-load-error"); err.is_string()) {
    PropertyOutcome p;
    p.status = Status::Fail;
    p.error = err.get<std::string>();
    r.properties.push_back(std::move(p));
    return r;
  }
  bool skip_rest = check.skip;
  std::string reason = check.skip ? (check.skip_reason.empty() ? "skip: true" : check.skip_reason) : "";
  for (size_t i = 0; i < check.properties.size(); ++i) {
    const std::string& name = check.properties[i];
    PropertyOutcome p;
    p.property = name;
    if (skip_rest) {
      p.status = Status::Skip;
      p.skip_reason = reason;
      r.properties.push_back(std::move(p));
      continue;
    }
    Fetched f;
    try {
      f = fetch(name);
    } catch (const std::exception& e) {
      f = Fetched::failed(e.what());
    }
    if (f.skip) {
      p.status = Status::Skip;
      p.skip_reason = *f.skip;
    } else if (f.error) {
      p.status = Status::Fail;
      p.error = f.error;
    } else {
      PropertyResult pr = validate(check.attrs[name], f.value, f.reader);
      p.status = pr.ok ? Status::Pass : Status::Fail;
      p.error = pr.error;
      p.detail = std::move(pr.detail);
    }
    // The first property gates the rest only for types whose first property is existence.
    const auto& rt = check.resource();
    bool gate = i == 0 && !rt.properties.empty() && name == rt.properties[0] && check.type != "matching" &&
                check.type != "command" && check.type != "kernel-param";
    if (gate && closes_gate(p, f)) {
      skip_rest = true;
      reason = p.status == Status::Pass ? name + " is false" : name + " failed";
    }
    r.properties.push_back(std::move(p));
  }
  if (r.properties.empty()) {
    PropertyOutcome p;
    p.status = check.skip ? Status::Skip : Status::Pass;
    p.skip_reason = reason;
    r.properties.push_back(std::move(p));
  }
  r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return r;
}

namespace {

// Every property (or the check itself when it lists none) gets the same verdict.
CheckResult uniform(const Check& check, Status status, const std::string& text) {
  auto outcome = [&](const std::string* name) {
    PropertyOutcome p;
    if (name) p.property = *name;
    p.status = status;
    if (status == Status::Skip)
      p.skip_reason = text;
    else
      p.error = text;
    return p;
  };
  CheckResult r;
  r.check = check;
  for (const auto& name : check.properties) r.properties.push_back(outcome(&name));
  if (r.properties.empty()) r.properties.push_back(outcome(nullptr));
  return r;
}

}  // namespace

CheckResult skipped(const Check& check, const std::string& reason) { return uniform(check, Status::Skip, reason); }

CheckResult failed(const Check& check, const std::string& error) { return uniform(check, Status::Fail, error); }

CheckResult run_matching(const Check& check) {
  return evaluate(check, [&](const std::string&) {
    json content = check.param("content");
    json as_reader = check.param("as-reader", false);
    if (as_reader.is_boolean() && as_reader.get<bool>()) {
      // goss hands the content to the matchers as a stream of its text.
      return Fetched::text(content.is_string() ? content.get<std::string>() : go_format(content));
    }
    return Fetched::of(Value(content));
  });
}

}  // namespace slipway::checks

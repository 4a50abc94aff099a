// A doctor finding: one line of `slipway doctor`, a verdict with what was seen and what to do.
// The evaluation functions that produce findings are pure (facts in, finding out), so every
// threshold is unit-tested without a server; the probes that gather facts are thin (probes.h).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slipway::server {

enum class Verdict { ok, warn, fail };

const char* verdict_name(Verdict v);

struct Finding {
  std::string check;  // short name: engine, disk, clock, upgrades, backup, drill, suite, certificate
  Verdict verdict = Verdict::ok;
  std::string detail;  // what was seen, one line
  std::string advice;  // what to do (empty when ok)
};

// True when any finding fails (doctor then exits 1).
bool any_failed(const std::vector<Finding>& findings);

// One finding per line: "ok    engine       Docker 20.10.24 ..." with the advice after a dash.
std::string render_findings(const std::vector<Finding>& findings);
// {"ok": bool, "checks": [{"check", "status", "detail", "advice"}]}
nlohmann::json findings_json(const std::vector<Finding>& findings);

// "2026-11-24T23:15:00Z" (or "2026-11-24") -> seconds since the epoch; nullopt when malformed.
std::optional<std::time_t> parse_utc(const std::string& iso);
// "3 h", "2 days": a coarse human duration.
std::string human_age(long long seconds);

}  // namespace slipway::server

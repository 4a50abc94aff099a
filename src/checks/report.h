// Reporters for `slipway test`: human (live progress + goss-style failure details with the
// service's last log lines), TAP, JUnit XML, JSON. Like goss, every property of a resource is
// one test ("File: /etc/passwd: mode").
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "checks/result.h"

namespace slipway::checks {

enum class Format { Human, Tap, Junit, Json };

// "human", "tap", "junit" or "json"; throws UserError naming the choices otherwise.
Format parse_format(const std::string& name);

struct Report {
  std::string suite = "slipway";  // e.g. the project name
  std::vector<CheckResult> results;
  std::chrono::milliseconds duration{0};
};

struct Summary {
  int tests = 0, failed = 0, skipped = 0;
  bool ok() const { return failed == 0; }
};
Summary summarize(const Report& report);

// goss's name for a resource type in output: "File", "HTTP", "KernelParam"...
std::string display_type(const std::string& type);

// One line for live progress as a check finishes ("PASS  web  File: /etc/passwd  (3 props, 12ms)").
std::string human_progress(const CheckResult& result, bool color);
// The end of a human run: failures and skips with details, then the counts.
std::string report_human(const Report& report, bool color);
std::string report_tap(const Report& report);
std::string report_junit(const Report& report);
std::string report_json(const Report& report);
// Dispatches on `format` (human without progress lines: those are printed live).
std::string render(const Report& report, Format format, bool color = false);

}  // namespace slipway::checks

#include "checks/report.h"

#include <gtest/gtest.h>

#include "checks/spec.h"

namespace slipway::checks {
namespace {

Report sample() {
  Suite s = load_gossfile_text(
      "matching:\n"
      "  ok: {content: 1, matches: 1}\n"
      "  bad: {title: 'A <title>', content: abc, matches: abd}\n"
      "  gone: {content: 1, matches: 1, skip: true}\n"
      "service:\n"
      "  sshd: {running: true}\n",
      "r.yaml");
  Report r;
  r.suite = "demo";
  for (const auto& c : s.checks) {
    CheckResult cr = c.type == "matching" ? run_matching(c) : skipped(c, c.skip_reason);
    if (c.id == "bad") cr.logs_tail = "line1\nline2 <b>\n";
    if (c.id == "bad") cr.check.service = "web";
    r.results.push_back(cr);
  }
  r.duration = std::chrono::milliseconds(1234);
  return r;
}

TEST(Report, Summary) {
  Summary s = summarize(sample());
  EXPECT_EQ(s.tests, 4);  // 3 matching + the service's one property
  EXPECT_EQ(s.failed, 1);
}

TEST(Report, Human) {
  std::string h = report_human(sample(), false);
  EXPECT_NE(h.find("Failures/Skipped:"), std::string::npos) << h;
  EXPECT_NE(h.find("Title: A <title>\n"), std::string::npos) << h;
  EXPECT_NE(h.find("Matching: bad: matches:\nExpected\n    \"abc\"\nto equal\n    \"abd\""), std::string::npos) << h;
  EXPECT_NE(h.find("Last log lines of service web:\n  | line1\n  | line2 <b>\n"), std::string::npos) << h;
  EXPECT_NE(h.find("Service: sshd: running: skipped (a container runs no init system"), std::string::npos) << h;
  EXPECT_NE(h.find("Total Duration: 1.234s\nCount: "), std::string::npos) << h;
}

TEST(Report, Tap) {
  std::string t = report_tap(sample());
  EXPECT_EQ(t.rfind("1..", 0), 0u);
  EXPECT_NE(t.find("\nok 1 - Matching: ok: matches: matches expectation: 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("not ok 2 - A <title>: Matching: bad: matches [web]\n# Expected\n"), std::string::npos) << t;
  EXPECT_NE(t.find("ok 3 - # SKIP Matching: gone: matches: skipped"), std::string::npos) << t;
}

TEST(Report, JunitIsEscaped) {
  std::string x = report_junit(sample());
  EXPECT_NE(x.find("<testsuite name=\"demo\" errors=\"0\" tests=\""), std::string::npos) << x;
  EXPECT_NE(x.find("failures=\"1\""), std::string::npos) << x;
  EXPECT_NE(x.find("name=\"A &lt;title&gt;: Matching: bad: matches\" classname=\"web.Matching\""), std::string::npos)
      << x;
  EXPECT_NE(x.find("<system-out>line1\nline2 &lt;b&gt;\n</system-out>"), std::string::npos) << x;
  EXPECT_NE(x.find("<skipped message=\"a container runs no init system"), std::string::npos) << x;
  EXPECT_EQ(x.find("<title>"), std::string::npos);
}

TEST(Report, Json) {
  json j = json::parse(report_json(sample()));
  EXPECT_EQ(j["summary"]["failed-count"], 1);
  ASSERT_GE(j["results"].size(), 3u);
  EXPECT_EQ(j["results"][1]["resource-type"], "Matching");
  EXPECT_EQ(j["results"][1]["successful"], false);
  EXPECT_EQ(j["results"][1]["matcher-result"]["expected"], "abd");
  EXPECT_EQ(j["results"][1]["logs"], "line1\nline2 <b>\n");
  EXPECT_THROW(parse_format("xml"), UserError);
  EXPECT_EQ(parse_format("junit"), Format::Junit);
}

TEST(Report, InvalidUtf8DoesNotThrow) {
  Report r = sample();
  r.results[1].properties[0].detail.actual = std::string("\xff\xfe bad");
  EXPECT_NO_THROW(report_json(r));
  EXPECT_NO_THROW(report_human(r, true));
}

}  // namespace
}  // namespace slipway::checks

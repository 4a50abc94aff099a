#include "server/suite_eol.h"

#include <gtest/gtest.h>

namespace slipway::server {
namespace {

const char* kCsv =
    "version,codename,series,created,release,eol,eol-lts,eol-elts\n"
    "10,Buster,buster,2017-06-17,2019-07-06,2022-09-10,2024-06-30,2029-06-30\n"
    "11,Bullseye,bullseye,2019-07-06,2021-08-14,2024-08-14,2026-08-31,2031-06-30\n"
    "12,Bookworm,bookworm,2021-08-14,2023-06-10,2026-07-11,2028-06-30,2033-06-30\n"
    "13,Trixie,trixie,2023-06-10,2025-08-09,2028-08-09,2030-06-30,2035-06-30\n"
    "14,Forky,forky,2025-08-09\n"
    ",Sid,sid,1993-08-16\n";

TEST(SuiteEol, ParsesTheCsv) {
  auto r = parse_debian_csv(kCsv);
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[2].series, "bookworm");
  EXPECT_EQ(r[2].eol, "2026-07-11");
  EXPECT_EQ(r[2].eol_lts, "2028-06-30");
  EXPECT_EQ(r[4].eol, "");
  EXPECT_TRUE(parse_debian_csv("garbage\n1,2,3\n").empty());
}

TEST(SuiteEol, Verdicts) {
  auto r = parse_debian_csv(kCsv);
  auto at = [&](const std::string& series, const std::string& today) { return judge_suite(r, series, "host", today); };
  EXPECT_EQ(at("bookworm", "2025-01-01").verdict, Verdict::ok);
  EXPECT_EQ(at("bookworm", "2025-01-01").detail, "Debian 12 (bookworm): security support until 2026-07-11");
  // Within 180 days of the end of regular support: warn, naming the successor that is out.
  Finding soon = at("bookworm", "2026-03-01");
  EXPECT_EQ(soon.verdict, Verdict::warn);
  EXPECT_NE(soon.detail.find("in 132 days"), std::string::npos) << soon.detail;
  EXPECT_EQ(soon.advice, "plan the upgrade to Debian 13 (trixie)");
  // LTS period: warn; after LTS: fail.
  EXPECT_EQ(at("bookworm", "2026-11-29").verdict, Verdict::warn);
  EXPECT_EQ(at("bookworm", "2026-11-29").advice, "upgrade to Debian 13 (trixie) before 2028-06-30");
  Finding dead = at("buster", "2026-11-29");
  EXPECT_EQ(dead.verdict, Verdict::fail);
  EXPECT_EQ(dead.detail, "Debian 10 (buster): security support ended on 2024-06-30");
  EXPECT_EQ(dead.advice, "upgrade to Debian 11 (bullseye)");
  // Not announced, rolling, unknown.
  EXPECT_EQ(at("forky", "2026-11-29").verdict, Verdict::ok);
  EXPECT_EQ(at("sid", "2026-11-29").verdict, Verdict::ok);
  EXPECT_EQ(at("hamm2", "2026-11-29").verdict, Verdict::warn);
}

}  // namespace
}  // namespace slipway::server

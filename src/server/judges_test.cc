#include "server/judges.h"

#include <gtest/gtest.h>

namespace slipway::server {
namespace {

constexpr unsigned long long kGiB = 1024ULL * 1024 * 1024;
const std::time_t kNow = *parse_utc("2026-11-29T12:00:00Z");

TEST(Judges, Engine) {
  EXPECT_EQ(judge_engine({"unix:///var/run/docker.sock", false, "connection refused", "", "", ""}).verdict,
            Verdict::fail);
  Finding ok = judge_engine({"unix:///s", true, "", "20.10.24", "1.41", "Debian GNU/Linux 12 (bookworm)"});
  EXPECT_EQ(ok.verdict, Verdict::ok);
  EXPECT_EQ(ok.detail, "Docker 20.10.24 (API 1.41) at unix:///s on Debian GNU/Linux 12 (bookworm)");
}

TEST(Judges, DiskThresholds) {
  auto disk = [](unsigned long long avail, unsigned long long total) {
    return judge_disk({"engine data root", "/var/lib/docker", avail, total, ""}).verdict;
  };
  EXPECT_EQ(disk(50 * kGiB, 100 * kGiB), Verdict::ok);
  EXPECT_EQ(disk(8 * kGiB, 100 * kGiB), Verdict::warn);    // < 10 %
  EXPECT_EQ(disk(4 * kGiB, 20 * kGiB), Verdict::warn);     // < 5 GiB
  EXPECT_EQ(disk(kGiB / 2, 20 * kGiB), Verdict::fail);     // < 1 GiB
  EXPECT_EQ(disk(15 * kGiB, 1000 * kGiB), Verdict::fail);  // < 2 %
  Finding remote = judge_disk({"backup repository", "sftp:host:/r", std::nullopt, std::nullopt, "remote"});
  EXPECT_EQ(remote.verdict, Verdict::warn);
  EXPECT_EQ(remote.advice, "remote");
  EXPECT_EQ(judge_disk({"x", "/", 50 * kGiB, 100 * kGiB, ""}).detail, "/: 50.0 GiB free of 100.0 GiB (50 %)");
}

TEST(Judges, Clock) {
  EXPECT_EQ(judge_clock({true, std::nullopt, 0}).verdict, Verdict::ok);
  EXPECT_EQ(judge_clock({false, 0, 0x2001}).verdict, Verdict::ok);  // TIME_OK, STA_PLL|STA_NANO
  EXPECT_EQ(judge_clock({false, 5, 0x40}).verdict, Verdict::warn);  // TIME_ERROR, STA_UNSYNC
  EXPECT_EQ(judge_clock({false, 0, 0x40}).verdict, Verdict::warn);
  EXPECT_EQ(judge_clock({false, std::nullopt, 0}).verdict, Verdict::warn);
}

TEST(Judges, UnattendedUpgrades) {
  UpgradeFacts f;
  EXPECT_EQ(judge_upgrades(f).verdict, Verdict::warn);
  f.installed = true;
  EXPECT_EQ(judge_upgrades(f).detail, "unattended-upgrades is installed but not enabled");
  parse_apt_config(
      "APT::Periodic \"\";\nAPT::Periodic::Update-Package-Lists \"1\";\n"
      "APT::Periodic::Unattended-Upgrade \"1\";\nAPT::Other \"0\";\n",
      f);
  EXPECT_EQ(f.periodic_unattended, "1");
  EXPECT_EQ(f.periodic_update_lists, "1");
  EXPECT_EQ(judge_upgrades(f).verdict, Verdict::ok);
  f.periodic_unattended = "0";
  EXPECT_EQ(judge_upgrades(f).verdict, Verdict::warn);
}

RunHistory history(std::optional<std::string> last_ok, std::optional<std::string> last, bool last_succeeded) {
  RunHistory h;
  h.stack = "guestbook";
  h.repository_configured = true;
  h.last_ok = std::move(last_ok);
  h.last = std::move(last);
  h.last_succeeded = last_succeeded;
  h.last_detail = "restic: repository locked";
  return h;
}

TEST(Judges, BackupAge) {
  EXPECT_EQ(judge_backup(history("2026-11-29T03:00:00Z", "2026-11-29T03:00:00Z", true), kNow).verdict, Verdict::ok);
  EXPECT_EQ(judge_backup(history("2026-11-26T03:00:00Z", "2026-11-26T03:00:00Z", true), kNow).verdict, Verdict::warn);
  EXPECT_EQ(judge_backup(history("2026-11-20T03:00:00Z", "2026-11-20T03:00:00Z", true), kNow).verdict, Verdict::fail);
  // Configured but never succeeded: fail, with the failure's reason.
  Finding never = judge_backup(history(std::nullopt, "2026-11-29T03:00:00Z", false), kNow);
  EXPECT_EQ(never.verdict, Verdict::fail);
  EXPECT_NE(never.detail.find("repository locked"), std::string::npos);
  // A recent success followed by a failure: warn.
  Finding later = judge_backup(history("2026-11-29T03:00:00Z", "2026-11-29T09:00:00Z", false), kNow);
  EXPECT_EQ(later.verdict, Verdict::warn);
  EXPECT_NE(later.detail.find("9 h ago"), std::string::npos) << later.detail;
  // Nothing configured and nothing recorded: warn, say how to configure.
  RunHistory none;
  none.stack = "s";
  EXPECT_EQ(judge_backup(none, kNow).verdict, Verdict::warn);
}

TEST(Judges, DrillAge) {
  EXPECT_EQ(judge_drill(history("2026-11-01T03:00:00Z", "2026-11-01T03:00:00Z", true), kNow).verdict, Verdict::ok);
  EXPECT_EQ(judge_drill(history("2026-10-01T03:00:00Z", "2026-10-01T03:00:00Z", true), kNow).verdict, Verdict::warn);
  EXPECT_EQ(judge_drill(history("2026-07-01T03:00:00Z", "2026-07-01T03:00:00Z", true), kNow).verdict, Verdict::fail);
  EXPECT_EQ(judge_drill(history(std::nullopt, std::nullopt, false), kNow).verdict, Verdict::warn);
}

TEST(Judges, Certificate) {
  const std::time_t day = 86400;
  // 90-day certificate: 60 days left ok, 10 days left warn (< 18), expired fail.
  EXPECT_EQ(judge_certificate({"a.example", kNow - 30 * day, kNow + 60 * day}, kNow).verdict, Verdict::ok);
  EXPECT_EQ(judge_certificate({"a.example", kNow - 80 * day, kNow + 10 * day}, kNow).verdict, Verdict::warn);
  Finding expired = judge_certificate({"a.example", kNow - 91 * day, kNow - day}, kNow);
  EXPECT_EQ(expired.verdict, Verdict::fail);
  EXPECT_EQ(expired.check, "certificate a.example");
  EXPECT_EQ(expired.detail, "expired on 2026-11-28T12:00:00Z");
  // Caddy's internal CA issues 12-hour leaves: 6 hours left is fine.
  EXPECT_EQ(judge_certificate({"localhost", kNow - 6 * 3600, kNow + 6 * 3600}, kNow).verdict, Verdict::ok);
}

TEST(Findings, RenderAndJson) {
  std::vector<Finding> f = {{"engine", Verdict::ok, "Docker 20.10", ""},
                            {"clock", Verdict::warn, "not synchronised", "install chrony"}};
  EXPECT_EQ(render_findings(f), "ok    engine  Docker 20.10\nwarn  clock   not synchronised -- install chrony\n");
  EXPECT_FALSE(any_failed(f));
  f.push_back({"backup", Verdict::fail, "none", "run it"});
  EXPECT_TRUE(any_failed(f));
  auto j = findings_json(f);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["checks"][1]["status"], "warn");
  EXPECT_EQ(j["checks"][2]["advice"], "run it");
}

TEST(Judges, TlsHostsWithoutACertificateWarnOnceNamingThem) {
  std::vector<CertificateFacts> certs = {{"shop.example.org", 0, 0}, {"wildcard_.example.net", 0, 0}};
  EXPECT_FALSE(judge_uncovered_hosts({"shop.example.org", "*.example.net"}, certs));
  EXPECT_FALSE(judge_uncovered_hosts({}, {}));
  auto f = judge_uncovered_hosts({"shop.example.org", "mail.example.org", "mail.example.org"}, certs);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->verdict, Verdict::warn);
  EXPECT_EQ(f->detail, "no certificate at the edge for mail.example.org");
  EXPECT_FALSE(f->advice.empty());
}

TEST(Findings, ParseUtc) {
  EXPECT_EQ(parse_utc("1970-01-02T00:00:00Z"), 86400);
  EXPECT_EQ(parse_utc("1970-01-02"), 86400);
  EXPECT_FALSE(parse_utc("yesterday"));
  EXPECT_FALSE(parse_utc("2026-13-01"));
}

}  // namespace
}  // namespace slipway::server

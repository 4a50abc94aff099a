#include "update/changelog.h"

#include <gtest/gtest.h>

namespace slipway::update {
namespace {

const char* kChangelog =
    "openssl (3.0.15-1~deb12u1) bookworm-security; urgency=medium\n"
    "\n"
    "  * New upstream version.\n"
    "    - Fixes CVE-2024-5535 and cve-2024-6119.\n"
    "  * Also CVE-2024-5535 again (listed once).\n"
    "\n"
    " -- Sebastian Andrzej Siewior <sebastian@breakpoint.cc>  Sun, 08 Sep 2024 10:46:39 +0200\n"
    "\n"
    "openssl (3.0.14-1~deb12u2) bookworm; urgency=medium\n"
    "\n"
    "  * Fix a regression.\n"
    "\n"
    " -- Sebastian Andrzej Siewior <sebastian@breakpoint.cc>  Mon, 01 Jul 2024 22:10:00 +0200\n"
    "\n"
    "openssl (3.0.11-1~deb12u2) bookworm-security; urgency=high\n"
    "\n"
    "  * CVE-2023-5678: Excessive time spent in DH check.\n"
    "\n"
    " -- Maintainer <m@example.org>  Fri, 10 Nov 2023 00:00:00 +0100\n"
    "\n"
    "Old Changelog:\n"
    "This free-form text ends the parse.\n"
    "openssl (0.9) unstable; urgency=low\n";

TEST(Changelog, ParsesEntriesNewestFirst) {
  auto e = parse_changelog(kChangelog);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].package, "openssl");
  EXPECT_EQ(e[0].version, "3.0.15-1~deb12u1");
  EXPECT_EQ(e[0].distribution, "bookworm-security");
  EXPECT_EQ(e[0].urgency, "medium");
  EXPECT_EQ(e[0].body,
            "  * New upstream version.\n    - Fixes CVE-2024-5535 and cve-2024-6119.\n"
            "  * Also CVE-2024-5535 again (listed once).");
  EXPECT_EQ(e[0].trailer, "Sebastian Andrzej Siewior <sebastian@breakpoint.cc>  Sun, 08 Sep 2024 10:46:39 +0200");
  EXPECT_EQ(e[0].cves, (std::vector<std::string>{"CVE-2024-5535", "CVE-2024-6119"}));
  EXPECT_EQ(e[2].urgency, "high");
  EXPECT_EQ(e[2].cves, std::vector<std::string>{"CVE-2023-5678"});
}

TEST(Changelog, EntriesBetweenTwoVersionsExcludeTheOldOne) {
  auto all = parse_changelog(kChangelog);
  auto e = entries_between(all, "3.0.11-1~deb12u2", "3.0.15-1~deb12u1");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].version, "3.0.15-1~deb12u1");
  EXPECT_EQ(e[1].version, "3.0.14-1~deb12u2");
  // Entries newer than the target (a changelog from a newer image than asked) are left out.
  e = entries_between(all, "3.0.11-1~deb12u2", "3.0.14-1~deb12u2");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].version, "3.0.14-1~deb12u2");
  EXPECT_EQ(entries_between(all, "", "3.0.15-1~deb12u1").size(), 3u);
  EXPECT_TRUE(entries_between(all, "3.0.15-1~deb12u1", "3.0.15-1~deb12u1").empty());
}

TEST(Changelog, NewsFilesHaveTheSameFormat) {
  auto n = parse_changelog(
      "postgresql-common (248) unstable; urgency=medium\n\n"
      "  The default cluster version is now 15.\n\n"
      " -- Christoph Berg <myon@debian.org>  Fri, 20 Jan 2023 12:00:00 +0100\n");
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].body, "  The default cluster version is now 15.");
}

TEST(Changelog, TruncatedOrEmptyInput) {
  EXPECT_TRUE(parse_changelog("").empty());
  EXPECT_TRUE(parse_changelog("not a changelog\n").empty());
  auto e = parse_changelog("pkg (1.0-1) unstable; urgency=low\n\n  * cut short");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].body, "  * cut short");
  EXPECT_EQ(e[0].trailer, "");
}

TEST(Changelog, FindsCveIds) {
  EXPECT_EQ(find_cves("fix CVE-2024-1234, CVE-2023-45678 and XCVE-2020-1111 (not one); CVE-99-1 no"),
            (std::vector<std::string>{"CVE-2024-1234", "CVE-2023-45678"}));
}

}  // namespace
}  // namespace slipway::update

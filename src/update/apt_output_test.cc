#include "update/apt_output.h"

#include <gtest/gtest.h>

namespace slipway::update {
namespace {

TEST(AptOutput, ParsesDpkgQueryKeepingInstalledOnly) {
  std::string out =
      "zlib1g\t1:1.2.13.dfsg-1\tamd64\tinstalled\tzlib\t1:1.2.13.dfsg-1\n"
      "libc6:amd64\t2.36-9+deb12u4\tamd64\tinstalled\tglibc\t2.36-9+deb12u4\n"
      "old-one\t1.0\tall\tconfig-files\told\t1.0\n"
      "bash\t5.2.15-2+b2\tamd64\tinstalled\tbash\t5.2.15-2\n"
      "garbage line\n"
      "nosource\t2\tall\tinstalled\t\t\n";
  auto p = parse_dpkg_query(out);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].name, "bash");
  EXPECT_EQ(p[0].source_version, "5.2.15-2");  // a binNMU keeps its source's version
  EXPECT_EQ(p[1].name, "libc6");               // native architecture qualifier dropped
  EXPECT_EQ(p[1].source, "glibc");
  EXPECT_EQ(p[2].name, "nosource");
  EXPECT_EQ(p[2].source, "nosource");  // source defaults to the binary's own name
  EXPECT_EQ(p[2].source_version, "2");
  EXPECT_EQ(p[3].version, "1:1.2.13.dfsg-1");
}

TEST(AptOutput, ParsesAptListUpgradable) {
  std::string out =
      "\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n"
      "Listing...\n"
      "libc6/bookworm-security 2.36-9+deb12u9 amd64 [upgradable from: 2.36-9+deb12u4]\n"
      "base-files/stable,stable 12.4+deb12u10 amd64 [upgradable from: 12.4+deb12u5]\n"
      "tzdata/stable-updates,stable-security 2025b-0+deb12u1 all [upgradable from: 2024a-0+deb12u1]\n";
  auto u = parse_apt_list_upgradable(out);
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[0].name, "base-files");
  EXPECT_FALSE(u[0].security);
  EXPECT_EQ(u[0].current, "12.4+deb12u5");
  EXPECT_EQ(u[0].candidate, "12.4+deb12u10");
  EXPECT_EQ(u[1].name, "libc6");
  EXPECT_TRUE(u[1].security);
  EXPECT_EQ(u[1].architecture, "amd64");
  EXPECT_EQ(u[1].suites, std::vector<std::string>{"bookworm-security"});
  EXPECT_TRUE(u[2].security);  // offered by several suites, one of them security
  EXPECT_EQ(u[2].suites.size(), 2u);
}

TEST(AptOutput, ParsesAptGetSimulate) {
  std::string out =
      "Reading package lists...\nBuilding dependency tree...\nCalculating upgrade...\n"
      "The following packages will be upgraded:\n  libc6 tzdata\n"
      "Inst libc6 [2.36-9+deb12u4] (2.36-9+deb12u9 Debian-Security:12/stable-security [amd64])\n"
      "Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable, Debian:12-updates/stable-updates [all])\n"
      "Inst newdep (1.0-1 Debian:12.11/stable [amd64])\n"
      "Conf libc6 (2.36-9+deb12u9 Debian-Security:12/stable-security [amd64])\n";
  auto u = parse_apt_get_simulate(out);
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[0].name, "libc6");
  EXPECT_TRUE(u[0].security);
  EXPECT_EQ(u[0].current, "2.36-9+deb12u4");
  EXPECT_EQ(u[0].candidate, "2.36-9+deb12u9");
  EXPECT_EQ(u[0].suites, std::vector<std::string>{"stable-security"});
  EXPECT_EQ(u[1].name, "newdep");
  EXPECT_EQ(u[1].current, "");
  EXPECT_EQ(u[2].name, "tzdata");
  EXPECT_FALSE(u[2].security);
  EXPECT_EQ(u[2].architecture, "all");
  EXPECT_EQ(u[2].suites, (std::vector<std::string>{"stable", "stable-updates"}));
}

TEST(AptOutput, RecognisesSecuritySuites) {
  EXPECT_TRUE(is_security_suite("bookworm-security"));
  EXPECT_TRUE(is_security_suite("Debian-Security:12/stable-security"));
  EXPECT_TRUE(is_security_suite("buster/updates"));
  EXPECT_FALSE(is_security_suite("bookworm-updates"));
  EXPECT_FALSE(is_security_suite("stable"));
}

}  // namespace
}  // namespace slipway::update

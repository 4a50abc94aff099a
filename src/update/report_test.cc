#include "update/report.h"

#include <gtest/gtest.h>

namespace slipway::update {
namespace {

InstalledPackage pkg(const std::string& name, const std::string& version, const std::string& source = "") {
  return {name, version, "amd64", source.empty() ? name : source, version};
}

TEST(UpdateReport, DiffsPackageLists) {
  auto d = diff_packages(
      {pkg("libc6", "2.36-9+deb12u4", "glibc"), pkg("gone", "1"), pkg("same", "1"), pkg("down", "2")},
      {pkg("libc6", "2.36-9+deb12u9", "glibc"), pkg("same", "1"), pkg("new", "0.1"), pkg("down", "1")}, {"libc6"});
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].name, "down");
  EXPECT_EQ(d[0].kind, "downgraded");
  EXPECT_EQ(d[1].name, "gone");
  EXPECT_EQ(d[1].kind, "removed");
  EXPECT_EQ(d[2].name, "libc6");
  EXPECT_EQ(d[2].kind, "upgraded");
  EXPECT_EQ(d[2].source, "glibc");
  EXPECT_TRUE(d[2].security);
  EXPECT_EQ(d[3].kind, "added");
  EXPECT_EQ(d[3].new_version, "0.1");
}

TEST(UpdateReport, SecurityAndNewsFirstWithCves) {
  std::vector<SourceChanges> s(3);
  s[0].source = "aaa";
  s[1].source = "openssl";
  s[1].entries = parse_changelog(
      "openssl (3.0.15-1~deb12u1) bookworm-security; urgency=medium\n\n  * Fix CVE-2024-5535.\n\n -- M <m@x>  date\n");
  s[2].source = "tzdata";
  s[2].news = parse_changelog("tzdata (2025a-1) unstable; urgency=low\n\n  Zone changes.\n\n -- M <m@x>  date\n");
  order_sources(s);
  EXPECT_EQ(s[0].source, "openssl");
  EXPECT_TRUE(s[0].security);
  EXPECT_EQ(s[0].cves, std::vector<std::string>{"CVE-2024-5535"});
  EXPECT_EQ(s[1].source, "tzdata");
  EXPECT_EQ(s[2].source, "aaa");
}

TEST(UpdateReport, RendersConffileDiffBesideTheOverride) {
  UpdateReport r;
  r.stack = "demo";
  r.started = "2026-11-29T00:00:00Z";
  r.gate = "passed";
  r.outcome = "deployed";
  ImageChanges im;
  im.services = {"app"};
  im.image = "demo-app:latest";
  im.old_image_id = "sha256:111111111111aaaa";
  im.new_image_id = "sha256:222222222222bbbb";
  im.packages = {{"tiny", "tiny", "1.0-1", "2.0-1", "upgraded", false}};
  im.conffiles = {{"tiny", "/etc/tiny.conf", "1.0-1", "2.0-1", "--- old\n+++ new\n@@ -1,1 +1,1 @@\n-a=1\n+a=2\n",
                   "a=override\n", ""}};
  SourceChanges s;
  s.source = "tiny";
  s.old_version = "1.0-1";
  s.new_version = "2.0-1";
  s.entries = parse_changelog("tiny (2.0-1) unstable; urgency=low\n\n  * Version two.\n\n -- M <m@x>  date\n");
  im.sources = {s};
  r.images = {im};
  std::string md = report_markdown(r);
  EXPECT_NE(md.find("## demo-app:latest (app)"), std::string::npos);
  EXPECT_NE(md.find("111111111111 -> 222222222222"), std::string::npos);
  EXPECT_NE(md.find("`tiny` 1.0-1 -> 2.0-1"), std::string::npos);
  EXPECT_NE(md.find("```diff\n--- old\n+++ new\n@@ -1,1 +1,1 @@\n-a=1\n+a=2\n```"), std::string::npos);
  EXPECT_NE(md.find("a=override"), std::string::npos);
  EXPECT_NE(md.find("  * Version two."), std::string::npos);
  std::string text = report_text(r);
  EXPECT_NE(text.find("      +a=2"), std::string::npos);
  auto j = report_json(r);
  EXPECT_EQ(j["images"][0]["conffiles"][0]["override"], "a=override\n");
  EXPECT_EQ(j["images"][0]["changelogs"][0]["entries"][0]["version"], "2.0-1");
  EXPECT_TRUE(r.changed());
}

}  // namespace
}  // namespace slipway::update

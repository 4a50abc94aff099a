#include "update/conffiles.h"

#include <gtest/gtest.h>

namespace slipway::update {
namespace {

TEST(Conffiles, ParsesDpkgQueryConffiles) {
  std::string out =
      // As dpkg-query prints it: the first conffile follows the tab on the package's line.
      "base-files\tinstalled\t /etc/debian_version 8b7fe6c8ac2d0c8eb1c4b8dd2e7b5e7c\n"
      " /etc/host.conf 4eb63731c9f5e30903ac4fc07a7fe3d6\n"
      "libc-bin\tinstalled\t /etc/ld.so.conf 4317c6de8564b68d628c21efa96b37e4\n"
      " /etc/old.conf 11111111111111111111111111111111 obsolete\n"
      "gone\tconfig-files\t /etc/gone.conf 22222222222222222222222222222222\n"
      " /etc/gone2.conf 33333333333333333333333333333333\n"
      "bash\tinstalled\t\n";
  auto c = parse_conffiles(out);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].package, "base-files");
  EXPECT_EQ(c[0].path, "/etc/debian_version");
  EXPECT_EQ(c[3].path, "/etc/old.conf");
  EXPECT_TRUE(c[3].obsolete);
}

TEST(Conffiles, FindsOverriddenAndRemovedOnes) {
  std::vector<Conffile> c = {{"a", "/etc/same", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
                             {"a", "/etc/changed", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", false},
                             {"b", "/etc/removed", "cccccccccccccccccccccccccccccccc", false},
                             {"b", "/etc/obsolete", "dddddddddddddddddddddddddddddddd", true}};
  auto actual = parse_md5sums(
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  /etc/same\n"
      "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee  /etc/changed\n"
      "\\ffffffffffffffffffffffffffffffff  /etc/odd\\nname\n");
  EXPECT_EQ(actual.size(), 2u);
  auto o = overridden_conffiles(c, actual);
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o[0].conffile.path, "/etc/changed");
  EXPECT_EQ(o[0].actual_md5, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
  EXPECT_EQ(o[1].conffile.path, "/etc/removed");
  EXPECT_EQ(o[1].actual_md5, "");
}

TEST(Conffiles, UnifiedDiff) {
  EXPECT_EQ(unified_diff("x\n", "x\n", "a", "b"), "");
  std::string a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n";
  std::string b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n";
  EXPECT_EQ(unified_diff(a, b, "old", "new"),
            "--- old\n+++ new\n"
            "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
            "@@ -13,3 +13,4 @@\n 13\n 14\n 15\n+16\n");
  // Two changes close together share one hunk.
  EXPECT_EQ(unified_diff("a\nb\nc\nd\n", "A\nb\nc\nD\n", "x", "y"),
            "--- x\n+++ y\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n-d\n+D\n");
  EXPECT_EQ(unified_diff("", "new\n", "x", "y"), "--- x\n+++ y\n@@ -0,0 +1,1 @@\n+new\n");
  EXPECT_NE(unified_diff("a\nb\n", "c\n", "x", "y", 1).find("too long to diff"), std::string::npos);
}

}  // namespace
}  // namespace slipway::update

#include "update/debian_version.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace slipway::update {
namespace {

TEST(DebianVersion, SplitsEpochUpstreamRevision) {
  auto v = parse_debian_version("1:2.4.57-2+deb12u1");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->epoch, 1u);
  EXPECT_EQ(v->upstream, "2.4.57");
  EXPECT_EQ(v->revision, "2+deb12u1");
  // The revision is after the last hyphen; upstream may contain hyphens then.
  v = parse_debian_version("1.0-beta-3");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->upstream, "1.0-beta");
  EXPECT_EQ(v->revision, "3");
  for (const char* bad : {"", "  ", "a:1.0", "1:", "1.0-", "1 0", "1.0_1"})
    EXPECT_FALSE(parse_debian_version(bad)) << bad;
}

// Cases from dpkg's own test suite (lib/dpkg/t/t-version.c) and deb-version(7).
TEST(DebianVersion, OrdersLikeDpkg) {
  struct Case {
    const char* a;
    const char* b;
    int want;
  };
  std::vector<Case> cases = {
      {"0", "0", 0},
      {"0", "00", 0},
      {"0:0", "0", 0},
      {"0:0-0", "0:0", 0},  // a revision of 0 equals none
      {"1:0", "0:0", 1},
      {"1:0", "9", 1},  // the epoch wins over everything else
      {"1.0-1", "1:0.1", -1},
      {"1.0", "1.1", -1},
      {"1.2.10", "1.2.9", 1},  // digit runs compare as numbers
      {"1.002", "1.2", 0},     // leading zeros do not count
      {"1.0~rc1", "1.0", -1},  // tilde sorts before the end of the string
      {"1.0~~", "1.0~~a", -1},
      {"1.0~~a", "1.0~", -1},
      {"1.0~", "1.0", -1},
      {"1.0", "1.0a", -1},
      {"1.0a", "1.0+", -1},  // letters before other characters
      {"1.0", "1.0.", -1},
      {"1.0+dfsg", "1.0", 1},
      {"1.0-1", "1.0-2", -1},
      {"1.0-1", "1.0-1.1", -1},
      {"2.36-9+deb12u3", "2.36-9+deb12u4", -1},
      {"252.22-1~deb12u1", "252.22-1", -1},  // a backport is older than the release it backports
      {"9+deb12u9", "9+deb12u10", -1},
      {"1:1.2.13.dfsg-1", "1.2.13.dfsg-1", 1},
      {"a", "b", -1},  // dpkg accepts a non-digit start with a warning
  };
  for (const auto& c : cases) {
    EXPECT_EQ(compare_debian_versions(c.a, c.b), c.want) << c.a << " vs " << c.b;
    EXPECT_EQ(compare_debian_versions(c.b, c.a), -c.want) << c.b << " vs " << c.a;
  }
}

TEST(DebianVersion, InvalidVersionsSortAfterValidOnes) {
  EXPECT_LT(compare_debian_versions("1.0", "not valid"), 0);
  EXPECT_GT(compare_debian_versions("", "1.0"), 0);
}

TEST(DebianVersion, UpstreamMajor) {
  EXPECT_EQ(upstream_major("15.8-0+deb12u1"), "15");
  EXPECT_EQ(upstream_major("17.2-1"), "17");
  EXPECT_EQ(upstream_major("1:2.4.57-2"), "2");
  EXPECT_EQ(upstream_major("bad version"), "");
}

}  // namespace
}  // namespace slipway::update

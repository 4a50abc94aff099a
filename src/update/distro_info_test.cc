#include "update/distro_info.h"

#include <gtest/gtest.h>

namespace slipway::update {
namespace {

const char* kCsv =
    "version,codename,series,created,release,eol,eol-lts,eol-elts\n"
    "11,Bullseye,bullseye,2019-07-06,2021-08-14,2024-08-14,2026-08-31,2031-06-30\n"
    "12,Bookworm,bookworm,2021-08-14,2023-06-10,2026-07-11,2028-06-30,2033-06-30\n"
    "13,Trixie,trixie,2023-06-10,2025-08-09,2028-08-09,2030-06-30,2035-06-30\n"
    "14,Forky,forky,2025-08-09\n"
    ",Sid,sid,1993-08-16\n";

TEST(DistroInfo, ParsesRowsByHeader) {
  auto r = parse_distro_info(kCsv);
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[1].series, "bookworm");
  EXPECT_EQ(r[1].version, "12");
  EXPECT_EQ(r[1].eol, "2026-07-11");
  EXPECT_EQ(r[1].eol_lts, "2028-06-30");
  EXPECT_EQ(r[3].eol, "");  // a short row: no dates yet
  auto b = find_release(r, "bookworm-security");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->codename, "Bookworm");
  EXPECT_FALSE(find_release(r, "jessie"));
}

TEST(DistroInfo, SupportLevels) {
  auto r = parse_distro_info(kCsv);
  auto bookworm = *find_release(r, "bookworm");
  auto s = support_status(bookworm, "2025-01-01");
  EXPECT_EQ(s.level, "ok");
  EXPECT_EQ(s.support_end, "2026-07-11");
  s = support_status(bookworm, "2026-05-01");  // 71 days before the end of regular support
  EXPECT_EQ(s.level, "warning");
  EXPECT_EQ(s.days_left, 71);
  s = support_status(bookworm, "2026-11-29");  // regular support over, LTS left
  EXPECT_EQ(s.level, "warning");
  EXPECT_EQ(s.support_end, "2028-06-30");
  EXPECT_NE(s.message.find("LTS until 2028-06-30"), std::string::npos);
  s = support_status(bookworm, "2028-07-01");
  EXPECT_EQ(s.level, "error");
  EXPECT_EQ(support_status(*find_release(r, "forky"), "2026-11-29").level, "ok");
}

TEST(DistroInfo, DaysBetween) {
  EXPECT_EQ(days_between("2024-02-28", "2024-03-01"), 2);  // leap year
  EXPECT_EQ(days_between("2023-02-28", "2023-03-01"), 1);
  EXPECT_EQ(days_between("1970-01-01", "2026-11-29"), 20786);
  EXPECT_FALSE(days_between("2024-13-01", "2024-01-01"));
  EXPECT_FALSE(days_between("soon", "2024-01-01"));
}

}  // namespace
}  // namespace slipway::update

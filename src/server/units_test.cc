#include "server/units.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace slipway::server {
namespace {

using ::testing::HasSubstr;

UnitSettings settings() {
  UnitSettings s;
  s.project = "guestbook";
  s.slipway = "/usr/bin/slipway";
  s.stack_dir = "/srv/guestbook";
  return s;
}

TEST(Units, Words) {
  EXPECT_EQ(systemd_word("/usr/bin/slipway"), "/usr/bin/slipway");
  EXPECT_EQ(systemd_word("/srv/my stack"), "\"/srv/my stack\"");
  EXPECT_EQ(systemd_word("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(systemd_word("100%"), "\"100%%\"");
  EXPECT_EQ(systemd_word("$HOME"), "\"$$HOME\"");
  EXPECT_EQ(systemd_word(""), "\"\"");
  EXPECT_EQ(systemd_environment("DOCKER_HOST", "unix:///run/docker.sock"), "\"DOCKER_HOST=unix:///run/docker.sock\"");
}

TEST(Units, BootUnitRunsBootAfterTheEngine) {
  auto units = stack_units(settings());
  ASSERT_EQ(units.size(), 5u);
  EXPECT_EQ(units[0].name, "slipway-guestbook.service");
  EXPECT_TRUE(units[0].enable);
  const std::string& u = units[0].content;
  EXPECT_EQ(u.rfind(kUnitMarker, 0), 0u);
  EXPECT_THAT(u, HasSubstr("Requires=docker.service\n"));
  EXPECT_THAT(u, HasSubstr("After=docker.service network-online.target\n"));
  EXPECT_THAT(u, HasSubstr("Type=oneshot\nRemainAfterExit=yes\n"));
  EXPECT_THAT(u, HasSubstr("ExecStart=/usr/bin/slipway -p guestbook --project-directory /srv/guestbook boot\n"));
  EXPECT_THAT(u, HasSubstr("WantedBy=multi-user.target\n"));
}

TEST(Units, TimersForBackupAndDrill) {
  auto s = settings();
  s.backup_calendar = "*-*-* 03:00";
  s.compose_files = {"/srv/guestbook/compose.yaml", "/srv/guestbook/prod.yaml"};
  s.environment = {{"SLIPWAY_STATE_DIR", "/var/lib/slipway"}};
  auto units = stack_units(s);
  EXPECT_EQ(units[1].name, "slipway-guestbook-backup.service");
  EXPECT_FALSE(units[1].enable);  // started by its timer
  EXPECT_THAT(units[1].content,
              HasSubstr("ExecStart=/usr/bin/slipway -p guestbook --project-directory /srv/guestbook -f "
                        "/srv/guestbook/compose.yaml -f /srv/guestbook/prod.yaml backup\n"));
  EXPECT_THAT(units[1].content, HasSubstr("Environment=\"SLIPWAY_STATE_DIR=/var/lib/slipway\"\n"));
  EXPECT_EQ(units[2].name, "slipway-guestbook-backup.timer");
  EXPECT_TRUE(units[2].enable);
  EXPECT_THAT(units[2].content, HasSubstr("OnCalendar=*-*-* 03:00\nPersistent=true\n"));
  EXPECT_EQ(units[3].name, "slipway-guestbook-drill.service");
  EXPECT_THAT(units[3].content, HasSubstr(" drill\n"));
  EXPECT_THAT(units[4].content, HasSubstr("OnCalendar=weekly\n"));
}

TEST(Units, NoCalendarNoTimer) {
  auto s = settings();
  s.backup_calendar = "";
  s.drill_calendar = "";
  auto units = stack_units(s);
  ASSERT_EQ(units.size(), 1u);
}

}  // namespace
}  // namespace slipway::server

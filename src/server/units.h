// The systemd units `slipway install` writes for a stack (pure: settings in, unit files out).
//
//   slipway-<project>.service          oneshot, After/Requires docker.service: `slipway boot`
//                                      (starts what was recorded, runs the smoke checks)
//   slipway-<project>-backup.service   `slipway backup`, started by
//   slipway-<project>-backup.timer     OnCalendar (default daily), Persistent
//   slipway-<project>-drill.service    `slipway drill`, started by
//   slipway-<project>-drill.timer      OnCalendar (default weekly), Persistent
//
// Every unit carries the marker line kUnitMarker, so `slipway uninstall` removes only files
// slipway wrote.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace slipway::server {

inline constexpr const char* kUnitMarker = "# Written by `slipway install`; removed by `slipway uninstall`.";

struct UnitSettings {
  std::string project;                             // the stack's project name ([a-z0-9_-]+)
  std::string slipway;                             // absolute path of the slipway binary
  std::string stack_dir;                           // absolute project directory
  std::vector<std::string> compose_files;          // absolute; empty = discovered in stack_dir
  std::map<std::string, std::string> environment;  // e.g. DOCKER_HOST, SLIPWAY_STATE_DIR
  std::string backup_calendar = "daily";           // OnCalendar=; "" = no backup timer
  std::string drill_calendar = "weekly";           // OnCalendar=; "" = no drill timer
};

struct UnitFile {
  std::string name;  // "slipway-guestbook.service"
  std::string content;
  bool enable = false;  // `systemctl enable` it (the stack's service and the timers)
};

// The units for `s`, in the order they are written.
std::vector<UnitFile> stack_units(const UnitSettings& s);

// The stack's boot unit name: "slipway-<project>.service".
std::string stack_unit_name(const std::string& project);

// One word of ExecStart= as systemd parses it: quoted when needed, with \ " escaped and
// % and $ doubled (specifier and variable expansion).
std::string systemd_word(const std::string& word);

// An Environment= assignment "K=V", quoted as one word.
std::string systemd_environment(const std::string& key, const std::string& value);

}  // namespace slipway::server

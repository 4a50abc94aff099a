// Writing, enabling and removing a stack's systemd units (units.h) under a root directory:
// "/" on a server, a temporary directory in tests (`slipway install --root DIR`).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "server/units.h"

namespace slipway::server {

struct InstallTarget {
  std::string root = "/";  // units go to <root>/etc/systemd/system
  bool enable = true;      // systemctl enable the units marked enable
  std::function<void(const std::string&)> say;
};

// <root>/etc/systemd/system
std::string unit_directory(const std::string& root);

// Writes every unit (atomically: temp file + rename, mode 0644), then enables the marked ones
// with `systemctl [--root=ROOT] enable` (works without a running systemd). When root is "/" and
// systemd runs (/run/systemd/system), reloads it and starts the timers. A unit of the same name
// that slipway did not write (no kUnitMarker) is a UserError, and nothing is written.
void install_units(const std::vector<UnitFile>& units, const InstallTarget& target);

// The units slipway wrote for `project` in <root>/etc/systemd/system (file names).
std::vector<std::string> installed_units(const std::string& root, const std::string& project);

// Disables and removes installed_units(root, project); returns their names. Nothing installed:
// returns an empty list (no error).
std::vector<std::string> uninstall_units(const std::string& project, const InstallTarget& target);

}  // namespace slipway::server

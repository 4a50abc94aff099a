#include "server/units.h"

#include <cctype>
#include <sstream>
#include <tuple>

namespace slipway::server {
namespace {

std::string escape(const std::string& word) {
  std::string out;
  for (char c : word) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '%') out += '%';
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

// slipway's global flags for the stack, then the command.
std::string command_line(const UnitSettings& s, const std::string& command) {
  // -p pins the project name the units were written for, whatever the directory is called.
  std::string line =
      systemd_word(s.slipway) + " -p " + systemd_word(s.project) + " --project-directory " + systemd_word(s.stack_dir);
  for (const auto& f : s.compose_files) line += " -f " + systemd_word(f);
  return line + " " + command;
}

std::string environment_lines(const UnitSettings& s) {
  std::string out;
  for (const auto& [k, v] : s.environment) out += "Environment=" + systemd_environment(k, v) + "\n";
  return out;
}

std::string boot_unit(const UnitSettings& s) {
  std::ostringstream u;
  u << kUnitMarker << "\n"
    << "[Unit]\n"
    << "Description=slipway stack " << s.project << " (" << escape(s.stack_dir) << ")\n"
    << "Documentation=man:slipway(1)\n"
    // The engine must run first; the network must be up for the stack's smoke checks.
    << "Requires=docker.service\n"
    << "After=docker.service network-online.target\n"
    << "Wants=network-online.target\n\n"
    << "[Service]\n"
    << "Type=oneshot\n"
    << "RemainAfterExit=yes\n"
    << "WorkingDirectory=" << escape(s.stack_dir) << "\n"
    << environment_lines(s) << "ExecStart=" << command_line(s, "boot")
    << "\n"
    // Starting containers and waiting for health can take minutes on a slow disk.
    << "TimeoutStartSec=15min\n\n"
    << "[Install]\n"
    << "WantedBy=multi-user.target\n";
  return u.str();
}

std::string job_unit(const UnitSettings& s, const std::string& job, const std::string& what) {
  std::ostringstream u;
  u << kUnitMarker << "\n"
    << "[Unit]\n"
    << "Description=slipway " << what << " of stack " << s.project << "\n"
    << "Documentation=man:slipway(1)\n"
    << "Requires=docker.service\n"
    << "After=docker.service " << stack_unit_name(s.project) << "\n\n"
    << "[Service]\n"
    << "Type=oneshot\n"
    << "WorkingDirectory=" << escape(s.stack_dir) << "\n"
    << environment_lines(s) << "ExecStart=" << command_line(s, job)
    << "\n"
    // Backups yield to the services they protect.
    << "Nice=10\n"
    << "IOSchedulingClass=idle\n";
  return u.str();
}

std::string timer_unit(const UnitSettings& s, const std::string& job, const std::string& calendar) {
  std::ostringstream u;
  u << kUnitMarker << "\n"
    << "[Unit]\n"
    << "Description=slipway " << job << " of stack " << s.project << " (" << calendar << ")\n"
    << "Documentation=man:slipway(1)\n\n"
    << "[Timer]\n"
    << "OnCalendar=" << calendar
    << "\n"
    // A server that was off at the scheduled time catches up at its next start.
    << "Persistent=true\n"
    << "RandomizedDelaySec=15min\n\n"
    << "[Install]\n"
    << "WantedBy=timers.target\n";
  return u.str();
}

}  // namespace

std::string stack_unit_name(const std::string& project) { return "slipway-" + project + ".service"; }

std::string systemd_word(const std::string& word) {
  bool plain = !word.empty();
  for (char c : word)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '_' || c == '-' || c == ':' ||
          c == '=' || c == ',' || c == '+' || c == '@'))
      plain = false;
  return plain ? word : "\"" + escape(word) + "\"";
}

std::string systemd_environment(const std::string& key, const std::string& value) {
  return "\"" + escape(key + "=" + value) + "\"";
}

std::vector<UnitFile> stack_units(const UnitSettings& s) {
  std::vector<UnitFile> units;
  units.push_back({stack_unit_name(s.project), boot_unit(s), true});
  for (const auto& [job, calendar, what] :
       {std::tuple{std::string("backup"), s.backup_calendar, std::string("backup")},
        std::tuple{std::string("drill"), s.drill_calendar, std::string("restore drill")}}) {
    if (calendar.empty()) continue;
    std::string base = "slipway-" + s.project + "-" + job;
    units.push_back({base + ".service", job_unit(s, job, what), false});
    units.push_back({base + ".timer", timer_unit(s, job, calendar), true});
  }
  return units;
}

}  // namespace slipway::server

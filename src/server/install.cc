#include "server/install.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/error.h"
#include "util/subprocess.h"

namespace slipway::server {
namespace {

namespace fs = std::filesystem;

bool written_by_slipway(const fs::path& file) {
  std::ifstream in(file);
  std::string first;
  std::getline(in, first);
  return first == kUnitMarker;
}

bool systemd_running(const std::string& root) { return root == "/" && ::access("/run/systemd/system", F_OK) == 0; }

void systemctl(const std::string& root, std::vector<std::string> args) {
  std::vector<std::string> argv = {"systemctl"};
  if (root != "/") argv.push_back("--root=" + root);
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_process(argv);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    throw EnvError(cmd + " failed: " + (r.err.empty() ? r.out : r.err));
  }
}

void write_file(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += ".slipway-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) throw EnvError("cannot write " + tmp.string());
  }
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  fs::rename(tmp, path);
}

}  // namespace

std::string unit_directory(const std::string& root) { return (fs::path(root) / "etc/systemd/system").string(); }

void install_units(const std::vector<UnitFile>& units, const InstallTarget& t) {
  fs::path dir = unit_directory(t.root);
  for (const auto& u : units)
    if (fs::exists(dir / u.name) && !written_by_slipway(dir / u.name))
      throw UserError(Location{(dir / u.name).string(), 0, 0},
                      "a unit of this name exists and was not written by slipway (remove or rename it first)");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw EnvError("cannot create " + dir.string() + ": " + ec.message() + " (run as root, or pass --root)");
  std::vector<std::string> enable;
  for (const auto& u : units) {
    write_file(dir / u.name, u.content);
    if (t.say) t.say("wrote " + (dir / u.name).string());
    if (u.enable) enable.push_back(u.name);
  }
  if (!t.enable || enable.empty()) return;
  std::vector<std::string> args = {"enable"};
  args.insert(args.end(), enable.begin(), enable.end());
  systemctl(t.root, args);
  if (t.say) t.say("enabled " + std::to_string(enable.size()) + " unit(s)");
  if (!systemd_running(t.root)) return;
  systemctl(t.root, {"daemon-reload"});
  std::vector<std::string> timers = {"start"};
  for (const auto& n : enable)
    if (n.size() > 6 && n.compare(n.size() - 6, 6, ".timer") == 0) timers.push_back(n);
  if (timers.size() > 1) systemctl(t.root, timers);
}

std::vector<std::string> installed_units(const std::string& root, const std::string& project) {
  std::vector<std::string> out;
  fs::path dir = unit_directory(root);
  std::error_code ec;
  const std::string prefix = "slipway-" + project;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (n.rfind(prefix, 0) != 0 || !e.is_regular_file()) continue;
    std::string rest = n.substr(prefix.size());
    // slipway-P.service, slipway-P-backup.{service,timer}, slipway-P-drill.{service,timer};
    // not slipway-P2.service (another project whose name starts the same).
    if (rest != ".service" && rest != "-backup.service" && rest != "-backup.timer" && rest != "-drill.service" &&
        rest != "-drill.timer")
      continue;
    if (written_by_slipway(e.path())) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> uninstall_units(const std::string& project, const InstallTarget& t) {
  auto units = installed_units(t.root, project);
  if (units.empty()) return units;
  if (systemd_running(t.root)) {
    std::vector<std::string> stop = {"stop"};
    for (const auto& u : units)
      if (u.size() > 6 && u.compare(u.size() - 6, 6, ".timer") == 0) stop.push_back(u);
    if (stop.size() > 1) systemctl(t.root, stop);
  }
  std::vector<std::string> args = {"disable"};
  args.insert(args.end(), units.begin(), units.end());
  systemctl(t.root, args);
  for (const auto& u : units) {
    fs::remove(fs::path(unit_directory(t.root)) / u);
    if (t.say) t.say("removed " + (fs::path(unit_directory(t.root)) / u).string());
  }
  if (systemd_running(t.root)) systemctl(t.root, {"daemon-reload"});
  return units;
}

}  // namespace slipway::server

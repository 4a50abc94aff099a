// `slipway install [--stack DIR] [--root DIR] [--backup-at CAL] [--drill-at CAL] [--no-enable]`:
// writes and enables the stack's systemd units (server/units.h): the boot unit (After/Requires
// docker.service, runs `slipway boot`) and, when the stack has a backup repository, timers for
// `slipway backup` and `slipway drill`.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "backup/settings.h"
#include "compose/model.h"
#include "cli/command.h"
#include "cli/self_path.h"
#include "compose/discovery.h"
#include "server/install.h"
#include "server/units.h"

namespace slipway::cli {
namespace {

struct InstallFlags {
  std::string stack;
  std::string root = "/";
  std::string backup_at = "daily";
  std::string drill_at = "weekly";
  bool no_enable = false;
};

// The variables slipway's own runs depend on, carried into the units. RESTIC_PASSWORD is a
// secret and never written: the units need a password file.
std::map<std::string, std::string> unit_environment(const GlobalOptions& global) {
  std::map<std::string, std::string> env;
  if (!global.host.empty()) env["DOCKER_HOST"] = global.host;
  for (const char* k :
       {"DOCKER_HOST", "SLIPWAY_STATE_DIR", "SLIPWAY_RUNTIME_DIR", "RESTIC_REPOSITORY", "RESTIC_PASSWORD_FILE"})
    if (const char* v = std::getenv(k); v && *v && !env.count(k)) env[k] = v;
  return env;
}

compose::Project load_stack(GlobalOptions& global, const std::string& stack) {
  if (!stack.empty()) {
    if (!std::filesystem::is_directory(stack))
      throw UserError(Location{stack, 0, 0}, "--stack: not a directory (the stack's directory, holding compose.yaml)");
    global.project_directory = compose::absolute_path(stack, compose::current_directory());
  }
  return compose::load(global.load_options());
}

int run_install(GlobalOptions& global, const InstallFlags& f) {
  compose::Project project = load_stack(global, f.stack);
  server::UnitSettings s;
  s.project = project.name;
  s.slipway = self_path();
  s.stack_dir = project.working_dir;
  for (const auto& file : global.files)
    s.compose_files.push_back(compose::absolute_path(file, compose::current_directory()));
  s.environment = unit_environment(global);
  auto say = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
  bool has_repository = !backup::parse_repository_settings(compose::Model(project)).repository.empty() ||
                        s.environment.count("RESTIC_REPOSITORY");
  s.backup_calendar = has_repository ? f.backup_at : "";
  s.drill_calendar = has_repository ? f.drill_at : "";
  if (!has_repository)
    say("no backup repository (x-slipway.backup.repository or RESTIC_REPOSITORY): no backup and drill timers");
  if (has_repository && std::getenv("RESTIC_PASSWORD") && !std::getenv("RESTIC_PASSWORD_FILE"))
    say("warning: RESTIC_PASSWORD is not written into units; set x-slipway.backup.password_file for the timers");
  server::InstallTarget t;
  t.root = f.root;
  t.enable = !f.no_enable;
  t.say = say;
  server::install_units(server::stack_units(s), t);
  say(project.name + " starts at boot (" + server::stack_unit_name(project.name) + "); `slipway uninstall` removes it");
  return 0;
}

int run_uninstall(GlobalOptions& global, const InstallFlags& f) {
  compose::Project project = load_stack(global, f.stack);
  server::InstallTarget t;
  t.root = f.root;
  t.say = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
  auto removed = server::uninstall_units(project.name, t);
  if (removed.empty()) std::fprintf(stderr, "no units of %s installed\n", project.name.c_str());
  return 0;
}

void add_common(CLI::App* sub, InstallFlags& f) {
  sub->add_option("--stack", f.stack, "The stack's directory (default: the project found from here, or -f)");
  sub->add_option("--root", f.root, "Install under DIR/etc/systemd/system instead of / (tests, images)");
}

void setup_install(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto f = std::make_shared<InstallFlags>();
  CLI::App* sub = app.add_subcommand("install", "Make the stack start at boot and back itself up (systemd units)");
  sub->footer(
      "Writes systemd units (slipway-PROJECT.service\n"
      "runs `slipway boot` after docker.service; with a backup repository, -backup and -drill timers)\n"
      "to /etc/systemd/system and enables them. Run as root. `slipway uninstall` removes them.");
  add_common(sub, *f);
  sub->add_option("--backup-at", f->backup_at, "OnCalendar= of the backup timer (systemd.time(7); default daily)");
  sub->add_option("--drill-at", f->drill_at, "OnCalendar= of the drill timer (default weekly)");
  sub->add_flag("--no-enable", f->no_enable, "Write the units but do not enable them");
  sub->callback([&global, &run, f] { run = [&global, f] { return run_install(global, *f); }; });
}

void setup_uninstall(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto f = std::make_shared<InstallFlags>();
  CLI::App* sub = app.add_subcommand(
      "uninstall",
      "Disable and remove the systemd units `slipway install` wrote for the stack (the stack keeps running)");
  add_common(sub, *f);
  sub->callback([&global, &run, f] { run = [&global, f] { return run_uninstall(global, *f); }; });
}

const bool registered =
    register_command({"install", 90, setup_install}) && register_command({"uninstall", 91, setup_uninstall});

}  // namespace
}  // namespace slipway::cli

// slipway's entry point: builds the CLI from the registered commands, runs the chosen one and
// maps errors to exit codes (2 user error, 1 environment or failed checks).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/command.h"
#include "cli/remote_host.h"
#include "util/ssh_target.h"
#include "util/error.h"

namespace slipway::cli {
namespace {
std::vector<Command>& registry() {
  static std::vector<Command> all;
  return all;
}
}  // namespace

bool register_command(Command command) {
  registry().push_back(std::move(command));
  return true;
}

const std::vector<Command>& commands() {
  std::sort(registry().begin(), registry().end(), [](const Command& a, const Command& b) { return a.order < b.order; });
  return registry();
}

compose::LoadOptions GlobalOptions::load_options() const {
  compose::LoadOptions o;
  o.files = files;
  o.project_name = project_name;
  o.project_directory = project_directory;
  o.env_files = env_files;
  o.profiles = profiles;
  o.environment = compose::process_environment();
  return o;
}

}  // namespace slipway::cli

int main(int argc, char** argv) {
  using namespace slipway;
  CLI::App app{
      "slipway keeps a self-hosted server maintainable: services described by a Compose file in a\n"
      "git repo are built, tested on a throwaway copy, backed up (data only, with proven restores)\n"
      "and deployed beside the running version before switching over."};
  app.name("slipway");
  app.require_subcommand(1);
  app.set_version_flag("--version", "slipway 0.1.0");
  cli::GlobalOptions global;
  app.add_option("-f,--file", global.files, "Compose file(s), in order (default: compose.yaml & co. or COMPOSE_FILE)")
      ->take_all();
  app.add_option("-p,--project-name", global.project_name,
                 "Project name (default: name:, COMPOSE_PROJECT_NAME or directory)");
  app.add_option("--project-directory", global.project_directory,
                 "Project directory (default: the first file's directory)");
  app.add_option("--env-file", global.env_files,
                 "Variables for interpolation (default: .env in the project directory)");
  app.add_option("--profile", global.profiles, "Enable a profile (repeatable; default: COMPOSE_PROFILES)");
  app.add_option("-H,--host", global.host,
                 "Engine address: unix:///path, tcp://host:port or ssh://user@host[/stack] for ps, logs, history "
                 "and snapshots of a server (default: DOCKER_HOST)");
  app.add_flag("-v,--verbose", global.verbose, "Say more about what is done");

  std::function<int()> run;
  for (const auto& c : cli::commands()) c.setup(app, global, run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    const char* docker_host = std::getenv("DOCKER_HOST");
    std::string host = !global.host.empty() ? global.host : docker_host ? docker_host : "";
    if (SshTarget::is_ssh(host) && !app.get_subcommands().empty()) {
      auto remote = cli::run_on_ssh_host(host, app.get_subcommands().front()->get_name(),
                                         std::vector<std::string>(argv + 1, argv + argc));
      if (remote) return *remote;
    }
    return run ? run() : 0;
  } catch (const Error& e) {
    std::cout.flush();
    std::fprintf(stderr, "slipway: %s\n", e.what());
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "slipway: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slipway: internal error: %s (please report this)\n", e.what());
    return 1;
  }
}

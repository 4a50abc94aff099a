// Every CLI command lives in its own file in src/cli and registers itself here, so adding a
// command touches one file. A command parses its flags, runs load -> observe -> plan -> apply
// (or the part it needs) and renders the result. Errors propagate as slipway::Error.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "compose/loader.h"

namespace slipway::cli {

// Global flags shared by every command (the same names as docker compose).
struct GlobalOptions {
  std::vector<std::string> files;      // -f/--file
  std::string project_name;            // -p/--project-name
  std::string project_directory;       // --project-directory
  std::vector<std::string> env_files;  // --env-file
  std::vector<std::string> profiles;   // --profile
  bool json = false;                   // --json: machine-readable output, no progress
  bool verbose = false;                // -v/--verbose
  std::string host;                    // -H/--host (overrides DOCKER_HOST)

  // LoadOptions for compose::load from these flags and the process environment.
  compose::LoadOptions load_options() const;
};

struct Command {
  std::string name;
  int order;  // position in --help
  // Adds the subcommand to `app`. The callback it installs must store its work in `run`.
  std::function<void(CLI::App& app, GlobalOptions& global, std::function<int()>& run)> setup;
};

// Called from a static initializer in each command's file:
//   static const bool registered = register_command({"config", 10, setup_config});
bool register_command(Command command);
const std::vector<Command>& commands();

}  // namespace slipway::cli

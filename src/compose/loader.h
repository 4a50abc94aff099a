// compose::load — Compose files in, the normalized project model out.
//
// Pure: reads files and the given environment, never the engine. The model is the canonical
// form `docker compose config --format json` prints (compose-go v2's layout), as an ordered
// JSON tree: every later layer (plan, checks, backup) reads it.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slipway::compose {

using Environment = std::map<std::string, std::string>;

struct LoadOptions {
  std::vector<std::string> files;      // -f, in order; empty = COMPOSE_FILE or discovery
  std::string project_directory;       // --project-directory; default: first file's dir
  std::string project_name;            // -p
  std::vector<std::string> env_files;  // --env-file; default: <project dir>/.env if present
  std::vector<std::string> profiles;   // --profile; default: COMPOSE_PROFILES
  Environment environment;             // the process environment (tests inject their own)
  std::string working_directory;       // where relative -f paths start; default: cwd
  bool interpolate = true;             // --no-interpolate turns it off
  bool normalize = true;               // canonical long forms, default network, names
  bool resolve_paths = true;           // absolute build contexts, bind sources, env files
  bool consistency = true;             // undefined references, depends_on cycles
  // Receives warnings (unset variables, obsolete `version`); default prints to stderr.
  std::function<void(const std::string&)> warn;
};

struct Project {
  std::string name;
  std::string working_dir;                // absolute project directory
  std::vector<std::string> config_files;  // absolute paths actually loaded
  Environment environment;                // the variables interpolation used (.env + process)
  std::vector<std::string> active_profiles;
  std::vector<std::string> all_profiles;  // every profile any service names (for --profiles)
  nlohmann::ordered_json model;           // canonical project: name, services, networks, ...
};

// Throws UserError (exit 2) with "file:line:col: message" for invalid input, EnvError (exit 1)
// when a file cannot be read.
Project load(const LoadOptions& options);

// Environment of this process as a map (for LoadOptions::environment).
Environment process_environment();

}  // namespace slipway::compose

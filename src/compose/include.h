// `include`: other Compose projects whose resources (services, networks, volumes, secrets,
// configs, models) become part of this one. Each included project is loaded on its own: its
// own project directory (relative paths), its own env files (interpolation), its own includes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "compose/loader.h"
#include "yaml/node.h"

namespace slipway::compose {

struct IncludeContext {
  std::string working_dir;         // relative include paths, project_directory and env_file start here
  Environment environment;         // the including project's variables
  std::vector<std::string> chain;  // files being loaded, outermost first, for cycle detection
  // Loads an included project: its files (absolute, in order), its project directory, its
  // variables and the chain to pass on. Returns the merged tree with absolute paths.
  std::function<yaml::Node(const std::vector<std::string>& files, const std::string& project_dir,
                           const Environment& environment, const std::vector<std::string>& chain)>
      load_project;
};

// Imports what `file`'s `include` names into `file` (one file's top-level mapping) and removes
// the `include` key. A resource defined both here and in an included project is the included
// definition with this file's merged over it, as Docker Compose does. Throws UserError for a
// malformed entry, a missing env file and an include cycle.
void apply_include(yaml::Node& file, const IncludeContext& context);

}  // namespace slipway::compose

// Normalization: the merged project tree -> the canonical form `docker compose config` prints,
// and the consistency checks Compose runs on it.
//
// The canonical tree is still a yaml::Node (so every value keeps its source mark for error
// messages), with scalar types made explicit: a Style::Plain scalar is a number or boolean and a
// Style::Quoted one is a string. to_json() turns it into the model.
#pragma once

#include <nlohmann/json.hpp>

#include "compose/loader.h"
#include "yaml/node.h"

namespace slipway::compose {

struct NormalizeContext {
  std::string project_name;
  std::string working_dir;  // absolute
  Environment environment;  // for env_file resolution and bare `environment: [VAR]`
  bool resolve_paths = true;
  std::function<void(const std::string&)> warn;
};

// Canonical forms: long-form ports (ranges expanded), long-form volumes with absolute paths,
// list-form command/entrypoint, map-form depends_on with condition/required, map-form
// environment (env_file contents merged in), absolute build contexts, the default network
// <project>_default, volume/network/secret/config names, durations and byte sizes normalized.
// Throws UserError for malformed values.
yaml::Node normalize(const yaml::Node& merged, const NormalizeContext& context);

// References to undefined services/networks/volumes/secrets/configs, depends_on cycles,
// extends leftovers. Throws UserError at the offending value.
void check_consistency(const yaml::Node& canonical);

// Canonical tree -> JSON model (Plain scalars become numbers/booleans).
nlohmann::ordered_json to_json(const yaml::Node& canonical);

}  // namespace slipway::compose

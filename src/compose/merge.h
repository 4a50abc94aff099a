// Merging Compose files (compose-spec "merge" rules): mappings merge recursively, most sequences
// append, command/entrypoint/healthcheck.test replace, volumes/secrets/configs are unique by
// target, ports by ip/target/published/protocol, `!reset` removes and `!override` replaces.
#pragma once

#include "yaml/node.h"

namespace slipway::compose {

// Merges `override` into `base` (both whole-file top-level mappings) in place.
void merge_files(yaml::Node& base, const yaml::Node& override);
// Same, consuming `override` (saves copying a whole file's tree).
void merge_files(yaml::Node& base, yaml::Node&& override);

// Merges one service definition `override` into `base` (used by files and by extends).
void merge_service(yaml::Node& base, const yaml::Node& override);

// Removes from `base` every value that `override` (a whole file) marks !reset or !override,
// without merging anything: Compose applies a file's resets to the project before resolving
// that file's `extends`, whose merge would otherwise consume the tags.
void apply_resets(yaml::Node& base, const yaml::Node& override);

// Drops !reset values and the tags of !override values left after the last merge.
void strip_merge_tags(yaml::Node& root);

// True when `root` or anything below it is tagged !reset or !override: without such tags
// apply_resets and strip_merge_tags change nothing, so callers can skip their copies.
bool has_merge_tags(const yaml::Node& root);

}  // namespace slipway::compose

// !reset and !override (compose-spec merge tags), applied while files merge. Internal to
// merge.cc and merge_tags.cc; the public entry points are in merge.h.
#pragma once

#include "yaml/node.h"

namespace slipway::compose {

// Removes from `target` every value at a path where `over` holds a !reset or !override value,
// then drops the !reset values from `over` and untags the !override ones: an !override value
// then merges into nothing, which is a replacement. `target` may be null.
void apply_tags(yaml::Node* target, yaml::Node& over);

}  // namespace slipway::compose

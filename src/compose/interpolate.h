// Variable interpolation in Compose values: $VAR ${VAR} ${VAR:-x} ${VAR-x} ${VAR:?err} ${VAR?err}
// ${VAR:+x} ${VAR+x}, defaults that themselves contain ${...}, and $$ for a literal $.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "compose/dotenv.h"
#include "yaml/node.h"

namespace slipway::compose {

struct InterpolateOptions {
  Lookup lookup;                                        // variable -> value (nullopt: unset)
  std::function<void(const std::string&)> warn;       // "the VAR variable is not set. Defaulting to a blank string."
};

// Interpolates one string. `where` locates errors: "${X?msg}" with X unset throws
// UserError(where, "required variable X is missing a value: msg"); a malformed expression
// ("${", "${X" ...) throws UserError(where, "invalid interpolation format ...").
// `$$` becomes `$`.
std::string interpolate_string(std::string_view text, const InterpolateOptions& options, const Location& where = {});

// Interpolates every scalar value of the tree in place (mapping keys are left alone, as in
// Compose). Values that interpolate from a plain scalar stay plain so that `${PORT}` can become
// an int where the schema wants one.
void interpolate_tree(yaml::Node& root, const InterpolateOptions& options);

}  // namespace slipway::compose

// Variable interpolation in Compose values: $VAR ${VAR} ${VAR:-x} ${VAR-x} ${VAR:?err} ${VAR?err}
// ${VAR:+x} ${VAR+x}, defaults that themselves contain ${...}, and $$ for a literal $.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "compose/dotenv.h"
#include "yaml/node.h"

namespace slipway::compose {

// What substitution may add to the text of the values interpolated with one budget (a project's
// files share one; so do the lines of one env file).
inline constexpr std::size_t kMaxInterpolationGrowth = 8u << 20;  // 8 MiB

struct InterpolateOptions {
  Lookup lookup;                                 // variable -> value (nullopt: unset)
  std::function<void(const std::string&)> warn;  // "the VAR variable is not set. Defaulting to a blank string."
  // Bytes substitution may still add, over every string interpolated with these options
  // (decremented as it goes). Past it interpolation throws UserError "... grow by more than
  // 8 MiB ..." instead of growing without bound (`${A}${A}...` with a long A). Null: each call
  // may add kMaxInterpolationGrowth.
  std::shared_ptr<std::size_t> growth_left;
};

// Interpolates one string. `where` locates errors: "${X?msg}" with X unset throws
// UserError(where, "required variable X is missing a value: msg"); a malformed expression
// ("${", "${X" ...) throws UserError(where, "invalid interpolation format ...").
// `$$` becomes `$`. Substitution beyond the growth budget throws UserError(where, "...").
std::string interpolate_string(std::string_view text, const InterpolateOptions& options, const Location& where = {});

// Interpolates every scalar value of the tree in place (mapping keys are left alone, as in
// Compose). Values that interpolate from a plain scalar stay plain so that `${PORT}` can become
// an int where the schema wants one.
void interpolate_tree(yaml::Node& root, const InterpolateOptions& options);

}  // namespace slipway::compose

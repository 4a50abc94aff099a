// Validation of one Compose file against the compose-spec schema (the keys and types Docker
// Compose v2 accepts), after interpolation and before merging. Reports the first problem as
// UserError("file:line:col: services.web.ports[0]: ...").
#pragma once

#include "yaml/node.h"

namespace slipway::compose {

// `root` is one file's top-level mapping. Unknown keys (except x-*), wrong types and malformed
// values whose form the schema fixes (e.g. a port string) are errors.
void validate_schema(const yaml::Node& root);

}  // namespace slipway::compose

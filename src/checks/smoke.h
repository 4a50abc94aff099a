// Which checks count as smoke checks: the ones `slipway boot` (and `rebuild`) run against the
// live stack after bringing it back.
//
// A gossfile marks its checks with `x-slipway: {smoke: true}` (spec.h). When any file of the
// suite does, the smoke checks are exactly those; when none does, every check is (a stack
// without marks is proven by its whole suite, as deploy's gate proves it).
//
// Kept to this one function so that deploy's selection (the same rule) can replace or share it.
#pragma once

#include "checks/spec.h"

namespace slipway::checks {

// The smoke checks of `suite` (its retry settings and file list are kept).
Suite select_smoke(Suite suite);

// True when any check of `suite` is marked smoke (select_smoke then drops the unmarked ones).
bool has_smoke_marks(const Suite& suite);

}  // namespace slipway::checks

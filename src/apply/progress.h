// Progress of an apply on the terminal: one line per action, rewritten in place with its
// outcome and duration when stderr is a terminal, plain lines otherwise; nothing with --json.
#pragma once

#include <functional>
#include <string>

#include "plan/plan.h"

namespace slipway::apply {

// A callback for ApplyOptions::progress writing to stderr. quiet: writes nothing.
std::function<void(const plan::Action&, size_t, size_t, bool, double)> terminal_progress(bool quiet);

// Prints a warning line to stderr ("slipway: warning: ...").
void print_warning(const std::string& message);

}  // namespace slipway::apply

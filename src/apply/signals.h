// SIGINT/SIGTERM while slipway changes the engine: the first signal asks the running work to
// stop at the next safe point (between two actions, or in a wait); a second one kills at once.
// The command then exits 128+signal (130 for SIGINT, 143 for SIGTERM), saying what was
// interrupted and what state it left.
#pragma once

#include <string>

#include "util/error.h"

namespace slipway::apply {

// Work stopped because of a signal. exit_code() is 128 + the signal.
class Interrupted : public Error {
 public:
  Interrupted(int signal, const std::string& message) : Error(128 + signal, message) {}
};

// True once SIGINT/SIGTERM arrived while the SignalGuards now alive were (false with none).
bool interrupted();
// The first signal that arrived (SIGINT, SIGTERM), 0 when none.
int interrupting_signal();
// "SIGINT" / "SIGTERM" (or "signal N").
std::string signal_name(int signal);

// Installs the SIGINT/SIGTERM handlers while alive (nesting is fine); the outermost one
// restores the previous handlers and forgets earlier signals when it is made.
class SignalGuard {
 public:
  SignalGuard();
  ~SignalGuard();
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;
};

}  // namespace slipway::apply

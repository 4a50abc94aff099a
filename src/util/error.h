// Errors that end a command. slipway's contract with its users is the exit code:
//   2  user error: a bad file, flag or name. Message: "path:line:col: what is wrong (what to do)".
//   1  environment failure (engine down, restic missing, disk full) or failed checks.
// Errors are exceptions rather than status values because the loader and planner are deep,
// recursive and pure: a failure anywhere aborts the whole command, and nothing has been
// changed yet when they throw. The CLI's main() is the only place that catches them.
#pragma once

#include <stdexcept>
#include <string>

namespace slipway {

// Where in a source file something is. line and column are 1-based; 0 means unknown.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return !file.empty(); }
  // "file:line:col", "file:line", "file" or "" depending on what is known.
  std::string str() const;
};

// Base of every slipway error; what() is the complete one-line message.
class Error : public std::runtime_error {
 public:
  Error(int exit_code, const std::string& message) : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// The user's input is wrong (exit 2). Prefixes the message with the location when known.
class UserError : public Error {
 public:
  explicit UserError(const std::string& message) : Error(2, message) {}
  UserError(const Location& where, const std::string& message)
      : Error(2, where.known() ? where.str() + ": " + message : message), location_(where), bare_(message) {}
  const Location& location() const { return location_; }
  // The message without the location prefix.
  const std::string& bare() const { return bare_; }

 private:
  Location location_;
  std::string bare_;
};

// Something outside the user's files failed: engine, program, filesystem (exit 1).
class EnvError : public Error {
 public:
  explicit EnvError(const std::string& message) : Error(1, message) {}
};

}  // namespace slipway

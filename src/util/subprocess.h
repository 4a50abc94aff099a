// The one place slipway starts other programs (restic, mmdebstrap, ssh). Always an argv
// vector, never a shell string, so no argument is ever re-parsed by a shell.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace slipway {

struct SubprocessOptions {
  std::optional<std::string> stdin_data;         // fed to the child's stdin, then closed
  std::map<std::string, std::string> extra_env;  // added to (or replacing in) the environment
  std::string working_directory;                 // empty: inherit
  bool capture_stdout = true;                    // false: inherit the terminal
  bool capture_stderr = true;
  // Called with each chunk of stdout as it arrives (still captured when capture_stdout).
  std::function<void(const std::string&)> on_stdout;
  std::function<void(const std::string&)> on_stderr;
  // Sent to the child when the caller gives up on it (a callback threw). restic needs SIGINT
  // to remove its repository lock; most programs take SIGTERM.
  int stop_signal = 15;  // SIGTERM
  // Asked about every 100 ms while the child runs (needs captured stdout or stderr). Once it
  // answers true the child gets stop_signal (once), and SIGKILL when it has not ended
  // stop_grace_seconds later; run_process then returns its exit status as usual. The agent
  // uses it to abort a job cleanly on SIGTERM.
  std::function<bool()> should_stop;
  int stop_grace_seconds = 60;
};

struct SubprocessResult {
  int exit_code = -1;  // exit status, or 128+signal when killed by a signal
  std::string out;
  std::string err;
};

// Runs argv[0] (looked up in PATH) and waits. Throws EnvError "PROGRAM not found (install ...)"
// when the program does not exist; otherwise returns its exit code and output.
SubprocessResult run_process(const std::vector<std::string>& argv, const SubprocessOptions& options = {});

// True when `program` is found in PATH (or is an executable path).
bool program_exists(const std::string& program);

}  // namespace slipway

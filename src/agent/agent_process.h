// The agent as a process: what `slipway agent` does once its flags are read — load each stack
// and its schedule, start the loop (agent/agent.h), serve the page (agent/page.h), stop on
// SIGTERM/SIGINT/SIGHUP. Shared by its two programs: the lean `slipway-agent`
// (src/agent_program/), which `slipway agent` normally becomes (execve), and the full slipway
// binary, which runs it in its own process when slipway-agent is missing or the engine is
// reached over ssh://. What differs is passed in: the engine client and how notifications
// leave (libcurl in slipway, a child `slipway agent-notify` in slipway-agent).
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agent/notify.h"
#include "compose/loader.h"
#include "engine/engine.h"

namespace slipway::agent {

struct ProcessOptions {
  // Each stack: the name the log uses when it cannot be loaded (its directory), and how to load it.
  std::vector<std::pair<std::string, compose::LoadOptions>> stacks;
  std::string listen = "127.0.0.1:8477";
  std::string token_file;  // "": STATE_DIR/agent.token
  std::vector<std::string> run_now;
  bool no_http = false;
  std::string slipway;            // the slipway binary the jobs run
  std::set<std::string> commands;  // the commands it has (empty: assume all)
  NotifySenders senders;
};

// Runs until SIGTERM/SIGINT/SIGHUP; returns the exit code (0). Throws UserError when no stack
// can be loaded and there is no page to show why, EnvError when the page cannot listen.
int run_agent_process(const engine::Engine& engine, const ProcessOptions& options);

// The API token: read from the file, or made (32 random bytes, hex) and written with mode 0600.
std::string read_or_make_token(const std::string& path);

}  // namespace slipway::agent

// `slipway -H ssh://USER@HOST[/STACK] COMMAND`: the read-only view of a server from a laptop.
// ps and logs read the server's engine through `ssh HOST docker system dial-stdio`
// (engine/ssh_dial.h); history and snapshots need the server's state and stack directory, so
// they run as `slipway [--project-directory STACK] COMMAND …` on the server, their output
// relayed. Other commands refuse ssh:// hosts: changes reach a server by `slipway push`.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace slipway::cli {

// For an ssh:// host: the exit code of running `command` on the server (history,
// snapshots), or nullopt when the command runs here over the tunnelled engine (ps, logs).
// Throws UserError for a command that does not work over ssh, EnvError (one line) when ssh
// cannot reach the host or the key is refused. `args` are slipway's own arguments (argv[1..]).
std::optional<int> run_on_ssh_host(const std::string& host, const std::string& command,
                                   const std::vector<std::string>& args);

}  // namespace slipway::cli

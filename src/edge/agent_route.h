// x-slipway.agent: the agent's status page through the stack's edge, under a host name of its
// own and behind HTTP basic authentication (docs/agent.md, "Through the edge").
//
//   x-slipway:
//     agent:
//       route: status.example.org          # [http://]HOST, as a route key but without a path
//       users-file: ./secrets/status-users # NAME:BCRYPT-HASH lines (htpasswd -nB NAME)
//       tls: internal                      # optional, as for a route
//
// The users file holds bcrypt hashes only, never a password: `htpasswd -nB NAME` (Debian's
// apache2-utils) or `caddy hash-password` in the edge image make one. A line that is not
// NAME:HASH is refused, naming the file and line but never echoing the line (it may be a
// password written there by mistake).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "edge/routes.h"

namespace slipway::edge {

// The agent's socket in the edge's admin directory (edge.h): the host's
// <state dir>/edge/<project>/agent.sock, the container's /run/slipway-admin/agent.sock.
inline constexpr const char* kAgentSocketName = "agent.sock";

// x-slipway.agent of `x_slipway` (the x-slipway mapping), or nullopt when absent. Reads the users
// file (relative to `base_dir`, default the current directory). UserError through `at` for an
// unknown key, a missing or malformed route or users-file, a file that cannot be read or holds
// no valid user.
std::optional<AgentRoute> parse_agent_route(const ojson& x_slipway, const Reporter& at, const std::string& base_dir);

// The users of a users file's text (a hash may also be base64-encoded, as Caddy 2.6's
// `caddy hash-password` prints it). UserError "FILE:LINE: ..." for a line that is not
// NAME:BCRYPT-HASH or repeats a name, and "FILE: ..." when it names no user.
std::vector<BasicUser> parse_users(const std::string& text, const std::string& file);

// Whether `hash` is a bcrypt hash in modular crypt format ($2a$/$2b$/$2y$, cost 04-31, 53
// characters of bcrypt's base64).
bool is_bcrypt_hash(const std::string& hash);

}  // namespace slipway::edge

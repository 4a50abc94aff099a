// ssh://[user@]host[:port][/path] — a server slipway reaches through OpenSSH's client: the
// engine's socket tunnelled by `docker system dial-stdio` (engine/ssh_dial.h), commands run on
// the server (`slipway -H ssh://… history`), and the remotes `slipway push` deploys to.
//
// ssh joins the remote command's words with spaces and the server's login shell splits them
// again, so every word slipway sends is single-quoted here (remote_command), never pasted.
// Authentication is left to OpenSSH (keys, agent, ~/.ssh/config); BatchMode=yes makes a
// missing or refused key fail at once instead of prompting. SLIPWAY_SSH_CONFIG names an
// ssh_config file to use instead of ~/.ssh/config (tests, or a deploy key of its own).
#pragma once

#include <string>
#include <vector>

namespace slipway {

struct SshTarget {
  std::string address;  // as given, for messages
  std::string user;     // "" = ssh's default (the config's User, else the local user)
  std::string host;     // name or address; IPv6 without brackets
  std::string port;     // "" = ssh's default
  std::string path;     // "" or absolute: on the server, the stack's directory

  // True for "ssh://…" addresses.
  static bool is_ssh(const std::string& address);
  // Throws UserError naming what is wrong with `address`.
  static SshTarget parse(const std::string& address);

  // argv that runs `words` on the server: ssh, its options, the target, then the words each
  // quoted for the remote shell.
  std::vector<std::string> ssh_argv(const std::vector<std::string>& words) const;
};

// One word for a POSIX shell: 'it'\''s' — safe for any byte but NUL.
std::string shell_quote(const std::string& word);

}  // namespace slipway

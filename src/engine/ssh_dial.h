// A connection to an engine on another machine through `ssh HOST docker system dial-stdio`,
// the way the Docker CLI reaches ssh:// hosts: the server's docker CLI relays its stdin and
// stdout to the engine's socket, so HTTP written to the ssh process reaches the engine.
//
// The process gets one end of a socketpair as both stdin and stdout; the other end is an
// ordinary connected stream socket. One ssh per connection (SshConnections relays them).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace slipway::engine {

class SshDial {
 public:
  // Starts `argv` (ssh …) with a socketpair as its stdin and stdout and a private file as its
  // stderr. Throws EnvError when it cannot start.
  explicit SshDial(const std::vector<std::string>& argv);
  ~SshDial();  // closes the socket and reaps the process (finish())
  SshDial(const SshDial&) = delete;
  SshDial& operator=(const SshDial&) = delete;

  // Our end of the socketpair, owned by this object.
  int fd() const { return fd_; }

  // Closes our end (if still owned), waits for ssh to end (SIGTERM after 5 s) and returns
  // the last line it wrote to stderr: why the host was unreachable or the key refused.
  std::string finish();

 private:
  int fd_ = -1;
  int err_fd_ = -1;
  pid_t pid_ = 0;
  std::string last_error_;
};

// The ssh connections of one Transport: a unix socket in a private directory (0700) whose
// every connection is relayed to a new `ssh … docker system dial-stdio`. libcurl speaks to it
// like to the engine's own socket and keeps connections open between requests (HTTP
// keep-alive), so `slipway -H ssh://… ps` costs one ssh login, not one per API call — a login
// costs a handshake and the server's shell start-up. (libcurl 7.88 ignores
// CURL_SOCKOPT_ALREADY_CONNECTED, so it cannot be handed ssh's socketpair directly.)
class SshConnections {
 public:
  explicit SshConnections(std::vector<std::string> argv);  // throws EnvError
  ~SshConnections();  // ends the relays, reaps their ssh processes, removes the socket
  SshConnections(const SshConnections&) = delete;
  SshConnections& operator=(const SshConnections&) = delete;

  // The socket to connect to instead of the engine's.
  const std::string& socket_path() const;
  // Makes a libcurl easy handle reuse the connections the other requests left open.
  void share_with(void* curl_easy_handle) const;
  // What the last ssh that ended said on stderr (why a connection failed).
  std::string last_error() const;

 private:
  struct State;
  State* state_;
};

// The relay for an ssh:// engine address, made on first use and kept until the process ends
// (every Client of the address shares it). Throws UserError for a bad address.
SshConnections& ssh_relay(const std::string& address);

}  // namespace slipway::engine

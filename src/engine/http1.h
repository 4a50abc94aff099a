// Plain HTTP/1.1 to the engine on a stream socket of our own, without libcurl. Two users:
// Transport::upgrade (exec and attach with stdin, which libcurl cannot do) and the lean agent
// program `slipway-agent` (docs/agent.md), whose Transport::send is this so that libcurl, and
// the TLS, LDAP and ssh libraries it loads, are never mapped into the idle agent.
//
// What it speaks is what the Engine API needs: one request per connection (`Connection:
// close`), a body framed by Content-Length or sent chunked (a BodyReader), a response framed by
// Content-Length, chunked transfer-encoding or the connection's end, interim 1xx answers
// skipped. Unix sockets and tcp://host:port; not ssh:// (that needs the relay of ssh_dial.h).
#pragma once

#include <string>

#include "engine/transport.h"

namespace slipway::engine {

// A connected socket, closed when it goes out of scope.
class EngineSocket {
 public:
  EngineSocket() = default;
  explicit EngineSocket(int fd) : fd_(fd) {}
  ~EngineSocket();
  EngineSocket(EngineSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  EngineSocket& operator=(EngineSocket&&) = delete;
  EngineSocket(const EngineSocket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// Connects to the endpoint's unix socket, or to its tcp host:port within
// `connect_timeout_seconds`. Throws EnvError "cannot reach the container engine at ADDRESS:
// REASON (is dockerd running? ...)", the reason in words a person can act on.
EngineSocket connect_engine_socket(const Endpoint& endpoint, long connect_timeout_seconds);

// Sends `request` on a connected socket and reads the whole response, with Transport::send's
// contract: any HTTP status is returned; a successful (< 300) body goes to `sink` in chunks
// when one is given (returning false ends the exchange normally); an error status's body is
// always collected; request.timeout_seconds bounds the whole exchange (0: none). A broken
// connection or a response that is not HTTP throws EnvError naming the endpoint and request.
Response http1_exchange(const EngineSocket& socket, const Endpoint& endpoint, const Request& request,
                        const ChunkSink& sink = nullptr);

// connect_engine_socket + http1_exchange: one request on a new connection.
Response http1_send(const Endpoint& endpoint, long connect_timeout_seconds, const Request& request,
                    const ChunkSink& sink = nullptr);

// Why a socket at `path` could not be reached ("no such socket", "permission denied (...)"),
// or `fallback` when the socket looks usable.
std::string socket_reason(const std::string& path, const std::string& fallback);

}  // namespace slipway::engine

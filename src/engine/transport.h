// HTTP to the container engine over a unix socket or TCP (libcurl). The only code that opens
// the engine's socket; everything above it speaks in paths and JSON.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace slipway::engine {

// Fills `buffer` with up to `capacity` bytes of a streamed request body; returns how many it
// wrote, 0 at the end. Throwing aborts the request (the exception reaches the caller).
using BodyReader = std::function<std::size_t(char* buffer, std::size_t capacity)>;

// Receives each chunk of a response body as it arrives; returning false stops the transfer
// (the request then ends normally, not with an error).
using ChunkSink = std::function<bool(const char* data, std::size_t size)>;

struct Request {
  std::string method = "GET";
  std::string target;                          // path + query, e.g. "/v1.41/containers/json?all=1"
  std::map<std::string, std::string> headers;  // e.g. Content-Type
  std::string body;                            // used when `reader` is empty
  BodyReader reader;                           // streamed body (sent chunked)
  long timeout_seconds = 0;                    // whole request; 0 = none (streams)
};

struct Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // empty when a ChunkSink consumed it
};

// Where the engine listens, parsed from "unix:///path", "tcp://host:port", "http://..." or a
// bare absolute socket path.
struct Endpoint {
  std::string address;      // as given, for messages
  std::string socket_path;  // set for unix sockets
  std::string base_url;     // "http://localhost" for sockets, "http://host:port" for tcp

  // Throws UserError for a scheme slipway cannot speak (ssh://, npipe://, garbage).
  static Endpoint parse(const std::string& address);
};

class Transport {
 public:
  explicit Transport(Endpoint endpoint, long connect_timeout_seconds = 5);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  const Endpoint& endpoint() const { return endpoint_; }

  // Sends the request and returns the response. With `sink`, a successful (< 300) body is
  // handed to it in chunks instead of being collected; an error status's body is always
  // collected in Response::body, so callers can report the engine's message. Any HTTP status is returned, not thrown; a
  // failure to connect or a broken transfer throws EnvError naming the endpoint. Safe to call from several threads at
  // once (each call uses its own connection handle).
  Response send(const Request& request, const ChunkSink& sink = nullptr) const;

  // For endpoints that take over the connection (exec start and attach with stdin): sends
  // `request` asking for an upgrade, then writes `input` while reading, half-closes the
  // connection once `input` is written, and hands everything the engine sends to `sink` until
  // it closes. An error status's body is returned in Response::body as with send().
  Response upgrade(const Request& request, const std::string& input, const ChunkSink& sink) const;

 private:
  Endpoint endpoint_;
  long connect_timeout_;
};

}  // namespace slipway::engine

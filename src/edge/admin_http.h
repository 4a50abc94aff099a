// HTTP/1.1 to the edge's admin API over its unix socket (libcurl). This is slipway's second
// HTTP peer beside the container engine: engine/transport.h is the engine's and names the
// engine in every message; this one names the edge and speaks Caddy's admin dialect (an empty
// Host header, which is what Caddy accepts on a unix socket, and the ETag it sends as a trailer).
#pragma once

#include <map>
#include <string>

namespace slipway::edge {

struct AdminRequest {
  std::string method = "GET";
  std::string path;  // e.g. "/config/"; already percent-encoded
  std::string body;  // sent as application/json when not empty (and always for POST/PATCH/PUT)
  std::map<std::string, std::string> headers;
  long timeout_seconds = 30;
};

struct AdminResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased; trailers (ETag) included
};

class AdminHttp {
 public:
  explicit AdminHttp(std::string socket_path, long connect_timeout_seconds = 5);

  const std::string& socket_path() const { return socket_path_; }

  // Sends the request; every HTTP status is returned. Throws EnvError "cannot reach the edge's
  // admin API at unix://PATH: REASON (...)" when nothing answers on the socket, and EnvError
  // naming the request when the transfer breaks or times out. Thread-safe.
  AdminResponse send(const AdminRequest& request) const;

 private:
  std::string socket_path_;
  long connect_timeout_;
};

// `text` as one percent-encoded URL path segment (everything but A-Z a-z 0-9 - . _ ~ escaped).
std::string path_segment(const std::string& text);

}  // namespace slipway::edge

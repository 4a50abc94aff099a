// RequestFramer — finds the request boundaries in the client→engine half of an HTTP/1.1
// connection, so that a relay can look at each request's head before deciding to forward it.
//
// It understands exactly what the Docker Engine API's clients send: a request line and
// headers, then a body framed by Content-Length or by chunked transfer-encoding (or none),
// several requests one after the other on one connection (keep-alive, pipelining), and a
// request asking for a connection Upgrade (attach, exec start), after whose body the
// connection carries raw bytes that are no longer HTTP. Bodies are never interpreted.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace slipway::testsupport {

// The head of one request.
struct RequestHead {
  std::string method;                          // "POST"
  std::string target;                          // "/v1.41/containers/create?name=x", as sent
  std::map<std::string, std::string> headers;  // names in lower case

  // The target without its query string: what logs may show.
  std::string path() const;
  // POST, PUT, PATCH and DELETE: the methods with which the Engine API changes anything.
  bool state_changing() const;
};

class RequestFramer {
 public:
  enum class Kind {
    need_more,  // the buffer ends inside a head or a chunk-size line: read more first
    head,       // `length` bytes are a complete request head (`head` says which)
    bytes,      // `length` bytes are body, chunk framing or raw bytes of the current request
    error,      // the client sent something that is not HTTP/1.1 (`error` says what)
  };
  struct Piece {
    Kind kind = Kind::need_more;
    std::size_t length = 0;
    RequestHead head;   // for Kind::head
    std::string error;  // for Kind::error
  };

  // The first piece of `buffer`, the client bytes not yet consumed. The caller then consumes
  // exactly `length` bytes from the front of its buffer (forwarding or dropping them) and asks
  // again; the framer's state already assumes that. A head is reported only when complete.
  Piece next(std::string_view buffer);

  // True between requests (nothing of a request is pending), false inside one or once raw.
  bool between_requests() const { return state_ == State::head; }
  // True once an upgrade request's head and body have passed: everything after is raw.
  bool raw() const { return state_ == State::raw; }

  // A head larger than this is refused (a client that never ends its head).
  static constexpr std::size_t kMaxHeadBytes = 1 << 20;

 private:
  enum class State { head, body, chunk_size, chunk_data, trailer, raw };

  Piece start_request(std::string_view buffer);
  Piece next_chunk_size(std::string_view buffer);
  Piece next_trailer(std::string_view buffer);
  // Where the current request's body ends: the next request, or raw bytes after an upgrade.
  void finish_request() { state_ = upgrade_ ? State::raw : State::head; }

  State state_ = State::head;
  std::size_t remaining_ = 0;  // body or chunk bytes (with the chunk's CRLF) still to come
  bool upgrade_ = false;       // the current request asks for an upgrade
};

}  // namespace slipway::testsupport

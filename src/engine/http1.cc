#include "engine/http1.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>

#include "util/error.h"
#include "util/text.h"

namespace slipway::engine {
namespace {

using Clock = std::chrono::steady_clock;

EnvError unreachable(const Endpoint& e, const std::string& reason) {
  return EnvError("cannot reach the container engine at " + e.address + ": " + reason +
                  " (is dockerd running? set DOCKER_HOST or -H)");
}

// One exchange on one socket: the deadline, the bytes read but not yet used, and the words
// every error message needs.
class Exchange {
 public:
  Exchange(int fd, const Endpoint& endpoint, const Request& request)
      : fd_(fd), endpoint_(endpoint), request_(request) {
    if (request.timeout_seconds > 0) deadline_ = Clock::now() + std::chrono::seconds(request.timeout_seconds);
  }

  [[noreturn]] void fail(const std::string& why) const {
    throw EnvError("talking to the container engine at " + endpoint_.address + " (" + request_.method + " " +
                   request_.target + "): " + why);
  }

  // Waits until the socket is ready for `events`, or throws at the deadline.
  void wait(short events) const {
    while (true) {
      int ms = -1;
      if (deadline_) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - Clock::now()).count();
        if (left <= 0) timed_out();
        ms = static_cast<int>(std::min<long long>(left, 60'000));
      }
      pollfd p{fd_, events, 0};
      int r = ::poll(&p, 1, ms);
      if (r > 0) return;
      if (r < 0 && errno != EINTR) fail(std::string("poll: ") + std::strerror(errno));
    }
  }

  [[noreturn]] void timed_out() const {
    throw EnvError("the container engine at " + endpoint_.address + " did not answer " + request_.method + " " +
                   request_.target + " within " + std::to_string(request_.timeout_seconds) + " s");
  }

  void write_all(const char* data, size_t size) {
    size_t off = 0;
    while (off < size) {
      wait(POLLOUT);
      ssize_t w = ::send(fd_, data + off, size - off, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
        fail(std::string("writing the request: ") + std::strerror(errno));
      }
      off += static_cast<size_t>(w);
    }
  }
  void write_all(const std::string& s) { write_all(s.data(), s.size()); }

  // Reads more bytes into the buffer; false at the end of the connection.
  bool fill() {
    char chunk[16384];
    while (true) {
      wait(POLLIN);
      ssize_t r = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
      if (r > 0) {
        buf_.append(chunk, static_cast<size_t>(r));
        return true;
      }
      if (r == 0) return false;
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      fail(std::string("reading the response: ") + std::strerror(errno));
    }
  }

  // One line without its CRLF (heads, chunk sizes, trailers).
  std::string line() {
    size_t end;
    while ((end = buf_.find("\r\n", pos_)) == std::string::npos) {
      if (buf_.size() - pos_ > kMaxLine) fail("a response line longer than 64 KiB");
      compact();
      if (!fill()) fail("the connection closed inside the response head");
    }
    std::string l = buf_.substr(pos_, end - pos_);
    pos_ = end + 2;
    return l;
  }

  // Hands up to `n` body bytes (all that remain until the end when n is nullopt) to `out`;
  // false when `out` asked to stop.
  template <typename Out>
  bool body(std::optional<size_t> n, Out&& out) {
    size_t left = n.value_or(SIZE_MAX);
    while (left > 0) {
      if (pos_ == buf_.size()) {
        buf_.clear();
        pos_ = 0;
        if (!fill()) {
          if (n) fail("the connection closed inside the response body");
          return true;
        }
      }
      size_t k = std::min(left, buf_.size() - pos_);
      bool more = out(buf_.data() + pos_, k);
      pos_ += k;
      left -= k;
      if (!more) return false;
    }
    return true;
  }

 private:
  static constexpr size_t kMaxLine = 64 * 1024;
  void compact() {
    if (pos_ > 0) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
  }

  int fd_;
  const Endpoint& endpoint_;
  const Request& request_;
  std::optional<Clock::time_point> deadline_;
  std::string buf_;
  size_t pos_ = 0;
};

std::string host_header(const Endpoint& e) {
  if (!e.socket_path.empty()) return "localhost";
  return e.base_url.rfind("http://", 0) == 0 ? e.base_url.substr(7) : e.base_url;
}

void send_request(Exchange& x, const Endpoint& endpoint, const Request& request) {
  std::string head = request.method + " " + request.target + " HTTP/1.1\r\nHost: " + host_header(endpoint) + "\r\n";
  for (const auto& [k, v] : request.headers) head += k + ": " + v + "\r\n";
  head += "Connection: close\r\n";
  if (request.reader) {
    head += "Transfer-Encoding: chunked\r\n\r\n";
    x.write_all(head);
    std::string chunk(64 * 1024, '\0');
    while (true) {
      size_t n = request.reader(chunk.data(), chunk.size());
      char size_line[32];
      std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
      x.write_all(size_line, std::strlen(size_line));
      if (n == 0) break;
      x.write_all(chunk.data(), n);
      x.write_all("\r\n", 2);
    }
    x.write_all("\r\n", 2);
    return;
  }
  // As libcurl does: a length for every method that may carry a body, none for GET and HEAD.
  if (request.method != "GET" && request.method != "HEAD")
    head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  head += "\r\n";
  x.write_all(head + request.body);
}

}  // namespace

EngineSocket::~EngineSocket() {
  if (fd_ >= 0) ::close(fd_);
}

std::string socket_reason(const std::string& path, const std::string& fallback) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "no such socket";
  if (!S_ISSOCK(st.st_mode)) return "not a socket";
  if (::access(path.c_str(), R_OK | W_OK) != 0)
    return "permission denied (run as root or join the socket's group, e.g. docker)";
  return fallback;
}

EngineSocket connect_engine_socket(const Endpoint& e, long connect_timeout_seconds) {
  if (!e.socket_path.empty()) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw EnvError(std::string("socket: ") + std::strerror(errno));
    EngineSocket s(fd);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (e.socket_path.size() >= sizeof addr.sun_path) throw unreachable(e, "socket path too long");
    std::memcpy(addr.sun_path, e.socket_path.c_str(), e.socket_path.size() + 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw unreachable(e, socket_reason(e.socket_path, std::strerror(errno)));
    return s;
  }
  if (e.base_url.rfind("http://", 0) != 0) throw unreachable(e, "only unix sockets and tcp:// are spoken here");
  std::string hostport = e.base_url.substr(7);
  size_t colon = hostport.rfind(':');
  std::string host = hostport.substr(0, colon), port = hostport.substr(colon + 1);
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) throw unreachable(e, gai_strerror(rc));
  std::string last = "no address";
  int found = -1;
  for (addrinfo* a = res; a && found < 0; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int ms = connect_timeout_seconds > 0 ? static_cast<int>(connect_timeout_seconds * 1000) : -1;
      int err = 0;
      socklen_t len = sizeof err;
      if (::poll(&p, 1, ms) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) rc = 0;
      else errno = err ? err : ETIMEDOUT;
    }
    if (rc == 0) {
      found = fd;
      break;
    }
    last = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(res);
  if (found < 0) throw unreachable(e, last);
  // Back to blocking: the exchange polls before every read and write anyway.
  ::fcntl(found, F_SETFL, ::fcntl(found, F_GETFL) & ~O_NONBLOCK);
  return EngineSocket(found);
}

Response http1_exchange(const EngineSocket& socket, const Endpoint& endpoint, const Request& request,
                        const ChunkSink& sink) {
  Exchange x(socket.fd(), endpoint, request);
  send_request(x, endpoint, request);

  Response response;
  while (true) {
    std::string status_line = x.line();
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12)
      x.fail("not an HTTP response: " + status_line.substr(0, 80));
    response.status = std::strtol(status_line.c_str() + 9, nullptr, 10);
    response.headers.clear();
    for (std::string l = x.line(); !l.empty(); l = x.line()) {
      auto colon = l.find(':');
      if (colon != std::string::npos) response.headers[lower(trim(l.substr(0, colon)))] = trim(l.substr(colon + 1));
    }
    // 101 is the end of HTTP on this connection; other 1xx are interim answers.
    if (response.status < 100 || response.status >= 200 || response.status == 101) break;
  }
  if (request.method == "HEAD" || response.status == 204 || response.status == 304 ||
      (response.status >= 100 && response.status < 200))
    return response;

  const bool to_sink = sink && response.status < 300;
  auto out = [&](const char* data, size_t n) {
    if (!to_sink) {
      response.body.append(data, n);
      return true;
    }
    return sink(data, n);
  };

  auto te = response.headers.find("transfer-encoding");
  if (te != response.headers.end() && lower(te->second).find("chunked") != std::string::npos) {
    while (true) {
      std::string size_line = x.line();
      char* end = nullptr;
      unsigned long long n = std::strtoull(size_line.c_str(), &end, 16);
      if (end == size_line.c_str()) x.fail("a bad chunk size: " + size_line.substr(0, 40));
      if (n == 0) break;
      if (!x.body(static_cast<size_t>(n), out)) return response;
      if (!x.line().empty()) x.fail("a chunk without its line end");
    }
    for (std::string l = x.line(); !l.empty(); l = x.line()) {
      auto colon = l.find(':');
      if (colon != std::string::npos) response.headers[lower(trim(l.substr(0, colon)))] = trim(l.substr(colon + 1));
    }
    return response;
  }
  auto cl = response.headers.find("content-length");
  if (cl != response.headers.end()) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(cl->second.c_str(), &end, 10);
    if (end == cl->second.c_str()) x.fail("a bad Content-Length: " + cl->second.substr(0, 40));
    x.body(static_cast<size_t>(n), out);
    return response;
  }
  x.body(std::nullopt, out);  // until the engine closes the connection
  return response;
}

Response http1_send(const Endpoint& endpoint, long connect_timeout_seconds, const Request& request,
                    const ChunkSink& sink) {
  EngineSocket s = connect_engine_socket(endpoint, connect_timeout_seconds);
  return http1_exchange(s, endpoint, request, sink);
}

}  // namespace slipway::engine

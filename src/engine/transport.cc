// The parts of the engine transport every program shares: parsing the engine's address and
// the connection upgrade (exec and attach with stdin). How a request is sent (Transport's
// constructor and send()) is the program's HTTP backend, see engine/transport.h.
#include "engine/transport.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "engine/http1.h"
#include "util/error.h"
#include "util/ssh_target.h"
#include "util/text.h"

namespace slipway::engine {
namespace {

void write_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw EnvError(std::string("writing to the container engine: ") + std::strerror(errno));
    }
    off += static_cast<size_t>(w);
  }
}

}  // namespace

Endpoint Endpoint::parse(const std::string& address) {
  Endpoint e;
  e.address = address;
  auto bad = [&](const std::string& why) {
    return UserError("engine address '" + address + "': " + why + " (use unix:///path/to/socket or tcp://host:port)");
  };
  if (address.rfind("unix://", 0) == 0) {
    e.socket_path = address.substr(7);
    if (e.socket_path.empty() || e.socket_path[0] != '/') throw bad("the socket path must be absolute");
    e.base_url = "http://localhost";
  } else if (!address.empty() && address[0] == '/') {
    e.socket_path = address;
    e.address = "unix://" + address;
    e.base_url = "http://localhost";
  } else if (address.rfind("tcp://", 0) == 0 || address.rfind("http://", 0) == 0) {
    std::string rest = address.substr(address.find("://") + 3);
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    if (rest.empty()) throw bad("no host given");
    if (rest.find('/') != std::string::npos) throw bad("a path after host:port is not supported");
    // Docker's default TCP port when none is given.
    bool has_port = rest.back() != ']' && rest.find(':') != std::string::npos && rest.find(':') == rest.rfind(':');
    if (rest[0] == '[') has_port = rest.find("]:") != std::string::npos;
    if (!has_port) rest += ":2375";
    e.base_url = "http://" + rest;
  } else if (address.rfind("https://", 0) == 0) {
    throw bad("TLS (https://) is not supported yet");
  } else if (SshTarget::is_ssh(address)) {
    // The Transport connects through ssh_relay() (engine/ssh_dial.h). A path in the address
    // names the stack's directory on the server (cli), nothing of the engine's.
    SshTarget::parse(address);
    e.base_url = "http://localhost";
  } else {
    throw bad("unknown scheme");
  }
  return e;
}

Transport::~Transport() = default;

// Raw HTTP/1.1 on our own socket, because libcurl cannot read and write one connection
// independently after the response headers.
Response Transport::upgrade(const Request& request, const std::string& input, const ChunkSink& sink) const {
  EngineSocket s = connect_engine_socket(endpoint_, connect_timeout_);
  std::string head = request.method + " " + request.target + " HTTP/1.1\r\nHost: localhost\r\n";
  for (const auto& [k, v] : request.headers) head += k + ": " + v + "\r\n";
  head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  head += "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
  write_all(s.fd(), head + request.body);

  // Read the response head.
  std::string buf;
  char chunk[65536];
  size_t end;
  while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
    ssize_t r = ::recv(s.fd(), chunk, sizeof chunk, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0)
      throw EnvError("the container engine at " + endpoint_.address + " closed the connection of " + request.target);
    buf.append(chunk, static_cast<size_t>(r));
  }
  Response response;
  std::istringstream lines(buf.substr(0, end));
  std::string line;
  std::getline(lines, line);
  {
    std::istringstream first(line);
    std::string http;
    first >> http >> response.status;
  }
  while (std::getline(lines, line)) {
    auto colon = line.find(':');
    if (colon != std::string::npos) response.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  }
  std::string rest = buf.substr(end + 4);
  if (response.status >= 300) {
    // An error answer is an ordinary response with a length.
    size_t want = std::string::npos;
    if (auto it = response.headers.find("content-length"); it != response.headers.end()) want = std::stoul(it->second);
    while (want == std::string::npos || rest.size() < want) {
      ssize_t r = ::recv(s.fd(), chunk, sizeof chunk, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      rest.append(chunk, static_cast<size_t>(r));
    }
    response.body = rest;
    return response;
  }

  bool reading = true, stopped = false;
  if (!rest.empty() && !sink(rest.data(), rest.size())) stopped = true;
  size_t written = 0;
  bool writing = !input.empty();
  if (!writing) ::shutdown(s.fd(), SHUT_WR);
  while (reading && !stopped) {
    pollfd p{s.fd(), static_cast<short>(POLLIN | (writing ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, -1) < 0) {
      if (errno == EINTR) continue;
      throw EnvError(std::string("poll: ") + std::strerror(errno));
    }
    if (writing && (p.revents & POLLOUT)) {
      ssize_t w = ::send(s.fd(), input.data() + written, std::min<size_t>(input.size() - written, 65536),
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) written += static_cast<size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written >= input.size()) {
        writing = false;
        ::shutdown(s.fd(), SHUT_WR);
      }
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = ::recv(s.fd(), chunk, sizeof chunk, MSG_DONTWAIT);
      if (r > 0) {
        if (!sink(chunk, static_cast<size_t>(r))) stopped = true;
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        reading = false;
      }
    }
  }
  return response;
}

}  // namespace slipway::engine

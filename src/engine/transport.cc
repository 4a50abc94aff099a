#include "engine/transport.h"

#include <curl/curl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <sstream>

#include "engine/ssh_dial.h"
#include "util/error.h"
#include "util/ssh_target.h"

namespace slipway::engine {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

struct Transfer {
  CURL* curl = nullptr;
  const Request* request = nullptr;
  const ChunkSink* sink = nullptr;
  Response* response = nullptr;
  size_t body_offset = 0;
  bool stopped_by_sink = false;
  std::exception_ptr error;
};

size_t on_write(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (t->sink && *t->sink && status < 300) {
    try {
      if (!(*t->sink)(data, len)) {
        t->stopped_by_sink = true;
        return 0;
      }
    } catch (...) {
      t->error = std::current_exception();
      return 0;
    }
  } else {
    t->response->body.append(data, len);
  }
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  std::string line(data, len);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();  // a new response (e.g. after 100 Continue)
    return len;
  }
  auto colon = line.find(':');
  if (colon != std::string::npos)
    t->response->headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  return len;
}

size_t on_read(char* buffer, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t cap = size * n;
  if (t->request->reader) {
    try {
      return t->request->reader(buffer, cap);
    } catch (...) {
      t->error = std::current_exception();
      return CURL_READFUNC_ABORT;
    }
  }
  const std::string& body = t->request->body;
  size_t left = body.size() - t->body_offset;
  size_t k = std::min(left, cap);
  std::memcpy(buffer, body.data() + t->body_offset, k);
  t->body_offset += k;
  return k;
}

// Why a socket could not be reached, in words a person can act on.
std::string socket_reason(const std::string& path, const char* curl_message) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "no such socket";
  if (!S_ISSOCK(st.st_mode)) return "not a socket";
  if (::access(path.c_str(), R_OK | W_OK) != 0)
    return "permission denied (run as root or join the socket's group, e.g. docker)";
  return curl_message;
}

// ssh (or the remote docker) ended before an HTTP answer: what it said on stderr is the reason
// (connection refused, host key, permission denied, docker not found).
EnvError ssh_unreachable(const Endpoint& e, const std::string& ssh_said, const std::string& curl_message) {
  return EnvError("cannot reach the container engine at " + e.address + " through ssh: " +
                  (ssh_said.empty() ? curl_message : ssh_said) +
                  " (check the address, that your key is accepted: ssh -o BatchMode=yes HOST true, and that the "
                  "server has the docker CLI)");
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

Transport::Transport(Endpoint endpoint, long connect_timeout_seconds)
    : endpoint_(std::move(endpoint)), connect_timeout_(connect_timeout_seconds) {
  global_init();
  // Requests and upgrades connect to the local relay as to any engine socket.
  if (SshTarget::is_ssh(endpoint_.address)) endpoint_.socket_path = ssh_relay(endpoint_.address).socket_path();
}

Transport::~Transport() = default;

Response Transport::send(const Request& request, const ChunkSink& sink) const {
  CURL* curl = curl_easy_init();
  if (!curl) throw EnvError("cannot initialise libcurl");
  Response response;
  Transfer t;
  t.curl = curl;
  t.request = &request;
  t.sink = &sink;
  t.response = &response;
  char errbuf[CURL_ERROR_SIZE] = {0};

  std::string url = endpoint_.base_url + request.target;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (!endpoint_.socket_path.empty()) curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, endpoint_.socket_path.c_str());
  const SshConnections* ssh = SshTarget::is_ssh(endpoint_.address) ? &ssh_relay(endpoint_.address) : nullptr;
  if (ssh) ssh->share_with(curl);  // one ssh login serves many requests (keep-alive)
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, connect_timeout_);
  if (request.timeout_seconds > 0) curl_easy_setopt(curl, CURLOPT_TIMEOUT, request.timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  // Engines stream progress as it happens; never wait for a full buffer.
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 64L * 1024);
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);

  curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  // curl would otherwise wait a second for "100 Continue" on every large body.
  headers = curl_slist_append(headers, "Expect:");

  const bool has_body = request.reader || !request.body.empty();
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &t);
    if (request.reader) {
      headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
    } else {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(has_body ? request.body.size() : 0));
    }
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = status;
  std::string message = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);

  if (t.error) std::rethrow_exception(t.error);
  if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && t.stopped_by_sink)) return response;
  if (ssh && status == 0) throw ssh_unreachable(endpoint_, ssh->last_error(), message);
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
      (rc == CURLE_OPERATION_TIMEDOUT && status == 0)) {
    std::string reason =
        endpoint_.socket_path.empty() ? message : socket_reason(endpoint_.socket_path, message.c_str());
    throw EnvError("cannot reach the container engine at " + endpoint_.address + ": " + reason +
                   " (is dockerd running? set DOCKER_HOST or -H)");
  }
  if (rc == CURLE_OPERATION_TIMEDOUT)
    throw EnvError("the container engine at " + endpoint_.address + " did not answer " + request.method + " " +
                   request.target + " within " + std::to_string(request.timeout_seconds) + " s");
  throw EnvError("talking to the container engine at " + endpoint_.address + " (" + request.method + " " +
                 request.target + "): " + message);
}

}  // namespace slipway::engine

// ---- upgrade: raw HTTP/1.1 on our own socket, because libcurl cannot read and write one
// connection independently after the response headers.

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

namespace slipway::engine {
namespace {

struct Socket {
  int fd = -1;
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

void connect_endpoint(const Endpoint& e, Socket& s) {
  auto unreachable = [&](const std::string& reason) {
    return EnvError("cannot reach the container engine at " + e.address + ": " + reason +
                    " (is dockerd running? set DOCKER_HOST or -H)");
  };
  if (!e.socket_path.empty()) {
    s.fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s.fd < 0) throw EnvError(std::string("socket: ") + std::strerror(errno));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (e.socket_path.size() >= sizeof addr.sun_path) throw unreachable("socket path too long");
    std::memcpy(addr.sun_path, e.socket_path.c_str(), e.socket_path.size() + 1);
    if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw unreachable(socket_reason(e.socket_path, std::strerror(errno)));
    return;
  }
  std::string hostport = e.base_url.substr(7);
  size_t colon = hostport.rfind(':');
  std::string host = hostport.substr(0, colon), port = hostport.substr(colon + 1);
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) throw unreachable(gai_strerror(rc));
  std::string last = "no address";
  for (addrinfo* a = res; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      s.fd = fd;
      break;
    }
    last = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(res);
  if (s.fd < 0) throw unreachable(last);
}

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

Response Transport::upgrade(const Request& request, const std::string& input, const ChunkSink& sink) const {
  Socket s;
  connect_endpoint(endpoint_, s);
  std::string head = request.method + " " + request.target + " HTTP/1.1\r\nHost: localhost\r\n";
  for (const auto& [k, v] : request.headers) head += k + ": " + v + "\r\n";
  head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  head += "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
  write_all(s.fd, head + request.body);

  // Read the response head.
  std::string buf;
  char chunk[65536];
  size_t end;
  while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
    ssize_t r = ::recv(s.fd, chunk, sizeof chunk, 0);
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
      ssize_t r = ::recv(s.fd, chunk, sizeof chunk, 0);
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
  if (!writing) ::shutdown(s.fd, SHUT_WR);
  while (reading && !stopped) {
    pollfd p{s.fd, static_cast<short>(POLLIN | (writing ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, -1) < 0) {
      if (errno == EINTR) continue;
      throw EnvError(std::string("poll: ") + std::strerror(errno));
    }
    if (writing && (p.revents & POLLOUT)) {
      ssize_t w = ::send(s.fd, input.data() + written, std::min<size_t>(input.size() - written, 65536),
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) written += static_cast<size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written >= input.size()) {
        writing = false;
        ::shutdown(s.fd, SHUT_WR);
      }
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = ::recv(s.fd, chunk, sizeof chunk, MSG_DONTWAIT);
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

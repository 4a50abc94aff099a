#include "agent/edge_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "util/error.h"

namespace slipway::agent {

namespace {

constexpr size_t kMaxConnections = 32;        // beyond: refused (the page server has 4 workers)
constexpr long long kIdleTimeoutMs = 30000;   // a connection with no byte either way is closed
constexpr size_t kChunk = 16384;

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

// Whether someone listens on the socket file `path` (another agent).
bool answers(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un a = unix_address(path);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string edge_socket_path(const std::string& state_dir, const std::string& project) {
  return state_dir + "/edge/" + project + "/agent.sock";
}

EdgeSocketRelay::EdgeSocketRelay(std::vector<std::string> paths, std::string address, int port,
                                 std::function<void(const std::string&)> log, int recheck_ms)
    : address_(address == "0.0.0.0" || address.empty() ? "127.0.0.1" : std::move(address)),
      port_(port),
      log_(std::move(log)),
      recheck_ms_(recheck_ms) {
  for (auto& p : paths) {
    if (p.size() >= sizeof(sockaddr_un{}.sun_path))
      throw EnvError("the agent's socket path " + p + " is longer than a unix socket allows (" +
                     std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                     " bytes); set SLIPWAY_STATE_DIR to a shorter directory");
    Listener l;
    l.path = std::move(p);
    listeners_.push_back(std::move(l));
  }
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw EnvError(std::string("cannot make a pipe: ") + std::strerror(errno));
  for (auto& l : listeners_) ensure_listening(l);
  thread_ = std::thread([this] { run(); });
}

EdgeSocketRelay::~EdgeSocketRelay() {
  char c = 0;
  (void)!::write(stop_pipe_[1], &c, 1);
  if (thread_.joinable()) thread_.join();
  for (auto& p : pairs_) {
    ::close(p.client);
    ::close(p.upstream);
  }
  for (auto& l : listeners_) {
    if (l.fd < 0) continue;
    struct stat st;
    if (::stat(l.path.c_str(), &st) == 0 && st.st_ino == l.inode) ::unlink(l.path.c_str());
    ::close(l.fd);
  }
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

void EdgeSocketRelay::ensure_listening(Listener& l) {
  struct stat st;
  if (l.fd >= 0) {
    if (::stat(l.path.c_str(), &st) == 0 && st.st_ino == l.inode) return;
    ::close(l.fd);  // removed or replaced (the edge's directory was removed and made again)
    l.fd = -1;
  }
  auto problem = [&](const std::string& what) {
    if (what != l.last_problem) log_("cannot serve the page to the edge on " + l.path + ": " + what);
    l.last_problem = what;
  };
  std::string dir = l.path.substr(0, l.path.rfind('/'));
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return problem("no such directory yet (the stack's edge makes it; tried again every minute)");
  if (::lstat(l.path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return problem("a file that is not a socket is in the way (remove it)");
    if (answers(l.path)) return problem("another process serves this socket (another agent for this stack?)");
    ::unlink(l.path.c_str());  // left by an agent that was killed
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_un a = unix_address(l.path);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 32) != 0) {
    std::string error = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return problem(error);
  }
  // The edge's Caddy runs as its own uid: the socket is open to all, and the directories above
  // it are the gate (edge.h).
  ::chmod(l.path.c_str(), 0666);
  ::stat(l.path.c_str(), &st);
  l.fd = fd;
  l.inode = st.st_ino;
  l.last_problem.clear();
  log_("serving the status page to the edge on " + l.path);
}

void EdgeSocketRelay::accept_one(Listener& l) {
  int client = ::accept4(l.fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (client < 0) return;
  if (pairs_.size() >= kMaxConnections) {
    ::close(client);
    return;
  }
  int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port_));
  ::inet_pton(AF_INET, address_.c_str(), &a.sin_addr);
  if (upstream < 0 || ::connect(upstream, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    if (upstream >= 0) ::close(upstream);
    ::close(client);
    return;
  }
  // A peer that stops reading cannot hold the relay's one thread for long.
  timeval timeout{5, 0};
  for (int fd : {client, upstream}) ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  pairs_.push_back({client, upstream, false, false, now_ms()});
}

bool EdgeSocketRelay::pump(int from, int to) {
  char buffer[kChunk];
  ssize_t n;
  do n = ::recv(from, buffer, sizeof buffer, 0);
  while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  return write_all(to, buffer, static_cast<size_t>(n));
}

void EdgeSocketRelay::run() {
  long long next_check = now_ms() + recheck_ms_;
  for (;;) {
    std::vector<pollfd> fds{{stop_pipe_[0], POLLIN, 0}};
    for (const auto& l : listeners_)
      if (l.fd >= 0) fds.push_back({l.fd, POLLIN, 0});
    size_t first_pair = fds.size();
    for (const auto& p : pairs_) {
      fds.push_back({p.client, static_cast<short>(p.client_done ? 0 : POLLIN), 0});
      fds.push_back({p.upstream, static_cast<short>(p.upstream_done ? 0 : POLLIN), 0});
    }
    long long now = now_ms();
    long long wait = next_check - now;
    for (const auto& p : pairs_) wait = std::min(wait, p.idle_since_ms + kIdleTimeoutMs - now);
    int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::max(0LL, wait)));
    if (ready < 0 && errno != EINTR) return;
    if (fds[0].revents) return;
    now = now_ms();
    size_t i = 1;
    for (auto& l : listeners_)
      if (l.fd >= 0 && i < first_pair && fds[i++].revents & POLLIN) accept_one(l);
    // Pairs accepted just now are not in fds; they are polled next turn.
    for (size_t k = 0; first_pair + 2 * k + 1 < fds.size(); ++k) {
      Pair& p = pairs_[k];
      bool active = false;
      if (fds[first_pair + 2 * k].revents && !p.client_done) {
        active = true;
        if (!pump(p.client, p.upstream)) {
          p.client_done = true;
          ::shutdown(p.upstream, SHUT_WR);
        }
      }
      if (fds[first_pair + 2 * k + 1].revents && !p.upstream_done) {
        active = true;
        if (!pump(p.upstream, p.client)) {
          p.upstream_done = true;
          ::shutdown(p.client, SHUT_WR);
        }
      }
      if (active) p.idle_since_ms = now;
    }
    std::erase_if(pairs_, [&](const Pair& p) {
      // The page server closes after each answer; when it has, the exchange is over.
      bool over = p.upstream_done || now - p.idle_since_ms >= kIdleTimeoutMs;
      if (over) {
        ::close(p.client);
        ::close(p.upstream);
      }
      return over;
    });
    if (now >= next_check) {
      for (auto& l : listeners_) ensure_listening(l);
      next_check = now + recheck_ms_;
    }
  }
}

}  // namespace slipway::agent

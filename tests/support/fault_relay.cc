#include "support/fault_relay.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "support/request_framer.h"

namespace slipway::testsupport {
namespace {

std::runtime_error sys_error(const std::string& what) {
  return std::runtime_error("fault relay: " + what + ": " + std::strerror(errno));
}

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    throw std::runtime_error("fault relay: socket path too long (max 107 bytes): " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

int listen_unix(const std::string& path) {
  sockaddr_un addr = unix_address(path);
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error("fault relay: " + path + " exists and is not a socket");
    ::unlink(path.c_str());
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw sys_error("socket");
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    throw sys_error("listen on " + path);
  }
  return fd;
}

// -1 when the upstream socket does not answer.
int connect_unix(const std::string& path) {
  sockaddr_un addr = unix_address(path);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int saved = errno;  // for the caller's message
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

bool send_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t w = ::send(fd, data, size, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += w;
    size -= static_cast<size_t>(w);
  }
  return true;
}

// A pidfd lets the relay signal and wait for exactly the process it means, even if the pid
// is reused; -1 when the kernel has none or the process is already gone.
int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// Whether `pid` has exited (a zombie counts: it has stopped doing anything).
bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return true;
  size_t paren = text.rfind(')');
  return paren == std::string::npos || paren + 2 >= text.size() || text[paren + 2] == 'Z' || text[paren + 2] == 'X';
}

void wait_gone(pid_t pid, int pidfd, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(limit).count());
    while (::poll(&p, 1, ms) < 0 && errno == EINTR) {
    }
    return;
  }
  while (!process_gone(pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace

std::string default_engine_socket() {
  const char* host = std::getenv("DOCKER_HOST");
  if (host && std::strncmp(host, "unix://", 7) == 0) return host + 7;
  return "/var/run/docker.sock";
}

// One relayed connection. Its fds are closed only by the destructor, after its thread has
// been joined, so that stop() can shut them down without racing a reuse of the numbers.
struct Connection {
  int client = -1;
  int upstream = -1;
  pid_t peer = 0;
  int peer_pidfd = -1;
  std::thread thread;
  std::atomic<bool> done{false};

  void cut() const {
    ::shutdown(client, SHUT_RDWR);
    ::shutdown(upstream, SHUT_RDWR);
  }
  ~Connection() {
    if (thread.joinable()) thread.join();
    for (int fd : {client, upstream, peer_pidfd})
      if (fd >= 0) ::close(fd);
  }
};

struct FaultRelay::Impl {
  FaultRelayOptions options;
  int listen_fd = -1;
  int wake[2] = {-1, -1};
  std::thread acceptor;

  mutable std::mutex mu;  // guards everything below
  std::vector<RelayedRequest> log;
  int count = 0;
  int armed_at = 0;  // 0: count only
  KillTarget target = KillTarget::peer;
  pid_t target_pid = 0;
  bool fired = false;
  std::optional<RelayedRequest> held;
  std::ofstream log_file;
  std::list<std::unique_ptr<Connection>> connections;

  void accept_loop();
  void accept_one();
  void serve(Connection& c);
  void client_to_upstream(Connection& c);
  void upstream_to_client(Connection& c);
  // Records the request; false when it must not reach the engine. Sets `kill` when this is
  // the request the armed kill happens before.
  bool admit(const RequestHead& head, const Connection& c, bool& kill);
  void kill_client(const Connection& c);
};

void FaultRelay::Impl::accept_loop() {
  for (;;) {
    pollfd p[2] = {{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
    int r = ::poll(p, 2, 200);
    if (r < 0 && errno != EINTR) break;
    if (p[1].revents) break;
    if (p[0].revents & POLLIN) accept_one();
    std::lock_guard lock(mu);
    connections.remove_if([](const auto& c) { return c->done.load(); });  // joins and closes
  }
}

void FaultRelay::Impl::accept_one() {
  int client = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (client < 0) return;
  auto c = std::make_unique<Connection>();
  c->client = client;
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(client, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) c->peer = cred.pid;
  if (c->peer > 0 && c->peer != ::getpid()) c->peer_pidfd = open_pidfd(c->peer);
  c->upstream = connect_unix(options.upstream);
  if (c->upstream < 0) {
    std::cerr << "fault relay: cannot connect to the engine at " << options.upstream << ": " << std::strerror(errno)
              << "\n";
    return;  // closes the client: it sees the engine as unreachable
  }
  Connection& ref = *c;
  std::lock_guard lock(mu);
  connections.push_back(std::move(c));
  ref.thread = std::thread([this, &ref] { serve(ref); });
}

void FaultRelay::Impl::serve(Connection& c) {
  std::thread down([this, &c] { upstream_to_client(c); });
  client_to_upstream(c);
  down.join();
  c.done = true;
}

void FaultRelay::Impl::upstream_to_client(Connection& c) {
  char buf[65536];
  for (;;) {
    ssize_t r = ::recv(c.upstream, buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      ::shutdown(c.client, SHUT_WR);
      return;
    }
    if (r < 0 || !send_all(c.client, buf, static_cast<size_t>(r))) {
      c.cut();
      return;
    }
  }
}

void FaultRelay::Impl::client_to_upstream(Connection& c) {
  RequestFramer framer;
  std::string pending;
  size_t start = 0;  // pending[start..] is not consumed yet
  char buf[65536];
  for (;;) {
    ssize_t r = ::recv(c.client, buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      ::shutdown(c.upstream, SHUT_WR);  // pass the half-close on (exec without stdin)
      return;
    }
    if (r < 0) {
      c.cut();
      return;
    }
    pending.append(buf, static_cast<size_t>(r));
    for (;;) {
      auto piece = framer.next(std::string_view(pending).substr(start));
      if (piece.kind == RequestFramer::Kind::need_more) break;
      if (piece.kind == RequestFramer::Kind::error) {
        std::cerr << "fault relay: " << piece.error << "; closing the connection\n";
        c.cut();
        return;
      }
      if (piece.kind == RequestFramer::Kind::head) {
        bool kill = false;
        if (!admit(piece.head, c, kill)) {
          if (kill) kill_client(c);
          c.cut();
          return;
        }
      }
      if (!send_all(c.upstream, pending.data() + start, piece.length)) {
        c.cut();
        return;
      }
      start += piece.length;
    }
    pending.erase(0, start);
    start = 0;
  }
}

bool FaultRelay::Impl::admit(const RequestHead& head, const Connection& c, bool& kill) {
  RelayedRequest req;
  req.method = head.method;
  req.path = head.path();
  req.state_changing = head.state_changing();
  req.peer = c.peer;
  std::lock_guard lock(mu);
  if (req.state_changing) {
    req.ordinal = ++count;
    if (armed_at > 0 && (fired || req.ordinal >= armed_at)) {
      req.forwarded = false;
      kill = !fired;
      fired = true;
      if (kill) held = req;
    }
    if (log_file.is_open()) {
      if (req.forwarded)
        log_file << req.str() << "\n";
      else if (kill)
        log_file << "! killed " << c.peer << " before " << req.str() << "\n";
      else
        log_file << "! dropped " << req.str() << "\n";
      log_file.flush();
    }
  }
  log.push_back(req);
  return req.forwarded;
}

void FaultRelay::Impl::kill_client(const Connection& c) {
  KillTarget how;
  pid_t pid;
  {
    std::lock_guard lock(mu);
    how = target;
    pid = how == KillTarget::pid ? target_pid : c.peer;
  }
  if (pid <= 0 || pid == ::getpid()) return;  // never ourselves: the request is only dropped
  int pidfd = how == KillTarget::pid ? open_pidfd(pid) : c.peer_pidfd;
  pid_t group = how == KillTarget::peer_group ? ::getpgid(pid) : -1;
  if (group > 0 && group != ::getpgrp())
    ::kill(-group, SIGKILL);
  else if (pidfd >= 0)
    ::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
  else
    ::kill(pid, SIGKILL);
  wait_gone(pid, pidfd, options.kill_wait);
  if (how == KillTarget::pid && pidfd >= 0) ::close(pidfd);
}

FaultRelay::FaultRelay(FaultRelayOptions options) : impl_(std::make_unique<Impl>()) {
  if (options.upstream.empty()) options.upstream = default_engine_socket();
  impl_->options = std::move(options);
}

FaultRelay::FaultRelay(const std::string& listen)
    : FaultRelay([&] {
        FaultRelayOptions options;
        options.listen = listen;
        return options;
      }()) {}

FaultRelay::~FaultRelay() { stop(); }

void FaultRelay::start() {
  if (impl_->listen_fd >= 0) return;
  if (!impl_->options.log_file.empty()) {
    impl_->log_file.open(impl_->options.log_file, std::ios::app);
    if (!impl_->log_file) throw sys_error("open " + impl_->options.log_file);
  }
  unix_address(impl_->options.upstream);  // a path too long for a socket fails here, not in a thread
  if (::pipe2(impl_->wake, O_CLOEXEC) != 0) throw sys_error("pipe");
  impl_->listen_fd = listen_unix(impl_->options.listen);
  impl_->acceptor = std::thread([this] { impl_->accept_loop(); });
}

void FaultRelay::stop() {
  if (impl_->listen_fd < 0) return;
  (void)!::write(impl_->wake[1], "x", 1);
  impl_->acceptor.join();
  std::list<std::unique_ptr<Connection>> connections;
  {
    std::lock_guard lock(impl_->mu);
    connections.swap(impl_->connections);
  }
  for (const auto& c : connections) c->cut();
  connections.clear();  // joins each thread, closes its fds
  ::close(impl_->listen_fd);
  ::close(impl_->wake[0]);
  ::close(impl_->wake[1]);
  impl_->listen_fd = impl_->wake[0] = impl_->wake[1] = -1;
  ::unlink(impl_->options.listen.c_str());
}

std::string FaultRelay::address() const { return "unix://" + impl_->options.listen; }

void FaultRelay::kill_at(int n, KillTarget target, pid_t pid) {
  if (n < 1) throw std::invalid_argument("fault relay: kill_at needs n >= 1");
  std::lock_guard lock(impl_->mu);
  impl_->log.clear();
  impl_->count = 0;
  impl_->armed_at = n;
  impl_->target = target;
  impl_->target_pid = pid;
  impl_->fired = false;
  impl_->held.reset();
}

void FaultRelay::reset() {
  std::lock_guard lock(impl_->mu);
  impl_->log.clear();
  impl_->count = 0;
  impl_->armed_at = 0;
  impl_->fired = false;
  impl_->held.reset();
}

std::vector<RelayedRequest> FaultRelay::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->log;
}

std::vector<std::string> FaultRelay::forwarded_changes() const {
  std::vector<std::string> out;
  for (const auto& r : requests())
    if (r.state_changing && r.forwarded) out.push_back(r.str());
  return out;
}

int FaultRelay::state_changing_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->count;
}

bool FaultRelay::killed() const {
  std::lock_guard lock(impl_->mu);
  return impl_->fired;
}

std::optional<RelayedRequest> FaultRelay::held() const {
  std::lock_guard lock(impl_->mu);
  return impl_->held;
}

}  // namespace slipway::testsupport

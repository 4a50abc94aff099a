#include "engine/ssh_dial.h"

#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "util/error.h"
#include "util/ssh_target.h"

extern char** environ;

namespace slipway::engine {
namespace {

std::string last_line(int fd) {
  std::string text;
  char buf[4096];
  ::lseek(fd, 0, SEEK_SET);
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() < 65536) text.append(buf, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto nl = text.find_last_of('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

}  // namespace

SshDial::SshDial(const std::vector<std::string>& argv) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw EnvError(std::string("socketpair: ") + std::strerror(errno));
  // stderr goes to an anonymous file, read once ssh ended: a pipe nobody drains could block it.
  err_fd_ = ::memfd_create("slipway-ssh-stderr", MFD_CLOEXEC);
  if (err_fd_ < 0) {
    ::close(sv[0]);
    ::close(sv[1]);
    throw EnvError(std::string("memfd_create: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, sv[1], 0);
  posix_spawn_file_actions_adddup2(&actions, sv[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd_, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(sv[1]);
  if (rc != 0) {
    ::close(sv[0]);
    ::close(err_fd_);
    pid_ = 0;
    throw EnvError("cannot start " + argv[0] + ": " + std::strerror(rc) + " (install openssh-client)");
  }
  fd_ = sv[0];
}

SshDial::~SshDial() { finish(); }

std::string SshDial::finish() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (pid_ > 0) {
    // ssh ends once its stdin is closed and the remote dial-stdio has exited.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    bool termed = false;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (!termed && std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGTERM);
        termed = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(termed ? 50 : 5));
    }
    pid_ = 0;
  }
  if (err_fd_ >= 0) {
    last_error_ = last_line(err_fd_);
    ::close(err_fd_);
    err_fd_ = -1;
  }
  return last_error_;
}

}  // namespace slipway::engine

// ---- SshConnections: a private unix socket whose every connection is relayed to a new ssh.

#include <curl/curl.h>
#include <poll.h>
#include <sys/un.h>

#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <thread>

namespace slipway::engine {
namespace {

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t w = ::send(fd, data, size, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    size -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

struct SshConnections::State {
  std::vector<std::string> argv;
  std::string dir, path;
  int listen_fd = -1;
  int wake[2] = {-1, -1};  // written to by the destructor: stop accepting
  std::thread acceptor;
  std::mutex mu;  // pumps, last_error
  std::list<std::thread> pumps;
  std::vector<int> clients;  // accepted sockets still being relayed
  std::string last_error;
  CURLSH* share = nullptr;  // the connection cache the transport's requests share
  std::mutex share_locks[CURL_LOCK_DATA_LAST];

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<State*>(user)->share_locks[data].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<State*>(user)->share_locks[data].unlock();
  }

  void accept_loop() {
    for (;;) {
      pollfd p[2] = {{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
      if (::poll(p, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (p[1].revents) return;
      int client = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      std::lock_guard<std::mutex> lock(mu);
      clients.push_back(client);
      pumps.emplace_back([this, client] { relay(client); });
    }
  }

  // Bytes both ways between curl's connection and ssh until both directions ended. When ssh
  // ends first (it could not log in), what it said is recorded before curl sees the close, so
  // the failed request can name the reason.
  void relay(int client) {
    std::unique_ptr<SshDial> dial;
    try {
      dial = std::make_unique<SshDial>(argv);
    } catch (const std::exception& e) {
      remember(e.what());
      forget(client);
      return;
    }
    int remote = dial->fd();
    bool up = true, down = true;  // client->ssh, ssh->client still open
    char buf[65536];
    while (up || down) {
      pollfd p[2] = {{client, static_cast<short>(up ? POLLIN : 0), 0},
                     {remote, static_cast<short>(down ? POLLIN : 0), 0}};
      if (::poll(p, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (up && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = ::recv(client, buf, sizeof buf, 0);
        if (n > 0 && write_all(remote, buf, static_cast<size_t>(n))) continue;
        if (n < 0 && errno == EINTR) continue;
        up = false;
        ::shutdown(remote, SHUT_WR);  // ssh sees EOF on stdin
      }
      if (down && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = ::recv(remote, buf, sizeof buf, 0);
        if (n > 0 && write_all(client, buf, static_cast<size_t>(n))) continue;
        if (n < 0 && errno == EINTR) continue;
        down = false;
        remember(dial->finish());
        ::shutdown(client, SHUT_WR);
      }
    }
    remember(dial->finish());
    forget(client);
  }

  void remember(const std::string& said) {
    if (said.empty()) return;
    std::lock_guard<std::mutex> lock(mu);
    last_error = said;
  }
  void forget(int client) {
    std::lock_guard<std::mutex> lock(mu);
    ::close(client);
    std::erase(clients, client);
  }
};

SshConnections::SshConnections(std::vector<std::string> argv) : state_(new State) {
  state_->argv = std::move(argv);
  char tmpl[] = "/tmp/slipway-ssh-XXXXXX";  // 0700: only this user reaches the engine through it
  if (!::mkdtemp(tmpl)) throw EnvError(std::string("mkdtemp: ") + std::strerror(errno));
  state_->dir = tmpl;
  state_->path = state_->dir + "/engine.sock";
  state_->listen_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, state_->path.c_str(), state_->path.size() + 1);
  if (state_->listen_fd < 0 || ::bind(state_->listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(state_->listen_fd, 16) != 0 || ::pipe2(state_->wake, O_CLOEXEC) != 0) {
    std::string why = std::strerror(errno);
    if (state_->listen_fd >= 0) ::close(state_->listen_fd);
    std::error_code ec;
    std::filesystem::remove_all(state_->dir, ec);
    delete state_;
    throw EnvError("cannot make the local socket for the ssh tunnel: " + why);
  }
  state_->share = curl_share_init();
  curl_share_setopt(state_->share, CURLSHOPT_LOCKFUNC, State::lock);
  curl_share_setopt(state_->share, CURLSHOPT_UNLOCKFUNC, State::unlock);
  curl_share_setopt(state_->share, CURLSHOPT_USERDATA, state_);
  curl_share_setopt(state_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  state_->acceptor = std::thread([s = state_] { s->accept_loop(); });
}

void SshConnections::share_with(void* curl_easy_handle) const {
  curl_easy_setopt(static_cast<CURL*>(curl_easy_handle), CURLOPT_SHARE, state_->share);
}

SshConnections::~SshConnections() {
  curl_share_cleanup(state_->share);  // closes the idle connections: their relays end
  (void)!::write(state_->wake[1], "x", 1);
  state_->acceptor.join();
  {
    // Connections curl still holds (idle keep-alive ones): end them, so their relays finish.
    std::lock_guard<std::mutex> lock(state_->mu);
    for (int c : state_->clients) ::shutdown(c, SHUT_RDWR);
  }
  for (auto& t : state_->pumps) t.join();
  ::close(state_->listen_fd);
  ::close(state_->wake[0]);
  ::close(state_->wake[1]);
  std::error_code ec;
  std::filesystem::remove_all(state_->dir, ec);
  delete state_;
}

const std::string& SshConnections::socket_path() const { return state_->path; }

std::string SshConnections::last_error() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->last_error;
}

SshConnections& ssh_relay(const std::string& address) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<SshConnections>> relays;
  std::lock_guard<std::mutex> lock(mu);
  auto& relay = relays[address];
  if (!relay)
    relay = std::make_unique<SshConnections>(SshTarget::parse(address).ssh_argv({"docker", "system", "dial-stdio"}));
  return *relay;
}

}  // namespace slipway::engine

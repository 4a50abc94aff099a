#include "support/private_engine.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "util/subprocess.h"

extern char** environ;

namespace slipway::testsupport {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// pid -> parent pid, and pid -> command line (NULs as spaces), for every process.
void process_table(std::map<pid_t, pid_t>& parent, std::map<pid_t, std::string>& cmdline) {
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    pid_t pid = std::stoi(name);
    std::string stat = read_file("/proc/" + name + "/stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;  // gone meanwhile
    std::istringstream rest(stat.substr(close + 2));
    char state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    parent[pid] = ppid;
    std::string cmd = read_file("/proc/" + name + "/cmdline");
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    cmdline[pid] = cmd;
  }
}

}  // namespace

int unix_http(const std::string& socket_path, const std::string& method, const std::string& path, std::string* body,
              const std::string& request_body, const std::string& content_type) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return 0;
  }
  std::string req = method + " " + path + " HTTP/1.0\r\nHost: docker\r\n";
  if (!request_body.empty())
    req += "Content-Type: " + content_type + "\r\nContent-Length: " + std::to_string(request_body.size()) + "\r\n";
  req += "\r\n" + request_body;
  for (size_t off = 0; off < req.size();) {
    ssize_t n = ::write(fd, req.data() + off, req.size() - off);
    if (n <= 0) {
      ::close(fd);
      return 0;
    }
    off += static_cast<size_t>(n);
  }
  std::string resp;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) resp.append(buf, static_cast<size_t>(n));
  ::close(fd);
  int status = 0;
  if (std::sscanf(resp.c_str(), "HTTP/%*s %d", &status) != 1) return 0;
  auto head_end = resp.find("\r\n\r\n");
  if (body) *body = head_end == std::string::npos ? "" : resp.substr(head_end + 4);
  return status;
}

PrivateEngine::PrivateEngine() {
  net_ = std::make_unique<NetNamespace>("slw-pe");
  id_ = net_->id();
  dir_ = "/tmp/slw-pe-" + id_;  // short: the unix socket paths below must fit 108 bytes
  socket_ = dir_ + "/docker.sock";
  host_ = "unix://" + socket_;
  fs::create_directories(dir_ + "/data");
  fs::create_directories(dir_ + "/exec");
  std::ofstream(dir_ + "/daemon.json") << "{}\n";
  try {
    start();
  } catch (...) {
    teardown();
    throw;
  }
}

PrivateEngine::~PrivateEngine() { teardown(); }

namespace {

// Starts `args` in the background with stdin from /dev/null and output appended to `log`.
pid_t spawn(std::vector<std::string> args, const std::string& log) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0].c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("private engine: cannot start " + args[0] + ": " + std::strerror(rc));
  return pid;
}

}  // namespace

void PrivateEngine::start() {
  if (pid_) return;
  // containerd first, by us: dockerd's own supervision dials containerd before it serves and
  // kills it when that fails, which on a loaded machine loops until dockerd gives up.
  const std::string netns = "--net=" + net_->path();
  const std::string containerd_sock = dir_ + "/exec/containerd.sock";
  containerd_pid_ = spawn({"nsenter", netns, "containerd", "--root", dir_ + "/data/containerd", "--state",
                           dir_ + "/exec/containerd-state", "--address", containerd_sock},
                          dir_ + "/containerd.log");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(containerd_sock)) {
    int status;
    if (::waitpid(containerd_pid_, &status, WNOHANG) == containerd_pid_) {
      containerd_pid_ = 0;
      throw std::runtime_error("private engine: containerd exited:\n" + read_file(dir_ + "/containerd.log"));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      power_loss();
      throw std::runtime_error("private engine: containerd did not start within 60 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  pid_ = spawn({"nsenter",
                netns,
                "dockerd",
                "--config-file",
                dir_ + "/daemon.json",
                "--data-root",
                dir_ + "/data",
                "--exec-root",
                dir_ + "/exec",
                "-H",
                host_,
                "--pidfile",
                dir_ + "/docker.pid",
                "--containerd",
                containerd_sock,
                "--storage-driver",
                "fuse-overlayfs",
                "--bridge",
                "none",
                "--iptables=false"},
               dir_ + "/dockerd.log");
  while (unix_http(socket_, "GET", "/_ping") != 200) {
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      throw std::runtime_error("private engine: dockerd exited:\n" + log_tail());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      power_loss();
      throw std::runtime_error("private engine: dockerd did not answer within 60 s:\n" + log_tail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void PrivateEngine::stop() {
  if (!pid_ && !containerd_pid_) return;
  if (pid_) ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (pid_ && std::chrono::steady_clock::now() < deadline) {
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (containerd_pid_) {
    ::kill(containerd_pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      int status;
      if (::waitpid(containerd_pid_, &status, WNOHANG) == containerd_pid_) {
        containerd_pid_ = 0;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  power_loss();  // whatever is left (shims of containers that outlive dockerd)
}

std::vector<pid_t> PrivateEngine::engine_processes() const {
  std::map<pid_t, pid_t> parent;
  std::map<pid_t, std::string> cmdline;
  process_table(parent, cmdline);
  // The roots: every process naming this engine's directory (dockerd, containerd, the shims'
  // -address, fuse-overlayfs' lowerdir); then all their descendants (container processes).
  std::set<pid_t> found;
  for (const auto& [pid, cmd] : cmdline)
    if (pid != ::getpid() && cmd.find(dir_ + "/") != std::string::npos) found.insert(pid);
  if (pid_) found.insert(pid_);
  if (containerd_pid_) found.insert(containerd_pid_);
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [pid, ppid] : parent)
      if (found.count(ppid) && !found.count(pid) && pid != ::getpid()) grew = found.insert(pid).second || grew;
  }
  return {found.begin(), found.end()};
}

void PrivateEngine::power_loss() {
  // Stop everything first so no process forks or re-parents while the set is collected.
  for (int round = 0; round < 3; ++round)
    for (pid_t p : engine_processes()) ::kill(p, SIGSTOP);
  for (pid_t p : engine_processes()) ::kill(p, SIGKILL);
  for (pid_t* p : {&pid_, &containerd_pid_}) {
    if (!*p) continue;
    int status;
    ::waitpid(*p, &status, 0);
    *p = 0;
  }
  for (int i = 0; i < 50 && !engine_processes().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Mounts under the directory, deepest first (a power loss leaves none behind).
  std::vector<std::string> mounts;
  std::ifstream info("/proc/self/mountinfo");
  for (std::string line; std::getline(info, line);) {
    std::istringstream f(line);
    std::string a, b, c, d, mount_point;
    f >> a >> b >> c >> d >> mount_point;
    if (mount_point.rfind(dir_ + "/", 0) == 0) mounts.push_back(mount_point);
  }
  std::sort(mounts.rbegin(), mounts.rend());
  for (const auto& m : mounts) ::umount2(m.c_str(), MNT_DETACH);
}

void PrivateEngine::teardown() {
  // Everything goes, so nothing is worth a graceful stop (which waits for every container's
  // stop timeout: 10 s for one that ignores SIGTERM, as a busybox httpd as PID 1 does).
  try {
    power_loss();  // also when dockerd had already exited: its mounts (the data root) remain
  } catch (...) {
  }
  net_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PrivateEngine::log_tail(size_t lines) const {
  // dockerd's gRPC chatter (module=grpc) would push the lines that matter out of the tail.
  std::vector<std::string> kept;
  std::istringstream in(read_file(dir_ + "/dockerd.log"));
  for (std::string line; std::getline(in, line);)
    if (line.find("module=grpc") == std::string::npos) kept.push_back(line);
  std::string out;
  for (size_t i = kept.size() > lines ? kept.size() - lines : 0; i < kept.size(); ++i) out += kept[i] + "\n";
  return out;
}

void PrivateEngine::load_image_from_host(const std::string& image) const { load_images_from_host({image}); }

void PrivateEngine::load_images_from_host(const std::vector<std::string>& images) const {
  std::string query, names;
  for (const auto& i : images) {
    query += (query.empty() ? "?names=" : "&names=") + i;
    names += (names.empty() ? "" : ", ") + i;
  }
  std::string tar;
  int st = unix_http("/var/run/docker.sock", "GET", "/images/get" + query, &tar);
  if (st != 200) throw std::runtime_error("private engine: host engine cannot export " + names);
  std::string out;
  st = unix_http(socket_, "POST", "/images/load?quiet=1", &out, tar);
  if (st != 200) throw std::runtime_error("private engine: loading " + names + " failed: " + out);
}

}  // namespace slipway::testsupport

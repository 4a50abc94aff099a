#include "support/sshd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "util/subprocess.h"

extern char** environ;

namespace slipway::testsupport {
namespace {

namespace fs = std::filesystem;

bool accepts(const std::string& address, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

void keygen(const std::string& path) {
  auto r = run_process({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "slipway-test", "-f", path});
  if (r.exit_code != 0) throw std::runtime_error("ssh-keygen failed: " + r.err);
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

Sshd::Sshd(const std::string& dir, const std::map<std::string, std::string>& session_env) : dir_(dir) {
  const passwd* pw = ::getpwuid(::getuid());
  user_ = pw ? pw->pw_name : "root";
  for (const char* k : {"host_key", "client_key", "stranger_key"}) keygen(dir_ + "/" + k);
  fs::copy_file(dir_ + "/client_key.pub", dir_ + "/authorized_keys", fs::copy_options::overwrite_existing);
  net_ = std::make_unique<NetNamespace>("slw-ssh");
  std::string setenv;
  for (const auto& [k, v] : session_env) setenv += " " + k + "=" + v;
  std::ofstream(dir_ + "/sshd_config") << "Port " << port_ << "\nListenAddress " << address() << "\n"
                                       << "HostKey " << dir_ << "/host_key\n"
                                       << "AuthorizedKeysFile " << dir_ << "/authorized_keys\n"
                                       << "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                                       << "UsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\n"
                                       << "PidFile none\n"
                                       << (setenv.empty() ? "" : "SetEnv" + setenv + "\n");
  std::ofstream(dir_ + "/known_hosts") << address() << " " << read_all(dir_ + "/host_key.pub");
  auto client = [&](const std::string& name, const std::string& key) {
    std::ofstream(dir_ + "/" + name) << "Host *\n  User " << user_ << "\n  IdentityFile " << dir_ << "/" << key
                                     << "\n  IdentitiesOnly yes\n  IdentityAgent none\n"
                                     << "  UserKnownHostsFile " << dir_ << "/known_hosts\n"
                                     << "  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n"
                                     << "  BatchMode yes\n  LogLevel ERROR\n";
    return dir_ + "/" + name;
  };
  client_config_ = client("ssh_config", "client_key");
  stranger_config_ = client("stranger_ssh_config", "stranger_key");
  std::error_code ec;
  if (!fs::exists("/run/sshd")) fs::create_directories("/run/sshd", ec);

  // nsenter execs sshd in place (no fork): pid_ is sshd's own.
  std::vector<std::string> argv = {"/usr/bin/nsenter", "--net=" + net_->path(), "/usr/sbin/sshd", "-D", "-e",
                                   "-f", dir_ + "/sshd_config", "-E", dir_ + "/sshd.log"};
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  if (int rc = ::posix_spawn(&pid_, args[0], nullptr, nullptr, args.data(), environ); rc != 0)
    throw std::runtime_error("cannot start sshd through /usr/bin/nsenter (install util-linux)");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!accepts(address(), port_)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      throw std::runtime_error("sshd exited (is openssh-server installed?): " + log());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = 0;
      throw std::runtime_error("sshd does not listen: " + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Sshd::~Sshd() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

std::string Sshd::url(const std::string& path) const {
  return "ssh://" + user_ + "@" + address() + path;
}

std::string Sshd::log() const { return read_all(dir_ + "/sshd.log"); }

}  // namespace slipway::testsupport

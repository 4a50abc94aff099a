#include "apply/host_key.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/error.h"
#include "util/state_dir.h"

namespace slipway::apply {
namespace {

constexpr size_t kKeySize = 32;

std::string read_key(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string load_or_create_host_key(const std::string& dir) {
  std::string path = dir + "/host.key";
  std::string key = read_key(path);
  if (key.size() == kKeySize) return key;
  if (!key.empty())
    throw EnvError("the host key " + path +
                   " is damaged (remove it: running containers with secrets are recreated once)");

  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string buf(kKeySize, '\0');
  for (size_t got = 0; got < buf.size();) {
    ssize_t n = getrandom(buf.data() + got, buf.size() - got, 0);
    if (n < 0 && errno != EINTR) throw EnvError(std::string("cannot get random bytes: ") + std::strerror(errno));
    if (n > 0) got += size_t(n);
  }
  // Written aside, then linked into place: a concurrent slipway never reads half a key, and
  // whichever link lands first is the key both use.
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw EnvError("cannot create the host key " + path + ": " + std::strerror(errno) + " (set SLIPWAY_STATE_DIR)");
  bool ok = ::write(fd, buf.data(), buf.size()) == ssize_t(buf.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  int linked = ok ? ::link(tmp.c_str(), path.c_str()) : -1;
  int link_errno = errno;
  ::unlink(tmp.c_str());
  if (!ok || (linked != 0 && link_errno != EEXIST))
    throw EnvError("cannot write the host key " + path + " (set SLIPWAY_STATE_DIR)");
  key = read_key(path);
  if (key.size() != kKeySize) throw EnvError("cannot read the host key " + path + " (set SLIPWAY_STATE_DIR)");
  return key;
}

const std::string& host_key() {
  static const std::string key = load_or_create_host_key(state_directory());
  return key;
}

}  // namespace slipway::apply

#include "server/rebuild_progress.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace slipway::server {
namespace {

namespace fs = std::filesystem;

// tmp file, fdatasync, rename, fsync of the directory: the record is either the old or the
// new one after a power loss, never half of one.
void write_durably(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw EnvError("cannot write " + tmp + ": " + std::strerror(errno) + " (is the state directory writable?)");
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fdatasync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
    throw EnvError("cannot write " + path + ": " + std::strerror(ok ? errno : saved) +
                   " (is the state directory writable and not full?)");
  int dir = ::open(fs::path(path).parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace

RebuildProgressFile::RebuildProgressFile(std::string state_dir, const std::string& stack) {
  if (!state_dir.empty()) path_ = state_dir + "/rebuild/" + stack + ".json";
}

std::optional<RebuildProgress> RebuildProgressFile::load() const {
  if (path_.empty() || !fs::exists(path_)) return std::nullopt;
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw EnvError(path_ + ": not a rebuild progress record (remove it to start the rebuild afresh)");
  RebuildProgress p;
  p.started = j.value("started", "");
  p.restored = j.value("restored", "");
  p.deployed = j.value("deployed", 0);
  p.engine = j.value("engine", "");
  return p;
}

void RebuildProgressFile::save(const RebuildProgress& p) const {
  if (path_.empty()) return;
  std::error_code ec;
  fs::create_directories(fs::path(path_).parent_path(), ec);
  nlohmann::json j = {{"started", p.started}, {"restored", p.restored}, {"deployed", p.deployed}, {"engine", p.engine}};
  write_durably(path_, j.dump() + "\n");
}

void RebuildProgressFile::remove() const {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove(path_, ec);
}

}  // namespace slipway::server

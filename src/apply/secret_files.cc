#include "apply/secret_files.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "apply/host_key.h"
#include "compose/model.h"
#include "util/hmac.h"

namespace slipway::apply {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr long kTmpfsMagic = 0x01021994;

std::string errno_text() { return std::strerror(errno); }

std::string random_suffix() {
  std::random_device rd;
  const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 10; ++i) s += hex[rd() % 16];
  return s;
}

// A file name for `f` inside its container's directory: kind, name, and a counter when the
// same secret is mounted twice (other target, other mode).
std::string file_name(const plan::FileInjection& f, std::map<std::string, int>& seen) {
  std::string base = f.kind + "-" + f.name;
  int n = ++seen[base];
  return n == 1 ? base : base + "-" + std::to_string(n);
}

void write_one(const std::string& path, const std::string& content, const plan::FileInjection& f) {
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw EnvError("cannot create " + tmp + ": " + errno_text());
  bool ok = true;
  size_t done = 0;
  while (ok && done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fchown(fd, f.uid, f.gid) == 0 && ::fchmod(fd, static_cast<mode_t>(f.mode)) == 0;
  std::string err = ok ? "" : errno_text();
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) err = errno_text();
    ::unlink(tmp.c_str());
    throw EnvError("cannot write " + f.kind + " " + f.name + " to " + path + ": " + err);
  }
}

bool inside(const std::string& root, const std::string& path, int levels) {
  fs::path rel = fs::path(path).lexically_normal().lexically_relative(fs::path(root).lexically_normal());
  if (rel.empty() || rel.begin()->string() == "..") return false;
  return std::distance(rel.begin(), rel.end()) == levels;
}

}  // namespace

std::string default_files_root() {
  const char* env = std::getenv("SLIPWAY_RUNTIME_DIR");
  return env && *env ? env : "/run/slipway";
}

void prepare_files_root(const std::string& root, bool mount_tmpfs) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) throw EnvError("cannot create " + root + " for secrets: " + ec.message() + " (run slipway as root)");
  if (mount_tmpfs) {
    struct statfs sfs = {};
    if (::statfs(root.c_str(), &sfs) != 0) throw EnvError("cannot inspect " + root + ": " + errno_text());
    if (static_cast<long>(sfs.f_type) != kTmpfsMagic &&
        ::mount("tmpfs", root.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700,size=64m") != 0)
      throw EnvError("cannot mount a tmpfs at " + root + " for secrets: " + errno_text() +
                     " (run slipway as root, or set SLIPWAY_RUNTIME_DIR to a directory on a tmpfs)");
  }
  if (::chown(root.c_str(), 0, 0) != 0 && geteuid() == 0)
    throw EnvError("cannot make " + root + " root's: " + errno_text());
  if (::chmod(root.c_str(), 0700) != 0) throw EnvError("cannot make " + root + " root-only: " + errno_text());
}

std::string new_files_dir(const std::string& root, const std::string& project, const std::string& container) {
  return (fs::path(root) / project / (container + "." + random_suffix())).string();
}

json write_files(const compose::Project& project, const std::string& dir,
                 const std::vector<plan::FileInjection>& files) {
  for (const fs::path& d : {fs::path(dir).parent_path(), fs::path(dir)}) {
    if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST)
      throw EnvError("cannot create " + d.string() + ": " + errno_text());
  }
  json mounts = json::array();
  std::map<std::string, int> seen;
  for (const auto& f : files) {
    std::string path = (fs::path(dir) / file_name(f, seen)).string();
    write_one(path, file_content(project, f), f);
    mounts.push_back({{"Type", "bind"}, {"Source", path}, {"Target", f.target}, {"ReadOnly", true}});
  }
  return mounts;
}

void remove_files_dir(const std::string& root, const std::string& dir) {
  if (dir.empty() || !inside(root, dir, 2)) return;
  std::error_code ec;
  fs::remove_all(dir, ec);
}

std::vector<std::string> sweep_files_dirs(const std::string& root, const std::string& project,
                                          const std::set<std::string>& referenced) {
  std::vector<std::string> removed;
  std::error_code ec;
  fs::path base = fs::path(root) / project;
  if (!fs::is_directory(base, ec)) return removed;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    std::string dir = entry.path().string();
    if (referenced.count(dir)) continue;
    remove_files_dir(root, dir);
    removed.push_back(dir);
  }
  return removed;
}

std::string file_content(const compose::Project& project, const plan::FileInjection& file) {
  if (file.content) return *file.content;
  if (!file.environment.empty()) {
    auto it = project.environment.find(file.environment);
    if (it != project.environment.end()) return it->second;
    if (const char* v = std::getenv(file.environment.c_str())) return v;
    throw UserError(file.kind + "s." + file.name + ": variable " + file.environment +
                    " is not set (set it, or use file:)");
  }
  std::ifstream in(file.source_file, std::ios::binary);
  if (!in)
    throw UserError(file.kind + "s." + file.name + ": cannot read " + file.source_file +
                    " (create the file or fix the path)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::map<std::string, std::string> file_digests(const compose::Project& project) {
  std::map<std::string, std::string> out;
  compose::Model model(project);
  for (const auto& [objects, kind] : {std::pair{model.secrets(), "secret"}, std::pair{model.configs(), "config"}}) {
    for (const auto& object : objects) {
      const std::string& name = object.key();
      plan::FileInjection f;
      f.kind = kind;
      f.name = name;
      if (!object.file().empty())
        f.source_file = object.file();
      else if (!object.environment().empty())
        f.environment = object.environment();
      else if (object.content())
        f.content = *object.content();
      else
        continue;
      try {
        out[std::string(kind) + ":" + name] = hmac_sha256_hex(host_key(), file_content(project, f));
      } catch (const UserError&) {
      }
    }
  }
  return out;
}

std::vector<std::string> file_source_warnings(const compose::Project& project, const plan::Plan& plan) {
  std::vector<std::string> out;
  std::set<std::string> said;
  std::error_code ec;
  fs::path project_dir = fs::weakly_canonical(project.working_dir, ec);
  for (const auto& a : plan.actions) {
    if (!a.container) continue;
    for (const auto& f : a.container->files) {
      if (f.kind != "secret" || f.source_file.empty()) continue;
      fs::path source = fs::weakly_canonical(f.source_file, ec);
      fs::path rel = source.lexically_relative(project_dir);
      if (!project.working_dir.empty() && (rel.empty() || rel.begin()->string() == "..") &&
          said.insert("outside:" + f.name).second)
        out.push_back("secret " + f.name + ": file " + source.string() + " is outside the project directory " +
                      project_dir.string() + " (keep secrets with the stack, or make sure this path is intended)");
      struct stat st = {};
      if (::stat(source.c_str(), &st) != 0) continue;
      bool root_only = st.st_uid == 0 && (st.st_mode & 077) == 0;
      if (root_only && (f.mode & 04) && said.insert("mode:" + f.name + ":" + a.service).second) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", f.mode);
        out.push_back("secret " + f.name + ": " + source.string() + " is readable by root only, but service " +
                      a.service + " gets it with mode " + mode +
                      ", readable by every user in the container (set mode: 0400 and uid:/gid: of its reader)");
      }
    }
  }
  return out;
}

}  // namespace slipway::apply

// Filesystem probes: file, user, group, package — the container's files via the archive API.
#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "checks/probes.h"

namespace slipway::checks {

namespace {

long long octal(const char* p, size_t n) {
  long long v = 0;
  // GNU base-256 for large values.
  if (n > 0 && (static_cast<unsigned char>(p[0]) & 0x80)) {
    for (size_t i = 1; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
  }
  for (size_t i = 0; i < n && p[i]; ++i) {
    if (p[i] == ' ') continue;
    if (p[i] < '0' || p[i] > '7') break;
    v = v * 8 + (p[i] - '0');
  }
  return v;
}

std::string cstr(const char* p, size_t n) { return std::string(p, strnlen(p, n)); }

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

// Hashes through the system's libcrypto, loaded when first needed: the checks layer does not
// link OpenSSL, and hashing file contents is its only use.
std::optional<std::string> digest(const std::string& algo, const std::string& data) {
  static void* lib = ::dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return std::nullopt;
  using GetByName = const void* (*)(const char*);
  using Digest = int (*)(const void*, size_t, unsigned char*, unsigned int*, const void*, void*);
  static auto by_name = reinterpret_cast<GetByName>(::dlsym(lib, "EVP_get_digestbyname"));
  static auto run = reinterpret_cast<Digest>(::dlsym(lib, "EVP_Digest"));
  if (!by_name || !run) return std::nullopt;
  const void* md = by_name(algo.c_str());
  if (!md) return std::nullopt;
  unsigned char out[64];
  unsigned int len = 0;
  if (!run(data.data(), data.size(), out, &len, md, nullptr)) return std::nullopt;
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < len; ++i) {
    s += hex[out[i] >> 4];
    s += hex[out[i] & 15];
  }
  return s;
}

}  // namespace

std::optional<ContainerFile> parse_first_tar_entry(const std::string& tar, bool* complete) {
  *complete = false;
  size_t off = 0;
  std::string long_name, long_link;
  std::map<std::string, std::string> pax;
  while (true) {
    if (tar.size() < off + 512) return std::nullopt;
    const char* h = tar.data() + off;
    if (std::all_of(h, h + 512, [](char c) { return c == 0; })) return std::nullopt;
    char type = h[156] ? h[156] : '0';
    long long size = octal(h + 124, 12);
    size_t data = off + 512;
    size_t padded = static_cast<size_t>((size + 511) / 512 * 512);
    if (type == 'x' || type == 'L' || type == 'K' || type == 'g') {
      if (tar.size() < data + static_cast<size_t>(size)) return std::nullopt;
      std::string body = tar.substr(data, static_cast<size_t>(size));
      if (type == 'L') long_name = cstr(body.data(), body.size());
      if (type == 'K') long_link = cstr(body.data(), body.size());
      if (type == 'x') {
        // "LEN key=value\n" records.
        size_t p = 0;
        while (p < body.size()) {
          size_t sp = body.find(' ', p);
          if (sp == std::string::npos) break;
          long long len = std::atoll(body.c_str() + p);
          if (len <= 0 || p + static_cast<size_t>(len) > body.size()) break;
          std::string rec = body.substr(sp + 1, p + static_cast<size_t>(len) - sp - 2);
          auto eq = rec.find('=');
          if (eq != std::string::npos) pax[rec.substr(0, eq)] = rec.substr(eq + 1);
          p += static_cast<size_t>(len);
        }
      }
      off = data + padded;
      continue;
    }
    ContainerFile f;
    f.type = type == '\0' ? '0' : type;
    if (f.type == '7') f.type = '0';
    std::string prefix = cstr(h + 345, 155);
    f.name = long_name.empty() ? (prefix.empty() ? "" : prefix + "/") + cstr(h, 100) : long_name;
    if (pax.count("path")) f.name = pax["path"];
    f.mode = static_cast<unsigned>(octal(h + 100, 8) & 07777);
    f.uid = pax.count("uid") ? std::atoll(pax["uid"].c_str()) : octal(h + 108, 8);
    f.gid = pax.count("gid") ? std::atoll(pax["gid"].c_str()) : octal(h + 116, 8);
    f.size = pax.count("size") ? std::atoll(pax["size"].c_str()) : size;
    f.link_target = long_link.empty() ? cstr(h + 157, 100) : long_link;
    if (pax.count("linkpath")) f.link_target = pax["linkpath"];
    if (f.type == '0') {
      if (tar.size() >= data + static_cast<size_t>(f.size)) {
        f.contents = tar.substr(data, static_cast<size_t>(f.size));
        *complete = true;
      }
    } else {
      *complete = true;
    }
    return f;
  }
}

ContainerView::ContainerView(const engine::Engine& client, Target target)
    : client_(client), target_(std::move(target)) {}

int ContainerView::pid() {
  std::lock_guard<std::mutex> lock(mu_);
  if (target_.pid > 0) return target_.pid;
  json info = client_.inspect_container(target_.container);
  int pid = info["State"].value("Pid", 0);
  if (!info["State"].value("Running", false) || pid <= 0)
    throw EnvError("the container of service " + target_.service + " is not running");
  target_.pid = pid;
  return pid;
}

std::optional<ContainerFile> ContainerView::stat(const std::string& path, bool contents) {
  std::string tar;
  std::optional<ContainerFile> found;
  const size_t limit = 256u << 20;
  try {
    client_.get_archive(target_.container, path, [&](const char* d, size_t n) {
      tar.append(d, n);
      bool complete = false;
      auto f = parse_first_tar_entry(tar, &complete);
      if (f && (complete || !contents || f->type != '0')) {
        found = f;
        return false;  // enough: do not stream a whole directory tree
      }
      return tar.size() < limit;
    });
  } catch (const engine::EngineError& e) {
    if (e.not_found()) return std::nullopt;
    throw;
  }
  if (!found) {
    bool complete = false;
    found = parse_first_tar_entry(tar, &complete);
    if (!found) throw EnvError("the engine returned no file for " + path + " in service " + target_.service);
    if (contents && found->type == '0' && !complete)
      throw EnvError(path + " in service " + target_.service + " is larger than 256 MiB");
  }
  return found;
}

std::optional<std::string> ContainerView::text(const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(path);
    if (it != cache_.end()) return it->second;
  }
  auto f = stat(path, true);
  // Follow one symlink level (e.g. /etc/resolv.conf on some images).
  if (f && f->type == '2') {
    std::string t = f->link_target;
    if (!t.empty() && t[0] != '/') t = std::filesystem::path(path).parent_path().string() + "/" + t;
    f = stat(t, true);
  }
  std::optional<std::string> v;
  if (f && f->type == '0') v = f->contents;
  std::lock_guard<std::mutex> lock(mu_);
  cache_[path] = v;
  return v;
}

std::vector<PasswdEntry> parse_passwd(const std::string& text) {
  std::vector<PasswdEntry> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line, ':');
    if (f.size() < 7) continue;
    PasswdEntry e;
    e.name = f[0];
    e.uid = std::atoll(f[2].c_str());
    e.gid = std::atoll(f[3].c_str());
    e.home = f[5];
    e.shell = f[6];
    out.push_back(e);
  }
  return out;
}

std::vector<GroupEntry> parse_group(const std::string& text) {
  std::vector<GroupEntry> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line, ':');
    if (f.size() < 3) continue;
    GroupEntry g;
    g.name = f[0];
    g.gid = std::atoll(f[2].c_str());
    if (f.size() > 3)
      for (auto& m : split(f[3], ','))
        if (!m.empty()) g.members.push_back(m);
    out.push_back(g);
  }
  return out;
}

std::map<std::string, std::vector<std::string>> parse_dpkg_status(const std::string& text) {
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream in(text + "\n\n");
  std::string line, pkg, version, status;
  auto flush = [&] {
    if (!pkg.empty() && status.find(" installed") != std::string::npos) {
      // Multi-arch packages appear once per architecture; goss lists each version once.
      auto& v = out[pkg];
      if (std::find(v.begin(), v.end(), version) == v.end()) v.push_back(version);
    }
    pkg.clear();
    version.clear();
    status.clear();
  };
  while (std::getline(in, line)) {
    if (line.empty()) {
      flush();
      continue;
    }
    if (line.rfind("Package: ", 0) == 0)
      pkg = line.substr(9);
    else if (line.rfind("Version: ", 0) == 0)
      version = line.substr(9);
    else if (line.rfind("Status: ", 0) == 0)
      status = line.substr(8);
  }
  return out;
}

std::map<std::string, std::vector<std::string>> parse_apk_installed(const std::string& text) {
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream in(text + "\n\n");
  std::string line, pkg, version;
  while (std::getline(in, line)) {
    if (line.empty()) {
      if (!pkg.empty()) out[pkg].push_back(version);
      pkg.clear();
      version.clear();
    } else if (line.rfind("P:", 0) == 0) {
      pkg = line.substr(2);
    } else if (line.rfind("V:", 0) == 0) {
      version = line.substr(2);
    }
  }
  return out;
}

// --- fetchers --------------------------------------------------------------------------

namespace {

std::string filetype(char t) {
  switch (t) {
    case '0':
      return "file";
    case '5':
      return "directory";
    case '2':
      return "symlink";
    case '1':
      return "file";  // hard link
    case '3':
      return "character-device";
    case '4':
      return "block-device";
    case '6':
      return "pipe";
  }
  return "unknown";
}

std::string octal_mode(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

}  // namespace

CheckResult probe_file(const Check& c, ContainerView& view) {
  std::string path = c.text_param("path", c.id);
  bool needs_passwd = false, needs_contents = false;
  for (const auto& p : c.properties) {
    if (p == "owner" || p == "group") needs_passwd = true;
    if (p == "contents" || p == "contains" || p == "md5" || p == "sha1" || p == "sha256" || p == "sha512")
      needs_contents = true;
  }
  if (!path.empty() && path[0] == '~') {
    // "~user/x" as the container's shell would expand it.
    auto slash = path.find('/');
    std::string user = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
    if (user.empty()) user = "root";
    auto passwd = view.text("/etc/passwd");
    std::string home;
    for (const auto& e : parse_passwd(passwd.value_or("")))
      if (e.name == user) home = e.home;
    if (home.empty()) return failed(c, "cannot expand " + path + ": no user " + user + " in /etc/passwd");
    path = home + (slash == std::string::npos ? "" : path.substr(slash));
  }
  auto link = view.stat(path, needs_contents);
  // Attributes other than exists/filetype/linked-to describe what a symlink points to.
  std::optional<ContainerFile> target = link;
  for (int hops = 0; target && target->type == '2' && hops < 16; ++hops) {
    std::string t = target->link_target;
    std::string base = std::filesystem::path(path).parent_path().string();
    path = t.empty() || t[0] == '/' ? t : base + "/" + t;
    target = view.stat(path, needs_contents);
  }
  std::vector<PasswdEntry> users;
  std::vector<GroupEntry> groups;
  if (needs_passwd && link) {
    users = parse_passwd(view.text("/etc/passwd").value_or(""));
    groups = parse_group(view.text("/etc/group").value_or(""));
  }
  return evaluate(c, [&](const std::string& p) -> Fetched {
    if (p == "exists") return Fetched::of(Value(json(link.has_value())));
    if (!link) return Fetched::failed("file does not exist");
    if (p == "filetype") return Fetched::of(Value(json(filetype(link->type))));
    if (p == "linked-to") {
      if (link->type != '2') return Fetched::failed("not a symlink");
      return Fetched::of(Value(json(link->link_target)));
    }
    if (!target) return Fetched::failed("broken symlink");
    const ContainerFile& f = *target;
    if (p == "mode") return Fetched::of(Value(json(octal_mode(f.mode))));
    if (p == "size") return Fetched::of(Value(json(f.size)));
    if (p == "uid") return Fetched::of(Value(json(f.uid)));
    if (p == "gid") return Fetched::of(Value(json(f.gid)));
    if (p == "owner") {
      for (const auto& u : users)
        if (u.uid == f.uid) return Fetched::of(Value(json(u.name)));
      return Fetched::failed("user: unknown userid " + std::to_string(f.uid));
    }
    if (p == "group") {
      for (const auto& g : groups)
        if (g.gid == f.gid) return Fetched::of(Value(json(g.name)));
      return Fetched::failed("group: unknown groupid " + std::to_string(f.gid));
    }
    if (p == "contents" || p == "contains") {
      if (f.type != '0') return Fetched::failed("not a regular file");
      return Fetched::text(f.contents);
    }
    if (p == "md5" || p == "sha1" || p == "sha256" || p == "sha512") {
      if (f.type != '0') return Fetched::failed("not a regular file");
      auto d = digest(p, f.contents);
      if (!d) return Fetched::failed("cannot compute " + p + ": libcrypto.so.3 is not available on this host");
      return Fetched::of(Value(json(*d)));
    }
    return Fetched::failed("unsupported property " + p);
  });
}

CheckResult probe_user(const Check& c, ContainerView& view) {
  std::string name = c.text_param("username", c.id);
  auto users = parse_passwd(view.text("/etc/passwd").value_or(""));
  const PasswdEntry* u = nullptr;
  for (const auto& e : users)
    if (e.name == name) u = &e;
  return evaluate(c, [&](const std::string& p) -> Fetched {
    if (p == "exists") return Fetched::of(Value(json(u != nullptr)));
    if (!u) return Fetched::failed("user: unknown user " + name);
    if (p == "uid") return Fetched::of(Value(json(u->uid)));
    if (p == "gid") return Fetched::of(Value(json(u->gid)));
    if (p == "home") return Fetched::of(Value(json(u->home)));
    if (p == "shell") return Fetched::of(Value(json(u->shell)));
    if (p == "groups") {
      std::vector<std::string> names;
      for (const auto& g : parse_group(view.text("/etc/group").value_or(""))) {
        bool member = g.gid == u->gid || std::find(g.members.begin(), g.members.end(), name) != g.members.end();
        if (member && std::find(names.begin(), names.end(), g.name) == names.end()) names.push_back(g.name);
      }
      return Fetched::of(Value::lines(names));
    }
    return Fetched::failed("unsupported property " + p);
  });
}

CheckResult probe_group(const Check& c, ContainerView& view) {
  std::string name = c.text_param("groupname", c.id);
  auto groups = parse_group(view.text("/etc/group").value_or(""));
  const GroupEntry* g = nullptr;
  for (const auto& e : groups)
    if (e.name == name) g = &e;
  return evaluate(c, [&](const std::string& p) -> Fetched {
    if (p == "exists") return Fetched::of(Value(json(g != nullptr)));
    if (!g) return Fetched::failed("group: unknown group " + name);
    if (p == "gid") return Fetched::of(Value(json(g->gid)));
    return Fetched::failed("unsupported property " + p);
  });
}

CheckResult probe_package(const Check& c, ContainerView& view) {
  std::string name = c.text_param("name", c.id);
  std::map<std::string, std::vector<std::string>> db;
  std::string which;
  if (auto dpkg = view.text("/var/lib/dpkg/status")) {
    db = parse_dpkg_status(*dpkg);
    which = "dpkg";
  } else if (auto apk = view.text("/lib/apk/db/installed")) {
    db = parse_apk_installed(*apk);
    which = "apk";
  } else if (view.stat("/var/lib/rpm", false)) {
    return failed(c, "the image uses rpm; reading the rpm database is not supported yet");
  }
  if (which.empty()) {
    // No package manager at all (FROM scratch): nothing is installed.
    return evaluate(c, [&](const std::string& p) -> Fetched {
      if (p == "installed") return Fetched::of(Value(json(false)));
      return Fetched::failed("no package database (dpkg, apk) in the image");
    });
  }
  auto it = db.find(name);
  return evaluate(c, [&](const std::string& p) -> Fetched {
    if (p == "installed") return Fetched::of(Value(json(it != db.end())));
    if (it == db.end()) return Fetched::failed("package " + name + " is not installed (" + which + ")");
    if (p == "versions") return Fetched::of(Value::lines(it->second));
    return Fetched::failed("unsupported property " + p);
  });
}

}  // namespace slipway::checks

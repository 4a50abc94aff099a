#include "update/probe.h"

#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <random>
#include <sstream>

#include "plan/labels.h"
#include "util/error.h"

namespace slipway::update {
namespace {

// Probe names carry their maker, "slipway-probe-<host>-<pid>-<random>", so the next run can
// tell a probe of a dead process from one still in use.
std::string hostname() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::string h;
  for (const char* c = host; *c; ++c) h += std::isalnum(static_cast<unsigned char>(*c)) || *c == '.' ? *c : '_';
  return h.empty() ? "host" : h;
}

// True when the probe named `name` ("/slipway-probe-<host>-<pid>-<random>") was made by a
// process of this host that no longer exists.
bool owner_gone(std::string name) {
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  const std::string prefix = "slipway-probe-" + hostname() + "-";
  if (name.rfind(prefix, 0) != 0) return false;
  long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
  return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

std::string probe_name() {
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%08x", rd());
  return "slipway-probe-" + hostname() + "-" + std::to_string(::getpid()) + buf;
}

std::string last_lines(const std::string& text, int n = 3) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  size_t pos = t.size();
  for (int i = 0; i < n && pos != std::string::npos && pos > 0; ++i) pos = t.rfind('\n', pos - 1);
  std::string out = pos == std::string::npos ? t : t.substr(pos + 1);
  for (auto& c : out)
    if (c == '\n') c = ' ';
  return out;
}

std::string os_release_codename(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VERSION_CODENAME=", 0) == 0) {
      std::string v = line.substr(17);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  return "";
}

}  // namespace

ProbeContainer::ProbeContainer(const engine::Engine& engine, const std::string& image, const ProbeOptions& options)
    : engine_(engine) {
  engine::json labels = {{plan::label::kRole, kProbeRole}};
  for (const auto& [k, v] : options.labels) labels[k] = v;
  // `sleep` keeps the container alive for the execs; it is only started once dpkg is found,
  // and an image with dpkg has coreutils (Essential: yes).
  engine::json body = {{"Image", image},
                       {"Entrypoint", {"sleep", "infinity"}},
                       {"Cmd", engine::json::array()},
                       {"User", "0"},
                       {"WorkingDir", "/tmp"},
                       {"Labels", labels},
                       {"HostConfig", {{"Init", false}}}};
  id_ = engine_.create_container(probe_name(), body);
  try {
    engine_.get_archive(id_, "/var/lib/dpkg/status");
    has_dpkg_ = true;
  } catch (const engine::EngineError& e) {
    if (!e.not_found()) throw;
  }
  try {
    if (has_dpkg_) engine_.start_container(id_);
  } catch (...) {
    engine_.remove_container(id_, true);
    throw;
  }
}

ProbeContainer::~ProbeContainer() {
  try {
    engine_.remove_container(id_, true);
  } catch (...) {
    // remove_stale_probes() collects it next time
  }
}

engine::ExecResult ProbeContainer::run(const std::vector<std::string>& argv) const {
  engine::ExecOptions o;
  o.cmd = argv;
  o.user = "0";
  o.working_dir = "/tmp";
  o.env = {"DEBIAN_FRONTEND=noninteractive", "LC_ALL=C"};
  return engine_.exec(id_, o);
}

std::string ProbeContainer::run_ok(const std::vector<std::string>& argv) const {
  engine::ExecResult r = run(argv);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    throw EnvError("`" + cmd + "` failed in a probe container (exit " + std::to_string(r.exit_code) +
                   "): " + last_lines(r.err.empty() ? r.out : r.err));
  }
  return r.out;
}

std::optional<std::string> ProbeContainer::read_file(const std::string& path) const {
  bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  engine::ExecResult r = gz ? run({"gzip", "-dc", "--", path}) : run({"cat", "--", path});
  if (r.exit_code != 0) return std::nullopt;
  return r.out;
}

std::string ProbeContainer::apt_update() const {
  engine::ExecResult r = run({"apt-get", "update", "-q"});
  // apt-get update exits 0 even when a source failed ("W: Failed to fetch"); an "E:" or "Err:"
  // line means the lists are not current.
  std::string all = r.out + "\n" + r.err;
  if (r.exit_code != 0 || all.find("\nE: ") != std::string::npos || all.find("\nErr:") != std::string::npos)
    return last_lines(r.err.empty() ? r.out : r.err);
  return "";
}

std::optional<std::string> ProbeContainer::package_default(const std::string& package, const std::string& version,
                                                           const std::string& path) const {
  std::string dir = "/tmp/slipway-deb-" + std::to_string(++downloads_);
  if (run({"mkdir", "-p", dir + "/x"}).exit_code != 0) return std::nullopt;
  engine::ExecResult r = run({"apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", package + "=" + version});
  if (r.exit_code != 0) return std::nullopt;
  // apt-get download writes NAME_VERSION_ARCH.deb into the working directory; list it.
  engine::ExecResult ls = run({"find", "/tmp", "-maxdepth", "1", "-name", package + "_*.deb"});
  std::string deb = ls.out.substr(0, ls.out.find('\n'));
  if (deb.empty()) return std::nullopt;
  run({"mv", deb, dir + "/p.deb"});
  if (run({"dpkg-deb", "-x", dir + "/p.deb", dir + "/x"}).exit_code != 0) return std::nullopt;
  return read_file(dir + "/x" + path);
}

ImageProbe probe_in(const ProbeContainer& c, const engine::Engine& engine, const std::string& image,
                    const ProbeOptions& options) {
  ImageProbe p;
  p.image = image;
  engine::json inspect = engine.inspect_image(image);
  p.image_id = inspect.value("Id", "");
  const engine::json& cfg_labels = inspect["Config"]["Labels"];
  if (cfg_labels.is_object())
    for (auto it = cfg_labels.begin(); it != cfg_labels.end(); ++it)
      if (it.value().is_string()) p.labels[it.key()] = it.value().get<std::string>();
  if (!c.has_dpkg()) return p;
  p.package_manager = true;
  auto suite = p.labels.find("io.slipway.base.suite");
  p.suite = suite != p.labels.end() ? suite->second : os_release_codename(c.read_file("/etc/os-release").value_or(""));
  p.packages = parse_dpkg_query(c.run_ok({"dpkg-query", "-W", "-f", kDpkgQueryFormat}));
  p.conffiles = parse_conffiles(c.run_ok({"dpkg-query", "-W", "-f", kConffilesQueryFormat}));
  std::vector<std::string> md5 = {"md5sum", "--"};
  for (const auto& f : p.conffiles)
    if (!f.obsolete) md5.push_back(f.path);
  if (md5.size() > 2) p.overridden = overridden_conffiles(p.conffiles, parse_md5sums(c.run(md5).out));
  if (options.upgradable) {
    p.upgradable_checked = true;
    p.apt_error = c.apt_update();
    if (p.apt_error.empty()) p.upgradable = parse_apt_list_upgradable(c.run_ok({"apt", "list", "--upgradable"}));
  }
  return p;
}

ImageProbe probe_image(const engine::Engine& engine, const std::string& image, const ProbeOptions& options) {
  ProbeContainer c(engine, image, options);
  return probe_in(c, engine, image, options);
}

void remove_stale_probes(const engine::Engine& engine) {
  engine::Filters f = {{"label", {std::string(plan::label::kRole) + "=" + kProbeRole}}};
  // Another slipway may be probing right now: a probe is stale when the process that made it is
  // gone (same host), or, for one made elsewhere, when it is older than any run.
  long long now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& c : engine.list_containers(f, true)) {
    std::string name = c.contains("Names") && !c["Names"].empty() ? c["Names"][0].get<std::string>() : "";
    if (!owner_gone(name) && c.value("Created", 0LL) > now - 3600) continue;
    try {
      engine.remove_container(c.value("Id", ""), true);
    } catch (const std::exception&) {
      // already going away
    }
  }
}

}  // namespace slipway::update

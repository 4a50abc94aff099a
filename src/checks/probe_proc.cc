// Process-level probes: process, mount, kernel-param from /proc of the container's processes
// as the host sees them; command through the engine's exec.
#include <dirent.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "checks/netns.h"
#include "checks/probes.h"

namespace slipway::checks {

namespace {

std::string slurp(const std::string& path, bool* ok = nullptr) {
  std::ifstream in(path);
  if (ok) *ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ns_of(const std::string& pid, const char* ns) {
  char buf[256];
  std::string link = "/proc/" + pid + "/ns/" + ns;
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

// Command names (comm) of every process in the container's pid namespace.
std::vector<std::string> container_processes(int pid) {
  std::string want = ns_of(std::to_string(pid), "pid");
  std::vector<std::string> out;
  if (want.empty()) return out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (ns_of(name, "pid") != want) continue;
    std::string comm = slurp("/proc/" + name + "/comm");
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
    if (!comm.empty()) out.push_back(comm);
  }
  ::closedir(d);
  return out;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, ',')) out.push_back(cur);
  return out;
}

// mountinfo escapes spaces and such as \040.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned code = 0;
    if (s[i] == '\\' && i + 3 < s.size()) {
      auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 4, code, 8);
      if (ec == std::errc() && end == s.data() + i + 4) {
        out += static_cast<char>(code);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

CheckResult probe_process(const Check& c, ContainerView& view) {
  std::string comm = c.text_param("comm", c.id);
  auto procs = container_processes(view.pid());
  bool running = std::find(procs.begin(), procs.end(), comm) != procs.end();
  return evaluate(c, [&](const std::string&) { return Fetched::of(Value(json(running))); });
}

CheckResult probe_mount(const Check& c, ContainerView& view) {
  std::string mp = c.text_param("mountpoint", c.id);
  int pid = view.pid();
  std::string info = slurp("/proc/" + std::to_string(pid) + "/mountinfo");
  bool exists = false;
  std::vector<std::string> opts, vfs;
  std::string source, fstype;
  std::istringstream in(info);
  std::string line;
  // The last entry for a mount point is the one visible (mounts stack).
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::vector<std::string> f;
    for (std::string w; l >> w;) f.push_back(w);
    if (f.size() < 10) continue;
    if (unescape(f[4]) != mp) continue;
    auto dash = std::find(f.begin() + 6, f.end(), "-");
    if (dash == f.end() || dash + 3 > f.end()) continue;
    exists = true;
    opts = split_commas(f[5]);
    fstype = *(dash + 1);
    source = unescape(*(dash + 2));
    vfs = dash + 3 < f.end() ? split_commas(*(dash + 3)) : std::vector<std::string>{};
  }
  return evaluate(c, [&](const std::string& p) -> Fetched {
    if (p == "exists") return Fetched::of(Value(json(exists)));
    if (!exists) return Fetched::failed("mountpoint not found: " + mp);
    if (p == "opts") return Fetched::of(Value::lines(opts));
    if (p == "vfs-opts") return Fetched::of(Value::lines(vfs));
    if (p == "source") return Fetched::of(Value(json(source)));
    if (p == "filesystem") return Fetched::of(Value(json(fstype)));
    if (p == "usage") {
      struct statvfs st;
      std::string path = "/proc/" + std::to_string(pid) + "/root" + mp;
      if (::statvfs(path.c_str(), &st) != 0) return Fetched::failed("statfs " + mp + ": " + std::strerror(errno));
      long long usage = 0;
      if (st.f_blocks > 0)
        usage = static_cast<long long>(100.0 * static_cast<double>(st.f_blocks - st.f_bfree) /
                                       static_cast<double>(st.f_blocks));
      return Fetched::of(Value(json(usage)));
    }
    return Fetched::failed("unsupported property " + p);
  });
}

CheckResult probe_kernel_param(const Check& c, ContainerView& view) {
  std::string key = c.text_param("key", c.id);
  if (key.find("..") != std::string::npos || key.find('/') != std::string::npos)
    return failed(c, "invalid kernel parameter name " + key);
  std::string rel = key;
  std::replace(rel.begin(), rel.end(), '.', '/');
  int pid = view.pid();
  std::string value;
  bool ok = false;
  // net.* parameters belong to the network namespace of the reader: read from inside it.
  in_network_namespace(pid, [&] { value = slurp("/proc/" + std::to_string(pid) + "/root/proc/sys/" + rel, &ok); });
  if (!ok) {
    // Some images mount no /proc of their own view; the host's answer is the same kernel.
    value = slurp("/proc/sys/" + rel, &ok);
  }
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  return evaluate(c, [&](const std::string&) -> Fetched {
    if (!ok) return Fetched::failed("kernel parameter " + key + " does not exist");
    return Fetched::of(Value(json(value)));
  });
}

}  // namespace

CheckResult probe_proc(const Check& c, ContainerView& view) {
  if (c.type == "process") return probe_process(c, view);
  if (c.type == "mount") return probe_mount(c, view);
  return probe_kernel_param(c, view);
}

CheckResult probe_command(const Check& c, ContainerView& view) {
  std::string cmd = c.text_param("exec", c.id);
  json t = c.param("timeout");
  int ms = t.is_number() ? std::max(1, static_cast<int>(t.get<double>())) : 10000;
  // The exec runs on its own thread so that a hung command is abandoned at its timeout;
  // the thread keeps its own copies of what it uses.
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    engine::ExecResult result;
    std::string error;
  };
  auto st = std::make_shared<State>();
  std::shared_ptr<const engine::Engine> client = view.client().share();
  std::string container = view.target().container;
  std::thread([st, client, container, cmd] {
    engine::ExecResult r;
    std::string err;
    try {
      engine::ExecOptions o;
      o.cmd = {"/bin/sh", "-c", cmd};
      r = client->exec(container, o);
    } catch (const std::exception& e) {
      err = e.what();
    }
    std::lock_guard<std::mutex> lock(st->mu);
    st->result = std::move(r);
    st->error = std::move(err);
    st->done = true;
    st->cv.notify_all();
  }).detach();
  std::unique_lock<std::mutex> lock(st->mu);
  bool finished = st->cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return st->done; });
  if (!finished) return failed(c, "Command execution timed out (" + std::to_string(ms) + "ms)");
  if (!st->error.empty()) return failed(c, st->error);
  const engine::ExecResult& r = st->result;
  std::string all = r.out + r.err;
  if ((r.exit_code == 126 || r.exit_code == 127) && all.find("exec failed") != std::string::npos &&
      all.find("/bin/sh") != std::string::npos)
    return failed(c,
                  "the image has no /bin/sh: command checks run `sh -c COMMAND` in the container, as goss "
                  "does (use a file, process or network check instead)");
  return evaluate(c, [&](const std::string& p) -> Fetched {
    if (p == "exit-status") return Fetched::of(Value(json(r.exit_code)));
    if (p == "stdout") return Fetched::text(r.out);
    return Fetched::text(r.err);
  });
}

CheckResult run_in_container(const Check& c, ContainerView& view) {
  const ResourceType& rt = c.resource();
  switch (rt.method) {
    case Method::Network:
      return probe_network(c, view);
    case Method::Filesystem:
      if (c.type == "file") return probe_file(c, view);
      if (c.type == "user") return probe_user(c, view);
      if (c.type == "group") return probe_group(c, view);
      return probe_package(c, view);
    case Method::Exec:
      return probe_command(c, view);
    case Method::Proc:
      return probe_proc(c, view);
    case Method::Pure:
      return run_matching(c);
    case Method::Include:
      return evaluate(c, [](const std::string&) { return Fetched::failed("include"); });
    case Method::Unsupported:
      return skipped(c, rt.skip_reason);
  }
  return failed(c, "unknown resource type");
}

}  // namespace slipway::checks

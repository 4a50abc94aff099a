// Probes: how each goss resource type finds its actual values in a running container without
// anything installed in the image.
//   network (http, addr, dns, port, interface): from the container's network namespace
//   filesystem (file, user, group, package): the container's files through the engine's
//     archive API (GET /containers/{id}/archive), parsed by slipway
//   command: exec through the engine (needs the image's /bin/sh, as goss does)
//   process, mount, kernel-param: /proc of the container's processes as the host sees it
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "checks/listeners.h"
#include "checks/result.h"
#include "checks/spec.h"
#include "engine/engine.h"

namespace slipway::checks {

// The container a service's checks run in.
struct Target {
  std::string service;
  std::string container;  // ID or name
  int pid = 0;            // its main process on the host (inspect State.Pid); 0 = look it up
};

// One file of the container as the archive API returns it.
struct ContainerFile {
  std::string name;
  char type = '0';    // tar type flag: '0' file, '5' dir, '2' symlink, '3' char, '4' block, '6' fifo
  unsigned mode = 0;  // permission bits incl. setuid/setgid/sticky
  long long uid = 0, gid = 0;
  long long size = 0;
  std::string link_target;
  std::string contents;  // for regular files when asked for
};

// Reads a container's files through the engine and caches what several checks need
// (/etc/passwd, /etc/group, the package databases). Thread-safe.
class ContainerView {
 public:
  ContainerView(const engine::Engine& client, Target target);
  const Target& target() const { return target_; }
  const engine::Engine& client() const { return client_; }
  int pid();  // resolves the pid on first use (throws EnvError when the container is not running)

  // nullopt when the path does not exist. With `contents`, a regular file's bytes are read
  // (up to 256 MiB); otherwise the transfer stops after the header.
  std::optional<ContainerFile> stat(const std::string& path, bool contents);
  // A whole (small) text file, cached; nullopt when missing.
  std::optional<std::string> text(const std::string& path);

 private:
  const engine::Engine& client_;
  Target target_;
  std::mutex mu_;
  std::map<std::string, std::optional<std::string>> cache_;
};

// Runs one check (any type but matching/gossfile) against its service's container.
CheckResult run_in_container(const Check& check, ContainerView& view);

// The probes by family (probe_fs.cc, probe_net.cc, probe_proc.cc).
CheckResult probe_file(const Check& check, ContainerView& view);
CheckResult probe_user(const Check& check, ContainerView& view);
CheckResult probe_group(const Check& check, ContainerView& view);
CheckResult probe_package(const Check& check, ContainerView& view);
CheckResult probe_network(const Check& check, ContainerView& view);  // http, addr, dns, port, interface
CheckResult probe_proc(const Check& check, ContainerView& view);     // process, mount, kernel-param
CheckResult probe_command(const Check& check, ContainerView& view);

// Parsers for the container's databases, exposed for unit tests.
struct PasswdEntry {
  std::string name;
  long long uid = 0, gid = 0;
  std::string home, shell;
};
struct GroupEntry {
  std::string name;
  long long gid = 0;
  std::vector<std::string> members;
};
std::vector<PasswdEntry> parse_passwd(const std::string& text);
std::vector<GroupEntry> parse_group(const std::string& text);
// name -> installed versions, from dpkg's status file or apk's installed database.
std::map<std::string, std::vector<std::string>> parse_dpkg_status(const std::string& text);
std::map<std::string, std::vector<std::string>> parse_apk_installed(const std::string& text);
// The first entry of a tar stream (PAX and GNU long names handled); nullopt when `tar` does
// not yet hold a complete header. `complete` is set when the entry's data is all there.
std::optional<ContainerFile> parse_first_tar_entry(const std::string& tar, bool* complete);

}  // namespace slipway::checks

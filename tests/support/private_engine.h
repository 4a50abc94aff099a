// PrivateEngine — a second Docker engine of the test's own, in its own network namespace, for
// tests that must restart, kill or reset an engine (boot after a power loss, rebuild on an
// empty engine, multi-node swarm) without touching the shared host engine.
//
// Recipe (../shared/DESIGN.md, "A second, private engine works"): a network namespace with a
// veth pair to the host (10.X.Y.1 host side, 10.X.Y.2 inside), then
//   nsenter --net=/var/run/netns/NS containerd --root DIR/data/containerd --state ... --address
//   DIR/exec/containerd.sock nsenter --net=/var/run/netns/NS dockerd --config-file EMPTY.json --data-root DIR/data
//     --exec-root DIR/exec -H unix://DIR/docker.sock --pidfile DIR/docker.pid --containerd DIR/exec/containerd.sock
//     --storage-driver fuse-overlayfs --bridge none --iptables=false
// (containerd is started separately: dockerd's own supervision of it races on a loaded machine.)
// (`ip netns exec` would remount /sys and dockerd then fails; an explicit empty config file
// keeps the host's /etc/docker/daemon.json out.)
//
//   #include "support/private_engine.h"
//   slipway::testsupport::PrivateEngine pe;   // starts it; throws with dockerd's log tail
//   SubprocessOptions o; o.extra_env["DOCKER_HOST"] = pe.host();
//   pe.power_loss();   // SIGKILL dockerd, containerd, shims and every container process, and
//                      // drop the mounts they held: what is on disk is all that survives
//   pe.start();        // the same data root, like the server booting again
//   // the destructor cuts its power (no graceful stop: nothing of it is kept) and removes the
//   // namespace, the veth and DIR
//
// Needs root, nsenter (util-linux), ip (iproute2), dockerd and fuse-overlayfs. Every name is
// unique per instance (a random id), so tests may run several at once. Images: a fresh engine
// has none; load_image_from_host() copies one from the host engine (GET /images/get ->
// POST /images/load).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "support/net_namespace.h"

namespace slipway::testsupport {

class PrivateEngine {
 public:
  // Creates the namespace and the veth pair and starts dockerd (start()).
  PrivateEngine();
  ~PrivateEngine();
  PrivateEngine(const PrivateEngine&) = delete;
  PrivateEngine& operator=(const PrivateEngine&) = delete;

  const std::string& host() const { return host_; }  // "unix:///tmp/slw-pe-ID/docker.sock"
  const std::string& socket_path() const { return socket_; }
  const std::string& netns() const { return net_->name(); }             // the namespace's name (ip netns)
  const std::string& address() const { return net_->inner_address(); }  // the engine side of the veth
  const std::string& host_address() const { return net_->host_address(); }
  const std::string& directory() const { return dir_; }
  pid_t pid() const { return pid_; }  // dockerd's pid, 0 when it does not run

  // Starts dockerd (on the existing data root) and waits until GET /_ping answers (60 s).
  void start();
  // SIGTERM, wait for dockerd to exit (30 s, then power_loss()).
  void stop();
  // Power loss: SIGKILL every process of this engine (dockerd, containerd, shims, containers,
  // fuse-overlayfs) at once, then detach the mounts under the data root (a power loss leaves
  // none). The data on disk stays.
  void power_loss();

  // The last lines of dockerd's log (for failure messages).
  std::string log_tail(size_t lines = 30) const;

  // Copies `image` from the host engine (/var/run/docker.sock) into this one.
  void load_image_from_host(const std::string& image) const;
  // The same for several images in one archive (layers they share travel once).
  void load_images_from_host(const std::vector<std::string>& images) const;

 private:
  void teardown();
  std::vector<pid_t> engine_processes() const;

  std::unique_ptr<NetNamespace> net_;  // tests/support/net_namespace.h
  std::string id_, dir_, socket_, host_;
  pid_t pid_ = 0;             // dockerd
  pid_t containerd_pid_ = 0;  // started by start() and passed to dockerd (--containerd)
};

// One HTTP/1.0 request over a unix socket; returns the status code (0 when nothing answered)
// and the body in `body`. For pings and small calls of tests, not for slipway's own use.
// `content_type` goes with a non-empty request body (a tar by default; JSON for API calls).
int unix_http(const std::string& socket_path, const std::string& method, const std::string& path,
              std::string* body = nullptr, const std::string& request_body = "",
              const std::string& content_type = "application/x-tar");

}  // namespace slipway::testsupport

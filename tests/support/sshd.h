// Sshd — Debian's OpenSSH server, started by a test in a network namespace of its own
// (tests/support/net_namespace.h) and listening on port 22 of that namespace's address, with a
// host key and a client key it generates (ssh-keygen), for push to deploy and
// `slipway -H ssh://`.
//
// Only the network is its own: what the server runs for a push (`slipway deploy`, its checks,
// its edge's admin socket) reaches the shared engine through the unix socket as a real
// server's slipway does, and files through the one filesystem. Nothing global changes (its
// config, keys and pid are in the test's directory; /run/sshd — sshd's privilege-separation
// directory — is created only when missing).
//
//   testsupport::Sshd sshd(dir, {{"SLIPWAY_STATE_DIR", dir + "/server-state"}});
//   o.extra_env["SLIPWAY_SSH_CONFIG"] = sshd.client_config();       // slipway -H, remote add
//   o.extra_env["GIT_SSH_COMMAND"] = "ssh -F " + sshd.client_config(); // git push
//   sshd.url("/srv/app.git")  ->  "ssh://root@10.X.Y.Z/srv/app.git"
//
// Needs root (it logs in as the current user with a key, and makes the namespace), ip
// (iproute2), nsenter (util-linux) and /usr/sbin/sshd (openssh-server).
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>

#include "support/net_namespace.h"

namespace slipway::testsupport {

class Sshd {
 public:
  // Writes keys and configs under `dir` (which must exist) and starts sshd; the session
  // environment of every login gets `session_env` (sshd's SetEnv). Throws with sshd's log.
  Sshd(const std::string& dir, const std::map<std::string, std::string>& session_env);
  ~Sshd();  // SIGTERM, then waits
  Sshd(const Sshd&) = delete;
  Sshd& operator=(const Sshd&) = delete;

  int port() const { return port_; }                                   // 22
  const std::string& address() const { return net_->inner_address(); }  // where it listens
  const std::string& user() const { return user_; }
  // An ssh_config with the client key, a known_hosts holding only this server's key,
  // StrictHostKeyChecking=yes and BatchMode=yes: no prompt can ever appear.
  const std::string& client_config() const { return client_config_; }
  // The same, with a key the server does not accept.
  const std::string& stranger_config() const { return stranger_config_; }
  std::string url(const std::string& path = "") const;
  std::string log() const;

 private:
  std::unique_ptr<NetNamespace> net_;
  std::string dir_, user_, client_config_, stranger_config_;
  int port_ = 22;
  pid_t pid_ = 0;
};

}  // namespace slipway::testsupport

// Sshd — Debian's OpenSSH server, started by a test on 127.0.0.1 and a free port, with a host
// key and a client key it generates (ssh-keygen), for push to deploy and `slipway -H ssh://`.
//
// Loopback, not a network namespace of its own (as PrivateEngine uses): what the server runs
// for a push (`slipway deploy`, its checks, its edge) must see the host's network and the
// shared engine exactly as a real server's slipway does, and a free port on 127.0.0.1 already
// keeps it apart from everything else; nothing global changes (its config, keys and pid are
// in the test's directory, /run/sshd — sshd's privilege-separation directory — is created only
// when missing).
//
//   testsupport::Sshd sshd(dir, {{"SLIPWAY_STATE_DIR", dir + "/server-state"}});
//   o.extra_env["SLIPWAY_SSH_CONFIG"] = sshd.client_config();       // slipway -H, remote add
//   o.extra_env["GIT_SSH_COMMAND"] = "ssh -F " + sshd.client_config(); // git push
//   sshd.url("/srv/app.git")  ->  "ssh://root@127.0.0.1:PORT/srv/app.git"
//
// Needs root (it logs in as the current user with a key) and /usr/sbin/sshd (openssh-server).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

namespace slipway::testsupport {

class Sshd {
 public:
  // Writes keys and configs under `dir` (which must exist) and starts sshd; the session
  // environment of every login gets `session_env` (sshd's SetEnv). Throws with sshd's log.
  Sshd(const std::string& dir, const std::map<std::string, std::string>& session_env);
  ~Sshd();  // SIGTERM, then waits
  Sshd(const Sshd&) = delete;
  Sshd& operator=(const Sshd&) = delete;

  int port() const { return port_; }
  const std::string& user() const { return user_; }
  // An ssh_config with the client key, a known_hosts holding only this server's key,
  // StrictHostKeyChecking=yes and BatchMode=yes: no prompt can ever appear.
  const std::string& client_config() const { return client_config_; }
  // The same, with a key the server does not accept.
  const std::string& stranger_config() const { return stranger_config_; }
  std::string url(const std::string& path = "") const;
  std::string log() const;

 private:
  std::string dir_, user_, client_config_, stranger_config_;
  int port_ = 0;
  pid_t pid_ = 0;
};

}  // namespace slipway::testsupport

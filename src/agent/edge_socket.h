// The agent's page for the stack's edge (x-slipway.agent, edge/agent_route.h): a unix socket in
// the edge's admin directory that relays each connection to the agent's own HTTP server on the
// loopback.
//
// Why a relay: the edge container cannot reach the host's 127.0.0.1, and Debian's civetweb is
// built without unix-domain listeners (mg_check_feature(MG_FEATURES_X_DOMAIN_SOCKET) == 0), so
// the server cannot listen on the socket itself. A socket in <state dir>/edge/<project>/ is
// reachable by the edge (that directory is its /run/slipway-admin) and by nothing else: no
// other container mounts it and no other host user can enter its parent (edge.h). See
// docs/agent.md, "Through the edge".
//
// One thread serves every socket; it sleeps in poll() and wakes once a minute to put back a
// socket that is gone (`slipway down` removes the edge's directory, a deploy makes it again)
// or to take one whose directory has appeared. It never creates that directory: its owner and
// mode are the edge's (edge.cc).
#pragma once

#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace slipway::agent {

// <state dir>/edge/<project>/agent.sock.
std::string edge_socket_path(const std::string& state_dir, const std::string& project);

class EdgeSocketRelay {
 public:
  // Serves each of `paths`, relaying to `address`:`port` (the agent's HTTP server; "0.0.0.0"
  // means 127.0.0.1). `log` gets one line per event worth knowing (a socket taken or lost).
  // `recheck_ms`: how often a missing socket is looked after (tests shorten it).
  EdgeSocketRelay(std::vector<std::string> paths, std::string address, int port,
                  std::function<void(const std::string&)> log, int recheck_ms = 60000);
  ~EdgeSocketRelay();  // stops, closes every connection, removes the sockets it made
  EdgeSocketRelay(const EdgeSocketRelay&) = delete;
  EdgeSocketRelay& operator=(const EdgeSocketRelay&) = delete;

 private:
  struct Listener {
    std::string path;
    int fd = -1;
    unsigned long inode = 0;  // of the socket file we bound, to notice it was removed or replaced
    std::string last_problem;
  };
  struct Pair {
    int client = -1, upstream = -1;
    bool client_done = false, upstream_done = false;  // that side sent EOF
    long long idle_since_ms = 0;
  };
  void run();
  void ensure_listening(Listener& l);
  void accept_one(Listener& l);
  bool pump(int from, int to);  // false: `from` is at EOF or failed

  std::vector<Listener> listeners_;
  std::vector<Pair> pairs_;
  std::string address_;
  int port_;
  std::function<void(const std::string&)> log_;
  int recheck_ms_;
  int stop_pipe_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace slipway::agent

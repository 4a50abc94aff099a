// FaultRelay — a relay on the engine socket that kills slipway just before its Nth
// state-changing engine request, for crash-safety tests ("whatever instant slipway dies at,
// the next plain run converges and no data is lost").
//
// The relay listens on a unix socket of its own and forwards every connection to the real
// engine socket. It reads the client→engine direction request by request (keep-alive and
// several connections at once, bodies by Content-Length or chunked, raw bytes after an
// Upgrade); engine→client bytes pass through untouched. It records each request's method and
// path (never a query string or a body). Requests with POST, PUT, PATCH or DELETE are
// "state-changing" and numbered 1, 2, 3... in the order their heads arrive, across all
// connections.
//
// Armed with kill_at(N), when the head of state-changing request N arrives the relay
// SIGKILLs the process on the other end of that connection (its pid from SO_PEERCRED),
// waits until that process is gone, and closes the connection without forwarding anything of
// the request: the engine has received requests 1..N-1 complete and nothing of N. Every later
// state-changing request is dropped the same way until the relay is re-armed or reset, so a
// second thread of the dying process cannot slip one through. Reads (GET, HEAD) always pass.
// The relay never kills its own process: a request from it is only dropped.
//
// ## In a GoogleTest test (link slipway_testsupport; every *_tests/*_enginetests binary has it)
//
//   #include "support/fault_relay.h"    // tests/ is on the include path
//   using slipway::testsupport::FaultRelay;
//
//   FaultRelay relay(dir + "/relay.sock");   // upstream: $DOCKER_HOST if unix://, else
//   relay.start();                           //   /var/run/docker.sock
//   SubprocessOptions through;               // util/subprocess.h
//   through.extra_env["DOCKER_HOST"] = relay.address();
//
//   // 1. Count: how many state-changing requests does the command make?
//   run_process({SLIPWAY_BINARY, "-f", compose, "up", "-d"}, through);
//   int total = relay.state_changing_count();
//   // 2. For every N: kill at N, then run the plain command and assert convergence.
//   for (int n = 1; n <= total; ++n) {
//     reset_the_stack();                      // back to the state before step 1
//     relay.kill_at(n);                       // clears the log, arms the kill
//     auto r = run_process({SLIPWAY_BINARY, ..., "up", "-d"}, through);
//     ASSERT_EQ(r.exit_code, 128 + SIGKILL);
//     ASSERT_TRUE(relay.killed());            // relay.held() is request N
//     run_process({SLIPWAY_BINARY, ..., "up", "-d"});   // straight to the engine
//     expect_converged();
//   }
//
// Run slipway through util/subprocess (run_process) or anything else that waits for it: the
// relay waits until the killed process has exited (is a zombie or reaped). With
// KillTarget::peer_group the process group of the client is killed — only for a client that
// runs in a group of its own (setsid), never one that shares the test's group (run_process
// does not start a new group). KillTarget::pid kills a given pid (e.g. a wrapper) in place of
// the client; the client connection is dropped either way. relay.requests() lists every
// request seen (reads too) and relay.forwarded_changes() the state-changing ones the engine
// got; the engine test (fault_relay_enginetest.cc) is a working example.
//
// ## From a shell test: the slipway-fault-relay executable (SLIPWAY_FAULT_RELAY in C++)
//
//   slipway-fault-relay --listen /tmp/x/relay.sock [--upstream /var/run/docker.sock]
//                       [--kill-at N [--kill-group | --kill-pid PID]] [--log FILE]
//
// It prints "listening on SOCK" once the socket accepts connections and runs until SIGTERM or
// SIGINT (then removes its socket and exits 0). The --log FILE gets one line per state-changing
// request as it happens, "METHOD /path" for a forwarded one, "! killed PID before METHOD /path"
// for request N and "! dropped METHOD /path" for any dropped after it; so the number of
// requests a command made is `grep -c '^[A-Z]' FILE`. One relay process arms one kill: start
// a new one for each N.
//
//   for n in $(seq 1 "$total"); do
//     slipway-fault-relay --listen "$d/r.sock" --kill-at "$n" --log "$d/log.$n" & relay=$!
//     until [ -S "$d/r.sock" ]; do sleep 0.1; done
//     DOCKER_HOST="unix://$d/r.sock" slipway up -d; test $? -eq 137
//     kill "$relay"; wait "$relay"
//     slipway up -d && check_converged
//   done
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace slipway::testsupport {

// The engine socket the relay forwards to by default: the path of $DOCKER_HOST when it is
// unix://..., else /var/run/docker.sock.
std::string default_engine_socket();

// Whom the relay kills when request N arrives.
enum class KillTarget {
  peer,        // the client process on that connection (SO_PEERCRED)
  peer_group,  // the client's process group (the client must lead a group of its own)
  pid,         // a given pid instead of the client
};

// One request the relay has seen.
struct RelayedRequest {
  std::string method;  // "POST"
  std::string path;    // "/v1.41/containers/create" (never the query)
  bool state_changing = false;
  int ordinal = 0;        // 1, 2, ... among state-changing requests; 0 for reads
  bool forwarded = true;  // false: request N (the kill) or a request dropped after it
  pid_t peer = 0;         // the client process

  // "POST /v1.41/containers/create"
  std::string str() const { return method + " " + path; }
};

struct FaultRelayOptions {
  std::string listen;    // the unix socket the relay creates (an existing file there is replaced)
  std::string upstream;  // the engine's socket; empty: default_engine_socket()
  std::string log_file;  // optional: state-changing requests are appended here as they come
  // How long to wait for a killed process to disappear before going on regardless.
  std::chrono::seconds kill_wait{60};
};

class FaultRelay {
 public:
  explicit FaultRelay(FaultRelayOptions options);
  // A relay on `listen` to the default engine socket.
  explicit FaultRelay(const std::string& listen);
  ~FaultRelay();  // stop()
  FaultRelay(const FaultRelay&) = delete;
  FaultRelay& operator=(const FaultRelay&) = delete;

  // Creates the socket and starts relaying in background threads. Throws std::runtime_error
  // when the socket cannot be created.
  void start();
  // Stops accepting, cuts every open connection, joins the threads, removes the socket.
  void stop();

  // "unix:///path/of/the/socket": what DOCKER_HOST should be for the client.
  std::string address() const;

  // Clears the log and the count and arms the kill for the nth state-changing request
  // (n >= 1). `pid` is for KillTarget::pid.
  void kill_at(int n, KillTarget target = KillTarget::peer, pid_t pid = 0);
  // Clears the log and the count and disarms: the relay only counts and logs.
  void reset();

  // Every request seen since the last reset/kill_at, in the order the heads arrived.
  std::vector<RelayedRequest> requests() const;
  // The state-changing requests forwarded to the engine, as "METHOD /path".
  std::vector<std::string> forwarded_changes() const;
  // How many state-changing requests arrived (forwarded or not).
  int state_changing_count() const;
  // Whether the armed kill happened, and the request it happened before.
  bool killed() const;
  std::optional<RelayedRequest> held() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace slipway::testsupport

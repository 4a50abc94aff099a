// slipway-fault-relay: the FaultRelay (fault_relay.h) as a program, for shell tests.
#include <signal.h>

#include <cstring>
#include <iostream>
#include <string>

#include "support/fault_relay.h"
#include "util/parse.h"

namespace {

constexpr const char* kUsage =
    "usage: slipway-fault-relay --listen SOCK [--upstream SOCK] [--kill-at N [--kill-group | --kill-pid PID]]\n"
    "                           [--log FILE]\n"
    "\n"
    "Relays the container engine's socket and numbers the state-changing requests (POST, PUT,\n"
    "PATCH, DELETE) that pass. With --kill-at N, SIGKILLs the client just before its Nth\n"
    "state-changing request and drops that request (the engine never sees it), and every later one.\n"
    "\n"
    "  --listen SOCK     the unix socket to create (clients use DOCKER_HOST=unix://SOCK)\n"
    "  --upstream SOCK   the engine's socket (default: $DOCKER_HOST if unix://, else /var/run/docker.sock)\n"
    "  --kill-at N       kill before the Nth state-changing request (default: only count and log)\n"
    "  --kill-group      kill the client's process group instead of the client process\n"
    "  --kill-pid PID    kill PID instead of the client process\n"
    "  --log FILE        append one line per state-changing request: 'METHOD /path' when forwarded,\n"
    "                    '! killed PID before METHOD /path', '! dropped METHOD /path'\n"
    "\n"
    "Prints 'listening on SOCK' when ready; stops on SIGTERM or SIGINT.\n";

int usage_error(const std::string& message) {
  std::cerr << "slipway-fault-relay: " << message << "\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace slipway::testsupport;
  FaultRelayOptions options;
  int kill_at = 0;
  KillTarget target = KillTarget::peer;
  pid_t pid = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--kill-group") {
      target = KillTarget::peer_group;
    } else if (arg == "--listen" || arg == "--upstream" || arg == "--log" || arg == "--kill-at" ||
               arg == "--kill-pid") {
      const char* v = value();
      if (!v) return usage_error(arg + " needs a value");
      if (arg == "--listen") options.listen = v;
      if (arg == "--upstream") options.upstream = v;
      if (arg == "--log") options.log_file = v;
      if (arg == "--kill-at" || arg == "--kill-pid") {
        auto n = slipway::parse_int(v, 1, 1 << 30);
        if (!n) return usage_error(arg + " needs a positive number, not '" + v + "'");
        if (arg == "--kill-at") kill_at = static_cast<int>(*n);
        if (arg == "--kill-pid") {
          pid = static_cast<pid_t>(*n);
          target = KillTarget::pid;
        }
      }
    } else {
      return usage_error("unknown argument '" + arg + "'");
    }
  }
  if (options.listen.empty()) return usage_error("--listen is required");

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  FaultRelay relay(options);
  if (kill_at > 0) relay.kill_at(kill_at, target, pid);
  try {
    relay.start();
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  std::cout << "listening on " << options.listen << std::endl;
  int sig = 0;
  sigwait(&stop, &sig);
  relay.stop();
  std::cerr << "slipway-fault-relay: " << relay.state_changing_count() << " state-changing requests"
            << (relay.killed() ? ", killed before request " + std::to_string(relay.held()->ordinal) : "") << "\n";
  return 0;
}

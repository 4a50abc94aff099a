#include "apply/signals.h"

#include <atomic>
#include <csignal>

namespace slipway::apply {
namespace {

std::atomic<int> g_count{0};
std::atomic<int> g_first{0};
int g_depth = 0;
struct sigaction g_old_int, g_old_term;

void on_signal(int sig) {
  int expected = 0;
  g_first.compare_exchange_strong(expected, sig);
  // The first signal asks the work to stop at a safe point; a second one means "now".
  if (g_count.fetch_add(1) >= 1) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

}  // namespace

bool interrupted() { return g_count.load() > 0; }

int interrupting_signal() { return g_first.load(); }

std::string signal_name(int signal) {
  if (signal == SIGINT) return "SIGINT";
  if (signal == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(signal);
}

SignalGuard::SignalGuard() {
  if (g_depth++ > 0) return;
  g_count = 0;
  g_first = 0;
  struct sigaction sa = {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

SignalGuard::~SignalGuard() {
  if (--g_depth > 0) return;
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
  g_count = 0;  // outside a guard nothing is interrupted
  g_first = 0;
}

}  // namespace slipway::apply

#include "apply/progress.h"

#include <unistd.h>

#include <cstdio>

namespace slipway::apply {

std::function<void(const plan::Action&, size_t, size_t, bool, double)> terminal_progress(bool quiet) {
  if (quiet) return nullptr;
  bool tty = isatty(STDERR_FILENO) != 0;
  return [tty](const plan::Action& a, size_t index, size_t total, bool done, double seconds) {
    std::string counter = "[" + std::to_string(index + 1) + "/" + std::to_string(total) + "] ";
    if (!done) {
      // Only a terminal can take back a line; elsewhere the finished line is enough.
      if (tty) std::fprintf(stderr, "%s%s ...", counter.c_str(), a.describe().c_str());
      std::fflush(stderr);
      return;
    }
    if (tty) std::fprintf(stderr, "\r\033[K");
    if (seconds < 0)
      std::fprintf(stderr, "%s%s  FAILED\n", counter.c_str(), a.describe().c_str());
    else
      std::fprintf(stderr, "%s%s  done %.1fs\n", counter.c_str(), a.describe().c_str(), seconds);
    std::fflush(stderr);
  };
}

void print_warning(const std::string& message) {
  std::fprintf(stderr, "slipway: warning: %s\n", message.c_str());
  std::fflush(stderr);
}

}  // namespace slipway::apply

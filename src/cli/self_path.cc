#include "cli/self_path.h"

#include <unistd.h>

#include <climits>

#include "util/error.h"

namespace slipway::cli {

std::string self_path() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw EnvError("cannot find slipway's own path (/proc/self/exe)");
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace slipway::cli

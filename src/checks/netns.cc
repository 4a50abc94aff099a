#include "checks/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>

#include "util/error.h"

namespace slipway::checks {

void in_network_namespace(int pid, const std::function<void()>& fn) {
  // setns changes the namespace of the calling thread only: a thread of its own enters it and
  // ends with it. The future hands fn's result or exception back to the caller.
  std::async(std::launch::async, [&] {
    std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw EnvError("cannot open " + path + ": " + std::strerror(errno) +
                     " (network checks need root and a running container)");
    int rc = ::setns(fd, CLONE_NEWNET);
    int err = errno;
    ::close(fd);
    if (rc != 0)
      throw EnvError("cannot enter the network namespace of process " + std::to_string(pid) + ": " +
                     std::strerror(err) + " (network checks need root)");
    fn();
  }).get();
}

}  // namespace slipway::checks

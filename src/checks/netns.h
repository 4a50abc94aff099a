// Running code inside a container's network namespace, from slipway itself: nothing needs to
// be installed in the image. Namespaces belong to threads, so the work runs on a fresh thread
// that joins the namespace (setns on /proc/<pid>/ns/net, which needs root) and ends with it;
// slipway's other threads never leave the host's namespace.
#pragma once

#include <functional>
#include <string>

namespace slipway::checks {

// Runs `fn` on a thread inside the network namespace of process `pid` (a container's main
// process, from inspect's State.Pid) and waits for it. Exceptions from `fn` are rethrown
// here. Throws EnvError when the namespace cannot be entered (not root, process gone).
void in_network_namespace(int pid, const std::function<void()>& fn);

}  // namespace slipway::checks

// NetNamespace — a network namespace of a test's own, joined to the host by a veth pair with a
// /30 of its own (10.X.Y.N+1 on the host side, 10.X.Y.N+2 inside) and its loopback up: an
// address no other test or service uses, on which a server the test starts can listen on its
// usual port (sshd on 22, dockerd's containers on theirs) and be reached from the host.
//
//   testsupport::NetNamespace ns("slw-ssh");      // ip netns add slw-ssh-ID, the veth pair
//   spawn {"nsenter", "--net=" + ns.path(), "/usr/sbin/sshd", ...};   // not `ip netns exec`:
//                                                 // that remounts /sys, which dockerd minds
//   connect to ns.inner_address()
//   // the destructor deletes the host's veth end (the pair goes with it) and the namespace
//
// Processes started in it are the caller's to end before the destructor runs. Needs root and
// ip (iproute2). Names are unique per instance (a random id); the /30 is random among
// 10.200.0.0-10.249.255.255, so a clash between two instances is unlikely and would only
// confuse routing between the host and those two.
#pragma once

#include <string>

namespace slipway::testsupport {

class NetNamespace {
 public:
  // `prefix`: at most 7 characters (interface names are limited to 15); throws
  // std::runtime_error when a step fails (what was made is removed again).
  explicit NetNamespace(const std::string& prefix);
  ~NetNamespace();
  NetNamespace(const NetNamespace&) = delete;
  NetNamespace& operator=(const NetNamespace&) = delete;

  const std::string& name() const { return name_; }  // for `ip -n NAME`
  std::string path() const { return "/var/run/netns/" + name_; }  // for nsenter --net=
  const std::string& id() const { return id_; }       // the random id in every name
  const std::string& host_address() const { return host_address_; }
  const std::string& inner_address() const { return inner_address_; }

 private:
  void remove();
  std::string id_, name_, veth_host_, veth_inner_, host_address_, inner_address_;
};

}  // namespace slipway::testsupport

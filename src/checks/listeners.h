// Which addresses a container listens on, for `port` checks: the kernel's socket tables
// (/proc/<pid>/net/{tcp,tcp6,udp,udp6}) and, for IPv6 sockets, whether they also accept IPv4.
//
// A socket bound to "::" accepts IPv4 connections too ("dual-stack") unless it is IPV6_V6ONLY.
// Each program chooses: Go's net.Listen(":80") clears the flag, nginx's "listen [::]:80" sets
// it, and a program that does neither gets the network namespace's net.ipv6.bindv6only (0 on
// Linux by default). So `port: tcp:N` — "can an IPv4 client connect to port N?" — counts a
// dual-stack "::" listener as listening on 0.0.0.0, which goss's netstat does not
// (goss-org/goss#149, #1006). The flag of each socket comes from the kernel's sock_diag
// netlink interface, as `ss` shows it ("*:80" dual-stack, "[::]:80" IPv6 only); where that is
// unavailable, from the namespace's bindv6only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace slipway::checks {

// One socket of a /proc/net/{tcp,udp}{,6} table.
struct ProcNetSocket {
  std::string ip;  // the local address, "0.0.0.0", "::", "::ffff:10.0.0.1"...
  int port = 0;
  int state = 0;                 // 0x0A TCP LISTEN, 0x07 UDP unconnected ...
  unsigned long long inode = 0;  // 0 when the line has none
};

// The sockets of a /proc/<pid>/net/{tcp,tcp6,udp,udp6} text (`v6`: a *6 table).
std::vector<ProcNetSocket> parse_proc_net(const std::string& text, bool v6);

// TCP/UDP listeners from /proc/<pid>/net/{tcp,tcp6,udp,udp6} text: "ip" strings listening on
// `port`, as goss's netstat sees them (every UDP socket bound to the port counts).
std::vector<std::string> listeners(const std::string& proc_net_text, int port, bool v6, bool udp);

// Whether IPv6 sockets accept IPv4 too, as the kernel says for the current network namespace.
struct V6OnlyFlags {
  std::map<unsigned long long, bool> by_inode;  // sock_diag's INET_DIAG_SKV6ONLY per socket
  bool bindv6only = false;                      // the namespace's default, for sockets not in the map
  bool v6only(unsigned long long inode) const;
};

// Reads the flags of the current thread's network namespace (call it inside
// in_network_namespace): sock_diag for TCP listeners or UDP sockets, and
// /proc/sys/net/ipv6/bindv6only, which the kernel answers for the reader's namespace.
V6OnlyFlags read_v6only_flags(bool udp);

// The IPv4 addresses that IPv6 sockets in `proc_net6_text` (tcp6 or udp6) also listen on for
// `port`: "0.0.0.0" for a dual-stack "::" socket, "a.b.c.d" for one bound to ::ffff:a.b.c.d.
std::vector<std::string> dual_stack_listeners(const std::string& proc_net6_text, int port, bool udp,
                                              const V6OnlyFlags& flags);

}  // namespace slipway::checks

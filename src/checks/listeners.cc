#include "checks/listeners.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace slipway::checks {
namespace {

constexpr int kTcpListen = 0x0A;    // TCP_LISTEN
constexpr int kUnconnected = 0x07;  // TCP_CLOSE: how an unconnected UDP socket shows

template <typename T>
bool hex(std::string_view s, T* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, 16);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

// The kernel prints an address as the raw 32-bit words of the in_addr / in6_addr in host
// byte order.
std::optional<std::string> proc_address(std::string_view h, bool v6) {
  char buf[INET6_ADDRSTRLEN];
  if (!v6 && h.size() == 8) {
    in_addr ia;
    if (!hex(h, &ia.s_addr)) return std::nullopt;
    return inet_ntop(AF_INET, &ia, buf, sizeof buf);
  }
  if (v6 && h.size() == 32) {
    in6_addr ia;
    for (int w = 0; w < 4; ++w) {
      uint32_t word = 0;
      if (!hex(h.substr(w * 8, 8), &word)) return std::nullopt;
      std::memcpy(ia.s6_addr + w * 4, &word, 4);
    }
    return inet_ntop(AF_INET6, &ia, buf, sizeof buf);
  }
  return std::nullopt;
}

void add_unique(std::vector<std::string>& out, const std::string& ip) {
  if (std::find(out.begin(), out.end(), ip) == out.end()) out.push_back(ip);
}

// One sock_diag dump of the IPv6 sockets of `protocol`: inode -> IPV6_V6ONLY. nullopt when
// the kernel has no sock_diag for it (e.g. the udp_diag module is not there).
std::optional<std::map<unsigned long long, bool>> dump_v6only(int protocol) {
  int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return std::nullopt;
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } req{};
  req.header.nlmsg_len = sizeof req;
  req.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  req.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.request.sdiag_family = AF_INET6;
  req.request.sdiag_protocol = static_cast<__u8>(protocol);
  req.request.idiag_states = protocol == IPPROTO_TCP ? (1u << kTcpListen) : (1u << kUnconnected);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  std::map<unsigned long long, bool> flags;
  bool done = false, failed = false;
  if (::sendto(fd, &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) failed = true;
  alignas(nlmsghdr) char buf[32768];
  while (!done && !failed) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_DONE) done = true;
      if (h->nlmsg_type == NLMSG_ERROR) failed = true;
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
      auto* msg = static_cast<inet_diag_msg*>(NLMSG_DATA(h));
      int attr_len = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *msg));
      for (auto* a = reinterpret_cast<rtattr*>(msg + 1); RTA_OK(a, attr_len); a = RTA_NEXT(a, attr_len))
        if (a->rta_type == INET_DIAG_SKV6ONLY) flags[msg->idiag_inode] = *static_cast<__u8*>(RTA_DATA(a)) != 0;
    }
  }
  ::close(fd);
  if (failed || !done) return std::nullopt;
  return flags;
}

}  // namespace

std::vector<ProcNetSocket> parse_proc_net(const std::string& text, bool v6) {
  std::vector<ProcNetSocket> out;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
    fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
    auto colon = local.find(':');
    if (colon == std::string::npos) continue;
    ProcNetSocket s;
    auto ip = proc_address(std::string_view(local).substr(0, colon), v6);
    if (!ip || !hex(std::string_view(local).substr(colon + 1), &s.port) || !hex(state, &s.state)) continue;
    s.ip = *ip;
    if (!inode.empty()) std::from_chars(inode.data(), inode.data() + inode.size(), s.inode);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> listeners(const std::string& text, int port, bool v6, bool udp) {
  std::vector<std::string> out;
  for (const auto& s : parse_proc_net(text, v6)) {
    if (s.port != port) continue;
    if (!udp && s.state != kTcpListen) continue;
    // goss (GOnetstat) counts every UDP socket bound to the port, whatever its state.
    add_unique(out, s.ip);
  }
  return out;
}

bool V6OnlyFlags::v6only(unsigned long long inode) const {
  auto it = by_inode.find(inode);
  return it != by_inode.end() ? it->second : bindv6only;
}

V6OnlyFlags read_v6only_flags(bool udp) {
  V6OnlyFlags flags;
  std::ifstream sysctl("/proc/sys/net/ipv6/bindv6only");
  int value = 0;
  if (sysctl >> value) flags.bindv6only = value != 0;
  if (auto by_inode = dump_v6only(udp ? IPPROTO_UDP : IPPROTO_TCP)) flags.by_inode = std::move(*by_inode);
  return flags;
}

std::vector<std::string> dual_stack_listeners(const std::string& text, int port, bool udp, const V6OnlyFlags& flags) {
  std::vector<std::string> out;
  for (const auto& s : parse_proc_net(text, true)) {
    if (s.port != port || s.state != (udp ? kUnconnected : kTcpListen)) continue;
    if (s.ip == "::" && !flags.v6only(s.inode))
      add_unique(out, "0.0.0.0");
    else if (s.ip.rfind("::ffff:", 0) == 0 && s.ip.find('.') != std::string::npos)
      add_unique(out, s.ip.substr(7));
  }
  return out;
}

}  // namespace slipway::checks

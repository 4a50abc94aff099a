#include "checks/listeners.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace slipway::checks {
namespace {

const std::string kHeader6 =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr "
    "tm->when retrnsmt   uid  timeout inode\n";

std::string line6(const std::string& address, const std::string& port, const std::string& state, int inode) {
  return "   0: " + address + ":" + port + " 00000000000000000000000000000000:0000 " + state +
         " 00000000:00000000 00:00000000 00000000     0        0 " + std::to_string(inode) + " 1 0000000000000000\n";
}

const std::string kAny6 = "00000000000000000000000000000000";
const std::string kLoopback6 = "00000000000000000000000001000000";
const std::string kMapped10001 = "0000000000000000FFFF00000100000A";  // ::ffff:10.0.0.1

TEST(Listeners, ParsesProcNetTables) {
  auto sockets = parse_proc_net(kHeader6 + line6(kAny6, "1F90", "0A", 42) + line6(kLoopback6, "0050", "0A", 43), true);
  ASSERT_EQ(sockets.size(), 2u);
  EXPECT_EQ(sockets[0].ip, "::");
  EXPECT_EQ(sockets[0].port, 8080);
  EXPECT_EQ(sockets[0].state, 0x0A);
  EXPECT_EQ(sockets[0].inode, 42u);
  EXPECT_EQ(sockets[1].ip, "::1");
  // A line that is not a socket is skipped, not misread.
  EXPECT_TRUE(parse_proc_net("header\n   0: zz:1F90 00:00 0A\n", false).empty());
}

TEST(Listeners, DualStackSocketsCountForIpv4UnlessV6Only) {
  std::string tcp6 = kHeader6 + line6(kAny6, "1F90", "0A", 1) + line6(kLoopback6, "1F90", "0A", 2) +
                     line6(kMapped10001, "1F91", "0A", 3) + line6(kAny6, "1F92", "01", 4);  // 4: not listening
  V6OnlyFlags none;  // sock_diag said nothing; the namespace's bindv6only is 0
  EXPECT_EQ(dual_stack_listeners(tcp6, 8080, false, none), std::vector<std::string>{"0.0.0.0"});
  EXPECT_EQ(dual_stack_listeners(tcp6, 8081, false, none), std::vector<std::string>{"10.0.0.1"});
  EXPECT_TRUE(dual_stack_listeners(tcp6, 8082, false, none).empty());

  V6OnlyFlags namespace_v6only;
  namespace_v6only.bindv6only = true;
  EXPECT_TRUE(dual_stack_listeners(tcp6, 8080, false, namespace_v6only).empty());
  // The socket's own flag wins over the namespace's default, either way.
  namespace_v6only.by_inode[1] = false;
  EXPECT_EQ(dual_stack_listeners(tcp6, 8080, false, namespace_v6only), std::vector<std::string>{"0.0.0.0"});
  V6OnlyFlags socket_v6only;
  socket_v6only.by_inode[1] = true;
  EXPECT_TRUE(dual_stack_listeners(tcp6, 8080, false, socket_v6only).empty());

  // UDP: unconnected sockets (state 07) only.
  std::string udp6 = kHeader6 + line6(kAny6, "0035", "07", 5) + line6(kAny6, "0036", "01", 6);
  EXPECT_EQ(dual_stack_listeners(udp6, 53, true, none), std::vector<std::string>{"0.0.0.0"});
  EXPECT_TRUE(dual_stack_listeners(udp6, 54, true, none).empty());
}

// The inode of a socket in this process's /proc/self/net/tcp6 by its port.
unsigned long long inode_of(int port) {
  std::ifstream in("/proc/self/net/tcp6");
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& s : parse_proc_net(text.str(), true))
    if (s.port == port) return s.inode;
  return 0;
}

// A listening IPv6 socket on an ephemeral port; its port.
int listen6(bool v6only, int* fd) {
  *fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int flag = v6only ? 1 : 0;
  ::setsockopt(*fd, IPPROTO_IPV6, IPV6_V6ONLY, &flag, sizeof flag);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_any;
  socklen_t len = sizeof a;
  if (::bind(*fd, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(*fd, 1) != 0) return 0;
  ::getsockname(*fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin6_port);
}

// sock_diag in this process's own namespace reports each socket's flag, whatever the default.
TEST(Listeners, SockDiagReportsEachSocketsFlag) {
  int dual_fd = -1, v6_fd = -1;
  int dual = listen6(false, &dual_fd), v6 = listen6(true, &v6_fd);
  ASSERT_GT(dual, 0);
  ASSERT_GT(v6, 0);
  V6OnlyFlags flags = read_v6only_flags(false);
  std::ifstream sysctl("/proc/sys/net/ipv6/bindv6only");
  int value = -1;
  sysctl >> value;
  EXPECT_EQ(flags.bindv6only, value == 1);
  ASSERT_TRUE(flags.by_inode.count(inode_of(dual))) << "sock_diag did not report the socket";
  EXPECT_FALSE(flags.by_inode.at(inode_of(dual)));
  EXPECT_TRUE(flags.by_inode.at(inode_of(v6)));
  ::close(dual_fd);
  ::close(v6_fd);
}

}  // namespace
}  // namespace slipway::checks

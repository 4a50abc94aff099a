#include "compose/short_syntax.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace slipway::compose {
namespace {

// The parsed value of text that must parse.
std::vector<PortMapping> ports(const std::string& spec) {
  auto p = parse_port_spec(spec);
  EXPECT_TRUE(p) << spec << ": " << p.error;
  return p.value.value_or(std::vector<PortMapping>{});
}
VolumeSpec volume(const std::string& spec) {
  auto v = parse_volume_spec(spec);
  EXPECT_TRUE(v) << spec << ": " << v.error;
  return v.value.value_or(VolumeSpec{});
}
std::vector<std::string> words(const std::string& line) {
  auto w = shell_split(line);
  EXPECT_TRUE(w) << line << ": " << w.error;
  return w.value.value_or(std::vector<std::string>{});
}

TEST(Ports, ShortSyntax) {
  auto p = ports("80");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].target, 80u);
  EXPECT_EQ(p[0].published, "");
  EXPECT_EQ(p[0].protocol, "tcp");

  p = ports("127.0.0.1:8080:80/udp");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].host_ip, "127.0.0.1");
  EXPECT_EQ(p[0].published, "8080");
  EXPECT_EQ(p[0].protocol, "udp");

  p = ports("[::1]:80:80");
  EXPECT_EQ(p[0].host_ip, "::1");
  p = ports("127.0.0.1::53");
  EXPECT_EQ(p[0].published, "");
  EXPECT_EQ(p[0].host_ip, "127.0.0.1");
}

TEST(Ports, Ranges) {
  auto p = ports("8000-8002:80-82");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[1].target, 81u);
  EXPECT_EQ(p[1].published, "8001");
  p = ports("8000-8010:80");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].published, "8000-8010");
  // Compose orders the expanded ports by their "port/proto" text.
  p = ports("8-10");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].target, 10u);
  EXPECT_EQ(p[1].target, 8u);
}

TEST(Ports, Malformed) {
  EXPECT_FALSE(parse_port_spec("abc"));
  EXPECT_FALSE(parse_port_spec("80/foo"));
  EXPECT_FALSE(parse_port_spec("70000"));
  EXPECT_FALSE(parse_port_spec("80-82:90-95"));
  EXPECT_FALSE(parse_port_spec("1.2.3.999:80:80"));
  EXPECT_FALSE(parse_port_spec(""));
}

TEST(Volumes, ShortSyntax) {
  auto v = volume("./data:/data:ro,z");
  EXPECT_EQ(v.type, "bind");
  EXPECT_EQ(v.source, "./data");
  EXPECT_EQ(v.target, "/data");
  EXPECT_TRUE(v.read_only);
  EXPECT_EQ(v.selinux, "z");

  v = volume("named:/data:nocopy");
  EXPECT_EQ(v.type, "volume");
  EXPECT_TRUE(v.nocopy);

  v = volume("/anon");
  EXPECT_EQ(v.type, "volume");
  EXPECT_EQ(v.source, "");
  EXPECT_EQ(v.target, "/anon");

  v = volume("~/x:/y");
  EXPECT_EQ(v.type, "bind");
  EXPECT_EQ(v.source, "~/x");
}

TEST(Volumes, Malformed) {
  EXPECT_FALSE(parse_volume_spec(""));
  EXPECT_FALSE(parse_volume_spec("vol:/a:ro:extra"));
  EXPECT_FALSE(parse_volume_spec("vol::/a"));
  // A single letter before a colon is a Windows drive, as in compose.
  EXPECT_EQ(volume("c:/x:/y").source, "c:/x");
}

TEST(Shell, SplitsLikeShellwords) {
  using V = std::vector<std::string>;
  EXPECT_EQ(words("echo \"a b\" c"), (V{"echo", "a b", "c"}));
  EXPECT_EQ(words("sh -c 'echo a && echo b'"), (V{"sh", "-c", "echo a && echo b"}));
  EXPECT_EQ(words("echo a && echo b"), (V{"echo", "a"}));
  EXPECT_EQ(words("z\\ w \"x\\y\""), (V{"z w", "xy"}));
  EXPECT_EQ(words("a $(b c) d"), (V{"a", "$(b c)", "d"}));
  EXPECT_EQ(words("a `b c` d"), (V{"a", "`b c`", "d"}));
  EXPECT_EQ(words("x  y\ttab"), (V{"x", "y", "tab"}));
  EXPECT_EQ(words("''"), (V{""}));
  EXPECT_EQ(words(""), V{});
  EXPECT_FALSE(shell_split("a 'b"));
  EXPECT_FALSE(shell_split("a (b)"));
}
TEST(ShortSyntax, ErrorsSayWhy) {
  EXPECT_EQ(parse_port_spec("70000").error, "invalid port \"70000\"");
  EXPECT_EQ(parse_port_spec("80/foo").error, "invalid proto: foo");
  EXPECT_EQ(parse_port_spec("1.2.3.999:80:80").error, "invalid IP address: 1.2.3.999");
  EXPECT_EQ(parse_port_spec("99999999999999999999999").error, "invalid port \"99999999999999999999999\"");
  EXPECT_EQ(parse_volume_spec("vol:/a:ro:extra").error, "invalid spec: vol:/a:ro:extra: too many colons");
  EXPECT_EQ(shell_split("a 'b").error, "invalid command line string");
}

}  // namespace
}  // namespace slipway::compose

#include "compose/values.h"

#include <algorithm>
#include <stdexcept>

#include <gtest/gtest.h>

namespace slipway::compose {
namespace {

TEST(Duration, ParsesGoDurations) {
  EXPECT_EQ(parse_duration("1m30s"), 90'000'000'000LL);
  EXPECT_EQ(parse_duration("3s"), 3'000'000'000LL);
  EXPECT_EQ(parse_duration("1.5h"), 5'400'000'000'000LL);
  EXPECT_EQ(parse_duration("500ms"), 500'000'000LL);
  EXPECT_EQ(parse_duration("2d"), 2 * 86'400'000'000'000LL);
  EXPECT_EQ(parse_duration("1w"), 7 * 86'400'000'000'000LL);
  EXPECT_EQ(parse_duration("0"), 0);
  EXPECT_EQ(parse_duration("10us"), 10'000);
}

TEST(Duration, RejectsMalformed) {
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("90"));
  EXPECT_FALSE(parse_duration("5q"));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration("1..2s"));
}

TEST(Duration, FormatsLikeGo) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(90'000'000'000LL), "1m30s");
  EXPECT_EQ(format_duration(3'720'000'000'000LL), "1h2m0s");
  EXPECT_EQ(format_duration(1'500'000'000LL), "1.5s");
  EXPECT_EQ(format_duration(500'000'000LL), "500ms");
  EXPECT_EQ(format_duration(1'500'000LL), "1.5ms");
  EXPECT_EQ(format_duration(1'500LL), "1.5\xC2\xB5s");
  EXPECT_EQ(format_duration(15LL), "15ns");
  EXPECT_EQ(format_duration(48 * 3'600'000'000'000LL), "48h0m0s");
  EXPECT_EQ(format_duration(-3'000'000'000LL), "-3s");
}

TEST(Bytes, ParsesUnits) {
  EXPECT_EQ(parse_bytes("512m"), 536870912);
  EXPECT_EQ(parse_bytes("1g"), 1073741824);
  EXPECT_EQ(parse_bytes("1.5G"), 1610612736);
  EXPECT_EQ(parse_bytes("100"), 100);
  EXPECT_EQ(parse_bytes("64MB"), 67108864);
  EXPECT_EQ(parse_bytes("2kib"), 2048);
  EXPECT_EQ(parse_bytes("1 k"), 1024);
  EXPECT_FALSE(parse_bytes("1x"));
  EXPECT_FALSE(parse_bytes("m"));
  EXPECT_FALSE(parse_bytes(""));
  EXPECT_FALSE(parse_bytes("-1"));
}

TEST(Ports, ShortSyntax) {
  auto p = parse_port_spec("80");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].target, 80u);
  EXPECT_EQ(p[0].published, "");
  EXPECT_EQ(p[0].protocol, "tcp");

  p = parse_port_spec("127.0.0.1:8080:80/udp");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].host_ip, "127.0.0.1");
  EXPECT_EQ(p[0].published, "8080");
  EXPECT_EQ(p[0].protocol, "udp");

  p = parse_port_spec("[::1]:80:80");
  EXPECT_EQ(p[0].host_ip, "::1");
  p = parse_port_spec("127.0.0.1::53");
  EXPECT_EQ(p[0].published, "");
  EXPECT_EQ(p[0].host_ip, "127.0.0.1");
}

TEST(Ports, Ranges) {
  auto p = parse_port_spec("8000-8002:80-82");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[1].target, 81u);
  EXPECT_EQ(p[1].published, "8001");
  p = parse_port_spec("8000-8010:80");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].published, "8000-8010");
  // Compose orders the expanded ports by their "port/proto" text.
  p = parse_port_spec("8-10");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].target, 10u);
  EXPECT_EQ(p[1].target, 8u);
}

TEST(Ports, Malformed) {
  EXPECT_THROW(parse_port_spec("abc"), std::invalid_argument);
  EXPECT_THROW(parse_port_spec("80/foo"), std::invalid_argument);
  EXPECT_THROW(parse_port_spec("70000"), std::invalid_argument);
  EXPECT_THROW(parse_port_spec("80-82:90-95"), std::invalid_argument);
  EXPECT_THROW(parse_port_spec("1.2.3.999:80:80"), std::invalid_argument);
  EXPECT_THROW(parse_port_spec(""), std::invalid_argument);
}

TEST(Volumes, ShortSyntax) {
  auto v = parse_volume_spec("./data:/data:ro,z");
  EXPECT_EQ(v.type, "bind");
  EXPECT_EQ(v.source, "./data");
  EXPECT_EQ(v.target, "/data");
  EXPECT_TRUE(v.read_only);
  EXPECT_EQ(v.selinux, "z");

  v = parse_volume_spec("named:/data:nocopy");
  EXPECT_EQ(v.type, "volume");
  EXPECT_TRUE(v.nocopy);

  v = parse_volume_spec("/anon");
  EXPECT_EQ(v.type, "volume");
  EXPECT_EQ(v.source, "");
  EXPECT_EQ(v.target, "/anon");

  v = parse_volume_spec("~/x:/y");
  EXPECT_EQ(v.type, "bind");
  EXPECT_EQ(v.source, "~/x");
}

TEST(Volumes, Malformed) {
  EXPECT_THROW(parse_volume_spec(""), std::invalid_argument);
  EXPECT_THROW(parse_volume_spec("vol:/a:ro:extra"), std::invalid_argument);
  EXPECT_THROW(parse_volume_spec("vol::/a"), std::invalid_argument);
  // A single letter before a colon is a Windows drive, as in compose.
  EXPECT_EQ(parse_volume_spec("c:/x:/y").source, "c:/x");
}

TEST(Shell, SplitsLikeShellwords) {
  using V = std::vector<std::string>;
  EXPECT_EQ(shell_split("echo \"a b\" c"), (V{"echo", "a b", "c"}));
  EXPECT_EQ(shell_split("sh -c 'echo a && echo b'"), (V{"sh", "-c", "echo a && echo b"}));
  EXPECT_EQ(shell_split("echo a && echo b"), (V{"echo", "a"}));
  EXPECT_EQ(shell_split("z\\ w \"x\\y\""), (V{"z w", "xy"}));
  EXPECT_EQ(shell_split("a $(b c) d"), (V{"a", "$(b c)", "d"}));
  EXPECT_EQ(shell_split("a `b c` d"), (V{"a", "`b c`", "d"}));
  EXPECT_EQ(shell_split("x  y\ttab"), (V{"x", "y", "tab"}));
  EXPECT_EQ(shell_split("''"), (V{""}));
  EXPECT_EQ(shell_split(""), V{});
  EXPECT_THROW(shell_split("a 'b"), std::invalid_argument);
  EXPECT_THROW(shell_split("a (b)"), std::invalid_argument);
}

TEST(Paths, Clean) {
  EXPECT_EQ(clean_path("/a/b/../c/./d/"), "/a/c/d");
  EXPECT_EQ(clean_path("a//b"), "a/b");
  EXPECT_EQ(clean_path("/.."), "/");
  EXPECT_EQ(clean_path("../x"), "../x");
  EXPECT_EQ(clean_path(""), ".");
}

TEST(YamlKeys, NaturalOrderLikeGoYaml) {
  std::vector<std::string> keys = {"b10", "b9", "a01", "a1", "a1y", "a001x", "B", "_a", "1", "a b", "a-b", "a.b", "a: b"};
  std::sort(keys.begin(), keys.end(), yaml_key_less);
  std::vector<std::string> want = {"_a", "1", "B", "a b", "a-b", "a.b", "a: b", "a1", "a1y", "a01", "a001x", "b9", "b10"};
  EXPECT_EQ(keys, want);
}

TEST(YamlStrings, QuotesOnlyWhenNeeded) {
  auto style = [](const std::string& s) { return yaml_string_style(s, false); };
  EXPECT_EQ(style("hello"), ScalarStyle::Plain);
  EXPECT_EQ(style("80"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("true"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("yes"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("Y"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style(""), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("12:30"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("2001-12-14"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("1_000"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("a: b"), ScalarStyle::SingleQuoted);
  EXPECT_EQ(style("*x"), ScalarStyle::SingleQuoted);
  EXPECT_EQ(style(" lead"), ScalarStyle::SingleQuoted);
  EXPECT_EQ(style("- x"), ScalarStyle::SingleQuoted);
  EXPECT_EQ(style("-x"), ScalarStyle::Plain);
  EXPECT_EQ(style("x*"), ScalarStyle::Plain);
  EXPECT_EQ(style("a,b"), ScalarStyle::Plain);
  EXPECT_EQ(style("NaN"), ScalarStyle::Plain);
  EXPECT_EQ(style("tab\there"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("line1\nline2"), ScalarStyle::Literal);
  EXPECT_EQ(style("\n"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("1.2.3"), ScalarStyle::Plain);
  EXPECT_EQ(style("0x"), ScalarStyle::Plain);
  EXPECT_EQ(style("-.NaN"), ScalarStyle::Plain);
  EXPECT_EQ(style("+.5"), ScalarStyle::DoubleQuoted);
  EXPECT_EQ(style("<<"), ScalarStyle::DoubleQuoted);
}

TEST(YamlStrings, DoubleQuoteEscapes) {
  EXPECT_EQ(yaml_double_quote("tab\there"), "\"tab\\there\"");
  EXPECT_EQ(yaml_double_quote("a\x01" "b"), "\"a\\x01b\"");
  EXPECT_EQ(yaml_double_quote("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(yaml_double_quote("x\xC2\x85y"), "\"x\\Ny\"");
}

}  // namespace
}  // namespace slipway::compose

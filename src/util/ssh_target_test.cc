#include "util/ssh_target.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "util/error.h"

namespace slipway {
namespace {

TEST(SshTarget, ParsesUserHostPortAndPath) {
  auto t = SshTarget::parse("ssh://deploy@example.org:2222/srv/app/");
  EXPECT_EQ(t.user, "deploy");
  EXPECT_EQ(t.host, "example.org");
  EXPECT_EQ(t.port, "2222");
  EXPECT_EQ(t.path, "/srv/app");
}

TEST(SshTarget, HostAloneAndIpv6InBrackets) {
  auto a = SshTarget::parse("ssh://server");
  EXPECT_EQ(a.host, "server");
  EXPECT_TRUE(a.user.empty());
  EXPECT_TRUE(a.port.empty());
  auto b = SshTarget::parse("ssh://root@[fd00::1]:22");
  EXPECT_EQ(b.host, "fd00::1");
  EXPECT_EQ(b.port, "22");
}

TEST(SshTarget, RejectsWhatSshWouldMisread) {
  EXPECT_THROW(SshTarget::parse("ssh://"), UserError);
  EXPECT_THROW(SshTarget::parse("ssh://-oProxyCommand=x"), UserError);
  EXPECT_THROW(SshTarget::parse("ssh://host:99999"), UserError);
  EXPECT_THROW(SshTarget::parse("ssh://host:22x"), UserError);
  EXPECT_THROW(SshTarget::parse("ssh://a b@host"), UserError);
  EXPECT_THROW(SshTarget::parse("tcp://host:2375"), UserError);
}

TEST(SshTarget, EveryRemoteWordIsQuotedAfterTheHost) {
  auto t = SshTarget::parse("ssh://u@h:2200");
  auto argv = t.ssh_argv({"docker", "it's; rm -rf /"});
  ASSERT_GE(argv.size(), 4u);
  EXPECT_EQ(argv[0], "ssh");
  EXPECT_EQ(argv[argv.size() - 3], "h");
  EXPECT_EQ(argv[argv.size() - 4], "--");
  EXPECT_EQ(argv[argv.size() - 2], "'docker'");
  EXPECT_EQ(argv.back(), "'it'\\''s; rm -rf /'");
  EXPECT_NE(std::find(argv.begin(), argv.end(), "BatchMode=yes"), argv.end());
}

}  // namespace
}  // namespace slipway

#include "engine/client.h"

#include <gtest/gtest.h>

namespace slipway::engine {
namespace {

TEST(Endpoint, ParsesTheAddressesDockerAccepts) {
  auto u = Endpoint::parse("unix:///run/podman/podman.sock");
  EXPECT_EQ(u.socket_path, "/run/podman/podman.sock");
  EXPECT_EQ(Endpoint::parse("/var/run/docker.sock").address, "unix:///var/run/docker.sock");
  EXPECT_EQ(Endpoint::parse("tcp://10.0.0.2:2376").base_url, "http://10.0.0.2:2376");
  EXPECT_EQ(Endpoint::parse("tcp://example.org").base_url, "http://example.org:2375");
  EXPECT_EQ(Endpoint::parse("tcp://[::1]:2375/").base_url, "http://[::1]:2375");
  // ssh://: the Transport connects through a local relay to ssh (engine/ssh_dial.h).
  EXPECT_EQ(Endpoint::parse("ssh://me@host:2222/srv/app").base_url, "http://localhost");
  EXPECT_THROW(Endpoint::parse("ssh://"), UserError);
  EXPECT_THROW(Endpoint::parse("https://host"), UserError);
  EXPECT_THROW(Endpoint::parse("unix://relative.sock"), UserError);
  EXPECT_THROW(Endpoint::parse("bogus"), UserError);
}

TEST(Client, UnreachableEngineGivesOneClearLine) {
  ClientOptions o;
  o.host = "unix:///tmp/slipway-no-such-engine.sock";
  Client c(o);
  try {
    c.ping();
    FAIL();
  } catch (const EngineError&) {
    FAIL() << "not an engine answer";
  } catch (const EnvError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot reach the container engine at unix:///tmp/slipway-no-such-engine.sock: no such socket "
              "(is dockerd running? set DOCKER_HOST or -H)");
    EXPECT_EQ(e.exit_code(), 1);
  }
}

TEST(Client, EscapesQueryComponents) {
  EXPECT_EQ(Client::escape("a b/c=d&e"), "a%20b%2Fc%3Dd%26e");
  EXPECT_EQ(Client::escape("{\"label\":[\"x\"]}"), "%7B%22label%22%3A%5B%22x%22%5D%7D");
}

TEST(Client, LabelFilters) {
  auto f = label_filters({{"io.slipway.test", "1"}, {"flag", ""}});
  EXPECT_EQ(f["label"], (std::vector<std::string>{"flag", "io.slipway.test=1"}));
}

TEST(EngineError, CarriesStatusAndMessage) {
  EngineError e(404, "No such container: x", "inspect container x");
  EXPECT_TRUE(e.not_found());
  EXPECT_FALSE(e.conflict());
  EXPECT_EQ(std::string(e.what()), "inspect container x: No such container: x");
  EXPECT_EQ(e.engine_message(), "No such container: x");
}

}  // namespace
}  // namespace slipway::engine

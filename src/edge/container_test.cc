#include "edge/container.h"

#include <gtest/gtest.h>

namespace slipway::edge {
namespace {

using json = nlohmann::json;

EdgeSpecInput input() {
  EdgeSpecInput in;
  in.project = "demo";
  in.image = "slipway-edge:0123456789ab";
  in.settings.http = {"", 80};
  in.settings.https = {"127.0.0.1", 443};
  in.networks = {"demo_default", "demo_front"};
  in.admin_dir = "/root/.local/state/slipway/edge/demo";
  return in;
}

TEST(EdgeContainer, NamesAndLabelsLikeAComposeService) {
  plan::ContainerSpec spec = edge_container_spec(input());
  EXPECT_EQ(spec.name, "demo-slipway-edge-1");
  const json& labels = spec.body["Labels"];
  EXPECT_EQ(labels["com.docker.compose.project"], "demo");
  EXPECT_EQ(labels["com.docker.compose.service"], "slipway-edge");
  EXPECT_EQ(labels["com.docker.compose.container-number"], "1");
  EXPECT_EQ(labels["com.docker.compose.oneoff"], "False");
  EXPECT_EQ(labels["io.slipway.role"], "edge");
  EXPECT_EQ(labels["com.docker.compose.config-hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(edge_selector("demo"), (plan::Labels{{"com.docker.compose.project", "demo"}, {"io.slipway.role", "edge"}}));
}

TEST(EdgeContainer, PublishesThePublicPortsOnTheSameNumbers) {
  json body = edge_container_spec(input()).body;
  EXPECT_EQ(body["ExposedPorts"], json::parse(R"({"80/tcp": {}, "443/tcp": {}})"));
  EXPECT_EQ(body["HostConfig"]["PortBindings"], json::parse(R"({
    "80/tcp": [{"HostIp": "", "HostPort": "80"}],
    "443/tcp": [{"HostIp": "127.0.0.1", "HostPort": "443"}]})"));
  EdgeSpecInput quiet = input();
  quiet.publish = false;
  EXPECT_FALSE(edge_container_spec(quiet).body["HostConfig"].contains("PortBindings"));
}

TEST(EdgeContainer, AdminDirectoryStateVolumeRestartAndHardening) {
  json host = edge_container_spec(input()).body["HostConfig"];
  EXPECT_EQ(host["RestartPolicy"]["Name"], "unless-stopped");
  EXPECT_EQ(host["Mounts"], json::parse(R"([
    {"Type": "bind", "Source": "/root/.local/state/slipway/edge/demo", "Target": "/run/slipway-admin"},
    {"Type": "volume", "Source": "demo_slipway-edge", "Target": "/var/lib/caddy"}])"));
  EXPECT_EQ(host["CapDrop"], json::array({"ALL"}));
  EXPECT_EQ(host["SecurityOpt"], json::array({"no-new-privileges"}));
  EXPECT_EQ(host["ReadonlyRootfs"], true);
  EXPECT_EQ(host["Sysctls"]["net.ipv4.ip_unprivileged_port_start"], "0");
}

TEST(EdgeContainer, FirstNetworkInTheRequestTheOthersJoinedAfter) {
  plan::ContainerSpec spec = edge_container_spec(input());
  EXPECT_EQ(spec.body["NetworkingConfig"]["EndpointsConfig"], json::parse(R"({"demo_default": {}})"));
  ASSERT_EQ(spec.extra_networks.size(), 1u);
  EXPECT_EQ(spec.extra_networks[0].network, "demo_front");
  EXPECT_EQ(spec.stop_timeout, kEdgeStopTimeout);
}

TEST(EdgeContainer, TheHashIgnoresNetworksButNotPortsOrImage) {
  auto hash = [](const EdgeSpecInput& in) {
    return edge_container_spec(in).body["Labels"]["com.docker.compose.config-hash"].get<std::string>();
  };
  EdgeSpecInput in = input();
  std::string base = hash(in);
  in.networks = {"other"};
  EXPECT_EQ(hash(in), base);
  in = input();
  in.settings.http.port = 8080;
  EXPECT_NE(hash(in), base);
  in = input();
  in.image = "slipway-edge:ffffffffffff";
  EXPECT_NE(hash(in), base);
}

TEST(EdgeContainer, VolumeBody) {
  json v = edge_volume_body("demo", {{"io.slipway.test", "run1"}});
  EXPECT_EQ(v["Name"], "demo_slipway-edge");
  EXPECT_EQ(v["Labels"]["com.docker.compose.project"], "demo");
  EXPECT_EQ(v["Labels"]["io.slipway.role"], "edge");
  EXPECT_EQ(v["Labels"]["io.slipway.test"], "run1");
}

TEST(KernelMigratesQueuedConnections, From5Point14On) {
  EXPECT_TRUE(kernel_migrates_queued_connections("6.1.0-18-amd64"));
  EXPECT_TRUE(kernel_migrates_queued_connections("5.14.0"));
  EXPECT_TRUE(kernel_migrates_queued_connections("6.18.44-fc-v782"));
  EXPECT_FALSE(kernel_migrates_queued_connections("5.10.0-28-amd64"));
  EXPECT_FALSE(kernel_migrates_queued_connections("4.19.0"));
  EXPECT_FALSE(kernel_migrates_queued_connections(""));
  EXPECT_FALSE(kernel_migrates_queued_connections("linux"));
}

TEST(EdgeContainerSpec, SetsTcpMigrateReqOnlyWhenAsked) {
  EdgeSpecInput in = input();
  EXPECT_FALSE(edge_container_spec(in).body["HostConfig"]["Sysctls"].contains("net.ipv4.tcp_migrate_req"));
  in.migrate_queued = true;
  EXPECT_EQ(edge_container_spec(in).body["HostConfig"]["Sysctls"]["net.ipv4.tcp_migrate_req"], "1");
}

}  // namespace
}  // namespace slipway::edge

// A private three-node swarm forms on one machine (support/swarm_cluster.h): every node Ready,
// one manager and two workers, and nothing of it remains afterwards.
#include "support/swarm_cluster.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "util/subprocess.h"

namespace slipway::testsupport {
namespace {

namespace fs = std::filesystem;

TEST(SwarmCluster, FormsThreeReadyNodesAndLeavesNothingBehind) {
  std::vector<std::string> dirs, namespaces;
  {
    SwarmCluster cluster(3);
    std::cout << "[ timing ] swarm of 3 formed in " << cluster.formation_seconds() << " s\n";
    std::string body;
    ASSERT_EQ(unix_http(cluster.manager().socket_path(), "GET", "/nodes", &body), 200);
    auto nodes = nlohmann::json::parse(body);
    ASSERT_EQ(nodes.size(), 3u);
    int managers = 0;
    for (const auto& n : nodes) {
      EXPECT_EQ(n["Status"].value("State", ""), "ready") << n.dump();
      EXPECT_EQ(n["Spec"].value("Availability", ""), "active");
      if (n["Spec"].value("Role", "") == "manager") ++managers;
    }
    EXPECT_EQ(managers, 1);
    for (int i = 0; i < cluster.size(); ++i) {
      EXPECT_FALSE(cluster.node_id(i).empty());
      dirs.push_back(cluster.node(i).directory());
      namespaces.push_back(cluster.node(i).netns());
    }
  }
  auto ns = run_process({"ip", "netns", "list"});
  for (const auto& n : namespaces) EXPECT_EQ(ns.out.find(n), std::string::npos) << n;
  EXPECT_EQ(ns.out.find("slw-lan-"), std::string::npos) << ns.out;
  for (const auto& d : dirs) EXPECT_FALSE(fs::exists(d)) << d;
}

}  // namespace
}  // namespace slipway::testsupport

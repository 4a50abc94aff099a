// SwarmCluster — a private multi-node Docker Swarm on one machine, for tests of slipway's
// swarm target (docs/swarm.md). Never the host engine: a `swarm init`/`leave` there broke the
// embedded DNS of a stack already running on it (../shared/DESIGN.md).
//
// N PrivateEngines (support/private_engine.h), each in its own network namespace, plus one
// more namespace holding a bridge: the cluster's own LAN. Every engine gets a second veth into
// that bridge with an address of a /24 of its own (10.250.X.(10+i)); node 0 runs
// `POST /swarm/init` advertising that address, the others `POST /swarm/join` with the worker
// token. The constructor returns once GET /nodes on the manager lists every node Ready.
//
// Why a bridge namespace and not routes through the host: each engine's first veth is a /30
// to the host, and a packet from one namespace to another would be forwarded by the host,
// whose FORWARD chain has policy DROP (the host's dockerd set it). Allowing it would change
// the host's firewall; a bridge in a namespace of our own changes nothing outside the test.
//
//   testsupport::SwarmCluster cluster(3);        // one manager, two workers, all Ready
//   cluster.manager().host()                     // DOCKER_HOST of the manager
//   cluster.node(2).load_image_from_host(...)
//   // the destructor: every node leaves (forced), its engine's power is cut, the namespaces,
//   // veths and directories are removed — also when the constructor threw half way
//
// Needs what PrivateEngine needs, and the vxlan module for overlay networks.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/private_engine.h"

namespace slipway::testsupport {

class SwarmCluster {
 public:
  // Starts `nodes` engines (>= 1) and forms the swarm; throws std::runtime_error naming the
  // step and the engine's log tail when it cannot (what was made is removed again).
  explicit SwarmCluster(int nodes = 3);
  ~SwarmCluster();
  SwarmCluster(const SwarmCluster&) = delete;
  SwarmCluster& operator=(const SwarmCluster&) = delete;

  int size() const { return static_cast<int>(engines_.size()); }
  PrivateEngine& manager() const { return *engines_.front(); }
  PrivateEngine& node(int i) const { return *engines_.at(static_cast<size_t>(i)); }
  // The address node i has on the cluster's LAN (what it advertises to the swarm).
  const std::string& lan_address(int i) const { return lan_addresses_.at(static_cast<size_t>(i)); }
  // The swarm's node ID of node i (GET /info Swarm.NodeID).
  const std::string& node_id(int i) const { return node_ids_.at(static_cast<size_t>(i)); }

  // Copies images from the host engine into every node (GET /images/get once, POST
  // /images/load on each), as a cluster's nodes would already hold a base image.
  void load_images_from_host(const std::vector<std::string>& images) const;

  // Seconds the constructor took: engines started, LAN wired, swarm formed, nodes Ready.
  double formation_seconds() const { return formation_seconds_; }

 private:
  void wire_lan();
  void form_swarm();
  void teardown();

  std::vector<std::unique_ptr<PrivateEngine>> engines_;
  std::vector<std::string> lan_addresses_, node_ids_, lan_veths_;
  std::string lan_netns_;
  double formation_seconds_ = 0;
};

}  // namespace slipway::testsupport

#include "support/swarm_cluster.h"

#include <chrono>
#include <future>
#include <random>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "util/subprocess.h"

namespace slipway::testsupport {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

void must(const std::vector<std::string>& argv) {
  auto r = run_process(argv);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    throw std::runtime_error("swarm cluster: " + cmd + "failed: " + r.err);
  }
}

// One JSON API call on `pe`; throws with the engine's answer and log tail unless 2xx.
json api(const PrivateEngine& pe, const std::string& method, const std::string& path, const json& body = nullptr) {
  std::string out;
  int status = unix_http(pe.socket_path(), method, path, &out, body.is_null() ? "" : body.dump(), "application/json");
  if (status < 200 || status >= 300)
    throw std::runtime_error("swarm cluster: " + method + " " + path + " on " + pe.host() + " answered " +
                             std::to_string(status) + ": " + out + "\n" + pe.log_tail(15));
  if (out.empty()) return nullptr;
  return json::parse(out, nullptr, false);
}

}  // namespace

SwarmCluster::SwarmCluster(int nodes) {
  if (nodes < 1) throw std::runtime_error("swarm cluster: needs at least one node");
  auto start = Clock::now();
  try {
    // The engines start in parallel: each waits mostly on its own dockerd.
    std::vector<std::future<std::unique_ptr<PrivateEngine>>> starting;
    for (int i = 0; i < nodes; ++i)
      starting.push_back(std::async(std::launch::async, [] { return std::make_unique<PrivateEngine>(); }));
    std::string first_error;
    for (auto& f : starting) {
      try {
        engines_.push_back(f.get());
      } catch (const std::exception& e) {
        if (first_error.empty()) first_error = e.what();
      }
    }
    if (!first_error.empty()) throw std::runtime_error(first_error);
    wire_lan();
    form_swarm();
  } catch (...) {
    teardown();
    throw;
  }
  formation_seconds_ = std::chrono::duration<double>(Clock::now() - start).count();
}

SwarmCluster::~SwarmCluster() { teardown(); }

void SwarmCluster::wire_lan() {
  std::random_device rd;
  char id[16];
  std::snprintf(id, sizeof id, "%06x", rd() & 0xffffff);
  lan_netns_ = std::string("slw-lan-") + id;
  const std::string subnet = "10.250." + std::to_string(rd() & 0xff) + ".";
  must({"ip", "netns", "add", lan_netns_});
  must({"ip", "-n", lan_netns_, "link", "add", "br0", "type", "bridge"});
  must({"ip", "-n", lan_netns_, "link", "set", "br0", "up"});
  for (size_t i = 0; i < engines_.size(); ++i) {
    // Made on the host, then each end moved: names are unique on the host while they pass.
    std::string bridge_end = std::string("sw") + id + "b" + std::to_string(i);
    std::string node_end = std::string("sw") + id + "n" + std::to_string(i);
    std::string address = subnet + std::to_string(10 + i);
    must({"ip", "link", "add", bridge_end, "type", "veth", "peer", "name", node_end});
    lan_veths_.push_back(bridge_end);
    must({"ip", "link", "set", bridge_end, "netns", lan_netns_});
    must({"ip", "link", "set", node_end, "netns", engines_[i]->netns()});
    must({"ip", "-n", lan_netns_, "link", "set", bridge_end, "master", "br0", "up"});
    must({"ip", "-n", engines_[i]->netns(), "addr", "add", address + "/24", "dev", node_end});
    must({"ip", "-n", engines_[i]->netns(), "link", "set", node_end, "up"});
    lan_addresses_.push_back(address);
  }
}

void SwarmCluster::form_swarm() {
  const std::string manager_addr = lan_addresses_[0] + ":2377";
  api(manager(), "POST", "/swarm/init",
      {{"ListenAddr", manager_addr}, {"AdvertiseAddr", manager_addr}, {"ForceNewCluster", false}});
  const std::string token = api(manager(), "GET", "/swarm")["JoinTokens"].value("Worker", "");
  if (token.empty()) throw std::runtime_error("swarm cluster: the manager has no worker join token");
  // Workers join in parallel: each join waits for its certificate from the manager.
  std::vector<std::future<void>> joins;
  for (size_t i = 1; i < engines_.size(); ++i) {
    joins.push_back(std::async(std::launch::async, [this, i, &manager_addr, &token] {
      const std::string addr = lan_addresses_[i] + ":2377";
      api(*engines_[i], "POST", "/swarm/join",
          {{"ListenAddr", addr}, {"AdvertiseAddr", addr}, {"RemoteAddrs", {manager_addr}}, {"JoinToken", token}});
    }));
  }
  for (auto& j : joins) j.get();
  for (const auto& e : engines_) node_ids_.push_back(api(*e, "GET", "/info")["Swarm"].value("NodeID", ""));

  auto deadline = Clock::now() + std::chrono::seconds(90);
  for (;;) {
    json nodes = api(manager(), "GET", "/nodes");
    size_t ready = 0;
    for (const auto& n : nodes)
      if (n["Status"].value("State", "") == "ready") ++ready;
    if (ready == engines_.size()) return;
    if (Clock::now() > deadline)
      throw std::runtime_error("swarm cluster: " + std::to_string(ready) + " of " + std::to_string(engines_.size()) +
                               " nodes ready after 90 s: " + nodes.dump());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void SwarmCluster::load_images_from_host(const std::vector<std::string>& images) const {
  // Each node loads on its own; PrivateEngine exports from the host per call, which is cheap
  // next to the load for the small images tests use.
  std::vector<std::future<void>> loads;
  for (const auto& e : engines_)
    loads.push_back(std::async(std::launch::async, [&e, &images] { e->load_images_from_host(images); }));
  for (auto& l : loads) l.get();
}

void SwarmCluster::teardown() {
  // Leave first, workers before the manager, so no node is left waiting on a peer; forced,
  // since the manager of a one-manager swarm cannot leave otherwise. A leave that hangs does
  // not hold the teardown: the power cut below ends its connection.
  auto leave = [](const PrivateEngine& pe) {
    const std::string socket = pe.socket_path();
    return std::async(std::launch::async, [socket] { return unix_http(socket, "POST", "/swarm/leave?force=1"); });
  };
  std::vector<std::future<int>> leaves;
  for (size_t i = 1; i < engines_.size(); ++i)
    if (engines_[i] && engines_[i]->pid()) leaves.push_back(leave(*engines_[i]));
  for (auto& l : leaves) l.wait_for(std::chrono::seconds(10));
  if (!engines_.empty() && engines_[0] && engines_[0]->pid()) {
    leaves.push_back(leave(*engines_[0]));
    leaves.back().wait_for(std::chrono::seconds(10));
  }
  // Power cut and removal of each engine's namespace and directory (PrivateEngine's
  // destructor), then the LAN's namespace, whose deletion takes the veths in it and their
  // peers with it.
  engines_.clear();
  leaves.clear();
  if (!lan_netns_.empty()) run_process({"ip", "netns", "del", lan_netns_});
  for (const auto& v : lan_veths_) run_process({"ip", "link", "del", v});  // only if a step failed half way
  lan_netns_.clear();
  lan_veths_.clear();
}

}  // namespace slipway::testsupport

// The edge's container and volume as Engine API requests (pure).
//
// The edge of a stack is one container, "<project>-slipway-edge-1", labelled like a Compose
// service (project, service slipway-edge, container-number 1, oneoff False) plus
// io.slipway.role=edge, so `docker compose ps`, `slipway ps` and `down` see it. It joins the
// networks of the routed services, publishes the stack's public HTTP and HTTPS ports, restarts
// unless stopped, and keeps Caddy's state in the volume "<project>_slipway-edge".
//
// Hardening: Caddy runs as an unprivileged user with no capabilities, no-new-privileges and a
// read-only root filesystem; binding ports below 1024 needs none of that because the container's
// net.ipv4.ip_unprivileged_port_start is 0 (a per-network-namespace setting).
//
// Reloads: each admin-API change makes a Caddy 2.6 process reload. A switch reloads only the
// back, whose listening sockets are unix sockets that Caddy hands over (caddy_config.h); the
// front, which holds the public ports, reloads only when hosts, ports or TLS change, and its
// reload replaces its listening sockets (SO_REUSEPORT). A connection that the kernel queued on
// the old socket and Caddy had not accepted yet is reset when that socket closes. With
// net.ipv4.tcp_migrate_req=1 (Linux 5.14+, also per network namespace) the kernel moves such
// connections to the new socket.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "edge/routes.h"
#include "plan/create_body.h"
#include "plan/labels.h"

namespace slipway::edge {

inline constexpr const char* kEdgeRole = "edge";
// Seconds Docker waits after SIGTERM: Caddy's grace period for open requests, plus a margin.
inline constexpr int kEdgeStopTimeout = 35;

struct EdgeSpecInput {
  std::string project;
  std::string image;                  // the edge image (tag or ID)
  EdgeSettings settings;              // public ports
  std::vector<std::string> networks;  // engine network names; the first goes in the create request
  bool publish = true;                // false: no host ports (throwaway copies, tests)
  std::string admin_dir;              // host directory mounted at kAdminDirInContainer
  plan::Labels extra_labels;          // added to the container (e.g. io.slipway.test)
  bool migrate_queued = false;        // set net.ipv4.tcp_migrate_req (the engine's kernel has it)
};

// Whether a kernel version as the engine reports it ("6.1.0-18-amd64") has
// net.ipv4.tcp_migrate_req (5.14 and later). An unknown sysctl would make the create fail.
bool kernel_migrates_queued_connections(const std::string& kernel_version);

std::string edge_container_name(const std::string& project);  // "<project>-slipway-edge-1"
std::string edge_volume_name(const std::string& project);     // "<project>_slipway-edge"

// Labels that find a project's edge (container and volume) among the engine's objects.
plan::Labels edge_selector(const std::string& project);

// The create request; networks after the first are in extra_networks. The config-hash label
// (com.docker.compose.config-hash) is the hash of everything but the networks and that label,
// so a running edge whose hash matches needs no recreation (networks are joined live).
plan::ContainerSpec edge_container_spec(const EdgeSpecInput& input);

// POST /volumes/create body for the state volume.
nlohmann::json edge_volume_body(const std::string& project, const plan::Labels& extra_labels = {});

}  // namespace slipway::edge

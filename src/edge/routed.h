// What routing a stack through the edge means for its services (pure; for the planner).
//
// A routed service is reached through the edge, so it publishes no host port for what the edge
// serves: two generations of it must be able to run side by side, and only one process can own
// a host port. Its published ports that target a routed container port belong to the edge now
// and are left out of its containers; any other published port (e.g. SSH on 2222) stays, and
// then blocks a side-by-side generation (`kept` says which, so the deploy can refuse or warn).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "edge/locate.h"
#include "edge/routes.h"

namespace slipway::edge {

// One published port of a service (an entry of its canonical `ports:` list).
struct PublishedPort {
  std::string service;
  std::size_t index = 0;  // position in the service's ports list
  ojson port;             // the canonical entry ({target, published, host_ip, protocol, ...})
};

struct EdgePorts {
  std::vector<std::string> routed_services;  // sorted, unique
  std::vector<std::string> networks;         // engine names of their networks: the edge joins them (sorted)
  std::vector<PublishedPort> edge_owned;     // published ports the edge replaces
  std::vector<PublishedPort> kept;           // other published ports of routed services
};

// Which services the routes reach and which of their published ports the edge now owns.
// Services and ports are in model order.
EdgePorts edge_ports(const ojson& model, const Routing& routing);

// `service_spec` (canonical) without the ports the edge owns: what the planner hands to the
// create body for a routed service. Unchanged for a service that is not routed. An empty list
// leaves no `ports` key.
ojson without_edge_ports(const std::string& service, const ojson& service_spec, const EdgePorts& ports);

// Throws UserError (at services.<svc>.ports) when a service publishes, on an overlapping
// address, a TCP host port that is the edge's public HTTP or HTTPS port and the edge does not
// own that entry (the edge could not start, or the service could not).
void check_public_ports(const ojson& model, const Routing& routing, const EdgePorts& ports, const Locator& locate);

}  // namespace slipway::edge

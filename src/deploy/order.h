// Which services a deploy may run twice (pure).
//
// A deploy starts a stateless service's new generation beside the old one and switches over
// (start-first): nothing is ever unavailable. That is wrong for a service that cannot run twice:
//   - a writable named volume: a database has one writer; two processes on the same files
//     corrupt them or refuse to start (a lock file);
//   - container_name: the engine allows the name once;
//   - a published host port the edge does not own (SMTP's 587, SSH's 2222): one process per
//     port; senders retry, so a short gap is harmless, a refused bind is not;
//   - network_mode: host: the same ports on the host's own network.
// Those are stopped first and then started anew (stop-first), after a backup of their data when
// backup is configured, and the deploy prints how long they were unavailable.
//
// The user overrides the default per service where they know better:
//   services:
//     cache:
//       x-slipway: {deploy: {order: start-first}}   # its volume is a disposable cache
// and sets stack-wide deploy settings under the top-level x-slipway:
//   x-slipway:
//     deploy: {keep: 3, watch: 60}   # generations whose images are kept; watch window (s)
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "compose/loader.h"
#include "edge/routed.h"

namespace slipway::deploy {

using ojson = nlohmann::ordered_json;

enum class Order { start_first, stop_first };
const char* order_name(Order order);

struct ServiceOrder {
  Order order = Order::start_first;
  std::string reason;  // why: "writable volume pgdata", "x-slipway deploy.order", ...
};

// The order for `service` (canonical `spec`), given which published ports the edge owns.
// Throws UserError for an x-slipway deploy.order other than start-first / stop-first.
ServiceOrder service_order(const std::string& service, const ojson& spec, const edge::EdgePorts& ports);

struct DeploySettings {
  int keep = 3;                    // generations whose images are never pruned (>= 1)
  std::chrono::seconds watch{60};  // watch window after the switch
};

// The top-level x-slipway.deploy settings. Throws UserError (naming the key) for a keep below 1
// or a negative watch.
DeploySettings deploy_settings(const compose::Project& project);
DeploySettings deploy_settings(const ojson& model, const Location& where);

}  // namespace slipway::deploy

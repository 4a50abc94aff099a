// Running a stack's edge on the engine: start (or adopt) it, find it, remove it.
//
// The edge container runs two Caddy processes, the front (public ports, TLS) and the back
// (routes), see caddy_config.h. Their admin APIs are reachable by nothing but slipway: each
// listens on a unix socket, never on TCP, in a host directory bind-mounted into the edge
// container only:
//
//   <admin root>/                  mode 0700, owned by the user running slipway (root)
//     <project>/                   the container's /run/slipway-admin (owned by the caddy uid)
//       admin.sock                 the back's
//       front.sock                 the front's
//
// The admin root is <state directory>/edge (util/state_dir.h); only its owner (and root) can
// enter it, so no other user on the host reaches the socket, and no other container has the
// directory. See docs/edge.md for the choice against entering the container's network
// namespace.
//
// What survives what:
//   - an engine or host restart: the container restarts (unless-stopped) and Caddy resumes its
//     autosaved config from the state volume: the same routes, pointing at the same upstreams.
//   - a recreated edge container (new image, new ports): the volume keeps the autosaved config,
//     the certificates and the internal CA.
//   - `remove_edge(..., remove_volume=true)`: nothing; the next apply_routes starts afresh.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "edge/admin.h"
#include "edge/routes.h"
#include "engine/engine.h"

namespace slipway::edge {

struct EdgeOptions {
  std::string project;
  EdgeSettings settings;                // the public ports (Routing::settings)
  std::vector<std::string> networks;    // engine network names to join (EdgePorts::networks); they must exist
  bool publish = true;                  // false: publish no host port (throwaway copies, tests)
  std::string admin_root;               // default: edge_admin_root()
  engine::Labels extra_labels;          // on the container and the volume (e.g. io.slipway.test)
  engine::BuildOutput on_build_output;  // when the edge image is being built
  std::chrono::milliseconds ready_timeout{std::chrono::minutes(2)};  // for the admin API to answer
};

struct EdgeInstance {
  std::string container_id;
  std::string container_name;
  std::string image;        // the image tag it runs
  std::string socket_path;        // the back's admin socket on the host
  std::string front_socket_path;  // the front's, beside it
  bool created = false;     // this call created the container (first start or changed spec)
  bool image_built = false;

  Admin admin() const { return Admin(socket_path, front_socket_path); }
};

// <state directory>/edge.
std::string edge_admin_root();

// Makes the project's edge run as `options` say and returns it once both admin APIs answer:
// builds the image if needed, creates the state volume and the admin directory, creates the
// container (or recreates it when its spec changed; an unchanged one is kept and only joins
// networks it lacks and leaves those no longer wanted), starts it. Idempotent.
// Does not touch the routes: call admin().apply_routes(...) afterwards.
// Errors: EnvError when the admin path is too long for a unix socket, when a host port is taken
// (the new container is removed again), or when the admin API does not come up (with the
// container's last log lines).
EdgeInstance start_edge(const engine::Engine& engine, const EdgeOptions& options);

// The project's edge container, if there is one (running or not). socket_path is read from
// the container's mount, so it is right whatever the state directory is now.
std::optional<EdgeInstance> find_edge(const engine::Engine& engine, const std::string& project);

// Removes the project's edge container (and with remove_volume its state volume: certificates,
// internal CA, autosaved config) and its admin directory. Nothing there: no error.
void remove_edge(const engine::Engine& engine, const std::string& project, bool remove_volume = false,
                 const std::string& admin_root = "");

}  // namespace slipway::edge

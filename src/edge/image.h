// The edge image: Caddy from Debian's own `caddy` package, built FROM debian:bookworm (made by
// `slipway base`, so no registry is involved) from a recipe held in this file. The Dockerfile
// and the files it copies are generated in memory and sent as a tar context.
//
// The tag is slipway-edge:<12 hex of the recipe hash>; the hash covers the recipe and the ID
// of the base image, so the image is built when missing and rebuilt only when the recipe or the
// base image changed (a fresh `slipway base` brings Caddy's security updates in).
//
// Inside the image:
//   - two Caddy processes, the front and the back (caddy_config.h), run as the unprivileged
//     user caddy (uid/gid kEdgeUid) from /usr/bin/caddy, started and tied together by the
//     entrypoint /usr/local/bin/slipway-edge (image.cc says how);
//   - each `caddy run --resume` starts from its last autosaved config, else a bootstrap config
//     that only opens its admin socket, so an engine restart brings the routes back by itself;
//   - Caddy's state (certificates and the internal CA's keys: the front's; each process's
//     autosaved config) lives in /var/lib/caddy, a volume; the admin sockets in
//     /run/slipway-admin, a host directory.
#pragma once

#include <string>

#include "engine/build_context.h"
#include "engine/engine.h"

namespace slipway::edge {

inline constexpr const char* kEdgeBaseImage = "debian:bookworm";
inline constexpr const char* kEdgeImageRepository = "slipway-edge";
inline constexpr int kEdgeUid = 64443;  // caddy's uid and gid in the image (fixed, see edge.h)
inline constexpr const char* kEdgeStateDir = "/var/lib/caddy";
// Image labels.
inline constexpr const char* kEdgeRecipeLabel = "io.slipway.edge.recipe";  // the full recipe hash
inline constexpr const char* kEdgeBaseLabel = "io.slipway.edge.base";      // the base image ID

// The build context (Dockerfile + bootstrap config + entrypoint), in memory.
engine::BuildContext edge_image_context();

// sha256 over the context's content and the base image ID.
std::string edge_recipe_hash(const engine::BuildContext& context, const std::string& base_image_id);

// "slipway-edge:" + the first 12 hex digits of the recipe hash.
std::string edge_image_tag(const std::string& recipe_hash);

struct EdgeImage {
  std::string tag;     // slipway-edge:<hash>
  std::string id;      // sha256:...
  bool built = false;  // false: the tag already existed with this recipe
};

// Returns the edge image, building it when missing. EnvError when debian:bookworm is missing
// ("create it with `slipway base debian:bookworm`"); the builder's BuildError when apt fails.
EdgeImage ensure_edge_image(const engine::Engine& engine, const engine::BuildOutput& on_output = nullptr);

}  // namespace slipway::edge

#include "edge/image.h"

#include <utility>
#include <vector>

#include "edge/caddy_config.h"
#include "util/sha256.h"

namespace slipway::edge {
namespace {

// Replaces every "{name}" in `text` with its value.
std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [name, value] : values)
    for (size_t at = text.find("{" + name + "}"); at != std::string::npos;
         at = text.find("{" + name + "}", at + value.size()))
      text.replace(at, name.size() + 2, value);
  return text;
}

std::string dockerfile() {
  return fill(R"(FROM {base}
# The caddy user first, with a fixed uid, so that the package adopts it and the host directory of
# the admin socket can be handed to it.
RUN groupadd --system --gid {uid} caddy \
 && useradd --system --uid {uid} --gid caddy --home-dir {state} --create-home --shell /usr/sbin/nologin caddy
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends caddy ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN mkdir -p {state}/data {state}/front {state}/back {admin} && chown -R caddy:caddy {state} {admin}
COPY front.json back.json /etc/slipway-edge/
COPY entrypoint /usr/local/bin/slipway-edge
ENV HOME={state} XDG_DATA_HOME={state}/data XDG_CONFIG_HOME={state}/config
LABEL io.slipway.role=edge-image
USER caddy
ENTRYPOINT ["/usr/local/bin/slipway-edge"]
)",
              {{"base", kEdgeBaseImage},
               {"uid", std::to_string(kEdgeUid)},
               {"state", kEdgeStateDir},
               {"admin", kAdminDirInContainer}});
}

// Runs the two Caddy processes (caddy_config.h) and ties their lives together: when either
// ends, the other is stopped too and the container exits, so its restart policy brings both
// back. On SIGTERM the front stops first (its open requests finish on the back, which still
// runs), then the back.
//
// Each process has its own autosaved config (`--resume`; before any change, a bootstrap
// config that only opens its admin socket). The front keeps the certificates and the internal
// CA in /var/lib/caddy/data, where the one-process edge kept them; the back keeps its own small
// state in /var/lib/caddy/back. Caddy does not unlink its admin socket when it stops, and
// refuses to start while the file exists; after a crash or an engine restart the old one is
// still in the host directory. The umask lets the admin sockets be opened by whoever may enter
// that directory on the host (root, or the user running slipway when that is not root); nobody
// else can reach them (edge.h). The back's serving sockets are in /tmp/slipway-edge, on the
// container's /tmp tmpfs, which only the edge's own processes see.
std::string entrypoint() {
  return fill(R"(#!/bin/bash
umask 0000
rm -f {admin}/{back_admin} {admin}/{front_admin}
mkdir -p {sockets} && chmod 0700 {sockets}
(XDG_DATA_HOME={state}/back/data XDG_CONFIG_HOME={state}/back/config \
   exec caddy run --resume --config /etc/slipway-edge/back.json) &
back=$!
(XDG_DATA_HOME={state}/data XDG_CONFIG_HOME={state}/front/config \
   exec caddy run --resume --config /etc/slipway-edge/front.json) &
front=$!
stop() {
  kill -TERM "$front" 2>/dev/null; wait "$front"
  kill -TERM "$back" 2>/dev/null; wait "$back"
  exit 0
}
trap stop TERM INT
wait -n
status=$?
kill -TERM "$front" "$back" 2>/dev/null
wait
echo "slipway-edge: a Caddy process ended (status $status); stopping the edge" >&2
exit $(( status == 0 ? 1 : status ))
)",
              {{"admin", kAdminDirInContainer},
               {"back_admin", kAdminSocketName},
               {"front_admin", kFrontAdminSocketName},
               {"sockets", kBackSocketDir},
               {"state", kEdgeStateDir}});
}

engine::ContextEntry file(const std::string& path, const std::string& content, unsigned mode) {
  engine::ContextEntry e;
  e.path = path;
  e.content = content;
  e.size = static_cast<std::int64_t>(content.size());
  e.mode = mode;
  return e;
}

}  // namespace

engine::BuildContext edge_image_context() {
  engine::BuildContext ctx;
  ctx.dockerfile = "Dockerfile";
  ctx.entries.push_back(file("Dockerfile", dockerfile(), 0644));
  ctx.entries.push_back(file("front.json", json{{"admin", admin_section(kFrontAdminSocketName)}}.dump(2) + "\n", 0644));
  ctx.entries.push_back(file("back.json", json{{"admin", admin_section(kAdminSocketName)}}.dump(2) + "\n", 0644));
  ctx.entries.push_back(file("entrypoint", entrypoint(), 0755));
  for (const auto& e : ctx.entries) ctx.total_bytes += e.size;
  return ctx;
}

std::string edge_recipe_hash(const engine::BuildContext& context, const std::string& base_image_id) {
  Sha256 h;
  for (const auto& e : context.entries) {
    h.update(e.path + '\0' + std::to_string(e.mode) + '\0' + std::to_string(e.content.size()) + '\0');
    h.update(e.content);
  }
  h.update(std::string("base") + '\0' + base_image_id);
  return h.hex();
}

std::string edge_image_tag(const std::string& recipe_hash) {
  return std::string(kEdgeImageRepository) + ":" + recipe_hash.substr(0, 12);
}

EdgeImage ensure_edge_image(const engine::Engine& engine, const engine::BuildOutput& on_output) {
  auto base = engine.find_image(kEdgeBaseImage);
  if (!base)
    throw EnvError(std::string("the edge image is built FROM ") + kEdgeBaseImage +
                   ", which this engine does not have (create it with `slipway base " + kEdgeBaseImage + "`)");
  engine::BuildContext ctx = edge_image_context();
  EdgeImage image;
  std::string hash = edge_recipe_hash(ctx, (*base)["Id"].get<std::string>());
  image.tag = edge_image_tag(hash);
  if (auto existing = engine.find_image(image.tag)) {
    const auto& labels = (*existing)["Config"]["Labels"];
    if (labels.is_object() && labels.value(kEdgeRecipeLabel, "") == hash) {
      image.id = (*existing)["Id"];
      return image;
    }
  }
  engine::BuildOptions options;
  options.tags = {image.tag};
  options.dockerfile = ctx.dockerfile;
  options.labels = {{kEdgeRecipeLabel, hash}, {kEdgeBaseLabel, (*base)["Id"].get<std::string>()}};
  try {
    image.id = engine.build_image(engine::context_tar_reader(ctx), options, on_output);
  } catch (const engine::BuildError& e) {
    throw engine::BuildError(e.engine_message(), e.output(), "building the edge image " + image.tag);
  }
  image.built = true;
  return image;
}

}  // namespace slipway::edge

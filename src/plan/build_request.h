// Compose's `build:` section (the canonical form `docker compose config` prints: absolute
// context, args as strings, extra_hosts "h=ip", shm_size in bytes) -> what to ask the builder.
// Pure: apply/image_build.h turns a BuildRequest into the engine's build call and decides when
// an unchanged context can skip it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/labels.h"

namespace slipway::plan {

struct BuildRequest {
  std::string service;
  std::string context;                    // absolute directory
  std::string dockerfile = "Dockerfile";  // relative to the context, or absolute
  std::string dockerfile_inline;          // Compose's dockerfile_inline (then `dockerfile` is unused)
  std::vector<std::string> tags;          // tags[0] is the image the service runs ("repo:tag")
  // Build args; nullopt means "declared without a value" and is left out.
  std::map<std::string, std::optional<std::string>> args;
  std::string target;
  Labels labels;  // the section's labels plus the project's (service_image_labels)
  bool no_cache = false;
  bool pull = false;
  std::string network;                   // RUN steps' network mode ("" = engine default)
  std::vector<std::string> extra_hosts;  // "host:ip", as the engine wants them
  std::string platform;
  std::vector<std::string> cache_from;
  std::int64_t shm_size = 0;  // bytes; 0 = default
};

// Translates `build` (canonical JSON) of `service` in `project`; `tag` is the image name
// (":latest" added when it has no tag). UserError naming services.<svc>.build.<key> for what
// the classic builder cannot do: remote contexts, secrets, ssh, additional_contexts, several
// platforms.
BuildRequest build_request(const std::string& project, const std::string& service, const nlohmann::ordered_json& build,
                           const std::string& tag);

// Labels slipway puts on every service image it builds (so `docker compose` and slipway's
// garbage collection see which project an image belongs to).
Labels service_image_labels(const std::string& project, const std::string& service);

// Base images a Dockerfile names in FROM lines, after substituting ARG defaults and `args`;
// stage names and "scratch" are left out. In order, unique.
std::vector<std::string> dockerfile_base_images(const std::string& dockerfile_text,
                                                const std::map<std::string, std::optional<std::string>>& args = {});

}  // namespace slipway::plan

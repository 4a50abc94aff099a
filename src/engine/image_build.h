// Building one service's image from its canonical Compose `build:` section (the form
// `docker compose config` prints: absolute context, args as strings, extra_hosts "h=ip",
// shm_size in bytes). Shared by `slipway build` and `up`.
//
// Every image slipway builds carries io.slipway.context-hash: a digest of the context's files,
// the build options and the IDs of the local base images. When the tag already carries the
// same hash the build is skipped ("up to date"); a rebuilt base image therefore triggers a
// rebuild of everything built on it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/build_context.h"
#include "engine/client.h"

namespace slipway::engine {

inline constexpr const char* kContextHashLabel = "io.slipway.context-hash";

// What a canonical build section asks for, ready for the engine.
struct BuildSpec {
  std::string context;  // absolute directory
  ContextOptions context_options;
  BuildOptions options;  // tags[0] is the image the service runs
};

// Translates `build` (canonical JSON) for `service`; `tag` is the image name (":latest" is
// added when it has no tag). UserError (naming services.<svc>.build.<key>) for what the classic
// builder cannot do: remote contexts, secrets, ssh, additional_contexts, several platforms.
BuildSpec build_spec(const std::string& service, const nlohmann::ordered_json& build, const std::string& tag);

// Base images a Dockerfile names in FROM lines, after substituting ARG defaults and
// `build_args`; stage names and "scratch" are left out. In order, unique.
std::vector<std::string> dockerfile_base_images(const std::string& dockerfile_text,
                                                const std::map<std::string, std::optional<std::string>>& build_args = {});

// Labels slipway puts on every service image it builds (so `docker compose` and slipway's
// garbage collection see which project an image belongs to). `build` and `up` both use these,
// so their context hashes agree.
Labels service_image_labels(const std::string& project, const std::string& service);

struct ServiceBuildOptions {
  bool no_cache = false;  // also forces the build when the hash matches
  Labels extra_labels;    // added to the image (e.g. com.docker.compose.project)
  BuildOutput on_output;  // builder output lines
};

struct ServiceBuildResult {
  std::string service;
  std::string image;         // the tag
  std::string image_id;      // "sha256:..."
  std::string context_hash;
  bool up_to_date = false;   // skipped: the tag already had this hash
  double seconds = 0;
  std::int64_t context_bytes = 0;
  std::size_t context_files = 0;
};

// Builds (or skips) the service's image. On a failed build: when a FROM image is missing and
// the engine could not pull it, EnvError naming the image and how to provide it (`slipway base`
// for debian:*, else `docker load`); otherwise the BuildError with the builder's message,
// prefixed with the service.
ServiceBuildResult build_service(const Client& client, const std::string& service, const nlohmann::ordered_json& build,
                                 const std::string& tag, const ServiceBuildOptions& options = {});

}  // namespace slipway::engine

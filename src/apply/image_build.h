// Building service images: a BuildRequest (plan/build_request.h) through the engine's classic
// builder, skipped when the image is up to date. Shared by `slipway build` and `up`.
//
// Every image slipway builds carries io.slipway.context-hash: a digest of the context's files,
// the build options and the IDs of the local base images. When the tag already carries the
// same hash the build is skipped ("up to date"); a rebuilt base image therefore triggers a
// rebuild of everything built on it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "plan/build_request.h"

namespace slipway::apply {

inline constexpr const char* kContextHashLabel = "io.slipway.context-hash";

struct ServiceBuildOptions {
  bool no_cache = false;  // also forces the build when the hash matches
  // Builder output lines, with the service they belong to (builds may run at once).
  std::function<void(const std::string& service, const std::string& line)> on_output;
};

struct ServiceBuildResult {
  std::string service;
  std::string image;     // the tag
  std::string image_id;  // "sha256:..."
  std::string context_hash;
  bool up_to_date = false;  // skipped: the tag already had this hash
  double seconds = 0;
  std::int64_t context_bytes = 0;
  std::size_t context_files = 0;
};

// Builds (or skips) one image. On a failed build: when a FROM image is missing and the engine
// could not pull it, EnvError naming the image and how to provide it (`slipway base` for
// debian:*, else `docker load`); otherwise the BuildError with the builder's message,
// prefixed with the service.
ServiceBuildResult build_service(const engine::Engine& engine, const plan::BuildRequest& request,
                                 const ServiceBuildOptions& options = {});

// Where the request's Dockerfile is (the context's "Dockerfile" unless it names another; an
// absolute path as given), and its text: dockerfile_inline, else the file's content ("" when
// it cannot be read; the build itself reports that).
std::string dockerfile_path_of(const plan::BuildRequest& request);
std::string dockerfile_text_of(const plan::BuildRequest& request);

// The base images the request's Dockerfile builds FROM (plan::dockerfile_base_images with its
// args), read from the context directory or dockerfile_inline. Empty when the file is unreadable
// (the build itself reports that).
std::vector<std::string> base_images_of(const plan::BuildRequest& request);

// Builds several images, up to `jobs` at once (0: the number of cores). An image whose
// Dockerfile builds FROM another one of the list waits for it. `started` and `finished`
// (optional) are called around each build, from the worker threads, one at a time. Results
// are in the order of `requests`. When builds fail, the others still finish (or are not
// started once one failed) and the first error is rethrown.
std::vector<ServiceBuildResult> build_services(
    const engine::Engine& engine, const std::vector<plan::BuildRequest>& requests, const ServiceBuildOptions& options,
    unsigned jobs = 0, const std::function<void(const plan::BuildRequest&)>& started = nullptr,
    const std::function<void(const ServiceBuildResult&)>& finished = nullptr);

}  // namespace slipway::apply

// What changed between the image a service runs and its rebuilt candidate: the probes before
// and after (update/probe.h) turned into an ImageChanges (update/report.h) — package diff,
// changelog entries from the new image's /usr/share/doc, and the old and new package defaults
// of the conffiles the image overrides (fetched as .debs with apt-get download in the probe
// containers, since an overridden conffile's default is nowhere in the image).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "update/probe.h"
#include "update/report.h"
#include "update/stack.h"

namespace slipway::update {

struct ImageBefore {
  bool built = false;  // the tag existed
  ImageProbe probe;
  // Overridden conffile path -> the package's default in the installed version (nullopt when
  // the archive no longer offers that version).
  std::map<std::string, std::optional<std::string>> defaults;
};

// Probes the image the services run now, with apt-get update (upgradable, security).
ImageBefore probe_before(const engine::Engine& engine, const std::string& image, const ProbeOptions& options);

// Probes `candidate` and compares it with `before`.
ImageChanges probe_after(const engine::Engine& engine, const StackBuild& build, const ImageBefore& before,
                         const std::string& candidate, const ProbeOptions& options);

}  // namespace slipway::update

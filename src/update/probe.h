// Looking inside a built image: a throwaway container of it (never a container of the stack),
// in which dpkg and apt answer what is installed, what could be upgraded and from which
// suite, and which conffiles the image overrides. Everything runs through the engine's exec
// API with argv vectors; nothing is parsed by a shell on either side.
//
// FROM-scratch images (no /var/lib/dpkg/status) are reported as having no package manager;
// their container is never started (they may hold no program that could keep it alive).
//
// Probe containers are labelled io.slipway.role=update-probe and named after the process that
// made them (slipway-probe-<host>-<pid>-<random>); remove_stale_probes() removes what a killed
// run left behind.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "update/apt_output.h"
#include "update/conffiles.h"

namespace slipway::update {

inline constexpr const char* kProbeRole = "update-probe";

struct ProbeOptions {
  bool upgradable = true;  // run apt-get update and list the upgradable packages (network)
  engine::Labels labels;   // added to the probe container's (tests: io.slipway.test)
};

// A running throwaway container of one image, removed on destruction.
class ProbeContainer {
 public:
  ProbeContainer(const engine::Engine& engine, const std::string& image, const ProbeOptions& options);
  ~ProbeContainer();
  ProbeContainer(const ProbeContainer&) = delete;
  ProbeContainer& operator=(const ProbeContainer&) = delete;

  // False for images without dpkg (FROM scratch, distroless): nothing else may be called then.
  bool has_dpkg() const { return has_dpkg_; }
  // Runs argv as root (DEBIAN_FRONTEND=noninteractive, LC_ALL=C) in /tmp.
  engine::ExecResult run(const std::vector<std::string>& argv) const;
  // Same, but an exit status other than 0 is an EnvError naming the command and its stderr.
  std::string run_ok(const std::vector<std::string>& argv) const;
  // A file's content; nullopt when it does not exist (or cannot be read). `.gz` is undone.
  std::optional<std::string> read_file(const std::string& path) const;
  // The default content of `path` as package `package` version `version` ships it: the .deb is
  // fetched with apt-get download (the lists must be current) and unpacked in /tmp. nullopt
  // when the archive no longer offers that version or the .deb has no such file.
  std::optional<std::string> package_default(const std::string& package, const std::string& version,
                                             const std::string& path) const;
  // apt-get update; "" on success, else its last lines (the error).
  std::string apt_update() const;

 private:
  const engine::Engine& engine_;
  std::string id_;
  bool has_dpkg_ = false;
  mutable int downloads_ = 0;
};

struct ImageProbe {
  std::string image;
  std::string image_id;
  engine::Labels labels;  // the image's (a `slipway base` image's io.slipway.base.* are inherited)
  bool package_manager = false;
  std::string suite;  // io.slipway.base.suite, else VERSION_CODENAME of /etc/os-release
  std::vector<InstalledPackage> packages;
  std::vector<Conffile> conffiles;
  std::vector<OverriddenConffile> overridden;
  bool upgradable_checked = false;
  std::vector<Upgradable> upgradable;
  std::string apt_error;  // apt-get update failed (then `upgradable` is empty)
};

// Probes one image. EnvError when the image is missing or the engine fails.
ImageProbe probe_image(const engine::Engine& engine, const std::string& image, const ProbeOptions& options);

// The same probe in a container already made (so callers can fetch more from it).
ImageProbe probe_in(const ProbeContainer& container, const engine::Engine& engine, const std::string& image,
                    const ProbeOptions& options);

// Removes probe containers a killed run left behind: those whose owner process (on this host)
// is gone, and any older than an hour (made on another host: a younger one may be in use).
void remove_stale_probes(const engine::Engine& engine);

}  // namespace slipway::update

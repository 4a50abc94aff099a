// `slipway base`: a Debian base image built from the distribution's own signed packages
// (mmdebstrap) and imported through the engine API, so no registry is ever needed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace slipway::engine {

struct BaseImageOptions {
  std::string image;     // "debian:<suite>"
  std::string snapshot;  // "YYYYMMDDTHHMMSSZ": use snapshot.debian.org at that moment
  std::string mirror;    // a Debian mirror URL (default: mmdebstrap's, deb.debian.org)
  std::string variant = "minbase";
  std::string temp_dir;  // where the rootfs tar is made; default $TMPDIR or /var/tmp
  // mmdebstrap's progress output, as it arrives.
  std::function<void(const std::string&)> on_progress;
};

struct BasePackage {
  std::string name, version, architecture;
};

struct BaseImageResult {
  std::string image;  // "debian:bookworm"
  std::string image_id;
  std::string previous_image_id;  // what the tag named before, "" if nothing
  std::string suite;
  std::string created;  // UTC, RFC 3339
  std::vector<BasePackage> packages;
  std::string packages_sha256;  // of the "name=version" list, one per line
  bool package_list_in_label = false;
  double bootstrap_seconds = 0;
  double import_seconds = 0;
  long long tar_bytes = 0;
};

// Label keys on base images.
inline constexpr const char* kBaseSuiteLabel = "io.slipway.base.suite";
inline constexpr const char* kBaseCreatedLabel = "io.slipway.base.created";
inline constexpr const char* kBasePackagesLabel = "io.slipway.base.packages";         // count
inline constexpr const char* kBasePackageListLabel = "io.slipway.base.package-list";  // "a=1 b=2", when short
inline constexpr const char* kBasePackagesHashLabel = "io.slipway.base.packages-sha256";
inline constexpr const char* kBaseSnapshotLabel = "io.slipway.base.snapshot";
inline constexpr const char* kBaseMirrorLabel = "io.slipway.base.mirror";

// Splits and checks "debian:<suite>" (UserError otherwise).
std::string debian_suite_of(const std::string& image);

// Installed packages from a dpkg status file's text.
std::vector<BasePackage> parse_dpkg_status(const std::string& status);

// Runs mmdebstrap and imports the result as options.image. EnvError when mmdebstrap is
// missing ("run scripts/setup") or fails (with its last lines of output).
BaseImageResult make_debian_base(const Engine& client, const BaseImageOptions& options);

}  // namespace slipway::engine

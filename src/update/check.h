// `slipway update --check`: for each image the stack builds, what a fresh `apt-get update`
// would upgrade (security ones marked), how old its `slipway base` image is and how long its
// Debian release stays supported. Changes nothing running: the probes are throwaway
// containers of the images (update/probe.h).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "update/distro_info.h"
#include "update/probe.h"

namespace slipway::update {

// A service image the stack builds (several services may share one image: listed once, with
// all of them).
struct StackImage {
  std::vector<std::string> services;
  std::string image;  // the tag the services run
};

struct ImageCheck {
  StackImage target;
  std::string image_id;
  bool built = false;            // the tag exists
  bool package_manager = false;  // dpkg found
  std::string suite;
  std::string base_created;  // io.slipway.base.created ("" when not a `slipway base` image)
  long base_age_days = -1;
  std::vector<Upgradable> upgradable;
  size_t security = 0;  // how many of `upgradable` come from a security suite
  std::optional<SupportStatus> support;
  std::string error;  // the probe failed, apt-get update failed...
};

struct CheckOptions {
  unsigned jobs = 0;   // images probed at once; 0 = the number of cores
  ProbeOptions probe;  // labels for tests
  std::string today;   // "YYYY-MM-DD" (UTC); "" = now
  std::string distro_info = kDebianDistroInfo;
};

std::vector<ImageCheck> check_images(const engine::Engine& engine, const std::vector<StackImage>& images,
                                     const CheckOptions& options);

// The exit status of --check: 1 when a check failed or a release is out of support, 3 when
// updates exist, 0 when everything is current.
int check_exit_code(const std::vector<ImageCheck>& checks);

nlohmann::ordered_json check_json(const std::vector<ImageCheck>& checks);
std::string check_text(const std::vector<ImageCheck>& checks);

// Today's UTC date as "YYYY-MM-DD".
std::string utc_today();

}  // namespace slipway::update

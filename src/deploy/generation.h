// How a generation shows on what runs (pure): container names and labels.
//
// Generation N of container number n of service S runs as "<project>-S-gN-n", so two
// generations of a service can run side by side and the edge routes to one of them by name
// (the engine's DNS resolves container names on the stack's networks). A service with a
// container_name keeps that name (it runs stop-first, one at a time). Every container carries
// io.slipway.generation=N (plan/labels.h) and the Compose labels, so `docker compose ps` still
// lists them under their service.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "plan/observed.h"

namespace slipway::deploy {

// "<project>-<service>-g<generation>-<number>", or the service's container_name.
std::string generation_container_name(const std::string& project, const std::string& service,
                                      const nlohmann::ordered_json& spec, int generation, int number);

// The io.slipway.generation label of `c` as a number (nullopt when absent or not a number).
std::optional<int> generation_of(const plan::ObservedContainer& c);

// The tag that keeps a generation's image from being pruned: "<project>-<service>-slipway:gN".
// Repository and tag, separately (engine::Engine::tag_image).
struct KeepTag {
  std::string repo;
  std::string tag;
  std::string reference() const { return repo + ":" + tag; }
};
KeepTag keep_tag(const std::string& project, const std::string& service, int generation);

}  // namespace slipway::deploy

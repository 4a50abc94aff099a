// The config hash decides whether a running container still matches its service: equal
// hashes mean nothing to do, so a second `up` changes nothing.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace slipway::plan {

// sha256 over the service's canonical JSON (keys sorted, so the file's key order does not
// matter) without the keys that do not shape the container (build, depends_on, scale,
// deploy.replicas, pull_policy, profiles, develop), followed by the image ID, so a rebuilt
// image recreates the container even under an unchanged tag.
std::string config_hash(const nlohmann::ordered_json& service, const std::string& image_id);

}  // namespace slipway::plan

#include "plan/config_hash.h"

#include "util/sha256.h"

namespace slipway::plan {

std::string config_hash(const nlohmann::ordered_json& service, const std::string& image_id) {
  nlohmann::json sorted = nlohmann::json::parse(service.dump());
  if (sorted.is_object()) {
    for (const char* key : {"build", "depends_on", "scale", "pull_policy", "profiles", "develop", "attach"})
      sorted.erase(key);
    if (sorted.contains("deploy") && sorted["deploy"].is_object()) {
      sorted["deploy"].erase("replicas");
      if (sorted["deploy"].empty()) sorted.erase("deploy");
    }
  }
  return sha256_hex(sorted.dump() + "\n" + image_id);
}

}  // namespace slipway::plan

#include "plan/file_digests.h"

#include <nlohmann/json.hpp>

namespace slipway::plan {

std::string encode_file_digests(const std::map<std::string, std::string>& by_target) {
  return nlohmann::json(by_target).dump();
}

std::map<std::string, std::string> decode_file_digests(const std::string& label_value) {
  std::map<std::string, std::string> out;
  auto j = nlohmann::json::parse(label_value, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return out;
  for (const auto& [target, digest] : j.items())
    if (digest.is_string()) out[target] = digest.get<std::string>();
  return out;
}

}  // namespace slipway::plan

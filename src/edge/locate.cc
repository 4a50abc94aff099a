#include "edge/locate.h"

#include "util/read_input.h"
#include "yaml/reader.h"

namespace slipway::edge {

Locator file_locator(const std::vector<std::string>& config_files) {
  return [config_files](const std::vector<std::string>& path) -> Location {
    for (auto file = config_files.rbegin(); file != config_files.rend(); ++file) {
      try {
        yaml::Node root = yaml::read(read_input_file(*file, "compose file"), *file);
        const yaml::Node* node = &root;
        Location found;
        for (const auto& key : path) {
          if (!node->is_mapping()) {
            node = nullptr;
            break;
          }
          const yaml::Node* next = nullptr;
          for (const auto& entry : node->entries())
            if (entry.key.value() == key) {
              found = entry.key.location();
              next = &entry.value;
            }
          node = next;
          if (!node) break;
        }
        if (node) return found;
      } catch (const Error&) {
        // An unreadable file only costs the precise location.
      }
    }
    return config_files.empty() ? Location{} : Location{config_files.front(), 0, 0};
  };
}

Locator fixed_locator(Location where) {
  return [where](const std::vector<std::string>&) { return where; };
}

void Reporter::fail(const std::string& what) const {
  std::string dotted;
  for (const auto& p : path_) dotted += (dotted.empty() ? "" : ".") + p;
  throw UserError(where(), dotted + ": " + what);
}

Reporter Reporter::child(const std::string& key) const {
  auto p = path_;
  p.push_back(key);
  return Reporter(locate_, p);
}

}  // namespace slipway::edge

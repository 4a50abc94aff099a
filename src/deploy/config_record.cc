#include "deploy/config_record.h"

#include <filesystem>
#include <fstream>

#include "util/error.h"
#include "util/read_input.h"

namespace slipway::deploy {

namespace fs = std::filesystem;

nlohmann::json record_compose_files(const compose::Project& project) {
  nlohmann::json out = nlohmann::json::array();
  fs::path root = fs::path(project.working_dir).lexically_normal();
  for (const auto& file : project.config_files) {
    fs::path rel = fs::path(file).lexically_normal().lexically_relative(root);
    bool inside = !rel.empty() && *rel.begin() != "..";
    out.push_back({{"path", inside ? rel.string() : file}, {"content", read_input_file(file, "Compose file")}});
  }
  return out;
}

std::vector<std::string> write_compose_files(const nlohmann::json& files, const std::string& dir) {
  if (!files.is_array() || files.empty())
    throw UserError("the generation's record holds no Compose file (it was deployed by an older slipway)");
  std::vector<std::string> paths;
  int n = 0;
  for (const auto& f : files) {
    // Each under its own numbered directory: two recorded files may share a name.
    fs::path name = fs::path(f.value("path", "compose.yaml")).filename();
    fs::path target = fs::path(dir) / std::to_string(n++) / name;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    std::ofstream out(target, std::ios::binary);
    out << f.value("content", "");
    out.close();
    if (ec || !out) throw EnvError("cannot write " + target.string() + " (rollback's copy of a Compose file)");
    paths.push_back(target.string());
  }
  return paths;
}

}  // namespace slipway::deploy

#include "backup/data.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "backup/settings.h"
#include "compose/model.h"

namespace slipway::backup {
namespace {

using json = nlohmann::ordered_json;

void add_user(DataItem& item, const std::string& service, bool read_only) {
  if (std::find(item.services.begin(), item.services.end(), service) == item.services.end())
    item.services.push_back(service);
  if (!read_only && std::find(item.writers.begin(), item.writers.end(), service) == item.writers.end())
    item.writers.push_back(service);
}

bool inside(const std::string& path, const std::string& dir) {
  if (dir.empty()) return false;
  auto p = std::filesystem::path(path).lexically_normal().string();
  auto d = std::filesystem::path(dir).lexically_normal().string();
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return p == d || p.rfind(d + "/", 0) == 0;
}

// A local volume mounted as tmpfs (driver_opts type: tmpfs).
bool is_tmpfs(const compose::Resource& v) {
  for (const auto& [k, value] : v.driver_opts())
    if (k == "type" && value == "tmpfs") return true;
  return false;
}

}  // namespace

std::vector<DataItem> select_data(const compose::Project& project, const Location& where) {
  compose::Model model(project);
  std::map<std::string, DataItem> volumes;  // by key
  std::map<std::string, DataItem> binds;    // by source

  for (const auto& v : model.volumes()) {
    auto flag = backup_flag(v.spec(), "volumes." + v.key(), where);
    if (flag && !*flag) continue;
    if (is_tmpfs(v)) continue;  // gone when its containers stop: never data
    DataItem item;
    item.kind = DataItem::volume;
    item.key = v.key();
    item.name = model.volume_name(v.key());
    item.external = v.external();
    volumes.emplace(v.key(), std::move(item));
  }

  for (const auto& svc : model.services()) {
    std::vector<compose::Mount> mounts = svc.mounts();
    for (size_t i = 0; i < mounts.size(); ++i) {
      const compose::Mount& m = mounts[i];
      std::string path = "services." + svc.name() + ".volumes[" + std::to_string(i) + "]";
      std::string type = m.type();
      std::string source = m.source();
      bool ro = m.read_only();
      auto flag = backup_flag(m.spec(), path, where);
      if (type == "volume" && !source.empty()) {
        if (flag && !*flag) continue;  // this mount's view is not data, the volume still may be
        auto v = volumes.find(source);
        if (v != volumes.end()) add_user(v->second, svc.name(), ro);
      } else if (type == "bind" && flag && *flag) {
        if (source.empty() || source[0] != '/')
          throw UserError(where, path + ": a bind mount that is backed up needs an absolute source path");
        if (inside(source, project.working_dir) || inside(project.working_dir, source))
          throw UserError(where, path + ": " + source +
                                     " is inside the stack's repository, and nothing from the repo goes into a "
                                     "backup (keep data outside " +
                                     project.working_dir + " or use a named volume)");
        auto [b, created] = binds.try_emplace(source);
        if (created) {
          b->second.kind = DataItem::bind;
          b->second.key = source;
          b->second.name = source;
        }
        add_user(b->second, svc.name(), ro);
      } else if (flag && *flag && type != "volume") {
        throw UserError(where, path +
                                   ".x-slipway.backup: only named volumes and bind mounts can be backed up (this is " +
                                   (type.empty() ? std::string("an unknown mount") : "a " + type + " mount") + ")");
      }
    }
  }

  std::vector<DataItem> out;
  // A declared volume no service mounts is never created, so there is nothing to back up.
  for (auto& [k, v] : volumes)
    if (!v.services.empty()) out.push_back(std::move(v));
  for (auto& [k, b] : binds) out.push_back(std::move(b));
  return out;
}

}  // namespace slipway::backup

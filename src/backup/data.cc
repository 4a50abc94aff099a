#include "backup/data.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "backup/settings.h"

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

}  // namespace

std::vector<DataItem> select_data(const compose::Project& project, const Location& where) {
  const json& model = project.model;
  std::map<std::string, DataItem> volumes;  // by key
  std::map<std::string, DataItem> binds;    // by source

  const json* top = model.contains("volumes") && model["volumes"].is_object() ? &model["volumes"] : nullptr;
  if (top) {
    for (auto it = top->begin(); it != top->end(); ++it) {
      std::string path = "volumes." + it.key();
      auto flag = backup_flag(it.value(), path, where);
      if (flag && !*flag) continue;
      DataItem item;
      item.kind = DataItem::volume;
      item.key = it.key();
      const json& v = it.value();
      item.name = v.is_object() && v.contains("name") && v["name"].is_string() ? v["name"].get<std::string>()
                                                                                : project.name + "_" + it.key();
      item.external = v.is_object() && v.contains("external") && v["external"].is_boolean() && v["external"].get<bool>();
      volumes.emplace(it.key(), std::move(item));
    }
  }

  if (model.contains("services") && model["services"].is_object()) {
    const json& services = model["services"];
    for (auto s = services.begin(); s != services.end(); ++s) {
      if (!s.value().is_object() || !s.value().contains("volumes") || !s.value()["volumes"].is_array()) continue;
      const json& mounts = s.value()["volumes"];
      for (size_t i = 0; i < mounts.size(); ++i) {
        const json& m = mounts[i];
        if (!m.is_object()) continue;
        std::string path = "services." + s.key() + ".volumes[" + std::to_string(i) + "]";
        std::string type = m.contains("type") && m["type"].is_string() ? m["type"].get<std::string>() : "";
        std::string source = m.contains("source") && m["source"].is_string() ? m["source"].get<std::string>() : "";
        bool ro = m.contains("read_only") && m["read_only"].is_boolean() && m["read_only"].get<bool>();
        auto flag = backup_flag(m, path, where);
        if (type == "volume" && !source.empty()) {
          if (flag && !*flag) continue;  // this mount's view is not data, the volume still may be
          auto v = volumes.find(source);
          if (v != volumes.end()) add_user(v->second, s.key(), ro);
        } else if (type == "bind" && flag && *flag) {
          if (source.empty() || source[0] != '/')
            throw UserError(where, path + ": a bind mount that is backed up needs an absolute source path");
          if (inside(source, project.working_dir) || inside(project.working_dir, source))
            throw UserError(where, path + ": " + source +
                                       " is inside the stack's repository, and nothing from the repo goes into a "
                                       "backup (keep data outside " + project.working_dir + " or use a named volume)");
          auto [b, created] = binds.try_emplace(source);
          if (created) {
            b->second.kind = DataItem::bind;
            b->second.key = source;
            b->second.name = source;
          }
          add_user(b->second, s.key(), ro);
        } else if (flag && *flag && type != "volume") {
          throw UserError(where, path + ".x-slipway.backup: only named volumes and bind mounts can be backed up (this is " +
                                     (type.empty() ? std::string("an unknown mount") : "a " + type + " mount") + ")");
        }
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

#include "backup/live.h"

#include <sys/stat.h>

#include "util/error.h"

namespace slipway::backup {

LiveStack observe_stack(const engine::Client& client, const std::string& project) {
  LiveStack live;
  auto list = client.list_containers(engine::Filters{{"label", {"com.docker.compose.project=" + project}}}, true);
  long newest = -1;
  for (const auto& c : list) {
    const auto& labels = c.contains("Labels") && c["Labels"].is_object() ? c["Labels"] : engine::json::object();
    if (labels.value("com.docker.compose.oneoff", "False") == "True") continue;
    std::string service = labels.value("com.docker.compose.service", "");
    if (service.empty()) continue;
    std::string id = c.value("Id", "");
    std::string state = c.value("State", "");
    auto& sc = live.services[service];
    sc.all.push_back(id);
    if (state == "running" || state == "paused" || state == "restarting") {
      sc.running.push_back(id);
      if (!live.images.count(service)) live.images[service] = c.value("ImageID", "");
    }
    std::string gen = labels.value("io.slipway.generation", "");
    try {
      long g = gen.empty() ? -1 : std::stol(gen);
      if (g > newest) {
        newest = g;
        live.generation = gen;
      }
    } catch (const std::exception&) {
    }
  }
  return live;
}

std::string data_directory(const engine::Client& client, const DataItem& item) {
  std::string dir;
  if (item.kind == DataItem::bind) {
    dir = item.name;
  } else {
    auto v = client.find_volume(item.name);
    if (!v)
      throw EnvError("volume " + item.name + " does not exist (start the stack with `slipway up`, or restore into it)");
    std::string driver = v->value("Driver", "local");
    if (driver != "local")
      throw EnvError("volume " + item.name + " uses the " + driver +
                     " driver; slipway backs up only local volumes (back that storage up where it lives)");
    dir = v->value("Mountpoint", "");
  }
  struct stat st;
  if (dir.empty() || ::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw EnvError("cannot reach the data of " + item.name + " at " + (dir.empty() ? "(no mountpoint)" : dir) +
                   " (slipway reads volumes in place: run it as root on the engine's host)");
  return dir;
}

}  // namespace slipway::backup

#include "backup/live.h"

#include "apply/observe.h"

#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "util/error.h"
#include "util/parse.h"

namespace slipway::backup {

LiveStack observe_stack(const engine::Engine& client, const std::string& project) {
  LiveStack live;
  auto list = client.list_containers(apply::project_containers_filter(project), true);
  int64_t newest = -1;
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
    auto g = parse_int(gen);
    if (g && *g > newest) {
      newest = *g;
      live.generation = gen;
    }
  }
  return live;
}

void wait_healthy(const engine::Engine& client, const std::string& project, int timeout_seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  for (;;) {
    std::string waiting;
    auto list = client.list_containers(apply::project_containers_filter(project), true);
    for (const auto& c : list) {
      auto info = client.inspect_container(c.value("Id", ""));
      const auto& st = info["State"];
      std::string service = info["Config"]["Labels"].value("com.docker.compose.service", info.value("Name", ""));
      if (!st.contains("Health") || !st["Health"].is_object()) continue;
      std::string h = st["Health"].value("Status", "");
      if (!st.value("Running", false))
        throw EnvError("service " + service + " exited while slipway waited for it to become healthy");
      if (h == "unhealthy") throw EnvError("service " + service + " is unhealthy");
      if (h != "healthy") waiting = service;
    }
    if (waiting.empty()) return;
    if (std::chrono::steady_clock::now() > deadline)
      throw EnvError("service " + waiting + " did not become healthy within " + std::to_string(timeout_seconds) + " s");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

namespace {

// Where a local volume's data lives on this host. Plain volumes: the Mountpoint. Volumes whose
// driver_opts bind a host directory (`type: none, o: bind, device: /srv/x`): that directory —
// the Mountpoint is only a mount of it while a container uses the volume, so swapping it would
// restore nothing. Other driver_opts (nfs, cifs, a block device) hold data slipway cannot swap
// in place.
std::string local_volume_directory(const engine::json& v, const std::string& name) {
  const auto& opts = v.contains("Options") && v["Options"].is_object() ? v["Options"] : engine::json::object();
  if (opts.empty()) return v.value("Mountpoint", "");
  std::string type = opts.value("type", "");
  std::string o = opts.value("o", "");
  std::string device = opts.value("device", "");
  if ((type.empty() || type == "none") && o.find("bind") != std::string::npos && !device.empty() && device[0] == '/')
    return device;
  throw EnvError("volume " + name + " is mounted from driver_opts (type " + (type.empty() ? "?" : type) +
                 "); slipway backs up only volumes whose data is a directory on this host (back that storage up "
                 "where it lives, and mark the volume x-slipway: {backup: false})");
}

}  // namespace

std::string data_directory(const engine::Engine& client, const DataItem& item) {
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
    dir = local_volume_directory(*v, item.name);
  }
  struct stat st;
  if (dir.empty() || ::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw EnvError("cannot reach the data of " + item.name + " at " + (dir.empty() ? "(no mountpoint)" : dir) +
                   " (slipway reads volumes in place: run it as root on the engine's host)");
  return dir;
}

}  // namespace slipway::backup
